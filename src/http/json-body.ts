import type { FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { HttpError } from './error-handler.js';

/** secure-json-parse's message for a `__proto__` key or a `constructor.prototype`. */
const poisoned = 'Object contains forbidden prototype property';

/**
 * The JSON body parser: Fastify's (secure-json-parse, refusing prototype poisoning), but its
 * errors say what is wrong instead of one "not valid JSON" for everything: where the syntax
 * breaks (V8's message, with the position), or which key was refused.
 */
export function parseJsonBody(request: FastifyRequest, text: string, done: (error: Error | null, body?: unknown) => void): void {
  const encoded = encodingProblem(request);
  if (encoded) {
    done(encoded);
    return;
  }
  if (text.length === 0) {
    done(new HttpError(400, 'the request body is empty: send a JSON document'));
    return;
  }
  let body: unknown;
  try {
    body = secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    done(
      new HttpError(
        400,
        message === poisoned
          ? 'the request body has a "__proto__" key (or "constructor.prototype"), which is refused: remove it'
          : `the request body is not valid JSON: ${message}`,
      ),
    );
    return;
  }
  done(null, body);
}

/** A 415 for a body sent compressed (Content-Encoding other than identity), which no parser here decodes; else null. */
export function encodingProblem(request: FastifyRequest): HttpError | null {
  const encoding = request.headers['content-encoding'];
  if (encoding === undefined || encoding.trim().toLowerCase() === 'identity') return null;
  return new HttpError(415, `the body is sent with Content-Encoding ${JSON.stringify(encoding.slice(0, 40))}, which this server does not decode: send it uncompressed`);
}
