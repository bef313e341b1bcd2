import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { literalUnion } from '../../../config/literal-union.js';
import { thresholdSources } from '../../../app/operating-points.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List, ModelSummary, modelView, Nullable } from '../../schemas.js';

const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });
const Rate = (description: string) => Nullable(Type.Number({ description: `${description}; null when no row stands behind it` }));

const Figures = {
  threshold: Type.Number(),
  positive: Type.String(),
  labels: List(Type.String(), { description: "the model's classes: the order of the confusion matrix's rows (true) and columns (predicted)" }),
  confusionMatrix: List(List(Type.Integer())),
  rows: Type.Integer(),
  positives: Type.Integer({ description: 'rows whose true label is the positive class' }),
  recall: Rate('recall (sensitivity) of the positive class'),
  specificity: Rate('recall of the negative class'),
  precision: Rate('precision of the positive class (null: no row called positive)'),
  accuracy: Rate('accuracy'),
};

const WhatIf = Type.Object({
  version: Type.Integer(),
  positive: Type.String(),
  threshold: Type.Number({ description: 'the threshold asked about: a row is positive when its score for the positive class (the decision value, negated when it is the first class) is >= it' }),
  current: Type.Object({ threshold: Type.Number(), source: literalUnion(thresholdSources, { description: "the version's own threshold: libsvm's boundary 0, monitor.targetRecall's, or one set by hand" }) }),
  testSplit: Type.Object({ ...Figures, snapshotId: Type.Integer({ description: 'the data snapshot whose test split this is' }) }, { description: "on the version's test split, from its decision values on the held-out rows" }),
  live: Type.Object({ ...Figures, window: Type.String(), since: Nullable(Type.String()) }, { description: "on the version's confirmed cases of monitor.window, from the logged decision values" }),
});

const SaveBody = Type.Object(
  {
    threshold: Type.Number({ description: 'the decision threshold of the positive class' }),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'why: kept in the audit log' }),
  },
  { additionalProperties: false },
);

const Saved = Type.Object({
  runId: Type.Integer(),
  activated: Type.Boolean({ description: 'the new version serves now' }),
  gateReason: Nullable(Type.String({ description: "the promotion gate's verdict in words" })),
  model: ModelSummary,
});

/** A two-class version's operating point: what another threshold would give, and a new version at one. */
export const thresholdRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  const tags = ['models'];

  fastify.get(
    '/api/v1/models/:version/threshold',
    {
      schema: {
        tags,
        summary: 'What a decision threshold would give a two-class version, on its test split and its live confirmed cases',
        description:
          "The test split is rebuilt from the version's data snapshot and split, and must give its recorded confusion matrix (409 otherwise, or for a model of more than two classes). Without `at`, the version's own threshold.",
        params: VersionParams,
        querystring: Type.Object({ at: Type.Optional(Type.Number({ description: 'the threshold to try (default: the one the version applies)' })) }),
        response: { 200: WhatIf, ...errors(400, 404, 409) },
      },
    },
    async (request) => app.operatingPoints.whatIf(request.params.version, request.query.at),
  );

  fastify.post(
    '/api/v1/models/:version/threshold',
    {
      schema: {
        tags,
        summary: "Save a version's fit with another decision threshold as a new version, judged by the promotion gate",
        description:
          'The new version has the same fitted pipeline and the threshold given (source "manual"); its test-split report is evaluated at that threshold, the gate compares it with the champion on the same held-out rows, and the rollout strategy applies, as for a training. Recorded as a run (kind train, trigger threshold) and in the audit log (threshold_change). A rejected version stays rejected, with its verdict.',
        params: VersionParams,
        body: SaveBody,
        response: { 201: Saved, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await app.trainings.retune(request.params.version, request.body.threshold, { actor: 'admin', reason: request.body.reason });
      return reply.code(201).send({ runId: result.runId, activated: result.activated, gateReason: result.gateReason, model: modelView(result.model) });
    },
  );
};
