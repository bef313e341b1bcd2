import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Application } from '../../../app/application.js';
import { InvalidInputError, NotFoundError } from '../../../app/errors.js';
import { thresholdUsed } from '../../../app/predictions.js';
import type { InputRow } from '../../../core/prediction-input.js';
import type { SvcModel } from '../../../core/svc/svc.js';
import { hasProbabilities } from '../../../core/svc/svc-probability.js';
import { packageVersion } from '../../package-info.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List } from '../../schemas.js';

/** The one model this server serves, under the Open Inference Protocol's model name. */
export const modelName = 'mloop';
const inputName = 'features';
const outputNames = ['label', 'decision', 'probabilities'] as const;
const floatTypes = new Set(['FP64', 'FP32']);
const numberTypes = new Set(['FP64', 'FP32', 'INT64', 'INT32']);

const ModelParams = Type.Object({ name: Type.String({ description: `the model name: "${modelName}"` }) });

const TensorMetadata = Type.Object({ name: Type.String(), datatype: Type.String(), shape: List(Type.Integer()) });

const InferBody = Type.Object({
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  inputs: Type.Array(
    Type.Object({
      name: Type.String(),
      // Bounded, so a dimension too large for a double to hold exactly is refused, not rounded.
      shape: Type.Array(Type.Integer({ maximum: Number.MAX_SAFE_INTEGER })),
      datatype: Type.String({ description: 'FP64 (FP32 is accepted too); BYTES for a categorical feature sent as its own tensor' }),
      parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      data: Type.Array(Type.Unknown(), { description: 'row-major flat numbers, or one list per row' }),
    }),
    { minItems: 1 },
  ),
  outputs: Type.Optional(Type.Array(Type.Object({ name: Type.String(), parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }))),
});

const InferResponse = Type.Object({
  model_name: Type.String(),
  model_version: Type.String(),
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(
    Type.Object(
      { decision_threshold: Type.Number(), positive_class: Type.String() },
      {
        description:
          "two classes: the operating point the labels were decided at, a row being positive_class when its score for it (the decision value, negated when it is the first class) is >= decision_threshold; 0 is libsvm's boundary (monitor.targetRecall or a threshold set by hand move it)",
      },
    ),
  ),
  outputs: List(
    Type.Object({
      name: Type.String({
        description: 'label (BYTES: the predicted class), decision (FP64: two classes, [n], signed distance, > 0 means the second class; more, [n, k], each class\'s decision value in the order of the model metadata\'s classes) or probabilities (FP64, [n, k]: each class\'s probability, same order; models trained with training.probability)',
      }),
      datatype: Type.String(),
      shape: List(Type.Integer()),
      // Unknown, so the serialiser writes the list in one JSON.stringify call rather than item by item.
      data: Type.Unknown({ description: 'one value per row' }),
    }),
  ),
});

type Body = typeof InferBody.static;

function checkName(name: string): void {
  if (name !== modelName) throw new NotFoundError(`no model named "${name}": this server serves the model "${modelName}"`);
}

function servingArtifact(app: Application) {
  return app.registry.require().artifact;
}

/** The outputs of the serving model: probabilities only when it was trained with them. */
function modelOutputs(svc: SvcModel): readonly (typeof outputNames)[number][] {
  return hasProbabilities(svc) ? outputNames : outputNames.filter((name) => name !== 'probabilities');
}

/**
 * The input tensors as rows. Either one tensor `[n, features]` of numbers (data flat row-major, or
 * nested one list per row), or one tensor per feature named after it (`[n]` or `[n, 1]`; BYTES for
 * a categorical feature), as a table is sent column by column. `null` is a missing value.
 */
function rowsOf(body: Body, featureNames: readonly string[]): readonly InputRow[] {
  const cols = featureNames.length;
  if (body.inputs.length > 1 || (body.inputs.length === 1 && featureNames.length === 1 && body.inputs[0].name === featureNames[0])) return rowsOfColumns(body, featureNames);
  const input = body.inputs[0];
  if (!floatTypes.has(input.datatype)) throw new InvalidInputError(`input "${input.name}" has datatype "${input.datatype}": send FP64 (or one tensor per feature, BYTES for a categorical one)`);
  const { shape, data } = input;
  if (shape.length !== 2 || shape[1] !== cols || shape[0] < 0) {
    throw new InvalidInputError(`input "${input.name}" has shape ${JSON.stringify(shape)}: expected [n, ${cols}] (n rows of ${cols} features)`);
  }
  const n = shape[0];
  if (data.length > 0 && Array.isArray(data[0])) {
    if (data.length !== n) throw new InvalidInputError(`input "${input.name}" holds ${data.length} rows, its shape says ${n}`);
    for (let r = 0; r < n; r++) {
      if (!Array.isArray(data[r])) throw new InvalidInputError(`input "${input.name}" row ${r} is not a list of ${cols} numbers`, [{ row: r, problem: 'expected a list of numbers' }]);
    }
    return data as readonly (readonly unknown[])[];
  }
  if (data.length !== n * cols) throw new InvalidInputError(`input "${input.name}" holds ${data.length} values, shape [${n}, ${cols}] needs ${n * cols}`);
  const rows = new Array<readonly unknown[]>(n);
  for (let r = 0; r < n; r++) rows[r] = data.slice(r * cols, (r + 1) * cols);
  return rows;
}

/** One tensor per feature: each named after its feature, all with the same number of rows. */
function rowsOfColumns(body: Body, featureNames: readonly string[]): readonly InputRow[] {
  const known = new Set(featureNames);
  const columns = new Map<string, readonly unknown[]>();
  for (const input of body.inputs) {
    if (!known.has(input.name)) throw new InvalidInputError(`input "${input.name}" is not a feature of the model (features: ${featureNames.join(', ')})`);
    if (columns.has(input.name)) throw new InvalidInputError(`input "${input.name}" is sent twice`);
    if (input.datatype !== 'BYTES' && !numberTypes.has(input.datatype)) throw new InvalidInputError(`input "${input.name}" has datatype "${input.datatype}": send FP64 for a number, BYTES for a category`);
    const { shape, data } = input;
    if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1)) || shape[0] !== data.length) {
      throw new InvalidInputError(`input "${input.name}" has shape ${JSON.stringify(shape)} and ${data.length} values: a feature's tensor is [n] or [n, 1] with n values`);
    }
    columns.set(input.name, data.map((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v)));
  }
  const lengths = new Set([...columns.values()].map((c) => c.length));
  if (lengths.size > 1) throw new InvalidInputError(`the feature tensors hold different numbers of rows (${[...lengths].join(', ')})`);
  const n = [...lengths][0] ?? 0;
  // A feature without a tensor is missing in every row (imputed, when the model can).
  return Array.from({ length: n }, (_, r) => Object.fromEntries([...columns].map(([name, values]) => [name, values[r]])));
}

function requestedOutputs(body: Body, available: readonly string[]): ReadonlySet<string> {
  if (!body.outputs || body.outputs.length === 0) return new Set(available);
  for (const o of body.outputs) {
    if (!available.includes(o.name)) {
      const why = o.name === 'probabilities' ? ' (it was trained without training.probability)' : '';
      throw new InvalidInputError(`unknown output "${o.name}": this model has the outputs ${available.map((n) => `"${n}"`).join(', ')}${why}`);
    }
  }
  return new Set(body.outputs.map((o) => o.name));
}

/** The Open Inference Protocol (KServe v2) REST API, for one model named `mloop`. */
export const oipRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app, metrics }) => {
  const tags = ['open inference protocol'];
  const version = packageVersion();

  fastify.get('/v2', { schema: { tags, summary: 'Server metadata', response: { 200: Type.Object({ name: Type.String(), version: Type.String(), extensions: List(Type.String()) }) } } }, async () => ({
    name: 'mloop',
    version,
    extensions: [],
  }));

  fastify.get('/v2/health/live', { schema: { tags, summary: 'Server liveness', response: { 200: Type.Object({ live: Type.Boolean() }) } } }, async () => ({ live: true }));

  fastify.get(
    '/v2/health/ready',
    { schema: { tags, summary: 'Server readiness: 503 until a model is active', response: { 200: Type.Object({ ready: Type.Boolean() }), 503: Type.Object({ ready: Type.Boolean() }) } } },
    async (_request, reply) => (app.registry.serving ? { ready: true } : reply.code(503).send({ ready: false })),
  );

  fastify.get(
    '/v2/models/:name',
    {
      schema: {
        tags,
        summary: 'Model metadata',
        params: ModelParams,
        response: {
          200: Type.Object({
            name: Type.String(),
            versions: List(Type.String()),
            platform: Type.String(),
            classes: List(Type.String(), { description: 'the model\'s classes: the order of a k-class decision tensor\'s columns' }),
            inputs: List(TensorMetadata),
            outputs: List(TensorMetadata),
          }),
          ...errors(404, 409),
        },
      },
    },
    async (request) => {
      checkName(request.params.name);
      const { preprocessor, svc } = servingArtifact(app);
      const features = preprocessor.features;
      const k = svc.classes.length;
      // All numbers: one [n, features] tensor; with categories, one tensor per feature.
      const inputs = features.every((f) => f.kind === 'numeric')
        ? [{ name: inputName, datatype: 'FP64', shape: [-1, features.length] }]
        : features.map((f) => ({ name: f.name, datatype: f.kind === 'numeric' ? 'FP64' : 'BYTES', shape: [-1] }));
      return {
        name: modelName,
        versions: [String(app.registry.serving?.version)],
        platform: 'mloop',
        classes: svc.classes,
        inputs,
        outputs: [
          { name: 'label', datatype: 'BYTES', shape: [-1] },
          { name: 'decision', datatype: 'FP64', shape: k === 2 ? [-1] : [-1, k] },
          ...(hasProbabilities(svc) ? [{ name: 'probabilities', datatype: 'FP64', shape: [-1, k] }] : []),
        ],
      };
    },
  );

  fastify.get(
    '/v2/models/:name/ready',
    {
      schema: {
        tags,
        summary: 'Model readiness: 503 until a model is active',
        params: ModelParams,
        response: { 200: Type.Object({ name: Type.String(), ready: Type.Boolean() }), 503: Type.Object({ name: Type.String(), ready: Type.Boolean() }), ...errors(404) },
      },
    },
    async (request, reply) => {
      checkName(request.params.name);
      return app.registry.serving ? { name: modelName, ready: true } : reply.code(503).send({ name: modelName, ready: false });
    },
  );

  fastify.post(
    '/v2/models/:name/infer',
    {
      config: { access: 'predict' },
      schema: {
        tags,
        summary: 'Predict a [n, features] FP64 tensor, or one tensor per feature',
        params: ModelParams,
        body: InferBody,
        response: { 200: InferResponse, ...errors(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => {
      checkName(request.params.name);
      const artifact = servingArtifact(app);
      const rows = rowsOf(request.body, artifact.featureNames);
      const wanted = requestedOutputs(request.body, modelOutputs(artifact.svc));
      const outcome = app.predictions.predict(rows, { route: 'oip' });
      metrics.countPredictions(outcome);
      const n = outcome.predictions.length;
      const outputs = [];
      if (wanted.has('label')) outputs.push({ name: 'label', datatype: 'BYTES', shape: [n], data: outcome.predictions.map((p) => p.label) });
      if (wanted.has('decision')) {
        const { classes } = outcome;
        outputs.push(
          classes.length === 2
            ? { name: 'decision', datatype: 'FP64', shape: [n], data: outcome.predictions.map((p) => p.decision) }
            : { name: 'decision', datatype: 'FP64', shape: [n, classes.length], data: outcome.predictions.flatMap((p) => classes.map((c) => p.decisions?.[c])) },
        );
      }
      if (wanted.has('probabilities')) {
        const { classes } = outcome;
        // A model promoted between the check and the prediction may have none: the tensor says so by its absence.
        if (outcome.predictions.every((p) => p.probabilities)) {
          outputs.push({ name: 'probabilities', datatype: 'FP64', shape: [n, classes.length], data: outcome.predictions.flatMap((p) => classes.map((c) => p.probabilities?.[c])) });
        }
      }
      const used = thresholdUsed(outcome);
      const parameters = used ? { parameters: { decision_threshold: used.threshold, positive_class: used.positive } } : {};
      return { model_name: modelName, model_version: String(outcome.modelVersion), id: request.body.id, ...parameters, outputs };
    },
  );
};
