import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import type { RouteOptions } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { buildHttpApp } from '../../src/http/app.js';
import { validatorCompiler } from '../../src/http/validation.js';

type SerializerCompiler = (routeSchema: { schema: unknown; method: string; url: string; httpStatus: string }) => (data: unknown) => string;

/** fast-json-stringify's compiler as Fastify loads it (the server compiles with it on a route's first answer). */
const serializerCompiler = (createRequire(createRequire(import.meta.url).resolve('fastify'))('@fastify/fast-json-stringify-compiler') as () => (external: unknown, options: unknown) => SerializerCompiler)()({}, undefined);

/**
 * The server compiles a route's schemas when the route is first used, not at start-up; so that a
 * schema that does not compile still fails a test before any request reaches it, this compiles them all.
 */
describe('route schemas', () => {
  let dataDir: string;
  let app: Application;
  const routes: RouteOptions[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mloop-schemas-'));
    app = await openApplication({ config: parseConfig({}), dataDir, log: pino({ level: 'silent' }), threads: 1 });
    const fastify = buildHttpApp(app, { logger: false });
    fastify.addHook('onRoute', (route) => void routes.push(route));
    await fastify.ready();
    await fastify.close();
  });
  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('every request schema compiles', () => {
    let compiled = 0;
    for (const { method, url, schema } of routes) {
      for (const httpPart of ['body', 'querystring', 'params', 'headers'] as const) {
        const part = schema?.[httpPart] as TSchema | undefined;
        if (part === undefined) continue;
        expect(() => validatorCompiler({ schema: part, method: String(method), url, httpPart }), `${String(method)} ${url} ${httpPart}`).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(10);
  });

  it('every response schema compiles', () => {
    let compiled = 0;
    for (const { method, url, schema } of routes) {
      for (const [httpStatus, response] of Object.entries((schema?.response ?? {}) as Record<string, unknown>)) {
        expect(() => serializerCompiler({ schema: response, method: String(method), url, httpStatus }), `${String(method)} ${url} ${httpStatus}`).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(20);
  });
});
