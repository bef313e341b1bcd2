import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, InvalidDataError, InvalidInputError, NotFoundError, NotTrainedError, RunTimeoutError, UpstreamError } from '../app/errors.js';
import type { AppError } from '../app/errors.js';
import type { SchemaProblem } from './validation.js';

/** The body of every error answer: one sentence naming the problem, and what helps to fix it. */
export interface ErrorBody {
  readonly error: string;
  readonly details: unknown;
}

/** An error only the HTTP layer knows (authentication), with its status and headers. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const appStatus = new Map<new (...args: never[]) => AppError, number>([
  [InvalidInputError, 400],
  [NotFoundError, 404],
  [ConflictError, 409],
  [NotTrainedError, 409],
  [InvalidDataError, 422],
  [UpstreamError, 502],
  // A deadline exceeded, as Google's API guidelines map DEADLINE_EXCEEDED.
  [RunTimeoutError, 504],
]);

function statusOfAppError(error: unknown): number | undefined {
  for (const [type, status] of appStatus) if (error instanceof type) return status;
  return undefined;
}

interface Answer {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

function fastifyAnswer(error: FastifyError, request: FastifyRequest, bodyLimit: number): Answer | undefined {
  if (error.validation) {
    const problems = (error.validation as readonly SchemaProblem[]).map((p) => ({ field: `${error.validationContext ?? 'request'}${p.instancePath}`, problem: p.message }));
    return { status: 400, body: { error: `invalid request: ${error.message}`, details: problems } };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: { error: 'the request body is not valid JSON', details: null } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { error: 'the request body is empty: send a JSON document', details: null } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: `the request body is larger than the limit of ${bodyLimit} bytes (server.bodyLimitBytes): send fewer rows per request`, details: { limitBytes: bodyLimit } } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: `unsupported or malformed content type ${JSON.stringify((request.headers['content-type'] ?? '').slice(0, 100))}: send the body as application/json`, details: null } };
  }
  // Fastify's other client errors (bad Content-Length, ...) carry a safe message and a 4xx status.
  if (error.code?.startsWith('FST_') && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: { error: error.message, details: null } };
  }
  return undefined;
}

function answerFor(error: unknown, request: FastifyRequest, bodyLimit: number): Answer | undefined {
  if (error instanceof HttpError) return { status: error.statusCode, headers: error.headers, body: { error: error.message, details: error.details } };
  const status = statusOfAppError(error);
  if (status !== undefined) {
    const e = error as AppError;
    return { status, body: { error: e.message, details: e.details ?? null } };
  }
  if (error instanceof Error && 'code' in error) return fastifyAnswer(error as FastifyError, request, bodyLimit);
  return undefined;
}

/**
 * The one place where errors become answers: the application's typed errors and Fastify's client
 * errors keep their message; anything else is a bug or an outage, logged in full and answered
 * with a generic 500 that leaks nothing of the internals.
 */
export function installErrorHandler(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = answerFor(error, request, bodyLimit);
    if (!answer) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: 'internal server error: the failure was logged, please retry later', details: null } satisfies ErrorBody);
    }
    if (answer.status >= 500) request.log.warn({ err: error }, answer.body.error);
    else request.log.info({ statusCode: answer.status, problem: answer.body.error }, 'request rejected');
    if (answer.headers) void reply.headers(answer.headers);
    return reply.code(answer.status).send(answer.body);
  });

  fastify.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}: see /docs for the API`, details: null } satisfies ErrorBody),
  );
}
