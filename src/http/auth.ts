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
}

/** The environment variable each token comes from. */
export const tokenVariables = {
  adminToken: 'MLOOP_ADMIN_TOKEN',
  predictToken: 'MLOOP_PREDICT_TOKEN',
  feedbackToken: 'MLOOP_FEEDBACK_TOKEN',
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

/** What a route adds to its options to require a token: hooks, and the OpenAPI security entry. */
export interface Guard {
  readonly onRequest: onRequestHookHandler[];
  readonly security?: readonly Record<string, readonly string[]>[];
}

export interface Guards {
  readonly admin: Guard;
  readonly predict: Guard;
  /** The admin token or the feedback token: pathology systems confirm diagnoses without admin rights. */
  readonly feedback: Guard;
}

/**
 * Who may call a route. A route says it in `config.access`; without it, a route that only reads
 * (GET, HEAD) is `public` and every other is `admin`, so a new state-changing route is guarded by
 * default and never by remembering to add a hook.
 */
export type Access = 'public' | keyof Guards;

declare module 'fastify' {
  interface FastifyContextConfig {
    readonly access?: Access;
  }
}

const readOnly = new Set(['GET', 'HEAD']);

function accessOf(route: RouteOptions): Access {
  const declared = (route.config as { access?: Access } | undefined)?.access;
  if (declared) return declared;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.every((m) => readOnly.has(m)) ? 'public' : 'admin';
}

/**
 * Puts each route of `fastify` (and of the plugins registered in it afterwards) behind the guard of
 * its access level: the bearer check before anything else runs, and the OpenAPI `security` entry.
 */
export function guardRoutes(fastify: FastifyInstance, guards: Guards): void {
  fastify.addHook('onRoute', (route) => {
    const access = accessOf(route);
    if (access === 'public') return;
    const guard = guards[access];
    if (guard.onRequest.length === 0) return;
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...guard.onRequest, ...own];
    route.schema = { ...route.schema, security: guard.security };
  });
}

export const securitySchemes = {
  adminToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_ADMIN_TOKEN: required on state-changing routes when the server has one' },
  predictToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_PREDICT_TOKEN: required on prediction routes when the server has one' },
  feedbackToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_FEEDBACK_TOKEN (or the admin token): required on the feedback route when the server has either' },
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

const tokenWords = { adminToken: 'the admin token', predictToken: 'the prediction token', feedbackToken: 'the feedback or the admin token' } as const;

function guard(tokens: readonly (string | undefined)[], scheme: keyof typeof securitySchemes): Guard {
  const set = tokens.filter((t): t is string => t !== undefined && t !== '');
  if (set.length === 0) return { onRequest: [] };
  return { onRequest: [bearerHook(set, scheme)], security: [{ [scheme]: [] }] };
}

export function createGuards(options: TokenOptions): Guards {
  checkTokens(options);
  return {
    admin: guard([options.adminToken], 'adminToken'),
    predict: guard([options.predictToken], 'predictToken'),
    // With only an admin token set, feedback needs it; with a feedback token, either works.
    feedback: guard([options.feedbackToken, options.adminToken], 'feedbackToken'),
  };
}
