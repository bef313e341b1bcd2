import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import Fastify from 'fastify';
import { schemaController } from './schema-compilers.js';

/** What the OpenAPI document says about the service (`@fastify/swagger`'s `openapi` option). */
export type OpenApiOptions = Record<string, unknown>;

/** `@fastify/swagger`'s document function, the `swagger` decorator it adds. */
type SwaggerDocument = FastifyInstance['swagger'];
type Hook = (...args: never[]) => unknown;

/**
 * The OpenAPI document (`GET /openapi.json`) and Swagger UI (`/docs`), loaded on their first
 * request instead of at start: `@fastify/swagger`, `@fastify/swagger-ui` and what they load (yaml,
 * @fastify/static, glob, the UI's assets) were about a quarter of the time from launch to the first
 * prediction, and memory that serving never uses.
 *
 * The routes are recorded as Fastify registers them (one `onRoute` hook, where `@fastify/swagger`
 * had its own), and handed to `@fastify/swagger`'s own plugin function when the document is first
 * asked for, through the three instance methods it uses (`addHook`, `decorate`, `getSchemas`): the
 * document is the one the plugin registered at start gave, built by the same code. Swagger UI runs
 * in an instance of its own, built on the first `/docs` request, which these routes answer through.
 */
export function installApiDocs(fastify: FastifyInstance, openapi: OpenApiOptions, uiPrefix: string): void {
  const routes: RouteOptions[] = [];
  const instances: FastifyInstance[] = [];
  fastify.addHook('onRoute', (route) => void routes.push(route));
  fastify.addHook('onRegister', (instance) => void instances.push(instance));

  let document: Promise<SwaggerDocument> | undefined;
  const swagger = () => (document ??= openApiDocument(fastify, openapi, routes, instances));
  fastify.get('/openapi.json', { schema: { hide: true } }, async () => (await swagger())());

  let ui: Promise<FastifyInstance> | undefined;
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    ui ??= swaggerUi(await swagger(), uiPrefix);
    // GET for HEAD too: Fastify's HEAD route for this GET one drops the body.
    const answer = await (await ui).inject({ method: 'GET', url: request.url, headers: request.headers });
    const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, 'content-length': _l, date: _d, ...headers } = answer.headers;
    // An empty answer (a redirect) stays without a body, hence without a content type.
    return reply.code(answer.statusCode).headers(headers).send(answer.rawPayload.length > 0 ? answer.rawPayload : undefined);
  };
  fastify.get(uiPrefix, { schema: { hide: true } }, forward);
  fastify.get(`${uiPrefix}/*`, { schema: { hide: true } }, forward);
}

/** `@fastify/swagger`'s document function over the routes and encapsulated instances recorded. */
async function openApiDocument(fastify: FastifyInstance, openapi: OpenApiOptions, routes: readonly RouteOptions[], instances: readonly FastifyInstance[]): Promise<SwaggerDocument> {
  const { fastifySwagger } = (await import('@fastify/swagger')) as unknown as { fastifySwagger: (instance: unknown, options: unknown, done: (error?: Error) => void) => void };
  const hooks = new Map<string, Hook[]>();
  let document: SwaggerDocument | undefined;
  const recorder = {
    addHook: (name: string, hook: Hook) => void hooks.set(name, [...(hooks.get(name) ?? []), hook]),
    decorate: (_name: string, value: SwaggerDocument) => void (document = value),
    getSchemas: () => fastify.getSchemas(),
  };
  await new Promise<void>((resolve, reject) => fastifySwagger(recorder, { openapi }, (error) => (error ? reject(error) : resolve())));
  const run = (name: string) => hooks.get(name) ?? [];
  for (const instance of instances) for (const hook of run('onRegister')) await (hook as (i: FastifyInstance) => unknown)(instance);
  for (const route of routes) for (const hook of run('onRoute')) (hook as (r: RouteOptions) => unknown)(route);
  for (const hook of run('onReady')) await new Promise<void>((resolve) => (hook as (done: () => void) => void)(resolve));
  if (!document) throw new Error('@fastify/swagger did not decorate the instance with its document function');
  return document;
}

/** Swagger UI on an instance of its own, reading the document built above. */
async function swaggerUi(document: SwaggerDocument, prefix: string): Promise<FastifyInstance> {
  const [{ default: swagger }, { default: ui }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  // The app's compilers: Fastify's own are left out of the production bundle (see scripts/bundle.mjs).
  const instance = Fastify({ logger: false, schemaController });
  // Swagger UI requires @fastify/swagger registered; its own decorator is not the one read.
  await instance.register(swagger, { decorator: 'unusedSwagger' });
  instance.decorate('swagger', document);
  await instance.register(ui, { routePrefix: prefix });
  await instance.ready();
  return instance;
}
