import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { HttpError } from './error-handler.js';

export interface TokenOptions {
  /** Required on every state-changing route when set. */
  readonly adminToken?: string;
  /** Required on the prediction routes when set. */
  readonly predictToken?: string;
}

/** What a route adds to its options to require a token: hooks, and the OpenAPI security entry. */
export interface Guard {
  readonly onRequest: onRequestHookHandler[];
  readonly security?: readonly Record<string, readonly string[]>[];
}

export interface Guards {
  readonly admin: Guard;
  readonly predict: Guard;
}

export const securitySchemes = {
  adminToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_ADMIN_TOKEN: required on state-changing routes when the server has one' },
  predictToken: { type: 'http', scheme: 'bearer', description: 'MLOOP_PREDICT_TOKEN: required on prediction routes when the server has one' },
} as const;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>`. Both sides are hashed first so `timingSafeEqual` always
 * compares 32 bytes: neither the token's content nor its length shows in the response time.
 */
function bearerHook(token: string, scheme: keyof typeof securitySchemes): onRequestHookHandler {
  const expected = digest(token);
  const challenge = { 'www-authenticate': `Bearer realm="mloop", scope="${scheme === 'adminToken' ? 'admin' : 'predict'}"` };
  return function requireBearer(request: FastifyRequest, _reply, done) {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer[ \t]+(\S.*)$/i.exec(header);
    if (!match) {
      done(new HttpError(401, `this route requires the header "Authorization: Bearer <token>" (${scheme === 'adminToken' ? 'the admin token' : 'the prediction token'})`, challenge));
      return;
    }
    if (!timingSafeEqual(digest(match[1].trim()), expected)) {
      done(new HttpError(403, 'the bearer token is not valid for this route'));
      return;
    }
    done();
  };
}

function guard(token: string | undefined, scheme: keyof typeof securitySchemes): Guard {
  if (!token) return { onRequest: [] };
  return { onRequest: [bearerHook(token, scheme)], security: [{ [scheme]: [] }] };
}

export function createGuards(options: TokenOptions): Guards {
  return { admin: guard(options.adminToken, 'adminToken'), predict: guard(options.predictToken, 'predictToken') };
}
