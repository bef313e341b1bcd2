import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { updateStatuses } from '../../../app/data-updates.js';
import { literalUnion } from '../../../config/literal-union.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List, page, Paging, Snapshot } from '../../schemas.js';

/** The data snapshots: re-read the source, list what was read. */
export const dataRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.post(
    '/api/v1/data/update',
    {
      schema: {
        tags: ['data'],
        summary: 'Re-read the data source',
        description: '`created`: a new snapshot; `unchanged`: the source holds the same bytes as the latest snapshot. A source that fails or holds unusable data changes nothing.',
        response: {
          200: Type.Object({ status: literalUnion(updateStatuses), snapshot: Snapshot, runId: Type.Integer() }),
          ...errors(401, 403, 422, 502),
        },
      },
    },
    async () => {
      const outcome = await app.jobs.update('api');
      return { status: outcome.status, snapshot: outcome.snapshot, runId: outcome.runId };
    },
  );

  fastify.get(
    '/api/v1/data/snapshots',
    {
      schema: {
        tags: ['data'],
        summary: 'Data snapshots, newest first',
        querystring: Type.Object(Paging),
        response: { 200: Type.Object({ snapshots: List(Snapshot) }), ...errors(400) },
      },
    },
    async (request) => {
      const { limit, offset } = page(request.query);
      return { snapshots: await app.data.snapshots(limit, offset) };
    },
  );
};
