import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../../route-context.js';
import { textPlain } from '../../route-context.js';
import { errors, PlainText, TrainingMode } from '../../schemas.js';
import { trainSummary } from './train-summary.js';

/**
 * The tutorial's `POST /train_svm?param=...`, in a scope of its own: the tutorial sends
 * `-H "Content-Type: text/plain" -d "{}"` and plain `curl -d` sends a form, so this route accepts
 * any content type and ignores the body (still read, so the body limit holds).
 */
export const trainSvmRoute: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));

  fastify.post(
    '/train_svm',
    {
      schema: {
        tags: ['tutorial'],
        summary: 'Train a model and wait for it (the body is ignored)',
        description:
          'Trains synchronously on the latest data snapshot; the promotion gate decides whether the new version serves. A training cancelled meanwhile answers 409, one that outlives training.timeout 504.',
        querystring: Type.Object({ param: TrainingMode }),
        response: { 200: PlainText('e.g. "Model v3 trained (normalized): recall of M 0.9792, macro recall 0.9896, active"'), ...errors(400, 401, 403, 409, 413, 422, 502, 504) },
      },
    },
    async (request, reply) => {
      const result = await app.trainings.train({ mode: request.query.param }, 'tutorial');
      return reply.type(textPlain).send(trainSummary(result));
    },
  );
};
