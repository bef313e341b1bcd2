import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import type { BatchWritten, PredictionLogWriter, SealedBatch } from '../prediction-log-batch.js';
import { columnBuffers } from '../prediction-log-batch.js';
import type { FromLogWriter, LogWriterData, ToLogWriter } from './log-writer-worker.js';

/** Pages the main connection lets the WAL grow to before it checkpoints by itself (SQLite's default). */
const autoCheckpointPages = 1000;

/** WAL frames (pages) past which the writer starts the WAL over: 16,384 pages are 64 MiB. */
const truncateAfterFrames = 16_384;

// From the TypeScript sources (tests) the thread compiles the worker through tsx's require (a
// thread's `--import tsx` hooks are not in place yet when its first module loads); from dist, plain JS.
const fromSource = import.meta.url.endsWith('.ts');
const workerFile = fileURLToPath(new URL(fromSource ? './log-writer-worker.ts' : './log-writer-worker.js', import.meta.url));
const workerEntry = fromSource ? `require(${JSON.stringify(createRequire(import.meta.url).resolve('tsx/cjs/api'))}).require(${JSON.stringify(workerFile)}, ${JSON.stringify(workerFile)});` : workerFile;

export interface BackgroundCheckpointOptions {
  /** How often the writer thread copies the WAL back into the database file. */
  readonly intervalMs?: number;
  /** WAL size, in pages, past which the writer truncates the WAL (default 16,384: 64 MiB of 4 KiB pages). */
  readonly truncateAfterFrames?: number;
  /** How long after start-up the thread is started if nothing was logged before (start-up has better things to do with the CPU). */
  readonly startAfterMs?: number;
}

export interface SqliteLogWriterOptions {
  /** Run the WAL checkpoints on the writer thread too (the server, whose prediction log writes all the time). */
  readonly checkpoints?: false | BackgroundCheckpointOptions;
  /** Told when the thread fails: the main connection then writes the log and checkpoints again. */
  readonly onError?: (error: Error) => void;
}

interface Pending {
  readonly resolve: (written: BatchWritten) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The SQLite store's prediction log writer: one worker thread with its own connection writes the
 * batches (handed over by transfer) and, for the server, runs the WAL checkpoints. A checkpoint
 * copies the pages written since the last one into the database file and fsyncs it: with the
 * prediction log appending all the time, that took 10–30 ms every second or so, and better-sqlite3
 * runs it inside whichever commit crosses the threshold, on the event loop, holding up every
 * request in flight (SQLite's documentation suggests this very split for latency-sensitive
 * applications). The main connection stops checkpointing only once the thread is up, and starts
 * again if it fails, so the WAL never grows without bound; batches then go through `fallback`.
 */
export class SqliteLogWriter implements PredictionLogWriter {
  private worker: Worker | null = null;
  private failed = false;
  private closed = false;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly startTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly connection: SqliteDatabase.Database,
    private readonly fallback: PredictionLogWriter,
    private readonly options: SqliteLogWriterOptions = {},
  ) {
    if (options.checkpoints) {
      this.startTimer = setTimeout(() => this.start(), options.checkpoints.startAfterMs ?? 1000);
      this.startTimer.unref();
    }
  }

  private start(): Worker | null {
    if (this.worker || this.failed || this.closed) return this.worker;
    const checkpoints = this.options.checkpoints ? { intervalMs: this.options.checkpoints.intervalMs ?? 500, truncateAfterFrames: this.options.checkpoints.truncateAfterFrames ?? truncateAfterFrames } : null;
    const workerData: LogWriterData = { file: this.file, checkpoints };
    // No inherited flags: the thread needs none of the parent's options.
    const worker = new Worker(workerEntry, { workerData, eval: fromSource, execArgv: [] });
    this.worker = worker;
    worker.unref();
    worker.on('message', (message: FromLogWriter) => this.receive(worker, message));
    worker.on('error', (error) => this.takeBack(worker, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.takeBack(worker, new Error(`the prediction log writer thread stopped (exit code ${code})`));
    });
    return worker;
  }

  private receive(worker: Worker, message: FromLogWriter): void {
    if (message.kind === 'ready') {
      if (this.worker === worker && this.options.checkpoints) this.connection.pragma('wal_autocheckpoint = 0');
      return;
    }
    if (message.kind === 'failed') {
      // The thread ends itself after saying so: terminating it as well raced its own teardown.
      this.takeBack(worker, new Error(message.message), { terminate: false });
      return;
    }
    const pending = this.pending.get(message.seq);
    if (!pending) return;
    this.pending.delete(message.seq);
    // Nothing waits for the thread: it no longer keeps the process alive.
    if (this.pending.size === 0) worker.unref();
    pending.resolve({
      columns: message.columns,
      retried: message.retried === undefined ? undefined : new Error(message.retried),
      refused: message.refused.map(({ id, message: text }) => ({ id, error: new Error(text) })),
    });
  }

  /** The thread failed: the main connection checkpoints again, and the batches it held are lost (said to their callers). */
  private takeBack(worker: Worker, error: Error, { terminate = true } = {}): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failed = true;
    if (this.connection.open) this.connection.pragma(`wal_autocheckpoint = ${autoCheckpointPages}`);
    this.options.onError?.(error);
    if (terminate) void worker.terminate();
    for (const [seq, pending] of this.pending) {
      this.pending.delete(seq);
      // Their columns went to the thread: the rows are lost (the log counts and says so).
      pending.reject(error);
    }
  }

  write(batch: SealedBatch): Promise<BatchWritten> {
    const worker = this.start();
    if (!worker) return this.fallback.write(batch);
    const seq = ++this.seq;
    // A write under way keeps the process alive until it is stored.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      const message: ToLogWriter = { kind: 'write', seq, batch };
      worker.postMessage(message, columnBuffers(batch.columns));
    });
  }

  /** Whether the thread runs the checkpoints now (and the main connection does not). */
  get checkpointing(): boolean {
    return this.worker !== null && this.connection.pragma('wal_autocheckpoint', { simple: true }) === 0;
  }

  /** Lets the thread write what it holds, then stops it; the main connection checkpoints again (and does so when it closes). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.startTimer);
    const worker = this.worker;
    this.worker = null;
    if (this.connection.open) this.connection.pragma(`wal_autocheckpoint = ${autoCheckpointPages}`);
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Unreferenced, the thread would let the process end before it has closed its connection.
    worker.ref();
    const message: ToLogWriter = { kind: 'close' };
    worker.postMessage(message);
    await exited;
  }
}
