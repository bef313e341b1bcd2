import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../../route-context.js';
import { List, Nullable, page, Paging } from '../../schemas.js';

const Alert = Type.Object({
  fingerprint: Type.String({ description: 'stable identity of the alert (its labels)' }),
  name: Type.String({ description: 'recall_below_threshold, model_rejected or job_failed' }),
  labels: Type.Record(Type.String(), Type.String()),
  annotations: Type.Record(Type.String(), Type.String()),
  status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  startsAt: Type.String(),
  endsAt: Nullable(Type.String()),
  lastNotifiedAt: Nullable(Type.String()),
});

/** Alert history, Alertmanager-style: firing and resolved alerts, newest first. */
export const alertRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.get(
    '/api/v1/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first',
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])), ...Paging }),
        response: { 200: Type.Object({ alerts: List(Alert) }) },
      },
    },
    async (request) => ({ alerts: await app.alerting.list({ status: request.query.status, ...page(request.query) }) }),
  );
};
