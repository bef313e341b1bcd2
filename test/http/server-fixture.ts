import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { buildHttpApp } from '../../src/http/app.js';

export interface RunningServer {
  readonly base: string;
  readonly app: Application;
  readonly fastify: FastifyInstance;
  /** Where the SQLite database lives (or the unused data directory of a PostgreSQL server). */
  readonly dataDir: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly config?: unknown;
  readonly adminToken?: string;
  readonly predictToken?: string;
  readonly feedbackToken?: string;
  readonly readToken?: string;
  /** Train the default model first (about a second); without it, no model is active. */
  readonly bootstrap?: boolean;
  /** A PostgreSQL database for the store; SQLite in the temporary directory without it. */
  readonly databaseUrl?: string;
}

/** A real Application on a temporary SQLite database, served on a loopback port. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mloop-http-'));
  const app = await openApplication({ config: parseConfig(options.config ?? {}), dataDir, databaseUrl: options.databaseUrl, log: pino({ level: 'silent' }), threads: 2 });
  if (options.bootstrap ?? true) await app.bootstrap();
  const { adminToken, predictToken, feedbackToken, readToken } = options;
  const fastify = buildHttpApp(app, { logger: false, adminToken, predictToken, feedbackToken, readToken });
  const address = await fastify.listen({ host: '127.0.0.1', port: 0 });
  return {
    base: address,
    app,
    fastify,
    dataDir,
    async close() {
      await fastify.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a server before the enclosing `describe`'s tests and closes it after them. The returned
 * object reads the running server (and its base URL) once the tests run.
 */
export function useServer(options: ServerOptions = {}): { readonly server: RunningServer; readonly base: string } {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await startServer(options);
  });
  afterAll(() => running?.close());
  const started = () => {
    if (!running) throw new Error('the server is not started: use it inside a test');
    return running;
  };
  return {
    get server() {
      return started();
    },
    get base() {
      return started().base;
    },
  };
}

/** GET `url` and its JSON body, which must come with status 200 (the body is shown when not). */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  expect(response.status, `${url}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

/** The tutorial's example row (a malignant tumour from the data set). */
export const malignRow = [
  17.99, 10.38, 122.8, 1001, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871, 1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003, 0.006193, 25.38, 17.33, 184.6, 2019, 0.1622, 0.6656,
  0.7119, 0.2654, 0.4601, 0.1189,
] as const;

/** A benign row from the data set. */
export const benignRow = [
  13.54, 14.36, 87.46, 566.3, 0.09779, 0.08129, 0.06664, 0.04781, 0.1885, 0.05766, 0.2699, 0.7886, 2.058, 23.56, 0.008462, 0.0146, 0.02387, 0.01315, 0.0198, 0.0023, 15.11, 19.26, 99.7, 711.2, 0.144,
  0.1773, 0.239, 0.1288, 0.2977, 0.07259,
] as const;

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
