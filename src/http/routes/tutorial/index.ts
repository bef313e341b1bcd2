import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NotTrainedError } from '../../../app/errors.js';
import type { RouteContext } from '../../route-context.js';
import { textPlain } from '../../route-context.js';
import { Cell, errors, PlainText } from '../../schemas.js';
import { trainSvmRoute } from './train-svm.js';

/** The tutorial's five routes, unchanged, so its curl lines work with only the host changed. */
export const tutorialRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, context) => {
  const { app, metrics } = context;
  const notTrained = new NotTrainedError().message;

  fastify.get(
    '/update_data',
    {
      // A GET that changes state (the tutorial's route): admin like every other update.
      config: { access: 'admin' },
      schema: {
        tags: ['tutorial'],
        summary: 'Re-read the data source into a new snapshot',
        response: { 200: PlainText('Dataset successfully updated'), ...errors(401, 403, 422, 502) },
      },
    },
    async (_request, reply) => {
      await app.jobs.update('tutorial');
      return reply.type(textPlain).send('Dataset successfully updated');
    },
  );

  await fastify.register(trainSvmRoute, context);

  fastify.post(
    '/prediction',
    {
      config: { access: 'predict' },
      schema: {
        tags: ['tutorial'],
        summary: 'Predict rows: one line per row, Benign or Malign',
        body: Type.Object({ data: Type.Array(Type.Array(Cell), { description: 'rows of raw measurements, one value per feature in feature order (a category as a string, null for a missing value)' }) }),
        response: { 200: PlainText('one class name per row, joined by newlines'), ...errors(400, 401, 403, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const outcome = app.predictions.predict(request.body.data, { route: 'tutorial' });
      metrics.countPredictions(outcome);
      let text = '';
      for (const p of outcome.predictions) text += text === '' ? p.className : `\n${p.className}`;
      return reply.type(textPlain).send(text);
    },
  );

  fastify.get(
    '/show_performance',
    {
      schema: {
        tags: ['tutorial'],
        summary: "The active model's classification report on its test split",
        response: { 200: PlainText("scikit-learn's classification_report"), 409: PlainText(notTrained) },
      },
    },
    async (_request, reply) => {
      const serving = app.registry.serving;
      if (!serving) return reply.code(409).type(textPlain).send(notTrained);
      return reply.type(textPlain).send(serving.summary.reportText);
    },
  );

  fastify.get(
    '/get_recall',
    {
      schema: {
        tags: ['tutorial'],
        summary: "The active model's macro-averaged recall on its test split, as a bare JSON number",
        response: { 200: Type.Number({ description: 'e.g. 0.9895833333333333' }), 409: PlainText(notTrained) },
      },
    },
    async (_request, reply) => {
      const serving = app.registry.serving;
      if (!serving) return reply.code(409).type(textPlain).send(notTrained);
      return reply.send((serving.summary.metrics as { recallMacro: number }).recallMacro);
    },
  );
};
