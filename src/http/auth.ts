import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
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
