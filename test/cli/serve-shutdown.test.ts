import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { largerCsv, slowGrid } from '../helpers/slow-training.js';
import { malignantRow, tempDir, writeFile } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

/** The built command, run the way a user runs it (npm test builds before testing). */
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

interface Run {
  id: number;
  status: string;
  progressDone: number | null;
  error: string | null;
}

interface Served {
  readonly child: ChildProcess;
  readonly base: string;
  readonly dataDir: string;
  readonly configFile: string;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

const graceMs = 6_000;
/** The training is cancelled this long before the grace ends (a fifth of it, at most 5 s), to leave time to close. */
const reserveMs = 1_200;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A data directory and configuration where a grid search takes minutes (`mode`: the configured one). */
function configure(mode: string, more: Record<string, unknown> = {}): { readonly dataDir: string; readonly configFile: string } {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const dataDir = tempDir();
  const source = writeFile(dataDir, 'data.csv', largerCsv(12));
  const settings = { dataset: { source }, training: { mode, cv: 3, grid: slowGrid }, schedule: { enabled: false }, server: { shutdownGraceMs: graceMs }, ...more };
  return { dataDir, configFile: writeFile(dataDir, 'mloop.json', JSON.stringify(settings)) };
}

/** Starts `mloop serve` on a free loopback port (`mode`: the first training's). */
function start(mode = 'normalized', more: Record<string, unknown> = {}): Omit<Served, 'base'> & { readonly log: () => string } {
  const { dataDir, configFile } = configure(mode, more);
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--config', configFile, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return { child, dataDir, configFile, exited, log: () => log };
}

/** `mloop serve`, listening, its first model trained (fast). */
async function serve(more: Record<string, unknown> = {}): Promise<Served> {
  const started = start('normalized', more);
  const base = await waitFor('mloop to listen', () => /mloop listening on (http:\/\/[^ ]+) /.exec(started.log())?.[1], 60_000, 20);
  return { ...started, base };
}

async function underWay(base: string): Promise<Run> {
  return waitFor('a training under way', async () => {
    const { runs } = (await (await fetch(`${base}/api/v1/runs?kind=train&limit=1`)).json()) as { runs: Run[] };
    return runs[0]?.status === 'running' && (runs[0].progressDone ?? 0) > 0 ? runs[0] : undefined;
  }, 30_000, 20);
}

async function storedRun(dataDir: string, id?: number) {
  const store = await openDatabase({ dataDir });
  try {
    return id === undefined ? (await store.runs.list({ kind: 'train', limit: 1 }))[0] : await store.runs.get(id);
  } finally {
    await store.close();
  }
}

/** Waits until the latest training of the store in `dataDir` (another process's) has finished some fits. */
function trainingUnderWay(dataDir: string) {
  return waitFor('a training under way', async () => {
    const found = existsSync(`${dataDir}/mloop.sqlite`) ? await storedRun(dataDir).catch(() => undefined) : undefined;
    return found?.status === 'running' && (found.progressDone ?? 0) > 0 ? found : undefined;
  }, 60_000, 50);
}

describe('mloop serve on SIGTERM', () => {
  it('lets the request under way finish, cancels the training still running, and exits within server.shutdownGraceMs', async () => {
    const { child, base, dataDir, exited } = await serve();
    // The tutorial's synchronous training: a request in flight for as long as the training runs.
    const answer = fetch(`${base}/train_svm?param=gridsearch`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    const run = await underWay(base);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const res = await answer;
    const [code] = await exited;
    const tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(graceMs);
    // Not before: the training had until then to finish.
    expect(tookMs).toBeGreaterThanOrEqual(graceMs - reserveMs);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: `run ${run.id} was cancelled: the server is shutting down`, details: { runId: run.id } });
    // Marked cancelled: nothing waits for its heartbeat to go stale.
    expect(await storedRun(dataDir, run.id)).toMatchObject({ status: 'cancelled', error: 'the server is shutting down' });
  });

  it('cancels the first training, under way before the server listens, within the grace too', async () => {
    const { child, dataDir, exited } = start('gridsearch');
    const run = await trainingUnderWay(dataDir);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(graceMs);
    expect(await storedRun(dataDir, run.id)).toMatchObject({ kind: 'train', trigger: 'startup', status: 'cancelled', error: 'the server is shutting down' });
  });

  it('exits at once when nothing runs', async () => {
    const { child, exited } = await serve();
    const signalled = Date.now();
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(graceMs / 2);
  });
});

/** Predicts `requests` × `rows` rows; returns their prediction ids. */
async function predictRows(base: string, requests: number, rows: number): Promise<string[]> {
  const ids: string[] = [];
  for (let r = 0; r < requests; r++) {
    const res = await fetch(`${base}/api/v1/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rows: Array.from({ length: rows }, () => malignantRow) }) });
    expect(res.status).toBe(200);
    ids.push(...((await res.json()) as { predictions: { predictionId: string }[] }).predictions.map((p) => p.predictionId));
  }
  return ids;
}

async function loggedIds(dataDir: string, ids: readonly string[]): Promise<string[]> {
  const store = await openDatabase({ dataDir });
  try {
    const found: string[] = [];
    for (const id of ids) if (await store.predictions.get(id)) found.push(id);
    return found;
  } finally {
    await store.close();
  }
}

describe('mloop serve and its prediction log', () => {
  it('on SIGTERM writes every prediction it answered before it exits', async () => {
    // Nothing is handed to the writer by the timer before the signal: closing must write it all.
    const { child, base, dataDir, exited } = await serve({ monitor: { logFlushMs: 10_000 } });
    const ids = await predictRows(base, 4, 50);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(await loggedIds(dataDir, ids)).toEqual(ids);
  });

  it('on kill -9 keeps what it had handed to its writer: rows reach the store within monitor.logFlushMs, nothing asking for them', async () => {
    const { child, base, dataDir, exited } = await serve({ monitor: { logFlushMs: 50 } });
    const ids = await predictRows(base, 3, 10);
    await waitFor('the rows in the store', async () => ((await loggedIds(dataDir, ids)).length === ids.length ? true : undefined), 30_000, 20);
    child.kill('SIGKILL');
    await exited;
    expect(await loggedIds(dataDir, ids)).toEqual(ids);
  });
});

describe('mloop runs cancel', () => {
  it('stops the training a running server executes, and says so', async () => {
    const { base, dataDir, configFile } = await serve();
    const started = await fetch(`${base}/api/v1/train`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"mode":"gridsearch"}' });
    expect(started.status).toBe(202);
    const run = await underWay(base);
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'runs', 'cancel', String(run.id), '--config', configFile, '--data-dir', dataDir]);
    expect(stdout).toBe(`run ${run.id} (train): cancelled: requested by another process\n`);
    const again = await promisify(execFile)(process.execPath, [cli, 'runs', 'cancel', String(run.id), '--config', configFile, '--data-dir', dataDir]).catch((e: unknown) => e as { code: number; stderr: string });
    expect(again).toMatchObject({ code: 1, stderr: `mloop: run ${run.id} is already over (cancelled): nothing to cancel\n` });
    // The server goes on: the next training starts.
    expect((await fetch(`${base}/api/v1/train`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"mode":"basic"}' })).status).toBe(202);
  });
});

describe('mloop train on Ctrl-C', () => {
  it('cancels its training, marked so, and exits with 130', async () => {
    const { dataDir, configFile } = configure('normalized');
    const child = spawn(process.execPath, [cli, 'train', '--mode', 'gridsearch', '--config', configFile, '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const run = await trainingUnderWay(dataDir);
    const signalled = Date.now();
    child.kill('SIGINT');
    expect(await exited).toEqual([130, null]);
    expect(Date.now() - signalled).toBeLessThan(3_000);
    expect(await storedRun(dataDir, run.id)).toMatchObject({ status: 'cancelled', error: 'interrupted (SIGINT)' });
  });
});
