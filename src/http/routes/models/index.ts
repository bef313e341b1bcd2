import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { modelCardHtml } from '../../../app/model-card-html.js';
import { modelCardData } from '../../../app/model-card.js';
import type { ReferenceProfile } from '../../../core/drift/feature-profile.js';
import { storedCurves } from '../../../core/metrics/decision-curves.js';
import { featureSchemaOf, isModelArtifact, upgradeModelArtifact } from '../../../core/model-artifact.js';
import { trainingRanges } from '../../../core/training-range.js';
import type { preValidationHookHandler } from 'fastify';
import { literalUnion } from '../../../config/literal-union.js';
import { auditActions, auditActors } from '../../../store/audit-repository.js';
import { packageVersion } from '../../package-info.js';
import type { RouteContext } from '../../route-context.js';
import { errors, HtmlPage, List, Model, ModelSummary, modelView, Nullable, page, Paging } from '../../schemas.js';

const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });

const pipelineDescription = "the fitted pipeline (scaler, support vectors: training patients' rows), as the model artifact stores it";

const ChangeBody = Type.Object(
  {
    force: Type.Optional(Type.Boolean({ description: 'put a version the promotion gate rejected into service anyway (needs a reason)' })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'why: kept in the audit log' })),
  },
  { additionalProperties: false, description: 'optional: {} or no body for a version that passed the gate; {"force": true, "reason": "..."} for one it rejected' },
);

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  action: literalUnion(auditActions, { description: 'forced_* when the version put into service had been rejected by the gate' }),
  fromVersion: Nullable(Type.Integer({ description: 'the version that served before' })),
  toVersion: Nullable(Type.Integer({ description: 'the version that serves after' })),
  actor: literalUnion(auditActors, { description: "who: the token's role through the API (admin), the command line (cli), the promotion gate after a training (gate), a scheduled job (scheduler)" }),
  reason: Nullable(Type.String()),
  runId: Nullable(Type.Integer({ description: 'the training run, for a gate activation' })),
});

/** Old clients POST without a body: no body is the empty request. */
const emptyBodyIsEmptyObject: preValidationHookHandler = (request, _reply, done) => {
  request.body ??= {};
  done();
};

/** The model registry: versions, the one that serves, promotion, rollback and their audit log. */
export const modelRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  const tags = ['models'];

  fastify.get(
    '/api/v1/models',
    {
      schema: {
        tags,
        summary: 'Model versions, newest first (without their fitted pipelines)',
        querystring: Type.Object(Paging),
        response: { 200: Type.Object({ activeVersion: Nullable(Type.Integer()), models: List(ModelSummary) }), ...errors(400) },
      },
    },
    async (request) => {
      const { limit, offset } = page(request.query);
      const models = await app.registry.list(limit, offset);
      return { activeVersion: app.registry.serving?.version ?? null, models: models.map(modelView) };
    },
  );

  fastify.get(
    '/api/v1/models/audit',
    {
      schema: {
        tags,
        summary: 'The audit log of what served: every promotion, rollback and gate activation, newest first',
        querystring: Type.Object(Paging),
        response: { 200: Type.Object({ entries: List(AuditEntry) }), ...errors(400) },
      },
    },
    async (request) => {
      const { limit, offset } = page(request.query);
      return { entries: await app.registry.audit(limit, offset) };
    },
  );

  fastify.get(
    '/api/v1/models/:version',
    {
      // The summary is public; its pipeline is patient data.
      config: { access: { parameter: 'include', level: 'patientData' } },
      schema: {
        tags,
        summary: 'One model version with its feature names; its fitted pipeline too with ?include=pipeline (read token)',
        params: VersionParams,
        querystring: Type.Object({ include: Type.Optional(Type.Literal('pipeline', { description: `${pipelineDescription}: needs the read or the admin token when the server has one` })) }),
        response: { 200: Model, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { pipeline, reference, ...summary } = await app.registry.get(request.params.version);
      const artifact = upgradeModelArtifact(pipeline);
      const profile = (reference as ReferenceProfile | null)?.features ?? null;
      const featureSchema = isModelArtifact(artifact) ? featureSchemaOf(artifact, trainingRanges(artifact.preprocessor, profile)) : null;
      const curves = storedCurves(summary.metrics);
      return modelView(request.query.include === 'pipeline' ? { ...summary, featureSchema, curves, pipeline } : { ...summary, featureSchema, curves });
    },
  );

  fastify.get(
    '/api/v1/models/:version/card.html',
    {
      schema: {
        tags,
        summary: 'The model card: one self-contained HTML page to print and sign',
        description:
          "Intended use (dataset.intendedUse), data snapshot and lineage, parameters, grid search, the test-split report and confusion matrix, the gate's verdict, live performance and drift so far. No script and no external asset; no patient's values.",
        params: VersionParams,
        response: { 200: HtmlPage('the model card'), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const html = modelCardHtml(await modelCardData(app, request.params.version, new Date()));
      // The page needs its inline <style> and nothing else: no script may run, nothing may load.
      void reply.headers({ 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'", 'x-content-type-options': 'nosniff' });
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  fastify.get(
    '/api/v1/models/:version/pipeline',
    {
      config: { access: 'patientData' },
      schema: {
        tags,
        summary: "One model version's fitted pipeline (read token)",
        params: VersionParams,
        response: { 200: Type.Unknown({ description: pipelineDescription }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => (await app.registry.get(request.params.version)).pipeline,
  );

  fastify.get(
    '/api/v1/models/:version/model.onnx',
    {
      // The file holds the support vectors (training patients' rows), as the pipeline does.
      config: { access: 'patientData' },
      schema: {
        tags,
        summary: "One model version's whole pipeline as an ONNX model, for ONNX Runtime and other engines (read token)",
        description:
          'Inputs: "input", float32 [N, numeric features] (NaN = missing) and, when the model has categorical features, "categorical", string [N, categorical features] ("" = missing); ' +
          'outputs: "label", "decision" (scikit-learn\'s decision_function; one-vs-one for more than two classes). The metadata names the features, classes, mloop version, data snapshot hash and gate verdict. ' +
          'ONNX Runtime computes in float32: its decision values are within float32 rounding of mloop\'s (float64, identical to scikit-learn). 422 when the pipeline cannot be written as ONNX.',
        params: VersionParams,
        response: {
          200: { description: 'the .onnx file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          ...errors(400, 401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const { bytes, filename } = await app.registry.export(request.params.version, 'onnx', packageVersion());
      return reply.type('application/octet-stream').header('content-disposition', `attachment; filename="${filename}"`).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );

  fastify.post(
    '/api/v1/models/:version/promote',
    {
      preValidation: emptyBodyIsEmptyObject,
      schema: {
        tags,
        summary: 'Make a version the active one',
        description: 'A version the promotion gate rejected needs {"force": true, "reason": "..."}; without it the answer is 409, naming the rejection (details.forceRequired). The change goes to the audit log.',
        params: VersionParams,
        body: ChangeBody,
        response: { 200: ModelSummary, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => modelView(await app.registry.promote(request.params.version, { ...request.body, actor: 'admin' })),
  );

  fastify.post(
    '/api/v1/models/rollback',
    {
      preValidation: emptyBodyIsEmptyObject,
      schema: {
        tags,
        summary: 'Make the version that served before the current one active again',
        description: 'Rolling back to a version the promotion gate rejected needs {"force": true, "reason": "..."}, as promoting it does.',
        body: ChangeBody,
        response: { 200: ModelSummary, ...errors(400, 401, 403, 409) },
      },
    },
    async (request) => modelView(await app.registry.rollback({ ...request.body, actor: 'admin' })),
  );
};
