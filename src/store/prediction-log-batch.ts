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
  /** Every row's class probabilities one after another; row i's end is `probabilityEnds[i]`. */
  probabilities: Float64Array;
  readonly probabilityEnds: Int32Array;
  /** Index in `classLists` of the classes row i's probabilities are of; -1 when it has none. */
  readonly probabilityClasses: Int32Array;
}

/** Where row i's values start in a column whose row ends are `ends`. */
const start = (ends: Int32Array, i: number) => (i === 0 ? 0 : ends[i - 1]);

/**
 * A text value per row, as UTF-8 bytes one after another: row i's ends at `ends[i]`, and
 * `present[i]` is 0 for a row without one (null). Text waits here as bytes, not strings: a string
 * kept until its batch is written (up to `monitor.logFlushMs` and the write) outlives a
 * young-generation collection or two, is promoted, and piles up in the old generation until a full
 * collection. Kept as strings, the ids alone grew the server by about 30 MiB in 20 s of load. The column is
 * copied to a writer's thread rather than moved, so that the ids of rows lost with a failed thread
 * can still be named.
 */
export interface TextColumn {
  bytes: Uint8Array;
  readonly ends: Int32Array;
  readonly present: Uint8Array;
  /** Bytes filled. */
  used: number;
}

/** UTF-8's most bytes per UTF-16 code unit: the room a value of `length` units can need. */
const maxBytesPerUnit = 3;

export function createTextColumn(rows: number, bytes: number): TextColumn {
  return { bytes: new Uint8Array(bytes), ends: new Int32Array(rows), present: new Uint8Array(rows), used: 0 };
}

/** Whether `value` fits in what is left of the column's bytes, whatever its characters. */
export const textFits = (column: TextColumn, value: string | null): boolean => value === null || column.used + maxBytesPerUnit * value.length <= column.bytes.length;

/** Grows the column's bytes (keeping what is in them) until `value` fits. */
export function makeRoomFor(column: TextColumn, value: string | null): void {
  if (textFits(column, value)) return;
  const grown = new Uint8Array(Math.max(2 * column.bytes.length, column.used + maxBytesPerUnit * (value as string).length));
  grown.set(column.bytes.subarray(0, column.used));
  column.bytes = grown;
}

const utf8 = new TextEncoder();

/** Writes row `row`'s value after the others; room for it must have been made (`textFits`, `makeRoomFor`). */
export function appendText(column: TextColumn, row: number, value: string | null): void {
  const { bytes } = column;
  const at = column.used;
  let end = at;
  if (value !== null) {
    // Ids and case numbers are ASCII: byte by byte, with no object made; anything else through the encoder.
    for (let j = 0; j < value.length; j++) {
      const unit = value.charCodeAt(j);
      if (unit > 0x7f) {
        end = at + utf8.encodeInto(value, bytes.subarray(at)).written;
        break;
      }
      bytes[end++] = unit;
    }
  }
  column.used = end;
  column.ends[row] = end;
  column.present[row] = value === null ? 0 : 1;
}

/** The column's text as a writer takes it: the filled bytes, the ends and the flags, for `rows` rows. */
export interface SealedText {
  readonly bytes: Uint8Array;
  readonly ends: Int32Array;
  readonly present: Uint8Array;
}

const sealText = (column: TextColumn, rows: number): SealedText => ({ bytes: column.bytes.subarray(0, column.used), ends: column.ends.subarray(0, rows), present: column.present.subarray(0, rows) });

/** Reads a sealed text column row by row: one decode for a column that is all ASCII (the usual case), else one per row. */
export class TextReader {
  private readonly buffer: Buffer;
  private readonly ascii: string | null;

  constructor(private readonly text: SealedText) {
    const { bytes } = text;
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const whole = this.buffer.toString('utf8');
    // As many characters as bytes: every byte was one ASCII character, and byte offsets are string offsets.
    this.ascii = whole.length === bytes.byteLength ? whole : null;
  }

  at(i: number): string | null {
    const { ends, present } = this.text;
    if (present[i] === 0) return null;
    const from = start(ends, i);
    return this.ascii === null ? this.buffer.toString('utf8', from, ends[i]) : this.ascii.slice(from, ends[i]);
  }
}

/**
 * Logged predictions being gathered on the request's thread. A request fills its rows with a few
 * stores each, no object per row: numbers into the columns, text as bytes into the text columns
 * (`ids`, `externalIds`, `outOfRange`). A new column is one more array here, one more parameter in the inserts
 * (`SealedBatchReader.row` and the SQLite writer's statement).
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
  readonly ids: TextColumn;
  readonly labelNames: string[];
  readonly routeNames: string[];
  readonly classLists: (readonly string[])[];
  readonly externalIds: TextColumn;
  /** The features a row had beyond the training range, as stored (`outOfRangeText`); null for a row with none. */
  readonly outOfRange: TextColumn;
}

/** What a writer takes: the columns, the text columns and the tables. */
export interface SealedBatch {
  readonly rows: number;
  readonly columns: BatchColumns;
  readonly ids: SealedText;
  readonly labelNames: readonly string[];
  readonly routeNames: readonly string[];
  readonly classLists: readonly (readonly string[])[];
  readonly externalIds: SealedText;
  readonly outOfRange: SealedText;
}

/** A prediction id's length (a UUID's). */
const uuidLength = 36;

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
      probabilities: new Float64Array(capacity * 2),
      probabilityEnds: new Int32Array(capacity),
      probabilityClasses: new Int32Array(capacity),
    },
    // Room for a UUID per row, and for the last one to be any 36 characters (textFits).
    ids: createTextColumn(capacity, capacity * uuidLength + (maxBytesPerUnit - 1) * uuidLength),
    labelNames: [],
    routeNames: [],
    classLists: [],
    externalIds: createTextColumn(capacity, capacity * 16),
    outOfRange: createTextColumn(capacity, capacity * 16),
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
  batch.ids.used = 0;
  batch.externalIds.used = 0;
  batch.outOfRange.used = 0;
}

/** Index of `value` in a batch's small table, added if new (a batch sees a label or route or two). */
export function tableIndex<T>(table: T[], value: T): number {
  const at = table.indexOf(value);
  if (at !== -1) return at;
  table.push(value);
  return table.length - 1;
}

/** The form a writer takes: the filled part of each text column. */
export function sealBatch(batch: PredictionLogBatch): SealedBatch {
  const { rows, columns, labelNames, routeNames, classLists } = batch;
  return { rows, columns, ids: sealText(batch.ids, rows), labelNames, routeNames, classLists, externalIds: sealText(batch.externalIds, rows), outOfRange: sealText(batch.outOfRange, rows) };
}

/** The ids of the batch's first `count` rows (to name the rows a failure lost). */
export function batchIds(batch: PredictionLogBatch, count: number): string[] {
  const reader = new TextReader(sealText(batch.ids, batch.rows));
  return Array.from({ length: Math.min(count, batch.rows) }, (_, i) => reader.at(i) as string);
}

/** The buffers a batch's columns hand over by transfer. */
export function columnBuffers(columns: BatchColumns): ArrayBuffer[] {
  return Object.values(columns).map((column: Float64Array | Int32Array) => column.buffer as ArrayBuffer);
}

/** Reads a sealed batch row by row: the writers' side. */
export class SealedBatchReader {
  private readonly ids: TextReader;
  private readonly externalIds: TextReader;
  private readonly outOfRange: TextReader;
  /** Each class list's names as JSON keys (`"B":`), for the probabilities' JSON. */
  private readonly jsonKeys: readonly string[][];

  constructor(readonly batch: SealedBatch) {
    this.ids = new TextReader(batch.ids);
    this.externalIds = new TextReader(batch.externalIds);
    this.outOfRange = new TextReader(batch.outOfRange);
    this.jsonKeys = batch.classLists.map((classes) => classes.map((c) => `${JSON.stringify(c)}:`));
  }

  get rows(): number {
    return this.batch.rows;
  }

  id(i: number): string {
    return this.ids.at(i) as string;
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
    return this.externalIds.at(i);
  }

  /** Row i's out-of-range features as stored (a JSON list), or null. */
  outOfRangeJson(i: number): string | null {
    return this.outOfRange.at(i);
  }

  outOfRangeFeatures(i: number): readonly string[] | null {
    const json = this.outOfRangeJson(i);
    return json === null ? null : (JSON.parse(json) as string[]);
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
