import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { featureSchemaOf, isModelArtifact, upgradeModelArtifact } from '../../../core/model-artifact.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List, Model, ModelSummary, modelView, Nullable, page, Paging } from '../../schemas.js';

const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });

const pipelineDescription = "the fitted pipeline (scaler, support vectors: training patients' rows), as the model artifact stores it";

/** The model registry: versions, the one that serves, promotion and rollback. */
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
      const { pipeline, ...summary } = await app.registry.get(request.params.version);
      const artifact = upgradeModelArtifact(pipeline);
      const featureSchema = isModelArtifact(artifact) ? featureSchemaOf(artifact) : null;
      return modelView(request.query.include === 'pipeline' ? { ...summary, featureSchema, pipeline } : { ...summary, featureSchema });
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

  fastify.post(
    '/api/v1/models/:version/promote',
    {
      schema: {
        tags,
        summary: 'Make a version the active one, whatever the promotion gate said',
        params: VersionParams,
        response: { 200: ModelSummary, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => modelView(await app.registry.promote(request.params.version)),
  );

  fastify.post(
    '/api/v1/models/rollback',
    {
      schema: {
        tags,
        summary: 'Make the version that served before the current one active again',
        response: { 200: ModelSummary, ...errors(401, 403, 409) },
      },
    },
    async () => modelView(await app.registry.rollback()),
  );
};
