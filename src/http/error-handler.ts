import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ConflictError, InvalidDataError, InvalidInputError, NoServingModelError, NotExportableError, NotFoundError, NotTrainedError, RunTimeoutError, UpstreamError } from '../app/errors.js';
import type { AppError } from '../app/errors.js';
import { AllowedMethods } from './allowed-methods.js';
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
  [NotExportableError, 422],
  [UpstreamError, 502],
  [NoServingModelError, 503],
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

const internalError: ErrorBody = { error: 'internal server error: the failure was logged, please retry later', details: null };

/** A path or URL as an error message quotes it: bounded, since the client chose its length. */
const quoted = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
const pathOf = (request: FastifyRequest) => (request.raw.url ?? '').split('?')[0];

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
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = request.headers['content-type'];
      const problem = type === undefined ? 'the request has a body but no Content-Type' : `unsupported or malformed content type ${JSON.stringify(type.slice(0, 100))}`;
      return { status: 415, body: { error: `${problem}: send the body as application/json`, details: null } };
    }
    case 'FST_ERR_BAD_URL':
      return { status: 400, body: { error: `the URL path ${quoted(pathOf(request))} is not valid: each % must start a percent-encoded UTF-8 character`, details: null } };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // Fastify's status: no route takes a path parameter that long (router maxParamLength).
      return { status: 414, body: { error: `a path parameter is longer than 100 characters: ${quoted(pathOf(request))}`, details: null } };
  }
  // Fastify's other client errors (bad Content-Length, ...) carry a safe message and a 4xx status.
  if (error.code?.startsWith('FST_') && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: { error: error.message, details: null } };
  }
  return undefined;
}

/**
 * The client closed the connection before its request was read (an upload cut short): nothing
 * is wrong with the server and no one is left to answer, so this is one info line, not an error.
 */
function clientHungUp(error: unknown, request: FastifyRequest): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ECONNRESET' && (request.raw.destroyed || request.raw.socket.destroyed);
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

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, bodyLimit: number): FastifyReply {
  if (clientHungUp(error, request)) {
    request.log.info({ method: request.method, url: pathOf(request) }, 'client closed the connection before the request was read');
    return reply.code(400).send({ error: 'the connection closed before the whole request arrived', details: null } satisfies ErrorBody);
  }
  const answer = answerFor(error, request, bodyLimit);
  if (!answer) {
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(internalError);
  }
  if (answer.status >= 500) request.log.warn({ err: error }, answer.body.error);
  else request.log.info({ statusCode: answer.status, problem: answer.body.error }, 'request rejected');
  if (answer.headers) void reply.headers(answer.headers);
  return reply.code(answer.status).send(answer.body);
}

/**
 * The one place where errors become answers: the application's typed errors and Fastify's client
 * errors keep their message; anything else is a bug or an outage, logged in full and answered
 * with a generic 500 that leaks nothing of the internals. A path served with other methods is a
 * 405 naming them (in `Allow`), and only a path nothing serves a 404.
 */
export function installErrorHandler(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => sendError(error, request, reply, bodyLimit));

  const allowed = new AllowedMethods();
  fastify.addHook('onRoute', (route) => allowed.add(route));
  fastify.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request);
    const methods = allowed.at(path);
    if (methods.length === 0) return reply.code(404).send({ error: `no route ${request.method} ${path}: see /docs for the API`, details: null } satisfies ErrorBody);
    const use = methods.length === 1 ? methods[0] : `${methods.slice(0, -1).join(', ')} or ${methods[methods.length - 1]}`;
    return reply
      .code(405)
      .header('allow', methods.join(', '))
      .send({ error: `${request.method} is not allowed on ${path}: use ${use}`, details: { allowed: methods } } satisfies ErrorBody);
  });
}

/** What Node's HTTP parser refused, in words (its `reason` otherwise). */
const parseProblems: Readonly<Record<string, string>> = {
  HPE_INVALID_HEADER_TOKEN: 'a header holds a character that is not allowed (a control character such as NUL, or a space in its name)',
  HPE_INVALID_METHOD: 'the request line does not start with an HTTP method',
  HPE_INVALID_URL: 'the request target holds a character that is not allowed (send it percent-encoded)',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length is given twice or together with Transfer-Encoding',
};

/** The answer to a request Node could not even parse, in the app's error shape. */
function clientErrorAnswer(error: NodeJS.ErrnoException & { reason?: string }): { status: number; body: ErrorBody } {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, body: { error: 'the request did not arrive in time', details: null } };
  if (error.code === 'HPE_HEADER_OVERFLOW') return { status: 431, body: { error: 'the request headers are larger than the server accepts', details: null } };
  const problem = (error.code && parseProblems[error.code]) ?? (error.reason ? error.reason.charAt(0).toLowerCase() + error.reason.slice(1) : 'it could not be parsed');
  return { status: 400, body: { error: `the request is not valid HTTP: ${problem}`, details: null } };
}

/**
 * Fastify's options for the errors that happen before a route is found: a URL that does not
 * decode, a path parameter over the router's limit, and requests Node's parser refuses (written
 * straight to the socket). All answer in the app's error shape, as the error handler does.
 */
export function frameworkErrorOptions(bodyLimit: number): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> {
  return {
    frameworkErrors: (error, request, reply) => void sendError(error, request, reply, bodyLimit),
    clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) {
      // A connection reset by the client has nobody to answer.
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      const { status, body } = clientErrorAnswer(error);
      this.log.info({ code: error.code, statusCode: status }, `request refused: ${body.error}`);
      if (!socket.writable) return void socket.destroy();
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    },
  };
}
