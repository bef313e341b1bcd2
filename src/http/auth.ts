import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { ConfigError } from '../config/schema.js';
import { HttpError } from './error-handler.js';

export interface TokenOptions {
  /** Required on every state-changing route when set. */
  readonly adminToken?: string;
  /** Required on the prediction routes when set. */
  readonly predictToken?: string;
  /** Accepted, besides the admin token, on the feedback route (MLOOP_FEEDBACK_TOKEN). */
  readonly feedbackToken?: string;
  /** Accepted, besides the admin token, where an answer holds patient data (MLOOP_READ_TOKEN). */
  readonly readToken?: string;
}

/** The environment variable each token comes from. */
export const tokenVariables = {
  adminToken: 'MLOOP_ADMIN_TOKEN',
  predictToken: 'MLOOP_PREDICT_TOKEN',
  feedbackToken: 'MLOOP_FEEDBACK_TOKEN',
  readToken: 'MLOOP_READ_TOKEN',
} as const satisfies Record<keyof TokenOptions, string>;

/** 16 characters: hex from 64 random bits at the very least; the README suggests 32 random bytes. */
export const minTokenLength = 16;

const howToGenerate = `Generate one with: openssl rand -hex 32 (or: node -e "console.log(crypto.randomBytes(32).toString('hex'))")`;

/**
 * Refuses tokens that are easy to guess (shorter than `minTokenLength`) or that a bearer header
 * cannot carry (white space around them), naming the variable and never the token.
 */
export function checkTokens(options: TokenOptions): void {
  const problems: string[] = [];
  for (const [key, variable] of Object.entries(tokenVariables) as [keyof TokenOptions, string][]) {
    const token = options[key];
    if (token === undefined || token === '') continue;
    const length = [...token].length;
    if (length < minTokenLength) problems.push(`${variable} is ${length} character${length === 1 ? '' : 's'} long: a token needs at least ${minTokenLength} characters, so that it cannot be guessed`);
    else if (token !== token.trim()) problems.push(`${variable} begins or ends with white space, which the Authorization header cannot carry: remove it`);
  }
  if (problems.length > 0) throw new ConfigError(`${problems.join('; ')}. ${howToGenerate}`);
}

/** The tokens set in `env` (an empty variable is unset), checked. */
export function tokensFromEnv(env: NodeJS.ProcessEnv): TokenOptions {
  const tokens: Partial<Record<keyof TokenOptions, string>> = {};
  for (const [key, variable] of Object.entries(tokenVariables) as [keyof TokenOptions, string][]) tokens[key] = env[variable] || undefined;
  checkTokens(tokens);
  return tokens;
}

/** What a route adds to its options to require a token: the bearer check, and the OpenAPI security entry. */
export interface Guard {
  /** Undefined when the server has none of the guard's tokens: the route is open. */
  readonly check?: onRequestHookHandler;
  readonly security?: readonly Record<string, readonly string[]>[];
}

export interface Guards {
  readonly admin: Guard;
  readonly predict: Guard;
  /** The admin token or the feedback token: pathology systems confirm diagnoses without admin rights. */
  readonly feedback: Guard;
  /**
   * The read token or the admin token: answers that hold patients' values (a fitted pipeline's
   * support vectors and scaler, drift histograms). Summaries stay public.
   */
  readonly patientData: Guard;
}

/**
 * Who may call a route. A route says it in `config.access`; without it, a route that only reads
 * (GET, HEAD) is `public` and every other is `admin`, so a new state-changing route is guarded by
 * default and never by remembering to add a hook.
 */
export type Access = 'public' | keyof Guards;

/**
 * A public read that shows more when its query names `parameter` (whatever the value, so that no
 * spelling of it slips past): then the request needs `level`. `?include=pipeline` is the case.
 */
export interface AccessByQuery {
  readonly parameter: string;
  readonly level: keyof Guards;
}

/**
 * A route whose requests need `level`, and `flagLevel` too when their JSON body sets `flag` to
 * true: feedback needs the feedback token, a correction (`"correct": true`) the admin token. The
 * body is parsed by then, so this check runs before the handler rather than on the request.
 */
export interface AccessByBody {
  readonly level: keyof Guards;
  readonly flag: string;
  readonly flagLevel: keyof Guards;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    readonly access?: Access | AccessByQuery | AccessByBody;
  }
}

const readOnly = new Set(['GET', 'HEAD']);

function accessOf(route: RouteOptions): Access | AccessByQuery | AccessByBody {
  const declared = (route.config as { access?: Access | AccessByQuery | AccessByBody } | undefined)?.access;
  if (declared) return declared;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.every((m) => readOnly.has(m)) ? 'public' : 'admin';
}

/** The access of a route that only some requests need a token for. */
function byQuery({ parameter }: AccessByQuery, check: onRequestHookHandler): onRequestHookHandler {
  return function guardByQuery(this: FastifyInstance, request, reply, done) {
    if (Object.hasOwn(request.query as object, parameter)) check.call(this, request, reply, done);
    else done();
  };
}

/**
 * Puts each route of `fastify` (and of the plugins registered in it afterwards) behind the guard of
 * its access level: the bearer check before anything else runs, and the OpenAPI `security` entry
 * (`{}` first when the token is needed only on request).
 */
export function guardRoutes(fastify: FastifyInstance, guards: Guards): void {
  fastify.addHook('onRoute', (route) => {
    const access = accessOf(route);
    if (access === 'public') return;
    const flagged = typeof access !== 'string' && 'flag' in access;
    if (flagged) guardFlag(route, access, guards[access.flagLevel]);
    // Every request of a flagged route needs its level: only the flag adds to it.
    const always = typeof access === 'string' ? access : flagged ? access.level : null;
    const guard = guards[always ?? (access as AccessByQuery).level];
    if (!guard.check || !guard.security) return;
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [always !== null ? guard.check : byQuery(access as AccessByQuery, guard.check), ...own];
    route.schema = { ...route.schema, security: always !== null ? guard.security : [{}, ...guard.security] };
  });
}

/** Puts the flag's guard before the handler of `route`, for requests whose body sets the flag. */
function guardFlag(route: RouteOptions, { flag }: AccessByBody, guard: Guard): void {
  const check = guard.check;
  if (!check) return;
  const own = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
  const flagged: onRequestHookHandler = function guardFlagged(this: FastifyInstance, request, reply, done) {
    const body = request.body as Record<string, unknown> | null | undefined;
    if (typeof body === 'object' && body !== null && body[flag] === true) check.call(this, request, reply, done);
    else done();
  };
  route.preHandler = [flagged, ...own];
}

export const securitySchemes = {
  adminToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_ADMIN_TOKEN: required on state-changing routes when the server has one' },
  predictToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_PREDICT_TOKEN: required on prediction routes when the server has one' },
  feedbackToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_FEEDBACK_TOKEN (or the admin token): required on the feedback route when the server has either' },
  readToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_READ_TOKEN (or the admin token): required on answers holding patient data (fitted pipelines, drift histograms) when the server has either' },
} as const;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>`. Both sides are hashed first so `timingSafeEqual` always
 * compares 32 bytes: neither the token's content nor its length shows in the response time.
 */
function bearerHook(tokens: readonly string[], scheme: keyof typeof securitySchemes): onRequestHookHandler {
  const accepted = tokens.map(digest);
  const challenge = { 'www-authenticate': `Bearer realm="mloop", scope="${scheme.replace('Token', '')}"` };
  return function requireBearer(request: FastifyRequest, _reply, done) {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S.*)$/i.exec(header);
    if (!match) {
      done(new HttpError(401, `this route requires the header "Authorization: Bearer <token>" (${tokenWords[scheme]})`, challenge));
      return;
    }
    const given = digest(match[1].trim());
    // Every accepted token is compared, so the time taken does not tell which one nearly matched.
    const ok = accepted.map((expected) => timingSafeEqual(given, expected)).includes(true);
    if (!ok) {
      done(new HttpError(403, 'the bearer token is not valid for this route'));
      return;
    }
    done();
  };
}

const tokenWords = { adminToken: 'the admin token', predictToken: 'the prediction token', feedbackToken: 'the feedback or the admin token', readToken: 'the read or the admin token' } as const;

function guard(tokens: readonly (string | undefined)[], scheme: keyof typeof securitySchemes): Guard {
  const set = tokens.filter((t): t is string => t !== undefined && t !== '');
  if (set.length === 0) return {};
  return { check: bearerHook(set, scheme), security: [{ [scheme]: [] }] };
}

export function createGuards(options: TokenOptions): Guards {
  checkTokens(options);
  return {
    admin: guard([options.adminToken], 'adminToken'),
    predict: guard([options.predictToken], 'predictToken'),
    // With only an admin token set, feedback needs it; with a feedback token, either works.
    feedback: guard([options.feedbackToken, options.adminToken], 'feedbackToken'),
    patientData: guard([options.readToken, options.adminToken], 'readToken'),
  };
}
