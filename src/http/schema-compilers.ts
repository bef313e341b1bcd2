import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifySerializerCompiler, FastifyServerOptions } from 'fastify';

type CompilerFactory = () => (externalSchemas: unknown, options: unknown) => Compiler;
const compilerPackages = { serializer: '@fastify/fast-json-stringify-compiler', validator: '@fastify/ajv-compiler' } as const;

/**
 * The production build's copy of Fastify's two compiler packages, bundled into one file from
 * Fastify's own dependencies (scripts/bundle.mjs): reading one file instead of ajv's and
 * fast-json-stringify's hundred-odd halved the first answer's wait for its serializer.
 */
const bundledCompilers = new URL('./fastify-compilers.cjs', import.meta.url);

/**
 * Fastify's default compiler factory (`@fastify/fast-json-stringify-compiler` for the responses,
 * `@fastify/ajv-compiler` for validation): the bundled copy when there is one, else required from
 * Fastify's package, so that it is exactly the one Fastify would load itself; only when a first
 * schema is compiled with it.
 */
function loadCompiler(kind: keyof typeof compilerPackages): CompilerFactory {
  const own = createRequire(import.meta.url);
  if (existsSync(fileURLToPath(bundledCompilers))) return (own(fileURLToPath(bundledCompilers)) as Record<typeof kind, CompilerFactory>)[kind];
  return createRequire(own.resolve('fastify'))(compilerPackages[kind]) as CompilerFactory;
}

function fastifyDefault(kind: keyof typeof compilerPackages) {
  return (externalSchemas: unknown, options: unknown) => {
    let compile: Compiler | undefined;
    return (routeSchema: RouteSchema) => {
      compile ??= loadCompiler(kind)()(externalSchemas, options);
      return compile(routeSchema);
    };
  };
}
/** What Fastify hands a schema compiler: the schema, the route, and which part of it. */
type RouteSchema = Parameters<FastifySerializerCompiler<unknown>>[0];
type Compiler = (routeSchema: RouteSchema) => (data: unknown) => unknown;

/**
 * Compiles a route's schema when the route first uses it instead of compiling every route's at
 * `ready()`, which took a large share of the start-up. The function compiled is the same.
 */
export function onFirstUse<S, R>(compile: (routeSchema: S) => (data: unknown) => R): (routeSchema: S) => (data: unknown) => R {
  return (routeSchema) => {
    let compiled: ((data: unknown) => R) | undefined;
    return (data) => (compiled ??= compile(routeSchema))(data);
  };
}

/**
 * Fastify's default compilers, loaded when first needed: each response serializer is compiled on
 * the route's first answer. Fastify's validator (Ajv) serves only the routes outside the JSON API,
 * which validate nothing, so it is not even loaded.
 */
export const schemaController = {
  compilersFactory: {
    buildSerializer: (externalSchemas: unknown, options: unknown) => onFirstUse(fastifyDefault('serializer')(externalSchemas, options)),
    buildValidator: fastifyDefault('validator'),
  },
} as NonNullable<FastifyServerOptions['schemaController']>;
