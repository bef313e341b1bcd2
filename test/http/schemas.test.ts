import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import type { HttpOptions } from '../../src/http/app.js';
import { buildHttpApp } from '../../src/http/app.js';
import type { RouteSchema } from '../../src/http/schema-compilers.js';
import { serializerWritingController } from '../../src/http/schema-compilers.js';
import { validatorCompiler } from '../../src/http/validation.js';

type SerializerCompiler = (routeSchema: { schema: unknown; method: string; url: string; httpStatus: string }) => (data: unknown) => string;

/** fast-json-stringify's compiler as Fastify loads it (the server compiles with it on a route's first answer). */
const serializerCompiler = (createRequire(createRequire(import.meta.url).resolve('fastify'))('@fastify/fast-json-stringify-compiler') as () => (external: unknown, options: unknown) => SerializerCompiler)()({}, undefined);

/**
 * The server compiles a route's schemas when the route is first used, not at start-up; so that a
 * schema that does not compile still fails a test before any request reaches it, this compiles them all.
 */
/** Builds the HTTP app on a fresh store for the describe block (ready, then closed): `prepare` gets it before it is ready. */
function useReadyApp(options: Partial<HttpOptions>, prepare: (fastify: FastifyInstance) => void = () => undefined): void {
  let dataDir: string;
  let app: Application;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mloop-schemas-'));
    app = await openApplication({ config: parseConfig({}), dataDir, log: pino({ level: 'silent' }), threads: 1 });
    const fastify = buildHttpApp(app, { logger: false, ...options });
    prepare(fastify);
    await fastify.ready();
    await fastify.close();
  });
  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });
}

describe('route schemas', () => {
  const routes: RouteOptions[] = [];
  useReadyApp({}, (fastify) => fastify.addHook('onRoute', (route) => void routes.push(route)));

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

/**
 * The production build compiles the response serializers ahead (scripts/precompile-serializers.mjs)
 * and the server takes one only under the digest of what it was compiled from: the digests these
 * sources give must find the build's files, and those answer as the live compiler does.
 */
describe("the build's precompiled serializers", () => {
  const serializersDir = fileURLToPath(new URL('../../dist/http/serializers/', import.meta.url));
  const written: { digest: string; code: string; route: RouteSchema }[] = [];
  beforeAll(() => {
    if (!existsSync(join(serializersDir, 'index.json'))) throw new Error(`${serializersDir} is missing: run npm run build first`);
  });
  useReadyApp({ schemaController: serializerWritingController((digest, code, route) => void written.push({ digest, code, route })) });

  it('are there for every response these sources compile without a validator, as the same code', () => {
    const index = JSON.parse(readFileSync(join(serializersDir, 'index.json'), 'utf8')) as Record<string, string>;
    const plain = written.filter(({ code }) => !code.includes("require('fast-json-stringify/lib/validator')"));
    expect(plain.length).toBeGreaterThan(100);
    for (const { digest, code, route } of plain) {
      const file = index[digest];
      expect(file, `${route.method} ${route.url} ${route.httpStatus}`).toBeDefined();
      expect(readFileSync(join(serializersDir, file), 'utf8')).toBe(code.replaceAll("require('fast-json-stringify/lib/serializer')", "require('./serializer.cjs')"));
    }
  });

  it("answer a prediction as the live compiler does, leaving out what the schema does not name", () => {
    const index = JSON.parse(readFileSync(join(serializersDir, 'index.json'), 'utf8')) as Record<string, string>;
    const predict = written.find(({ route }) => route.method === 'POST' && route.url === '/api/v1/predict' && route.httpStatus === '200');
    if (!predict) throw new Error('no serializer was compiled for POST /api/v1/predict 200');
    const serialize = createRequire(import.meta.url)(join(serializersDir, index[predict.digest])) as (data: unknown) => string;
    const outcome = {
      modelVersion: 3,
      classes: ['B', 'M'],
      predictions: [
        { predictionId: 'a', label: 'M', className: 'Malign', decision: 1.25, probabilities: { B: 0.1, M: 0.9 }, outOfRange: [{ feature: 'radius_mean', value: 40, min: 6, max: 28 }], notInSchema: 'x' },
        { predictionId: 'b', label: '4', className: 'malignant "4"', decisions: { '2': -1, '4': 1 }, externalId: 'case-ü' },
      ],
      decisionThreshold: { positive: 'M', threshold: -0.5 },
      notInSchema: true,
    };
    const live = serializerCompiler({ schema: predict.route.schema, method: String(predict.route.method), url: String(predict.route.url), httpStatus: String(predict.route.httpStatus) });
    expect(serialize(outcome)).toBe(live(outcome));
    expect(JSON.parse(serialize(outcome))).not.toHaveProperty('notInSchema');
  });
});
