import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiOptions } from '../../src/http/api-docs.js';
import { installApiDocs } from '../../src/http/api-docs.js';

const openapi: OpenApiOptions = {
  openapi: '3.1.0',
  info: { title: 'docs test', version: '1.2.3' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
};

/**
 * Routes shaped like mloop's (app.ts registers them all in plugins): one without a prefix, an
 * encapsulated scope with a prefix, an onRoute hook that adds security, a shared schema, a hidden route.
 */
function routes(fastify: FastifyInstance): void {
  void fastify.register(async (root) => {
    root.get('/root', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, () => ({ ok: true }));
  });
  fastify.addSchema({ $id: 'row', type: 'array', items: { type: 'number' } });
  void fastify.register(
    async (api) => {
      api.addHook('onRoute', (route) => {
        if (route.url.includes('admin')) route.schema = { ...route.schema, security: [{ bearer: [] }] };
      });
      api.post('/predict', { schema: { body: Type.Object({ row: Type.Ref('row') }), response: { 200: Type.Object({ label: Type.String() }) } } }, () => ({ label: 'M' }));
      api.get('/admin/models/:version', { schema: { params: Type.Object({ version: Type.Integer() }), tags: ['models'] } }, () => ({}));
      api.get('/hidden', { schema: { hide: true } }, () => ({}));
    },
    { prefix: '/api/v1' },
  );
}

/** The same app with @fastify/swagger and Swagger UI registered as plugins at start, as before. */
async function eager(): Promise<FastifyInstance> {
  const fastify = Fastify({ logger: false });
  void fastify.register(swagger, { openapi });
  void fastify.register(swaggerUi, { routePrefix: '/docs' });
  fastify.get('/openapi.json', { schema: { hide: true } }, () => fastify.swagger());
  routes(fastify);
  await fastify.ready();
  return fastify;
}

async function lazy(): Promise<FastifyInstance> {
  const fastify = Fastify({ logger: false });
  installApiDocs(fastify, openapi, '/docs');
  routes(fastify);
  await fastify.ready();
  return fastify;
}

describe('the API documentation, loaded on first request', () => {
  let before: FastifyInstance;
  let after: FastifyInstance;
  beforeAll(async () => {
    [before, after] = await Promise.all([eager(), lazy()]);
  });
  afterAll(async () => {
    await Promise.all([before.close(), after.close()]);
  });

  it('GET /openapi.json is the document @fastify/swagger gives when registered at start', async () => {
    const expected = (await before.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    const answer = await after.inject({ method: 'GET', url: '/openapi.json' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual(expected);
    expect(Object.keys(expected.paths).sort()).toEqual(['/api/v1/admin/models/{version}', '/api/v1/predict', '/root']);
  });

  it.each(['/docs', '/docs/', '/docs/static/index.html', '/docs/static/swagger-ui.css', '/docs/json', '/docs/yaml', '/docs/uiConfig', '/docs/no-such-file'])('GET %s answers as Swagger UI registered at start does', async (url) => {
    const [expected, answer] = await Promise.all([before.inject({ method: 'GET', url }), after.inject({ method: 'GET', url })]);
    expect(answer.statusCode).toBe(expected.statusCode);
    expect(answer.headers['content-type']).toBe(expected.headers['content-type']);
    expect(answer.headers.location).toBe(expected.headers.location);
    expect(answer.rawPayload.equals(expected.rawPayload)).toBe(true);
  });

  it.each(['/docs/', '/docs/static/swagger-ui.css'])('HEAD %s has the headers and no body', async (url) => {
    const [expected, answer] = await Promise.all([before.inject({ method: 'HEAD', url }), after.inject({ method: 'HEAD', url })]);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe(expected.headers['content-type']);
    expect(answer.body).toBe('');
  });
});
