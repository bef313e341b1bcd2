import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { InvalidInputError } from '../../../app/errors.js';
import type { PredictedRow } from '../../../app/predictions.js';
import type { RouteContext } from '../../route-context.js';
import { errors, ExternalId, List, Row } from '../../schemas.js';

const PredictBody = Type.Object(
  {
    rows: Type.Optional(Type.Array(Row, { description: 'the rows to predict (at most server.maxBatchRows)' })),
    row: Type.Optional(Row),
    externalIds: Type.Optional(Type.Array(ExternalId('your id of the row, echoed in its prediction'), { description: 'your id of each row, echoed in its prediction' })),
    externalId: Type.Optional(ExternalId('your id of the row, echoed in its prediction')),
  },
  { additionalProperties: false, description: 'either `rows` or `row`' },
);

const Prediction = Type.Object({
  predictionId: Type.String({ description: 'quote it to send the confirmed diagnosis later' }),
  label: Type.String({ description: 'the predicted class label (M or B)' }),
  className: Type.String({ description: 'its name (Malign or Benign)' }),
  decision: Type.Optional(Type.Number({ description: 'two classes: the signed distance to the boundary; > 0 means the second class (M)' })),
  decisions: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: "more than two classes: each class's decision value (scikit-learn's decision_function, ovr), by label" })),
  probabilities: Type.Optional(
    Type.Record(Type.String(), Type.Number(), { description: "each class's probability, by label (scikit-learn's predict_proba); absent for a model trained without training.probability" }),
  ),
  imputed: Type.Optional(List(Type.String(), { description: 'features whose missing value the model imputed, as at training' })),
  unknownCategories: Type.Optional(List(Type.String(), { description: 'categorical features whose value the model did not see in training (encoded as all zeros)' })),
  outOfRange: Type.Optional(
    List(Type.Object({ feature: Type.String(), value: Type.Number(), min: Type.Number(), max: Type.Number() }), {
      description: "values outside their feature's training range [min, max] by more than 10 % of its width: the model extrapolates, treat the answer with care. Absent when there are none",
    }),
  ),
  externalId: Type.Optional(Type.String()),
});

const PredictResponse = Type.Object({
  modelVersion: Type.Integer(),
  classes: List(Type.String(), { description: "the model's classes, in the order of per-class outputs" }),
  predictions: List(Prediction),
  decisionThreshold: Type.Optional(
    Type.Object(
      { positive: Type.String(), threshold: Type.Number() },
      { description: "the operating point the labels were decided at (monitor.targetRecall): positive when its score (the decision value, > 0 toward it) is >= threshold; absent, libsvm's boundary 0" },
    ),
  ),
});

type Body = typeof PredictBody.static;

function rowsOf(body: Body): { rows: NonNullable<Body['rows']>; ids: readonly string[] | undefined } {
  if (body.rows !== undefined && body.row === undefined) {
    if (body.externalId !== undefined) throw new InvalidInputError('"externalId" goes with "row": send "externalIds" with "rows"');
    if (body.externalIds !== undefined && body.externalIds.length !== body.rows.length) {
      throw new InvalidInputError(`"externalIds" has ${body.externalIds.length} ids for ${body.rows.length} rows: send one id per row`);
    }
    return { rows: body.rows, ids: body.externalIds };
  }
  if (body.row !== undefined && body.rows === undefined) {
    if (body.externalIds !== undefined) throw new InvalidInputError('"externalIds" goes with "rows": send "externalId" with "row"');
    return { rows: [body.row], ids: body.externalId === undefined ? undefined : [body.externalId] };
  }
  throw new InvalidInputError('send either "rows" (a list of rows) or "row" (one row), not both or neither');
}

/** `POST /api/v1/predict`: the JSON prediction API. */
export const predictRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app, metrics }) => {
  fastify.post(
    '/api/v1/predict',
    {
      config: { access: 'predict' },
      schema: {
        tags: ['predict'],
        summary: 'Predict one row or a batch',
        description: 'A row is an array of raw measurements in feature order, or an object keyed by feature name.',
        body: PredictBody,
        response: { 200: PredictResponse, ...errors(400, 401, 403, 409, 413, 415, 503) },
      },
    },
    // Not async: nothing here waits, and a promise per answer is a microtask turn more through Fastify.
    (request) => {
      const { rows, ids } = rowsOf(request.body);
      const outcome = app.predictions.predict(rows, { route: 'api', externalIds: ids });
      metrics.countPredictions(outcome);
      if (!ids) return outcome;
      return { ...outcome, predictions: outcome.predictions.map((p, i): PredictedRow & { externalId: string } => ({ ...p, externalId: ids[i] })) };
    },
  );
};
