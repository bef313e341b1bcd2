import { createRequire } from 'node:module';
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import { ConfigError } from '../config/schema.js';
import { colorEnabled } from './terminal.js';

/** `MLOOP_LOG_FORMAT`: readable lines for a person, or one JSON object a line for a log shipper. */
export const logFormats = ['pretty', 'json'] as const;
export type LogFormat = (typeof logFormats)[number];

/** pino's levels, from the quietest; `silent` logs nothing. */
export const logLevels = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** Every place a log line could carry a bearer token. */
const redact = ['req.headers.authorization', 'headers.authorization'];

function choice<T extends string>(variable: string, values: readonly T[], given: string): T {
  if ((values as readonly string[]).includes(given)) return given as T;
  throw new ConfigError(`${variable}: expected one of ${values.join(', ')}, got ${JSON.stringify(given)}`);
}

export interface LoggerOptions {
  /** The level when `MLOOP_LOG_LEVEL` is not set. */
  readonly defaultLevel: (typeof logLevels)[number];
  /** Where the lines go: 1 (stdout, `serve`) or 2 (stderr, the other commands). */
  readonly fd: 1 | 2;
  readonly env?: NodeJS.ProcessEnv;
  /** Whether `fd` is a terminal (the default asks the process's stream). */
  readonly isTTY?: boolean;
}

/**
 * The process's logger. On a terminal, readable lines (time, level, message, the fields as one
 * line of JSON after it; colours unless NO_COLOR); elsewhere, or with `MLOOP_LOG_FORMAT=json`,
 * pino's JSON lines, which log shippers read. Both write synchronously, so a line logged just
 * before the process exits is not lost. A level or format not in the lists is an error naming them.
 */
export function createLogger(options: LoggerOptions): Logger {
  const env = options.env ?? process.env;
  const level = choice('MLOOP_LOG_LEVEL', logLevels, env.MLOOP_LOG_LEVEL ?? options.defaultLevel);
  const isTTY = options.isTTY ?? (options.fd === 1 ? process.stdout : process.stderr).isTTY === true;
  const format = env.MLOOP_LOG_FORMAT === undefined || env.MLOOP_LOG_FORMAT === '' ? (isTTY ? 'pretty' : 'json') : choice('MLOOP_LOG_FORMAT', logFormats, env.MLOOP_LOG_FORMAT);
  const destination: DestinationStream =
    format === 'json'
      ? pino.destination({ fd: options.fd, sync: true })
      : prettyStream()({
          destination: options.fd,
          sync: true,
          colorize: colorEnabled(isTTY, env),
          translateTime: 'SYS:HH:MM:ss.l',
          singleLine: true,
          // A request's line says what it was and how it ended; the objects themselves are for JSON.
          ignore: 'pid,hostname,req,res,responseTime',
          messageFormat: requestMessage,
        });
  return pino({ level, redact }, destination);
}

/**
 * pino-pretty (and its date formatting, colours, JSON tools), loaded only for a terminal: a server
 * under a supervisor logs JSON and never needs it.
 */
const prettyStream = () => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

/** Fastify's request lines, with the method, URL, status and time that JSON keeps in `req` and `res`. */
function requestMessage(log: Record<string, unknown>, messageKey: string): string {
  const message = String(log[messageKey] ?? '');
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  const parts = [message];
  if (req?.method) parts.push(`${req.method} ${req.url ?? ''}`);
  if (res?.statusCode !== undefined) parts.push(`${res.statusCode}${typeof log.responseTime === 'number' ? ` in ${log.responseTime.toFixed(1)} ms` : ''}`);
  return parts.join(' ');
}
