import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** Pages the main connection lets the WAL grow to before it checkpoints by itself (SQLite's default). */
const autoCheckpointPages = 1000;

/** WAL frames (pages) past which the worker starts the WAL over: 16,384 pages are 64 MiB. */
const truncateAfterFrames = 16_384;

export interface BackgroundCheckpointerOptions {
  /** How often the worker copies the WAL back into the database file. */
  readonly intervalMs?: number;
  /** WAL size, in pages, past which the worker truncates the WAL (default 16,384: 64 MiB of 4 KiB pages). */
  readonly truncateAfterFrames?: number;
  /** How long after start-up the worker is started (start-up has better things to do with the CPU). */
  readonly startAfterMs?: number;
  /** Told when the worker fails; the main connection has then taken checkpoints back. */
  readonly onError?: (error: Error) => void;
}

/*
 * The worker: its own connection to the same file, a PASSIVE checkpoint on every tick (it never
 * waits for a lock, and copies whatever no reader still needs), `ready` once its connection is open.
 * A passive checkpoint copies the pages but cannot start the WAL over: SQLite does that when a
 * writer begins after a checkpoint that left nothing behind, which under constant writes never
 * happens (the writer always commits more while the checkpoint runs), so the WAL file would grow
 * without end. Past a size the worker therefore runs a TRUNCATE checkpoint, which briefly holds
 * the writer back but has little left to copy, since the passive ones did that work.
 * Plain CommonJS run with `eval`, so the same code works from the TypeScript sources and from dist.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
// better-sqlite3's errors lose their message on the way to the main thread: rethrow plain ones.
const plain = (step) => (...args) => {
  try {
    return step(...args);
  } catch (error) {
    throw new Error(error.code ? error.message + ' (' + error.code + ')' : error.message);
  }
};
const Database = require(workerData.driver);
const db = plain(() => new Database(workerData.file, { fileMustExist: true }))();
// A truncating checkpoint waits this long for the writer to finish its transaction.
db.pragma('busy_timeout = 1000');
const timer = setInterval(
  plain(() => {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
    if (passive.log > workerData.truncateAfterFrames) db.pragma('wal_checkpoint(TRUNCATE)');
  }),
  workerData.intervalMs,
);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

/**
 * Runs the SQLite store's WAL checkpoints on a worker thread. A checkpoint copies the pages
 * written since the last one into the database file and fsyncs it: with the prediction log
 * appending all the time, that took 10–30 ms every second or so, and better-sqlite3 runs it inside
 * whichever commit crosses the threshold, on the event loop, holding up every request in flight
 * (SQLite's documentation suggests this very split for latency-sensitive applications). The main
 * connection stops checkpointing only once the worker is up, and starts again if the worker fails,
 * so the WAL never grows without bound.
 */
export class BackgroundCheckpointer {
  private worker: Worker | null = null;
  private readonly startTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly connection: SqliteDatabase.Database,
    private readonly options: BackgroundCheckpointerOptions = {},
  ) {
    this.startTimer = setTimeout(() => this.start(), options.startAfterMs ?? 1000);
    this.startTimer.unref();
  }

  private start(): void {
    if (this.closed) return;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // No inherited flags: the worker's source is CommonJS even if this process runs with, say,
    // --input-type=module, and it needs none of the parent's options.
    const worker = new Worker(workerSource, { eval: true, execArgv: [], workerData: { driver, file: this.file, intervalMs: this.options.intervalMs ?? 500, truncateAfterFrames: this.options.truncateAfterFrames ?? truncateAfterFrames } });
    this.worker = worker;
    worker.unref();
    worker.on('message', () => {
      if (this.worker === worker) this.connection.pragma('wal_autocheckpoint = 0');
    });
    worker.on('error', (error) => this.takeBack(worker, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.takeBack(worker, new Error(`the WAL checkpoint worker stopped (exit code ${code})`));
    });
  }

  private takeBack(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    if (this.connection.open) this.connection.pragma(`wal_autocheckpoint = ${autoCheckpointPages}`);
    this.options.onError?.(error);
  }

  /** Whether the worker runs the checkpoints now (and the main connection does not). */
  get running(): boolean {
    return this.worker !== null && this.connection.pragma('wal_autocheckpoint', { simple: true }) === 0;
  }

  /** Stops the worker; the main connection checkpoints again (and does so when it closes). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.startTimer);
    const worker = this.worker;
    this.worker = null;
    if (this.connection.open) this.connection.pragma(`wal_autocheckpoint = ${autoCheckpointPages}`);
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Unreferenced, the worker would let the process end before it has closed its connection.
    worker.ref();
    worker.postMessage('close');
    await exited;
  }
}
