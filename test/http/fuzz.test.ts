/**
 * Every operation of the OpenAPI document the server serves, fuzzed (fast-check) with values of
 * its schemas and hostile ones in their place, with the admin token, with none and with a wrong
 * one, on SQLite and on PostgreSQL. Whatever the request: no 5xx; every 4xx in the app's one error
 * shape; and a rejected request changes nothing: not the model that serves, not the store.
 *
 * Bounded: MLOOP_FUZZ_RUNS requests per operation (8 by default: about 300 per dialect, 10 to 20 s
 * on a quiet machine). Seeded: a failure prints fast-check's seed and path, and the test's name
 * holds the seed; MLOOP_FUZZ_SEED=<seed> replays the run.
 */
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sqliteFileName } from '../../src/store/database.js';
import type { Dialect } from '../../src/store/store-dialect.js';
import type { TestDatabase } from '../store/dialects.js';
import { createTestDatabase, describeDialects } from '../store/dialects.js';
import type { FuzzRequest, OpenApiDocument } from './openapi-arbitrary.js';
import { operationsOf, requestOf } from './openapi-arbitrary.js';
import type { RunningServer } from './server-fixture.js';
import { benignRow, malignRow, startServer } from './server-fixture.js';

const adminToken = 'fuzz-admin-token-0123456789abcdef';
const seed = Number(process.env.MLOOP_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runsPerOperation = Number(process.env.MLOOP_FUZZ_RUNS ?? 8);

/** Valid bodies to start from: most schema-made bodies are rejected, these get through unless mutated. */
const examples: Readonly<Record<string, readonly unknown[]>> = {
  '/api/v1/predict': [{ row: malignRow, externalId: 'case-1' }, { rows: [malignRow, benignRow], externalIds: ['case-2', 'case-3'] }],
  '/prediction': [{ data: [malignRow] }],
  '/invocations': [{ dataframe_split: { data: [malignRow] } }, { instances: [benignRow] }],
  '/v2/models/{name}/infer': [{ inputs: [{ name: 'input-0', shape: [1, 30], datatype: 'FP64', data: malignRow }] }],
  '/api/v1/feedback': [{ externalId: 'case-1', actual: 'M' }, { items: [{ externalId: 'case-2', actual: 'B' }] }],
  '/api/v1/train': [{ mode: 'basic' }, { mode: 'normalized', C: 10, gamma: 0.01 }],
  '/api/v1/silences': [{ matchers: [{ name: 'alertname', value: 'recall_below_threshold' }], until: '2h', reason: 'fuzz' }],
  '/api/v1/models/{version}/promote': [{ force: true, reason: 'fuzz' }, {}],
  '/api/v1/models/rollback': [{ force: true, reason: 'fuzz' }, {}],
};

/**
 * What a rejected request must leave as it was. Counts where rows only come and go; the columns
 * a request changes where rows change (a model's serving status, a run's status, a silence's end).
 * The outbox's delivery state is left out: delivery runs in the background.
 */
const storeQueries = [
  'select id, content_hash from snapshots order by id',
  'select version, status, gate_verdict, serving_status from models order by version',
  'select id, model_version, previous_version from activations order by id',
  'select id, kind, status, cancel_requested_at from runs order by id',
  'select count(*) as n from checks',
  'select fingerprint, status from alerts order by fingerprint',
  'select count(*) as n from outbox',
  'select count(*) as n, count(actual) as confirmed from predictions',
  'select id, action, from_version, to_version from registry_audit order by id',
  'select id, ends_at, matchers_json from silences order by id',
  'select count(*) as n from drift_reports',
];

interface StoreReader {
  fingerprint(): Promise<string>;
  close(): Promise<void>;
}

async function storeReader(dialect: Dialect, server: RunningServer, database: TestDatabase | undefined): Promise<StoreReader> {
  if (dialect === 'sqlite') {
    const db = new SqliteDatabase(path.join(server.dataDir, sqliteFileName), { readonly: true });
    return { fingerprint: async () => JSON.stringify(storeQueries.map((sql) => db.prepare(sql).all())), close: async () => void db.close() };
  }
  const client = new pg.Client({ connectionString: database?.options.url });
  await client.connect();
  return {
    fingerprint: async () => {
      const results: unknown[] = [];
      for (const sql of storeQueries) results.push((await client.query(sql)).rows);
      return JSON.stringify(results);
    },
    close: () => client.end(),
  };
}

async function send(base: string, request: FuzzRequest): Promise<{ status: number; contentType: string | null; text: string }> {
  const headers: Record<string, string> = {};
  if (request.auth === 'admin') headers.authorization = `Bearer ${adminToken}`;
  if (request.auth === 'wrong') headers.authorization = 'Bearer not-the-token-0123456789abcdef';
  let body: string | undefined;
  if (request.body && 'json' in request.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.body.json);
  } else if (request.body) {
    if (request.body.contentType) headers['content-type'] = request.body.contentType;
    body = request.body.raw;
  }
  const response = await fetch(`${base}${request.url}`, { method: request.method, headers, body });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The app's one error shape: a JSON object of exactly `error` (a sentence) and `details`. */
function expectErrorShape(answer: { status: number; contentType: string | null; text: string }, what: string): void {
  expect(answer.contentType, what).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  expect(Object.keys(body).sort(), what).toEqual(['details', 'error']);
  expect(typeof body.error === 'string' && body.error.length > 0, what).toBe(true);
}

describeDialects('the OpenAPI-driven fuzz test', (dialect) => {
  let server: RunningServer;
  let database: TestDatabase | undefined;
  let reader: StoreReader;

  beforeAll(async () => {
    database = dialect === 'postgres' ? await createTestDatabase('postgres') : undefined;
    // A training the fuzz lets through stops after 60 s at most; most are cancelled at once.
    server = await startServer({ adminToken, databaseUrl: database?.options.url, config: { training: { timeout: '60s' } } });
    reader = await storeReader(dialect, server, database);
    // The first read of the log starts its reader thread: not part of any request's time.
    await server.app.monitoring.live();
  }, 120_000);

  afterAll(async () => {
    await reader?.close();
    await server?.close();
    await database?.drop();
  });

  /** Lets what an accepted request started (a training, an update) finish, so the next request starts from rest. */
  async function settle(answer: { status: number; text: string }): Promise<void> {
    const runId = answer.status === 202 ? (JSON.parse(answer.text) as { runId?: number }).runId : undefined;
    if (runId !== undefined) await fetch(`${server.base}/api/v1/runs/${runId}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    for (;;) {
      const runs = (await (await fetch(`${server.base}/api/v1/runs?limit=5`)).json()) as { runs: { status: string }[] };
      if (!runs.runs.some((run) => run.status === 'running' || run.status === 'queued')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await server.app.trainings.settled();
    // The prediction log is written in batches: what this request logged is in the store before the next one.
    await server.app.monitoring.live();
  }

  it(`answers every request without a 5xx, rejects in one shape and changes nothing when it rejects (seed ${seed})`, async () => {
    const document = (await (await fetch(`${server.base}/openapi.json`)).json()) as OpenApiDocument;
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(30);
    const statuses = new Map<string, Set<number>>();

    // Each operation in turn, the same number of requests each: a slow one (a training) does not starve the others.
    for (const op of operations) {
      const key = `${op.method} ${op.path}`;
      statuses.set(key, new Set());
      await fc.assert(
        fc.asyncProperty(requestOf(op, examples[op.path]), async (request) => {
          const before = await reader.fingerprint();
          const activeBefore = server.app.registry.serving?.version;
          const answer = await send(server.base, request);
          const what = `${key}: ${request.method} ${request.url.slice(0, 300)} (${request.auth} token) → ${answer.status}: ${answer.text.slice(0, 500)}`;
          statuses.get(key)?.add(answer.status);
          expect(answer.status, what).toBeLessThan(500);
          if (answer.status >= 400) {
            expectErrorShape(answer, what);
            expect(server.app.registry.serving?.version, `${what}: the active model changed`).toBe(activeBefore);
            expect(await reader.fingerprint(), `${what}: the store changed`).toBe(before);
          } else {
            await settle(answer);
          }
        }),
        { seed, numRuns: runsPerOperation, endOnFailure: true },
      );
    }

    const all = [...statuses.values()].flatMap((s) => [...s]);
    expect(all.some((s) => s < 300)).toBe(true);
    expect(all.some((s) => s >= 400)).toBe(true);
  }, 600_000);
});
