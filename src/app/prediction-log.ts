import type { Logger } from 'pino';
import { InThreadLogWriter } from '../store/in-thread-log-writer.js';
import type { BatchWritten, PredictionLogBatch, PredictionLogWriter } from '../store/prediction-log-batch.js';
import { appendText, batchCapacity, batchIds, batchUsable, createLogBatch, makeRoomFor, resetBatch, sealBatch, tableIndex, textFits } from '../store/prediction-log-batch.js';
import type { PredictionLogDrop } from '../core/alerts/alert.js';
import { outOfRangeText } from '../store/column-values.js';
import type { Store } from '../store/database.js';
import type { NewPrediction } from '../store/prediction-repository.js';

/** Ids of dropped rows named in the log line; the count says how many more. */
const listedIds = 10;

export interface PredictionLogOptions {
  /** A row is handed to the writer at most this long after it was recorded (`monitor.logFlushMs`). */
  readonly flushAfterMs?: number;
  /** Rows per batch: a full batch goes to the writer at once. */
  readonly batchRows?: number;
  /** Batches handed over and not yet written past which new rows are dropped (the writer is behind). */
  readonly maxQueuedBatches?: number;
  /** Told of every write that dropped rows (the prediction_log_dropped alert). */
  readonly onDropped?: (drop: Omit<PredictionLogDrop, 'process'>) => void;
}

/** One answer's rows as the prediction route has them: one object per request, none per row. */
export interface LoggedAnswer {
  readonly createdAtMs: number;
  readonly modelVersion: number;
  readonly route: string;
  readonly latencyMs: number;
  /** Row i's input (the model's feature order) is `inputs[i * cols, (i + 1) * cols)`. */
  readonly inputs: ArrayLike<number>;
  readonly cols: number;
  readonly predictions: readonly { readonly predictionId: string; readonly label: string; readonly outOfRange?: readonly { readonly feature: string }[] }[];
  /** The one decision value kept per row. */
  readonly decisions: ArrayLike<number>;
  readonly externalIds?: readonly (string | null | undefined)[];
  readonly classes: readonly string[];
  /** Row i's class probabilities are `probabilities[i * classes.length, ...)`, in `classes` order; null: the model has none. */
  readonly probabilities: ArrayLike<number> | null;
}

/** Whether the batch has room for one more row: `doubles` values, `k` probabilities and its texts. */
function hasRoom(batch: PredictionLogBatch, doubles: number, k: number, id: string, externalId: string | null, outOfRange: string | null): boolean {
  const { columns } = batch;
  return (
    batch.inputsUsed + doubles <= columns.inputs.length &&
    batch.probabilitiesUsed + k <= columns.probabilities.length &&
    textFits(batch.ids, id) &&
    textFits(batch.externalIds, externalId) &&
    textFits(batch.outOfRange, outOfRange)
  );
}

/**
 * Every prediction, kept for live monitoring and feedback. The request only copies its rows into
 * the batch being filled (doubles into preallocated arrays, no object per row); the batch goes to
 * the store's writer when full or `flushAfterMs` after its first row, whichever comes first, so a
 * killed process loses at most that much. On SQLite the writer is a thread of its own (see
 * SqliteLogWriter): neither the insert nor the WAL checkpoints run on the event loop.
 * `flush()` is awaited before anything reads the log (feedback, live performance, drift) and when
 * the application closes, so what was answered is in the store before those read it or the
 * process exits.
 *
 * Rows are lost in two cases only, each counted in `droppedRows` and logged: rows the store
 * refuses even alone (the writer retries a failed batch whole, then in halves, see
 * writeIsolating), and rows that find the queue full because the writer has been slower than the
 * traffic for long: answers are neither held up nor is memory let grow without bound.
 */
export class PredictionLog {
  private readonly writer: PredictionLogWriter;
  private readonly flushAfterMs: number;
  private readonly batchRows: number;
  private readonly maxQueuedBatches: number;
  private batch: PredictionLogBatch | null = null;
  /** Batches back from the writer, for reuse. */
  private readonly spare: PredictionLogBatch[] = [];
  private queued = 0;
  private overflowing = false;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;
  private readonly onDropped: (drop: Omit<PredictionLogDrop, 'process'>) => void;

  constructor(
    store: Pick<Store, 'predictions'> & Partial<Pick<Store, 'predictionLogWriter'>>,
    private readonly log: Logger,
    readonly enabled: boolean,
    options: PredictionLogOptions = {},
  ) {
    this.writer = store.predictionLogWriter ?? new InThreadLogWriter(store.predictions);
    this.flushAfterMs = options.flushAfterMs ?? 50;
    this.batchRows = options.batchRows ?? 256;
    this.maxQueuedBatches = options.maxQueuedBatches ?? 64;
    this.onDropped = options.onDropped ?? (() => undefined);
  }

  /** Rows answered but never written, since this process started (refused by the store, or dropped with the queue full). */
  get droppedRows(): number {
    return this.dropped;
  }

  /** Records rows given as objects (what the tests and one-off callers have). */
  record(rows: readonly NewPrediction[]): void {
    for (const r of rows) {
      const createdAt = typeof r.createdAt === 'string' ? new Date(r.createdAt) : r.createdAt;
      const probabilities = r.probabilities ?? null;
      this.append(
        {
          createdAtMs: createdAt.getTime(),
          modelVersion: r.modelVersion,
          route: r.route,
          latencyMs: r.latencyMs,
          inputs: r.input,
          cols: r.input.length,
          predictions: [{ predictionId: r.id, label: r.label, outOfRange: r.outOfRange?.map((feature) => ({ feature })) }],
          decisions: [r.decision],
          externalIds: [r.externalId],
          classes: probabilities ? Object.keys(probabilities) : [],
          probabilities: probabilities ? Object.values(probabilities) : null,
        },
        0,
      );
    }
  }

  /** Records row `i` of an answer: the prediction route's path, a few stores into preallocated arrays. */
  append(answer: LoggedAnswer, i: number): void {
    if (!this.enabled) return;
    const { cols, inputs, classes, probabilities } = answer;
    const k = probabilities === null ? 0 : classes.length;
    const prediction = answer.predictions[i];
    const externalId = answer.externalIds?.[i] ?? null;
    const outOfRange = prediction.outOfRange !== undefined && prediction.outOfRange.length > 0 ? outOfRangeText(prediction.outOfRange.map((o) => o.feature)) : null;
    const batch = this.batchFor(cols, k, prediction.predictionId, externalId, outOfRange);
    const { columns } = batch;
    const row = batch.rows;
    const at = batch.inputsUsed;
    for (let j = 0; j < cols; j++) columns.inputs[at + j] = inputs[i * cols + j];
    batch.inputsUsed = at + cols;
    columns.inputEnds[row] = batch.inputsUsed;
    const p = batch.probabilitiesUsed;
    if (probabilities !== null) {
      for (let j = 0; j < k; j++) columns.probabilities[p + j] = probabilities[i * k + j];
      batch.probabilitiesUsed = p + k;
    }
    columns.probabilityEnds[row] = batch.probabilitiesUsed;
    columns.probabilityClasses[row] = probabilities === null ? -1 : tableIndex(batch.classLists, classes);
    appendText(batch.ids, row, prediction.predictionId);
    appendText(batch.externalIds, row, externalId);
    appendText(batch.outOfRange, row, outOfRange);
    columns.createdAtMs[row] = answer.createdAtMs;
    columns.modelVersions[row] = answer.modelVersion;
    columns.decisions[row] = answer.decisions[i];
    columns.latencyMs[row] = answer.latencyMs;
    columns.labels[row] = tableIndex(batch.labelNames, prediction.label);
    columns.routes[row] = tableIndex(batch.routeNames, answer.route);
    batch.rows = row + 1;
    if (batch.rows === batchCapacity(batch)) this.handOver();
    else this.timer ??= setTimeout(() => this.handOver(), this.flushAfterMs);
  }

  /** The batch being filled, with room for a row of `doubles` values, `k` probabilities and the row's texts. */
  private batchFor(doubles: number, k: number, id: string, externalId: string | null, outOfRange: string | null): PredictionLogBatch {
    if (this.batch && !hasRoom(this.batch, doubles, k, id, externalId, outOfRange)) this.handOver();
    const batch = (this.batch ??= this.spare.pop() ?? createLogBatch(this.batchRows, this.batchRows * 32));
    const { columns } = batch;
    if (columns.inputs.length < doubles) columns.inputs = new Float64Array(doubles * this.batchRows);
    if (columns.probabilities.length < k) columns.probabilities = new Float64Array(k * this.batchRows);
    // A value longer than a whole batch's room (an empty batch always takes one row).
    makeRoomFor(batch.ids, id);
    makeRoomFor(batch.externalIds, externalId);
    makeRoomFor(batch.outOfRange, outOfRange);
    return batch;
  }

  /** Sends the batch being filled to the writer, or drops it if the writer is too far behind. */
  private handOver(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.batch;
    this.batch = null;
    if (!batch || batch.rows === 0) return;
    if (this.queued >= this.maxQueuedBatches) {
      this.dropped += batch.rows;
      if (!this.overflowing) {
        this.overflowing = true;
        this.log.warn({ queuedBatches: this.queued, dropped: batch.rows }, 'prediction log rows dropped: the writer is behind the traffic (counted in mloop_prediction_log_dropped_total)');
        this.onDropped({ dropped: batch.rows, totalDropped: this.dropped, kept: 0, ids: batchIds(batch, listedIds), error: `the writer is behind the traffic: ${this.queued} batches wait to be written` });
      }
      this.recycle(batch);
      return;
    }
    this.queued++;
    // One batch at a time, in order: the writer's thread (or connection) is one.
    this.writing = this.writing.then(async () => {
      const rows = batch.rows;
      try {
        this.written(batch, await this.writer.write(sealBatch(batch)));
      } catch (error) {
        // A writer that fails outright (rather than refusing rows) has lost the whole batch.
        this.written(batch, { columns: batch.columns, refused: batchIds(batch, rows).map((id) => ({ id, error })) });
      }
    });
  }

  private recycle(batch: PredictionLogBatch): void {
    // A batch whose columns went to a thread that failed has none left to reuse.
    if (!batchUsable(batch)) return;
    resetBatch(batch);
    if (this.spare.length < 2) this.spare.push(batch);
  }

  private written(batch: PredictionLogBatch, { columns, retried, refused }: BatchWritten): void {
    const rows = batch.rows;
    this.queued--;
    if (this.queued < this.maxQueuedBatches / 2) this.overflowing = false;
    batch.columns = columns;
    this.recycle(batch);
    if (retried !== undefined) this.log.warn({ err: retried, rows }, 'prediction log batch not written, retrying');
    if (refused.length === 0) return;
    this.dropped += refused.length;
    // The prediction was answered already: losing its log row must not fail anything else, but it
    // is data loss (no feedback, live performance or drift for it), so it is said loudly.
    this.log.error({ err: refused[0].error, dropped: refused.length, kept: rows - refused.length, ids: refused.slice(0, listedIds).map((r) => r.id) }, 'prediction log rows dropped: the store refused them');
    const { error } = refused[0];
    const reason = error instanceof Error ? error.message : String(error);
    this.onDropped({ dropped: refused.length, totalDropped: this.dropped, kept: rows - refused.length, ids: refused.slice(0, listedIds).map((r) => r.id), error: reason.slice(0, 500) });
  }

  /** Hands over what is buffered; resolves once everything recorded so far is in the store (or dropped). */
  flush(): Promise<void> {
    this.handOver();
    return this.writing;
  }
}
