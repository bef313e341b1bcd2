import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../../route-context.js';
import { errors, List, page, Paging, Run } from '../../schemas.js';

/** Background work (data updates, trainings, checks) and its outcome. */
export const runRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.get(
    '/api/v1/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Runs, newest first',
        querystring: Type.Object({ kind: Type.Optional(Run.properties.kind), ...Paging }),
        response: { 200: Type.Object({ runs: List(Run) }), ...errors(400) },
      },
    },
    async (request) => ({ runs: await app.runs.list({ kind: request.query.kind, ...page(request.query) }) }),
  );

  fastify.get(
    '/api/v1/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'One run: status, progress, result or error',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Run, ...errors(400, 404) },
      },
    },
    async (request) => app.runs.get(request.params.id),
  );

  fastify.post(
    '/api/v1/runs/:id/cancel',
    {
      schema: {
        tags: ['runs'],
        summary: 'Cancel a queued run, or stop a running training',
        description:
          'A queued run is cancelled at once; a running training is stopped (its worker threads terminated) and marked cancelled: 200 with the run. ' +
          'When another process (replica, CLI) runs it, that process stops it at its next heartbeat (within about 5 s): 202 with the run, still running, and its `cancelRequestedAt`. ' +
          'A run already over, or a running update or check, answers 409.',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Run, 202: Run, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { run, pending } = await app.runs.cancel(request.params.id, 'requested through the API');
      return reply.code(pending ? 202 : 200).send(run);
    },
  );
};
