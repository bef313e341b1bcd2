import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Application } from '../../../app/application.js';
import { InvalidInputError, NotFoundError } from '../../../app/errors.js';
import type { InputRow } from '../../../core/prediction-input.js';
import { packageVersion } from '../../package-info.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List } from '../../schemas.js';

/** The one model this server serves, under the Open Inference Protocol's model name. */
export const modelName = 'mloop';
const inputName = 'features';
const outputNames = ['label', 'decision'] as const;
const floatTypes = new Set(['FP64', 'FP32']);

const ModelParams = Type.Object({ name: Type.String({ description: `the model name: "${modelName}"` }) });

const TensorMetadata = Type.Object({ name: Type.String(), datatype: Type.String(), shape: List(Type.Integer()) });

const InferBody = Type.Object({
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  inputs: Type.Array(
    Type.Object({
      name: Type.String(),
      shape: Type.Array(Type.Integer()),
      datatype: Type.String({ description: 'FP64 (FP32 is accepted too)' }),
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
  outputs: List(
    Type.Object({
      name: Type.String({ description: 'label (BYTES: "M" or "B") or decision (FP64: signed distance, > 0 means M)' }),
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

function featureCount(app: Application): number {
  return app.registry.require().artifact.featureNames.length;
}

/** The input tensor as rows: `[n, features]`, data flat (row-major) or nested one list per row. */
function rowsOf(body: Body, cols: number): readonly InputRow[] {
  if (body.inputs.length !== 1) throw new InvalidInputError(`expected exactly one input tensor ("${inputName}", shape [-1, ${cols}]), got ${body.inputs.length}`);
  const input = body.inputs[0];
  if (!floatTypes.has(input.datatype)) throw new InvalidInputError(`input "${input.name}" has datatype "${input.datatype}": send FP64`);
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

function requestedOutputs(body: Body): ReadonlySet<string> {
  if (!body.outputs || body.outputs.length === 0) return new Set(outputNames);
  for (const o of body.outputs) {
    if (!(outputNames as readonly string[]).includes(o.name)) throw new InvalidInputError(`unknown output "${o.name}": this model has the outputs ${outputNames.map((n) => `"${n}"`).join(' and ')}`);
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
          200: Type.Object({ name: Type.String(), versions: List(Type.String()), platform: Type.String(), inputs: List(TensorMetadata), outputs: List(TensorMetadata) }),
          ...errors(404, 409),
        },
      },
    },
    async (request) => {
      checkName(request.params.name);
      const cols = featureCount(app);
      return {
        name: modelName,
        versions: [String(app.registry.serving?.version)],
        platform: 'mloop',
        inputs: [{ name: inputName, datatype: 'FP64', shape: [-1, cols] }],
        outputs: [
          { name: 'label', datatype: 'BYTES', shape: [-1] },
          { name: 'decision', datatype: 'FP64', shape: [-1] },
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
        summary: 'Predict a [n, features] FP64 tensor',
        params: ModelParams,
        body: InferBody,
        response: { 200: InferResponse, ...errors(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => {
      checkName(request.params.name);
      const rows = rowsOf(request.body, featureCount(app));
      const wanted = requestedOutputs(request.body);
      const outcome = app.predictions.predict(rows, { route: 'oip' });
      metrics.countPredictions(outcome);
      const n = outcome.predictions.length;
      const outputs = [];
      if (wanted.has('label')) outputs.push({ name: 'label', datatype: 'BYTES', shape: [n], data: outcome.predictions.map((p) => p.label) });
      if (wanted.has('decision')) outputs.push({ name: 'decision', datatype: 'FP64', shape: [n], data: outcome.predictions.map((p) => p.decision) });
      return { model_name: modelName, model_version: String(outcome.modelVersion), id: request.body.id, outputs };
    },
  );
};
