import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
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
export type RouteSchema = Parameters<FastifySerializerCompiler<unknown>>[0] & { readonly contentType?: string };
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
 * The response serializers the build compiled (scripts/precompile-serializers.mjs, with Fastify's
 * standalone mode of the same compiler): `index.json` maps a route response's digest to the file of
 * its code. Loading Fastify's compilers and compiling was most of the first answer's time (about
 * 30 ms of a 35 ms first prediction).
 */
const precompiledDir = new URL('./serializers/', import.meta.url);

/**
 * What a route response's serializer is made from, as a digest: the route, the status, the schema
 * and the compiler's options. A serializer compiled at build time is taken only under the digest
 * of exactly what it was compiled from, so a changed schema (or a build older than the code) is
 * compiled live instead, never answered with another schema's serializer.
 */
export function serializerDigest(routeSchema: RouteSchema, externalSchemas: unknown, options: unknown): string {
  const { schema, method, url, httpStatus, contentType } = routeSchema;
  return createHash('sha256')
    .update(JSON.stringify([method, url, httpStatus, contentType ?? null, schema, externalSchemas ?? {}, options ?? {}]))
    .digest('hex');
}

let precompiledIndex: Readonly<Record<string, string>> | null | undefined;

/** The build's serializer for this digest, if it made one. */
function precompiled(digest: string): ((data: unknown) => unknown) | undefined {
  if (precompiledIndex === undefined) {
    const index = fileURLToPath(new URL('index.json', precompiledDir));
    precompiledIndex = existsSync(index) ? (JSON.parse(readFileSync(index, 'utf8')) as Record<string, string>) : null;
  }
  const file = precompiledIndex?.[digest];
  return file === undefined ? undefined : (createRequire(import.meta.url)(fileURLToPath(new URL(file, precompiledDir))) as (data: unknown) => unknown);
}

/**
 * Fastify's default compilers, loaded when first needed: each response serializer is the build's
 * (see `precompiled`) or compiled on the route's first answer. Fastify's validator (Ajv) serves
 * only the routes outside the JSON API, which validate nothing, so it is not even loaded.
 */
export const schemaController = {
  compilersFactory: {
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      const live = fastifyDefault('serializer')(externalSchemas, options);
      return onFirstUse((routeSchema: RouteSchema) => precompiled(serializerDigest(routeSchema, externalSchemas, options)) ?? live(routeSchema));
    },
    buildValidator: fastifyDefault('validator'),
  },
} as NonNullable<FastifyServerOptions['schemaController']>;

type StandaloneSerializer = (options: { readMode: false; storeFunction: (routeSchema: RouteSchema, code: string) => void }) => (externalSchemas: unknown, options: unknown) => Compiler;

/**
 * The build's controller (scripts/precompile-serializers.mjs): Fastify's standalone mode of its
 * serializer compiler, which compiles every route's responses when the app is ready and hands each
 * one's code to `store` under its digest. The app it serves must not answer: its serializers are
 * the code as text.
 */
export function serializerWritingController(store: (digest: string, code: string, routeSchema: RouteSchema) => void): NonNullable<FastifyServerOptions['schemaController']> {
  const standalone = (loadCompiler('serializer') as unknown as { StandaloneSerializer: StandaloneSerializer }).StandaloneSerializer;
  return {
    compilersFactory: {
      buildSerializer: (externalSchemas: unknown, options: unknown) => {
        // The standalone mode writes its own setting into the options: the digest is of the ones given.
        const given: unknown = options === undefined ? undefined : JSON.parse(JSON.stringify(options));
        return standalone({ readMode: false, storeFunction: (routeSchema, code) => store(serializerDigest(routeSchema, externalSchemas, given), code, routeSchema) })(externalSchemas, options);
      },
      buildValidator: fastifyDefault('validator'),
    },
  } as NonNullable<FastifyServerOptions['schemaController']>;
}
