import type { Logger } from 'pino';
import type { PredictionLogDrop } from '../core/alerts/alert.js';
import type { Store } from '../store/database.js';
import type { NewPrediction } from '../store/prediction-repository.js';

/**
 * Flush when this many rows wait, or after this long. Small batches: an SQLite write holds the
 * event loop while it runs, so many short writes hurt tail latency less than a few long ones.
 */
const maxBuffered = 200;
const flushAfterMs = 50;
/** Wait before writing a failed batch again: long enough for a dropped connection to be replaced. */
const retryAfterMs = 100;
/** Ids of dropped rows named in the log line; the count says how many more. */
const listedIds = 10;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Every prediction, kept for live monitoring and feedback. Rows are buffered and written in one
 * transaction per batch, so logging costs the prediction routes a push onto an array, not a write.
 * `flush()` is awaited before anything reads the log (feedback, live performance, drift).
 *
 * A batch holds other callers' rows too, so one row the store refuses must not cost the others:
 * a failed batch is written once more whole (the failure may have been the connection), then in
 * halves until the rows that cannot be written are alone; only those are dropped, counted in
 * `droppedRows` and logged at error level.
 */
export class PredictionLog {
  private buffer: NewPrediction[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(
    private readonly store: Pick<Store, 'predictions'>,
    private readonly log: Logger,
    readonly enabled: boolean,
    /** Told of every write that dropped rows (the prediction_log_dropped alert). */
    private readonly onDropped: (drop: Omit<PredictionLogDrop, 'process'>) => void = () => undefined,
  ) {}

  /** Rows answered but never written, since this process started (the store refused them even alone). */
  get droppedRows(): number {
    return this.dropped;
  }

  record(rows: readonly NewPrediction[]): void {
    if (!this.enabled) return;
    for (const row of rows) this.buffer.push(row);
    // A full buffer is written right after the current request's answer has gone out, not before.
    if (this.buffer.length >= maxBuffered) this.immediate ??= setImmediate(() => void this.flush());
    else this.timer ??= setTimeout(() => void this.flush(), flushAfterMs);
  }

  /** Writes what is buffered; resolves once everything recorded so far is in the store (or dropped). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: readonly NewPrediction[]): Promise<void> {
    try {
      await this.store.predictions.insertMany(batch);
      return;
    } catch (error) {
      this.log.warn({ err: error, rows: batch.length }, 'prediction log batch not written, retrying');
    }
    await wait(retryAfterMs);
    // The inserts skip ids already stored, so a batch whose commit went through unacknowledged is
    // written again without duplicates.
    const refused: { row: NewPrediction; error: unknown }[] = [];
    await this.isolate(batch, refused);
    if (refused.length === 0) return;
    this.dropped += refused.length;
    // The prediction was answered already: losing its log row must not fail anything else, but it
    // is data loss (no feedback, live performance or drift for it), so it is said loudly.
    this.log.error(
      { err: refused[0].error, dropped: refused.length, kept: batch.length - refused.length, ids: refused.slice(0, listedIds).map((r) => r.row.id) },
      'prediction log rows dropped: the store refused them',
    );
    const { error } = refused[0];
    const reason = error instanceof Error ? error.message : String(error);
    this.onDropped({ dropped: refused.length, totalDropped: this.dropped, kept: batch.length - refused.length, ids: refused.slice(0, listedIds).map((r) => r.row.id), error: reason.slice(0, 500) });
  }

  /** Writes `rows`, or else each half on its own, down to single rows; collects the rows refused alone. */
  private async isolate(rows: readonly NewPrediction[], refused: { row: NewPrediction; error: unknown }[]): Promise<void> {
    try {
      await this.store.predictions.insertMany(rows);
    } catch (error) {
      if (rows.length === 1) {
        refused.push({ row: rows[0], error });
        return;
      }
      const half = Math.ceil(rows.length / 2);
      await this.isolate(rows.slice(0, half), refused);
      await this.isolate(rows.slice(half), refused);
    }
  }
}
