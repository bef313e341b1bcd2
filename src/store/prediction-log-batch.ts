import type { NewPrediction } from './prediction-repository.js';

/**
 * A batch's numbers, column by column in preallocated arrays: they go to the writer's thread by
 * transfer and come back (the buffers move, never copied). Labels and routes are numbers too,
 * indexes into the batch's small tables of names.
 */
export interface BatchColumns {
  /** The rows' feature values one after another; row i's end is `inputEnds[i]`. */
  inputs: Float64Array;
  readonly inputEnds: Int32Array;
  readonly createdAtMs: Float64Array;
  readonly modelVersions: Int32Array;
  readonly decisions: Float64Array;
  readonly latencyMs: Float64Array;
  /** Index of row i's label in `labelNames`, of its route in `routeNames`. */
  readonly labels: Int32Array;
  readonly routes: Int32Array;
  /** Where row i's id ends in the batch's joined ids. */
  readonly idEnds: Int32Array;
  /** Every row's class probabilities one after another; row i's end is `probabilityEnds[i]`. */
  probabilities: Float64Array;
  readonly probabilityEnds: Int32Array;
  /** Index in `classLists` of the classes row i's probabilities are of; -1 when it has none. */
  readonly probabilityClasses: Int32Array;
}

/** Strings only some rows have, as `[row, value]` pairs: most rows have none, and an empty list costs nothing to send. */
export type SparseColumn<T> = [number, T][];

/**
 * Logged predictions being gathered on the request's thread. A request fills its rows with a few
 * stores each, no object per row; what is text besides the small tables is kept aside (`ids`, the
 * sparse columns) and goes to the writer as one string (`sealBatch`). A new column is one more
 * array here, one more parameter in the inserts (`SealedBatchReader.row` and the SQLite writer's
 * statement).
 */
export interface PredictionLogBatch {
  /** Rows filled. */
  rows: number;
  /** Doubles of `columns.inputs` filled. */
  inputsUsed: number;
  /** Doubles of `columns.probabilities` filled. */
  probabilitiesUsed: number;
  /** Replaced by the writer's when a write comes back (the ones sent were moved to its thread). */
  columns: BatchColumns;
  readonly ids: string[];
  readonly labelNames: string[];
  readonly routeNames: string[];
  readonly classLists: (readonly string[])[];
  readonly externalIds: SparseColumn<string>;
  /** The features a row had beyond the training range, for rows with any. */
  readonly outOfRange: SparseColumn<readonly string[]>;
}

/** What a writer takes: the columns, the ids joined into one string, the tables and the sparse columns. */
export interface SealedBatch {
  readonly rows: number;
  readonly columns: BatchColumns;
  readonly ids: string;
  readonly labelNames: readonly string[];
  readonly routeNames: readonly string[];
  readonly classLists: readonly (readonly string[])[];
  readonly externalIds: readonly (readonly [number, string])[];
  readonly outOfRange: readonly (readonly [number, readonly string[]])[];
}

export function createLogBatch(capacity: number, inputCapacity: number): PredictionLogBatch {
  return {
    rows: 0,
    inputsUsed: 0,
    probabilitiesUsed: 0,
    columns: {
      inputs: new Float64Array(inputCapacity),
      inputEnds: new Int32Array(capacity),
      createdAtMs: new Float64Array(capacity),
      modelVersions: new Int32Array(capacity),
      decisions: new Float64Array(capacity),
      latencyMs: new Float64Array(capacity),
      labels: new Int32Array(capacity),
      routes: new Int32Array(capacity),
      idEnds: new Int32Array(capacity),
      probabilities: new Float64Array(capacity * 2),
      probabilityEnds: new Int32Array(capacity),
      probabilityClasses: new Int32Array(capacity),
    },
    ids: new Array<string>(capacity).fill(''),
    labelNames: [],
    routeNames: [],
    classLists: [],
    externalIds: [],
    outOfRange: [],
  };
}

export const batchCapacity = (batch: PredictionLogBatch): number => batch.columns.inputEnds.length;

/** Whether the batch's columns are here to be filled (they are not while a writer's thread has them, nor after it failed with them). */
export const batchUsable = (batch: PredictionLogBatch): boolean => batch.columns.inputEnds.length > 0;

/** Empties the batch for reuse. */
export function resetBatch(batch: PredictionLogBatch): void {
  batch.rows = 0;
  batch.inputsUsed = 0;
  batch.probabilitiesUsed = 0;
  batch.labelNames.length = 0;
  batch.routeNames.length = 0;
  batch.classLists.length = 0;
  batch.externalIds.length = 0;
  batch.outOfRange.length = 0;
}

/** Index of `value` in a batch's small table, added if new (a batch sees a label or route or two). */
export function tableIndex<T>(table: T[], value: T): number {
  const at = table.indexOf(value);
  if (at !== -1) return at;
  table.push(value);
  return table.length - 1;
}

/** The form a writer takes: the ids as one string (one copy to the thread instead of a string per row). */
export function sealBatch(batch: PredictionLogBatch): SealedBatch {
  let ids = '';
  for (let i = 0; i < batch.rows; i++) ids += batch.ids[i];
  const { rows, columns, labelNames, routeNames, classLists, externalIds, outOfRange } = batch;
  return { rows, columns, ids, labelNames, routeNames, classLists, externalIds, outOfRange };
}

/** The buffers a batch's columns hand over by transfer. */
export function columnBuffers(columns: BatchColumns): ArrayBuffer[] {
  return Object.values(columns).map((column: Float64Array | Int32Array) => column.buffer as ArrayBuffer);
}

const start = (ends: Int32Array, i: number) => (i === 0 ? 0 : ends[i - 1]);

/** Reads a sealed batch row by row: the writers' side. */
export class SealedBatchReader {
  private readonly externalIds: (string | null)[] | null;
  private readonly outOfRange: (readonly string[] | null)[] | null;
  /** Each class list's names as JSON keys (`"B":`), for the probabilities' JSON. */
  private readonly jsonKeys: readonly string[][];

  constructor(readonly batch: SealedBatch) {
    this.externalIds = batch.externalIds.length === 0 ? null : spread(batch.rows, batch.externalIds);
    this.outOfRange = batch.outOfRange.length === 0 ? null : spread(batch.rows, batch.outOfRange);
    this.jsonKeys = batch.classLists.map((classes) => classes.map((c) => `${JSON.stringify(c)}:`));
  }

  get rows(): number {
    return this.batch.rows;
  }

  id(i: number): string {
    const { ids, columns } = this.batch;
    return ids.slice(start(columns.idEnds, i), columns.idEnds[i]);
  }

  label(i: number): string {
    return this.batch.labelNames[this.batch.columns.labels[i]];
  }

  route(i: number): string {
    return this.batch.routeNames[this.batch.columns.routes[i]];
  }

  /** Row i's feature values (a view, no copy). */
  input(i: number): Float64Array {
    const { inputs, inputEnds } = this.batch.columns;
    return inputs.subarray(start(inputEnds, i), inputEnds[i]);
  }

  externalId(i: number): string | null {
    return this.externalIds?.[i] ?? null;
  }

  outOfRangeFeatures(i: number): readonly string[] | null {
    return this.outOfRange?.[i] ?? null;
  }

  /** Row i's probabilities as the store keeps them, `{"B":0.97,"M":0.03}`, built without an object; null without them. */
  probabilitiesJson(i: number): string | null {
    const { probabilities, probabilityEnds, probabilityClasses } = this.batch.columns;
    const list = probabilityClasses[i];
    if (list === -1) return null;
    const keys = this.jsonKeys[list];
    const from = start(probabilityEnds, i);
    let json = '{';
    for (let j = 0; j < keys.length; j++) json += `${j === 0 ? '' : ','}${keys[j]}${JSON.stringify(probabilities[from + j])}`;
    return `${json}}`;
  }

  probabilities(i: number): Record<string, number> | null {
    const { probabilities, probabilityEnds, probabilityClasses } = this.batch.columns;
    const list = probabilityClasses[i];
    if (list === -1) return null;
    const from = start(probabilityEnds, i);
    const byClass: Record<string, number> = {};
    this.batch.classLists[list].forEach((c, j) => (byClass[c] = probabilities[from + j]));
    return byClass;
  }

  /** Row i as the repository's insert takes it. */
  row(i: number): NewPrediction {
    const { columns } = this.batch;
    return {
      id: this.id(i),
      createdAt: new Date(columns.createdAtMs[i]),
      modelVersion: columns.modelVersions[i],
      route: this.route(i),
      input: this.input(i),
      label: this.label(i),
      decision: columns.decisions[i],
      latencyMs: columns.latencyMs[i],
      externalId: this.externalId(i),
      probabilities: this.probabilities(i),
      outOfRange: this.outOfRangeFeatures(i),
    };
  }
}

function spread<T>(rows: number, pairs: readonly (readonly [number, T])[]): (T | null)[] {
  const values = new Array<T | null>(rows).fill(null);
  for (const [i, value] of pairs) values[i] = value;
  return values;
}

/** A row the store refused even alone. */
export interface RefusedRow {
  readonly id: string;
  readonly error: unknown;
}

/** What writing one batch came to. */
export interface BatchWritten {
  /** The batch's columns, back for reuse. */
  readonly columns: BatchColumns;
  /** Why the batch was written a second time, if it was. */
  readonly retried?: unknown;
  readonly refused: readonly RefusedRow[];
}

/** Takes full batches of the prediction log and writes them; SQLite's runs on a thread of its own. */
export interface PredictionLogWriter {
  /**
   * Writes the batch; resolves once its rows are stored (or refused), and rejects only when the
   * writer failed and took the batch with it. The columns belong to the writer from the call on,
   * and come back in the answer for reuse.
   */
  write(batch: SealedBatch): Promise<BatchWritten>;
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
