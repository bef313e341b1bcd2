import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { HttpError } from './error-handler.js';

export interface TokenOptions {
  /** Required on every state-changing route when set. */
  readonly adminToken?: string;
  /** Required on the prediction routes when set. */
  readonly predictToken?: string;
  /** Accepted, besides the admin token, on the feedback route (MLOOP_FEEDBACK_TOKEN). */
  readonly feedbackToken?: string;
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
  return {
    admin: guard([options.adminToken], 'adminToken'),
    predict: guard([options.predictToken], 'predictToken'),
    // With only an admin token set, feedback needs it; with a feedback token, either works.
    feedback: guard([options.feedbackToken, options.adminToken], 'feedbackToken'),
  };
}
