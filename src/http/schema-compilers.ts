import { createRequire } from 'node:module';
import type { FastifySerializerCompiler, FastifyServerOptions } from 'fastify';

/**
 * Fastify's default compiler factory `name` (`@fastify/fast-json-stringify-compiler` for the
 * responses, `@fastify/ajv-compiler` for validation), required from Fastify's package so that it is
 * exactly the one Fastify would load itself, but only when a first schema is compiled with it.
 */
function fastifyDefault(name: string) {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  return (externalSchemas: unknown, options: unknown) => {
    let compile: Compiler | undefined;
    return (routeSchema: RouteSchema) => {
      compile ??= (fromFastify(name) as () => (externalSchemas: unknown, options: unknown) => Compiler)()(externalSchemas, options);
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
    buildSerializer: (externalSchemas: unknown, options: unknown) => onFirstUse(fastifyDefault('@fastify/fast-json-stringify-compiler')(externalSchemas, options)),
    buildValidator: fastifyDefault('@fastify/ajv-compiler'),
  },
} as NonNullable<FastifyServerOptions['schemaController']>;
