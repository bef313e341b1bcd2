import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import type { NewPrediction } from '../store/prediction-repository.js';

/**
 * Flush when this many rows wait, or after this long. Small batches: an SQLite write holds the
 * event loop while it runs, so many short writes hurt tail latency less than a few long ones.
 */
const maxBuffered = 200;
const flushAfterMs = 50;

/**
 * Every prediction, kept for live monitoring and feedback. Rows are buffered and written in one
 * transaction per batch, so logging costs the prediction routes a push onto an array, not a write.
 * `flush()` is awaited before anything reads the log (feedback, live performance, drift).
 */
export class PredictionLog {
  private buffer: NewPrediction[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    readonly enabled: boolean,
  ) {}

  record(rows: readonly NewPrediction[]): void {
    if (!this.enabled) return;
    for (const row of rows) this.buffer.push(row);
    // A full buffer is written right after the current request's answer has gone out, not before.
    if (this.buffer.length >= maxBuffered) this.immediate ??= setImmediate(() => void this.flush());
    else this.timer ??= setTimeout(() => void this.flush(), flushAfterMs);
  }

  /** Writes what is buffered; resolves once everything recorded so far is in the store. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) {
      this.writing = this.writing.then(() =>
        this.store.predictions.insertMany(batch).catch((e: unknown) => {
          // The prediction was answered already; losing its log row must not fail anything else.
          this.log.error({ err: e, rows: batch.length }, 'prediction log batch not written');
        }),
      );
    }
    return this.writing;
  }
}
