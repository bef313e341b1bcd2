import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { InThreadLogWriter } from '../../src/store/in-thread-log-writer.js';
import { appendText, createLogBatch, sealBatch } from '../../src/store/prediction-log-batch.js';
import { SqliteLogWriter } from '../../src/store/sqlite/log-writer.js';
import type { Store } from '../../src/store/database.js';
import { openDatabase, sqliteFileName } from '../../src/store/database.js';
import { tempDir } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

const databaseTs = fileURLToPath(new URL('../../src/store/database.ts', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function checkpointDir(): string {
  const dir = tempDir('mloop-checkpoint-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls a real worker thread's effect, up to a deadline (no fixed sleeps). */
const eventually = (condition: () => boolean | Promise<boolean>, what: string) => waitFor(what, async () => ((await condition()) ? true : undefined), 10_000, 10);

async function autoCheckpoint(store: Store): Promise<number> {
  const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
  return rows[0].wal_autocheckpoint;
}

const prediction = (n: number) => ({
  id: `p-${String(n).padStart(6, '0')}`,
  createdAt: '2026-01-01T08:00:00.000Z',
  modelVersion: 1,
  route: 'api',
  input: Array.from({ length: 30 }, (_, i) => n * 30 + i),
  label: 'B',
  decision: -1,
  latencyMs: 0.01,
});

it('hands the WAL checkpoints to the thread of the log writer, which copies the log into the database file', async () => {
  const dataDir = checkpointDir();
  const store = await openDatabase({ dataDir, backgroundCheckpoints: { startAfterMs: 0, intervalMs: 20 } });
  cleanups.push(() => store.close());
  await eventually(async () => (await autoCheckpoint(store)) === 0, 'the main connection stops checkpointing');

  const file = path.join(dataDir, sqliteFileName);
  const before = fs.statSync(file).size;
  for (let n = 0; n < 4000; n += 200) await store.predictions.insertMany(Array.from({ length: 200 }, (_, i) => prediction(n + i)));
  // The main connection does not checkpoint now, so the file grows only through the worker.
  expect(await autoCheckpoint(store)).toBe(0);
  await eventually(() => fs.statSync(file).size > before + 4000 * 240, 'the worker copies the written pages into the file');

  await store.close();
  cleanups.pop();
  const reopened = await openDatabase({ dataDir });
  cleanups.push(() => reopened.close());
  expect(await reopened.predictions.count()).toBe(4000);
  expect(await autoCheckpoint(reopened)).toBe(1000);
});

it('starts the WAL over once it has grown past its limit, though writes never stop', async () => {
  const dataDir = checkpointDir();
  const store = await openDatabase({ dataDir, backgroundCheckpoints: { startAfterMs: 0, intervalMs: 10, truncateAfterFrames: 50 } });
  cleanups.push(() => store.close());
  await eventually(async () => (await autoCheckpoint(store)) === 0, 'the main connection stops checkpointing');
  const wal = `${path.join(dataDir, sqliteFileName)}-wal`;
  let n = 0;
  let largest = 0;
  let truncations = 0;
  await eventually(async () => {
    await store.predictions.insertMany(Array.from({ length: 100 }, () => prediction(n++)));
    const size = fs.statSync(wal).size;
    if (size < largest) truncations++;
    largest = size;
    return truncations >= 2;
  }, 'the worker truncates the WAL while predictions keep coming');
  expect(await store.predictions.count()).toBe(n);
});

it('lets a process that closes its store finish closing it, with nothing else keeping the process alive', async () => {
  const dataDir = checkpointDir();
  // The child waits for the worker to take over, closes the store, then says so: a worker that is
  // not waited for would let the process end halfway through close().
  const script = [
    `import { openDatabase } from ${JSON.stringify(databaseTs)};`,
    `import { sql } from 'kysely';`,
    `const store = await openDatabase({ dataDir: ${JSON.stringify(dataDir)}, backgroundCheckpoints: { startAfterMs: 0 } });`,
    `while ((await sql\`pragma wal_autocheckpoint\`.execute(store.db)).rows[0].wal_autocheckpoint !== 0) await new Promise((r) => setTimeout(r, 10));`,
    `await store.close();`,
    `process.stdout.write('closed\\n');`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect({ code, output }).toEqual({ code: 0, output: 'closed\n' });
});

it('gives the checkpoints back to the main connection when the thread fails, and writes the log there', async () => {
  const dataDir = checkpointDir();
  const store = await openDatabase({ dataDir });
  cleanups.push(() => store.close());
  const connection = new SqliteDatabase(path.join(dataDir, 'main.sqlite'));
  cleanups.push(() => void connection.close());
  connection.pragma('journal_mode = WAL');
  connection.pragma('wal_autocheckpoint = 0');
  const errors: Error[] = [];
  // The thread cannot open a file that does not exist, so it fails at once.
  const writer = new SqliteLogWriter(path.join(dataDir, 'missing.sqlite'), connection, new InThreadLogWriter(store.predictions), { checkpoints: { startAfterMs: 0 }, onError: (error) => errors.push(error) });
  cleanups.push(() => writer.close());
  await eventually(() => errors.length > 0, 'the thread reports its failure');
  expect(errors[0].message).toMatch(/SQLITE_CANTOPEN/);
  expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  expect(writer.checkpointing).toBe(false);
  // The log goes on through the main connection.
  const batch = createLogBatch(4, 8);
  appendText(batch.ids, 0, 'after-failure');
  appendText(batch.externalIds, 0, null);
  batch.labelNames.push('B');
  batch.routeNames.push('api');
  batch.columns.createdAtMs[0] = Date.parse('2026-01-01T00:00:00.000Z');
  batch.columns.inputs.set([1, 2]);
  batch.columns.inputEnds[0] = 2;
  batch.columns.probabilityClasses[0] = -1;
  batch.inputsUsed = 2;
  batch.rows = 1;
  expect((await writer.write(sealBatch(batch))).refused).toEqual([]);
  expect(await store.predictions.get('after-failure')).toMatchObject({ input: [1, 2], label: 'B' });
});
