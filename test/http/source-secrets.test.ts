import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { buildHttpApp } from '../../src/http/app.js';
import { openDatabase } from '../../src/store/database.js';
import { bundledCsv, tempDir } from '../helpers/fixtures.js';

/**
 * A query token in `dataset.source` (issue 13, item 5): nothing the service shows carries it, neither
 * the API's answers (snapshots, runs, a 502), nor the log; rows stored before the fix are shown
 * redacted too.
 */
const secret = 'QueryTok-abc';

interface Snapshot {
  source: string;
}
interface Run {
  kind: string;
  status: string;
  params: { source?: string };
  error: string | null;
}

function logSink(lines: string[]) {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a secret in dataset.source', () => {
  const lines: string[] = [];
  let failing = false;
  const dataServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://data');
    if (failing) response.writeHead(500).end('down');
    else if (url.searchParams.get('token') !== secret) response.writeHead(403).end();
    else response.end(bundledCsv);
  });
  let dataBase: string;
  let app: Application;
  let http: FastifyInstance;
  let base: string;
  const dataDir = tempDir();

  beforeAll(async () => {
    dataBase = await listen(dataServer);
    const log = pino({ level: 'info' }, logSink(lines));
    app = await openApplication({ config: parseConfig({ dataset: { source: `${dataBase}/data.csv?token=${secret}` } }), dataDir, log, threads: 2 });
    await app.bootstrap();
    http = buildHttpApp(app, { logger: log });
    base = await http.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
    dataServer.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('GET /api/v1/data/snapshots shows the source with its query values redacted', async () => {
    const text = await (await fetch(`${base}/api/v1/data/snapshots`)).text();
    expect(text).not.toContain(secret);
    const { snapshots } = JSON.parse(text) as { snapshots: Snapshot[] };
    expect(snapshots.map((s) => s.source)).toEqual([`${dataBase}/data.csv?token=***`]);
  });

  it('a failed update answers 502 naming the redacted source, and the runs show no secret', async () => {
    failing = true;
    try {
      const res = await fetch(`${base}/api/v1/data/update`, { method: 'POST' });
      expect(res.status).toBe(502);
      const body = await res.text();
      expect(body).not.toContain(secret);
      expect(body).toContain(`${dataBase}/data.csv?token=***`);
    } finally {
      failing = false;
    }
    const text = await (await fetch(`${base}/api/v1/runs?kind=update`)).text();
    expect(text).not.toContain(secret);
    const { runs } = JSON.parse(text) as { runs: Run[] };
    expect(runs.map((r) => [r.status, r.params.source])).toEqual([
      ['failed', `${dataBase}/data.csv?token=***`],
      ['succeeded', `${dataBase}/data.csv?token=***`],
    ]);
    expect(runs[0].error).toContain('HTTP 500');
  });

  it('the log never carries the secret', async () => {
    await app.jobs.update('test');
    const log = lines.join('');
    expect(log).toContain('token=***');
    expect(log).not.toContain(secret);
  });
});

describe('snapshots and runs recorded before redaction existed', () => {
  it('are shown redacted', async () => {
    const dataDir = tempDir();
    const raw = `https://reader@data.example/cases.csv?token=${secret}&site=north`;
    const store = await openDatabase({ dataDir });
    try {
      // reading, readingKey, unlabelledRows: what newer stores also record of a snapshot.
      const snapshot = { source: raw, contentHash: 'h', text: 'a,diagnosis\n1,M\n', rowCount: 1, classCounts: { M: 1 }, featureNames: ['a'], reading: null, readingKey: 'k', unlabelledRows: 0, now: new Date() };
      await store.snapshots.create(snapshot);
      const run = await store.runs.create({ kind: 'update', trigger: 'schedule', params: { source: raw }, now: new Date() });
      await store.runs.fail(run.id, `cannot fetch ${raw}: HTTP 500 Internal Server Error`, new Date());
    } finally {
      await store.close();
    }
    const app = await openApplication({ config: parseConfig({}), dataDir, log: pino({ level: 'silent' }), threads: 1 });
    const http = buildHttpApp(app, { logger: false });
    try {
      const shown = 'https://***@data.example/cases.csv?token=***&site=***';
      const snapshots = await http.inject('/api/v1/data/snapshots');
      expect(snapshots.body).not.toContain(secret);
      expect((snapshots.json() as { snapshots: Snapshot[] }).snapshots[0].source).toBe(shown);
      const runs = await http.inject('/api/v1/runs');
      expect(runs.body).not.toContain(secret);
      const [run] = (runs.json() as { runs: Run[] }).runs;
      expect(run.params.source).toBe(shown);
      expect(run.error).toBe(`cannot fetch ${shown}: HTTP 500 Internal Server Error`);
    } finally {
      await http.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
