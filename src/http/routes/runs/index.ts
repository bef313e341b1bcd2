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
};
