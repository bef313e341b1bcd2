import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';
import { float64BlobView } from '../column-values.js';
import type { BatchColumns, SealedBatch } from '../prediction-log-batch.js';
import { columnBuffers, SealedBatchReader, writeIsolating } from '../prediction-log-batch.js';
import { predictionInsertColumns } from '../schema.js';
import { openLogWriterConnection } from './sqlite-file.js';

export interface LogWriterData {
  readonly file: string;
  /** Checkpoint the WAL on this thread, every `intervalMs`; null leaves them to SQLite's automatic ones. */
  readonly checkpoints: { readonly intervalMs: number; readonly truncateAfterFrames: number } | null;
}

export type ToLogWriter = { readonly kind: 'write'; readonly seq: number; readonly batch: SealedBatch } | { readonly kind: 'close' };

export type FromLogWriter =
  | { readonly kind: 'ready' }
  | { readonly kind: 'written'; readonly seq: number; readonly columns: BatchColumns; readonly retried?: string; readonly refused: readonly { readonly id: string; readonly message: string }[] }
  | { readonly kind: 'failed'; readonly message: string };

// better-sqlite3's errors lose their message on the way to the main thread: send plain text.
const messageOf = (error: unknown) => (error instanceof SqliteDatabase.SqliteError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error));

const port = parentPort;
if (!port) throw new Error('log-writer-worker runs on a worker thread');
const { file, checkpoints } = workerData as LogWriterData;
const post = (message: FromLogWriter, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/**
 * Says why and ends the thread on its own (process.exit ends only this thread). Not by throwing:
 * an uncaught error here made the main thread terminate a worker that was already tearing itself
 * down with better-sqlite3 loaded, which now and then crashed the whole process.
 */
function fail(error: unknown): never {
  post({ kind: 'failed', message: messageOf(error) });
  process.exit(1);
}

/*
 * The thread's own connection (better-sqlite3 connections belong to the thread that opened them),
 * with the settings of every connection to the store and a small page cache (sqlite-file.ts). Its
 * waits for a lock and its fsyncs hold this thread, not the event loop.
 */
let db: SqliteDatabase.Database;
try {
  db = openLogWriterConnection(file);
} catch (error) {
  fail(error);
}

const columns = `(${predictionInsertColumns.map((column) => `"${column}"`).join(', ')})`;
const columnCount = predictionInsertColumns.length;
const values = (rows: number) => Array.from({ length: rows }, () => `(${new Array(columnCount).fill('?').join(', ')})`).join(', ');
/** Rows per statement: one statement for 16 rows cost 3.5 µs of CPU a row against 4.5–5 µs for one per row. */
const rowsPerInsert = 16;
const insertOne = db.prepare(`insert into "predictions" ${columns} values ${values(1)} on conflict ("id") do nothing`);
const insertMany = db.prepare(`insert into "predictions" ${columns} values ${values(rowsPerInsert)} on conflict ("id") do nothing`);
const parameters = new Array<unknown>(rowsPerInsert * columnCount);

/** Row i's values into `into` from `at`, in `predictionInsertColumns` order. */
function rowValues(batch: SealedBatchReader, i: number, createdAt: string, into: unknown[], at: number): void {
  const { modelVersions, decisions, latencyMs } = batch.batch.columns;
  into[at] = batch.id(i);
  into[at + 1] = createdAt;
  into[at + 2] = modelVersions[i];
  into[at + 3] = batch.route(i);
  into[at + 4] = float64BlobView(batch.input(i));
  into[at + 5] = batch.label(i);
  into[at + 6] = decisions[i];
  into[at + 7] = latencyMs[i];
  into[at + 8] = batch.externalId(i);
  into[at + 9] = batch.probabilitiesJson(i);
  into[at + 10] = batch.outOfRangeJson(i);
}

/** Rows `[from, to)` of the batch in one transaction; a row whose id is stored already is skipped (a retried batch). */
const insertRange = db.transaction((batch: SealedBatchReader, from: number, to: number) => {
  const { createdAtMs } = batch.batch.columns;
  let lastMs = Number.NaN;
  let lastTime = '';
  // The rows of one request share their instant: format it once.
  const timeOf = (i: number) => {
    if (createdAtMs[i] !== lastMs) {
      lastMs = createdAtMs[i];
      lastTime = new Date(lastMs).toISOString();
    }
    return lastTime;
  };
  let i = from;
  for (; i + rowsPerInsert <= to; i += rowsPerInsert) {
    for (let r = 0; r < rowsPerInsert; r++) rowValues(batch, i + r, timeOf(i + r), parameters, r * columnCount);
    insertMany.run(parameters);
  }
  for (; i < to; i++) {
    rowValues(batch, i, timeOf(i), parameters, 0);
    insertOne.run(parameters.slice(0, columnCount));
  }
});

async function write(seq: number, batch: SealedBatch): Promise<void> {
  const reader = new SealedBatchReader(batch);
  const { retried, refused } = await writeIsolating(batch.rows, (from, to) => insertRange(reader, from, to), (ms) => sleep(ms));
  // Only the columns go back (by transfer): the main thread still has the rest.
  post(
    { kind: 'written', seq, columns: batch.columns, retried: retried === undefined ? undefined : messageOf(retried), refused: refused.map(({ index, error }) => ({ id: reader.id(index), message: messageOf(error) })) },
    columnBuffers(batch.columns),
  );
}

/*
 * A PASSIVE checkpoint on every tick (it never waits for a lock, and copies whatever no reader
 * still needs). It cannot start the WAL over: SQLite does that when a writer begins after a
 * checkpoint that left nothing behind, which under constant writes never happens, so the WAL file
 * would grow without end. Past a size this thread therefore runs a TRUNCATE checkpoint, which
 * briefly holds the writers back but has little left to copy, since the passive ones did that work.
 */
let timer: NodeJS.Timeout | undefined;
if (checkpoints) {
  db.pragma('wal_autocheckpoint = 0');
  timer = setInterval(() => {
    try {
      const [passive] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      if (passive.log > checkpoints.truncateAfterFrames) db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      fail(error);
    }
  }, checkpoints.intervalMs);
}

// Batches are written one after another, in the order they came.
let writing = Promise.resolve();
port.on('message', (message: ToLogWriter) => {
  if (message.kind === 'write') {
    writing = writing.then(() => write(message.seq, message.batch));
    return;
  }
  void writing.then(() => {
    clearInterval(timer);
    db.close();
    port.close();
  });
});
post({ kind: 'ready' });
