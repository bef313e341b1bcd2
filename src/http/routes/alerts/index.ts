import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { literalUnion } from '../../../config/literal-union.js';
import { ALERT_NAMES, alertStatuses } from '../../../core/alerts/alert.js';
import type { RouteContext } from '../../route-context.js';
import { List, Matcher, Nullable, page, Paging } from '../../schemas.js';

const Alert = Type.Object({
  fingerprint: Type.String({ description: 'stable identity of the alert (its labels)' }),
  name: literalUnion(ALERT_NAMES),
  labels: Type.Record(Type.String(), Type.String()),
  annotations: Type.Record(Type.String(), Type.String()),
  status: literalUnion(alertStatuses),
  startsAt: Type.String(),
  endsAt: Nullable(Type.String()),
  lastNotifiedAt: Nullable(Type.String({ description: 'when a notification was last sent for it (a muted one does not count)' })),
  silencedBy: List(Type.Integer(), { description: 'the silences that mute its notifications now (empty: not muted, or resolved)' }),
  silenceMatchers: List(Matcher, { description: 'what to POST to /api/v1/silences to silence it: its labels, or for an event (a rejection) the later events of its name' }),
});

/** Alert history, Alertmanager-style: firing and resolved alerts, newest first. */
export const alertRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.get(
    '/api/v1/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first',
        querystring: Type.Object({ status: Type.Optional(literalUnion(alertStatuses)), ...Paging }),
        response: { 200: Type.Object({ alerts: List(Alert) }) },
      },
    },
    async (request) => ({ alerts: await app.alerting.list({ status: request.query.status, ...page(request.query) }) }),
  );
};
