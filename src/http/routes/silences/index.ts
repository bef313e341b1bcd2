import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { literalUnion } from '../../../config/literal-union.js';
import { silenceStates } from '../../../core/alerts/silence.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List, Matcher, page, Paging } from '../../schemas.js';

const MatcherInput = Type.Object(
  { name: Matcher.properties.name, value: Matcher.properties.value, isRegex: Type.Optional(Matcher.properties.isRegex), isEqual: Type.Optional(Matcher.properties.isEqual) },
  { additionalProperties: false },
);

const SilenceBody = Type.Object(
  {
    matchers: Type.Array(MatcherInput, { minItems: 1, maxItems: 20, description: 'an alert is muted when every matcher holds for its labels' }),
    until: Type.String({ minLength: 1, description: 'when it ends: an instant (2026-03-02T10:00:00Z) or a duration from now (2h, 1d)' }),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: "why (Alertmanager's comment)" }),
  },
  { additionalProperties: false },
);

const Silence = Type.Object({
  id: Type.Integer(),
  matchers: List(Matcher),
  startsAt: Type.String(),
  endsAt: Type.String(),
  createdBy: Type.String({ description: "the token's role that created it (admin)" }),
  createdAt: Type.String(),
  reason: Type.String(),
  state: literalUnion(silenceStates),
});

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/**
 * Silences, as Alertmanager has them: while one is active, the notifications of the alerts it
 * matches are not sent (the alerts still fire and resolve, and show which silence mutes them).
 */
export const silenceRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  const tags = ['alerts'];

  fastify.post(
    '/api/v1/silences',
    {
      schema: {
        tags,
        summary: 'Silence the notifications of matching alerts until a given time',
        body: SilenceBody,
        response: { 201: Silence, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.alerting.silence({ ...request.body, createdBy: 'admin' })),
  );

  fastify.get(
    '/api/v1/silences',
    {
      schema: {
        tags,
        summary: 'Silences, newest first',
        querystring: Type.Object({ state: Type.Optional(literalUnion(silenceStates)), ...Paging }),
        response: { 200: Type.Object({ silences: List(Silence) }), ...errors(400) },
      },
    },
    async (request) => ({ silences: await app.alerting.silences({ state: request.query.state, ...page(request.query) }) }),
  );

  fastify.delete(
    '/api/v1/silences/:id',
    {
      schema: {
        tags,
        summary: 'Expire a silence now: matching notifications are sent again',
        params: IdParams,
        response: { 200: Silence, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => app.alerting.expireSilence(request.params.id),
  );
};
