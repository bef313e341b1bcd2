import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../../route-context.js';
import { Nullable } from '../../schemas.js';

const Readiness = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('not ready')]), modelVersion: Nullable(Type.Integer()) });

/** Kubernetes-style probes: live while the process answers, ready once a model serves. */
export const healthRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: 200 while the server answers', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));

  fastify.get(
    '/readyz',
    { schema: { tags: ['health'], summary: 'Readiness: 200 once a model is active, 503 before', response: { 200: Readiness, 503: Readiness } } },
    async (_request, reply) => {
      const serving = app.registry.serving;
      if (!serving) return reply.code(503).send({ status: 'not ready', modelVersion: null });
      return { status: 'ready' as const, modelVersion: serving.version };
    },
  );
};
