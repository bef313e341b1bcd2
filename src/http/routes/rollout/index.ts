import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RolloutStatus } from '../../../app/rollouts.js';
import { literalUnion } from '../../../config/literal-union.js';
import type { SharedPerformance } from '../../../core/rollout-rule.js';
import { rolloutDecisions, rolloutOutcomes, rolloutStrategies } from '../../../core/rollout-rule.js';
import type { Rollout } from '../../../store/rollout-repository.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List, Nullable } from '../../schemas.js';

const OnShared = Type.Object({
  version: Type.Integer(),
  value: Nullable(Type.Number({ description: 'the monitored metric on the shared cases (null before any)' })),
  recall: Nullable(Type.Number({ description: 'recall of the positive class on the shared cases' })),
  accuracy: Nullable(Type.Number()),
  confusionMatrix: List(List(Type.Integer()), { description: 'rows: confirmed labels, columns: the model’s answers, both in `labels` order' }),
});

const RolloutView = Type.Object({
  id: Type.Integer(),
  open: Type.Boolean({ description: 'under way; false for the last rollout, ended' }),
  strategy: literalUnion(rolloutStrategies),
  canaryPercent: Type.Number(),
  championVersion: Type.Integer(),
  challengerVersion: Type.Integer(),
  startedAt: Type.String(),
  endsBy: Type.String({ description: 'when it ends without promotion if rollout.minCases shared positives are not confirmed by then' }),
  endedAt: Nullable(Type.String()),
  outcome: Nullable(literalUnion(rolloutOutcomes)),
  reason: Nullable(Type.String({ description: 'how it ended, with both figures' })),
  decidedBy: Nullable(Type.String()),
  metric: Type.String({ description: 'the monitored metric in words (recall of M)' }),
  labels: List(Type.String()),
  shared: Type.Object({
    cases: Type.Integer({ description: 'confirmed cases both models answered' }),
    positives: Type.Integer({ description: 'of them, confirmed positive: the progress toward rollout.minCases' }),
    minCases: Type.Integer(),
  }),
  champion: OnShared,
  challenger: OnShared,
  mcnemar: Type.Object({
    b: Type.Integer({ description: 'shared cases only the champion got right' }),
    c: Type.Integer({ description: 'shared cases only the challenger got right' }),
    pValue: Type.Number({ description: 'exact two-sided McNemar p-value of the paired outcomes' }),
  }),
  verdict: Type.Object({ decision: literalUnion(rolloutDecisions), reason: Type.String() }, { description: "the rule's verdict on the figures so far" }),
});

const RolloutResponse = Type.Object({
  strategy: literalUnion(rolloutStrategies, { description: 'rollout.strategy' }),
  canaryPercent: Type.Number(),
  minCases: Type.Integer(),
  maxDuration: Type.String(),
  positive: Type.String({ description: 'the positive class (dataset.positive), whose recall is compared' }),
  rollout: Nullable(RolloutView),
});

const Ended = Type.Object({
  id: Type.Integer(),
  championVersion: Type.Integer(),
  challengerVersion: Type.Integer(),
  outcome: Nullable(literalUnion(rolloutOutcomes)),
  reason: Nullable(Type.String()),
  endedAt: Nullable(Type.String()),
});

const PromoteBody = Type.Object(
  {
    force: Type.Optional(Type.Boolean({ description: 'accepted for symmetry with model promotion: promoting before the rule decides is always forced' })),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'why the challenger serves before the rule decided: kept in the audit log' }),
  },
  { additionalProperties: false },
);

const AbortBody = Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'kept in the audit log' })) }, { additionalProperties: false });

const orNull = (value: number) => (Number.isNaN(value) ? null : value);
const onShared = (p: SharedPerformance) => ({ version: p.version, value: orNull(p.value), recall: orNull(p.recall), accuracy: orNull(p.accuracy), confusionMatrix: p.confusionMatrix });
const ended = (r: Rollout) => ({ id: r.id, championVersion: r.championVersion, challengerVersion: r.challengerVersion, outcome: r.outcome, reason: r.reason, endedAt: r.endedAt });

function rolloutView(status: RolloutStatus, minCases: number) {
  const { rollout: r, score } = status;
  return {
    id: r.id,
    open: r.endedAt === null,
    strategy: r.strategy,
    canaryPercent: r.canaryPercent,
    championVersion: r.championVersion,
    challengerVersion: r.challengerVersion,
    startedAt: r.startedAt,
    endsBy: status.endsBy,
    endedAt: r.endedAt,
    outcome: r.outcome,
    reason: r.reason,
    decidedBy: r.decidedBy,
    metric: status.metric,
    labels: score.labels,
    shared: { cases: score.shared, positives: score.sharedPositives, minCases },
    champion: onShared(score.champion),
    challenger: onShared(score.challenger),
    mcnemar: { b: score.mcnemar.b, c: score.mcnemar.c, pValue: score.mcnemar.pValue },
    verdict: status.verdict,
  };
}

/** Shadow and canary rollouts: the one under way, and the admin's two ways to end it early. */
export const rolloutRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  const tags = ['models'];
  const settings = app.config.rollout;

  fastify.get(
    '/api/v1/rollout',
    {
      schema: {
        tags,
        summary: 'The rollout under way (else the last one): both models on the shared confirmed cases, McNemar p, the verdict so far',
        response: { 200: RolloutResponse },
      },
    },
    async () => {
      const status = await app.rollouts.status();
      return { ...settings, positive: app.config.dataset.positive, rollout: status && rolloutView(status, settings.minCases) };
    },
  );

  fastify.post(
    '/api/v1/rollout/promote',
    {
      schema: {
        tags,
        summary: 'Put the challenger into service now, before the rule decides (forced, with a reason)',
        body: PromoteBody,
        response: { 200: Ended, ...errors(400, 401, 403, 409) },
      },
    },
    async (request) => ended(await app.rollouts.promote({ actor: 'admin', reason: request.body.reason })),
  );

  fastify.post(
    '/api/v1/rollout/abort',
    {
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
      schema: {
        tags,
        summary: 'End the rollout under way: the challenger is retired, the champion keeps serving',
        body: AbortBody,
        response: { 200: Ended, ...errors(400, 401, 403, 409) },
      },
    },
    async (request) => ended(await app.rollouts.abort({ actor: 'admin', reason: request.body.reason })),
  );
};
