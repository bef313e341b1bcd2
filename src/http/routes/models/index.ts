import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { featureSchemaOf, isModelArtifact, upgradeModelArtifact } from '../../../core/model-artifact.js';
import type { RouteContext } from '../../route-context.js';
import { errors, List, Model, ModelSummary, modelView, Nullable, page, Paging } from '../../schemas.js';

const VersionParams = Type.Object({ version: Type.Integer({ minimum: 1 }) });

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
      schema: {
        tags,
        summary: 'One model version; its fitted pipeline with ?include=pipeline',
        params: VersionParams,
        querystring: Type.Object({ include: Type.Optional(Type.Literal('pipeline')) }),
        response: { 200: Model, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { pipeline, ...summary } = await app.registry.get(request.params.version);
      const artifact = upgradeModelArtifact(pipeline);
      const featureSchema = isModelArtifact(artifact) ? featureSchemaOf(artifact) : null;
      return modelView(request.query.include === 'pipeline' ? { ...summary, featureSchema, pipeline } : { ...summary, featureSchema });
    },
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
