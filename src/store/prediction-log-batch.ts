import type { NewPrediction } from './prediction-repository.js';

/**
 * Logged predictions column by column, in preallocated arrays: the request thread fills one row
 * with a few stores (no object per row), and the writer gets the numeric columns by transfer (the
 * buffers move to the writer thread and come back, never copied). A new column is one more array
 * here, one more parameter in the inserts (`batchRow` and the SQLite writer's statement).
 */
export interface PredictionLogBatch {
  /** Rows filled. */
  rows: number;
  /** Doubles of `inputs` filled. */
  inputsUsed: number;
  /** The rows' feature values one after another; a row's end is in `inputEnds`. */
  inputs: Float64Array;
  readonly inputEnds: Int32Array;
  readonly createdAtMs: Float64Array;
  readonly decisions: Float64Array;
  readonly latencyMs: Float64Array;
  readonly modelVersions: Int32Array;
  readonly ids: string[];
  readonly labels: string[];
  readonly routes: string[];
  readonly externalIds: (string | null)[];
  /** The answer's class probabilities (the answer's own object, not a copy); null without them. */
  readonly probabilities: (Readonly<Record<string, number>> | null)[];
  /** The features the row had beyond the training range (null: none). */
  readonly outOfRange: (readonly string[] | null)[];
}

export function createLogBatch(capacity: number, inputCapacity: number): PredictionLogBatch {
  return {
    rows: 0,
    inputsUsed: 0,
    inputs: new Float64Array(inputCapacity),
    inputEnds: new Int32Array(capacity),
    createdAtMs: new Float64Array(capacity),
    decisions: new Float64Array(capacity),
    latencyMs: new Float64Array(capacity),
    modelVersions: new Int32Array(capacity),
    ids: new Array<string>(capacity).fill(''),
    labels: new Array<string>(capacity).fill(''),
    routes: new Array<string>(capacity).fill(''),
    externalIds: new Array<string | null>(capacity).fill(null),
    probabilities: new Array<Readonly<Record<string, number>> | null>(capacity).fill(null),
    outOfRange: new Array<readonly string[] | null>(capacity).fill(null),
  };
}

/** The buffers a batch hands over by transfer. */
export function batchBuffers(batch: PredictionLogBatch): ArrayBuffer[] {
  return [batch.inputs, batch.inputEnds, batch.createdAtMs, batch.decisions, batch.latencyMs, batch.modelVersions].map((column) => column.buffer as ArrayBuffer);
}

export const batchCapacity = (batch: PredictionLogBatch): number => batch.inputEnds.length;

/** Row `i`'s feature values (a view, no copy). */
export function batchInput(batch: PredictionLogBatch, i: number): Float64Array {
  return batch.inputs.subarray(i === 0 ? 0 : batch.inputEnds[i - 1], batch.inputEnds[i]);
}

/** Row `i` as the repository's insert takes it. */
export function batchRow(batch: PredictionLogBatch, i: number): NewPrediction {
  return {
    id: batch.ids[i],
    createdAt: new Date(batch.createdAtMs[i]),
    modelVersion: batch.modelVersions[i],
    route: batch.routes[i],
    input: batchInput(batch, i),
    label: batch.labels[i],
    decision: batch.decisions[i],
    latencyMs: batch.latencyMs[i],
    externalId: batch.externalIds[i],
    probabilities: batch.probabilities[i],
    outOfRange: batch.outOfRange[i],
  };
}

/** A row the store refused even alone. */
export interface RefusedRow {
  readonly id: string;
  readonly error: unknown;
}

/** What writing one batch came to. */
export interface BatchWritten {
  /** The batch's buffers, back for reuse. */
  readonly batch: PredictionLogBatch;
  /** Why the batch was written a second time, if it was. */
  readonly retried?: unknown;
  readonly refused: readonly RefusedRow[];
}

/** Takes full batches of the prediction log and writes them; SQLite's runs on a thread of its own. */
export interface PredictionLogWriter {
  /**
   * Writes the batch; resolves once its rows are stored (or refused). The batch belongs to the
   * writer from the call on, and comes back in the answer for reuse.
   */
  write(batch: PredictionLogBatch): Promise<BatchWritten>;
  close(): Promise<void>;
}

/** Wait before writing a failed batch again: long enough for a dropped connection to be replaced. */
export const retryAfterMs = 100;

/**
 * Writes rows `[0, rows)` through `insert` (one transaction per call, skipping ids stored already).
 * A batch holds many callers' rows, so one row the store refuses must not cost the others: a failed
 * batch is written once more whole (the failure may have been the connection), then in halves
 * until the rows that cannot be written are alone; only those are returned.
 */
export async function writeIsolating(
  rows: number,
  insert: (from: number, to: number) => Promise<void> | void,
  wait: (ms: number) => Promise<void>,
): Promise<{ retried?: unknown; refused: { index: number; error: unknown }[] }> {
  try {
    await insert(0, rows);
    return { refused: [] };
  } catch (error) {
    await wait(retryAfterMs);
    const refused: { index: number; error: unknown }[] = [];
    await isolate(0, rows, insert, refused);
    return { retried: error, refused };
  }
}

async function isolate(from: number, to: number, insert: (from: number, to: number) => Promise<void> | void, refused: { index: number; error: unknown }[]): Promise<void> {
  try {
    await insert(from, to);
  } catch (error) {
    if (to - from === 1) {
      refused.push({ index: from, error });
      return;
    }
    const half = from + Math.ceil((to - from) / 2);
    await isolate(from, half, insert, refused);
    await isolate(half, to, insert, refused);
  }
}
