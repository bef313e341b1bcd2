import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../route-context.js';
import { PlainText } from '../../schemas.js';

/** Prometheus scrape endpoint. */
export const metricsRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { metrics }) => {
  fastify.get(
    '/metrics',
    { schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)', response: { 200: PlainText('Prometheus text exposition format') } } },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()),
  );
};
