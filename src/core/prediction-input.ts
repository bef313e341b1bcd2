import type { Matrix } from './matrix.js';
import type { FittedColumnTransformer } from './preprocessing/column-transformer.js';
import { createRowFlags, createRowTransformer } from './preprocessing/column-transformer.js';
import { UNKNOWN_CATEGORY } from './preprocessing/one-hot-encoder.js';

/**
 * A row as the API takes it: values in feature order, or an object keyed by feature name. A value
 * is a number, a category (a string, or a number for a category written as one), or `null` (or,
 * keyed by name, absent) for a missing value, which the model imputes as it did at training.
 */
export type InputRow = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface InputProblem {
  readonly row: number;
  readonly feature?: string;
  readonly problem: string;
}

/** Rows that cannot be predicted; `problems` names each row and feature (first 20). */
export class PredictionInputError extends Error {
  constructor(
    message: string,
    readonly problems: readonly InputProblem[],
  ) {
    super(message);
    this.name = 'PredictionInputError';
  }
}

/** What the model did with a row's inputs beyond using them: features it imputed, categories it never saw. */
export interface RowNotes {
  readonly imputed: readonly string[];
  /** Categories not seen in training: encoded as all zeros (`handle_unknown="ignore"`). */
  readonly unknownCategories: readonly string[];
}

export interface PackedRows {
  /** The raw rows as the pipeline takes them: numbers, category codes, NaN for missing. */
  readonly x: Matrix;
  /** Per row, its notes, or null when there is nothing to say (every value given and known). */
  readonly notes: readonly (RowNotes | null)[];
}

const describe = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? `the string ${JSON.stringify(v)}` : Array.isArray(v) ? 'an array' : typeof v);

/** How each feature reads a value: the schema of the model's input, unpacked once per model. */
export interface FeatureReader {
  readonly name: string;
  /** The cell for `value`, or a problem. `undefined` is a missing value (an absent key). */
  read(value: unknown): number | string;
}

function featureReaders(preprocessor: FittedColumnTransformer): FeatureReader[] {
  const { features, numeric, categorical } = preprocessor;
  const statistic = new Map<number, number>();
  numeric?.columns.forEach((j, k) => statistic.set(j, numeric.imputer.statistics[k]));
  categorical?.columns.forEach((j, k) => statistic.set(j, categorical.imputer.statistics[k]));
  return features.map((feature, j): FeatureReader => {
    // Models trained before missing values were accepted have no statistic to impute with.
    const missing = Number.isFinite(statistic.get(j)) ? Number.NaN : `a missing value, but this model cannot impute '${feature.name}' (it was trained before missing values were accepted): send a number`;
    if (feature.kind === 'numeric') {
      return {
        name: feature.name,
        read: (v) => (typeof v === 'number' && Number.isFinite(v) ? v : v === null || v === undefined ? missing : `expected a finite number, got ${describe(v)}`),
      };
    }
    const codes = new Map((feature.categories ?? []).map((category, code) => [category, code]));
    return {
      name: feature.name,
      read: (v) => {
        if (v === null || v === undefined) return missing;
        // A number stands for the category written as it: the reader names numeric categories by String(v).
        if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return codes.get(String(v)) ?? UNKNOWN_CATEGORY;
        return `expected a category (a string), got ${describe(v)}`;
      },
    };
  });
}

/**
 * The readers of a fitted transformer, built on its first request and kept while the model is:
 * built per request, their maps and closures were a third of the bytes a one-row prediction
 * allocated (about 15 kB of 48 kB over HTTP).
 */
const readersByTransformer = new WeakMap<FittedColumnTransformer, { readonly readers: readonly FeatureReader[]; readonly names: readonly string[] }>();

export function featureReadersOf(preprocessor: FittedColumnTransformer): { readonly readers: readonly FeatureReader[]; readonly names: readonly string[] } {
  let found = readersByTransformer.get(preprocessor);
  if (!found) {
    const readers = featureReaders(preprocessor);
    found = { readers, names: readers.map((r) => r.name) };
    readersByTransformer.set(preprocessor, found);
  }
  return found;
}

/**
 * Validates rows and packs them row-major in the pipeline's raw form. Values are raw measurements
 * and categories (the model's own preprocessing is applied later); a row's notes say which of its
 * values the model imputes and which categories it does not know.
 */
export function packRows(rows: readonly InputRow[], preprocessor: FittedColumnTransformer, maxRows: number): PackedRows {
  if (rows.length === 0) throw new PredictionInputError('no rows to predict: send at least one row', []);
  if (rows.length > maxRows) throw new PredictionInputError(`${rows.length} rows in one request, over the limit of ${maxRows} (server.maxBatchRows)`, []);
  const { readers, names } = featureReadersOf(preprocessor);
  const cols = readers.length;
  const data = new Float64Array(rows.length * cols);
  const problems: InputProblem[] = [];
  // Rows with a missing value or a categorical feature get notes; an all-numeric complete row (the common case) none.
  const noted = new Uint8Array(rows.length);
  const categorical = preprocessor.categorical !== null;
  const put = (r: number, k: number, value: unknown) => {
    const cell = readers[k].read(value);
    if (typeof cell === 'string') problems.push({ row: r, feature: names[k], problem: cell });
    else {
      data[r * cols + k] = cell;
      if (cell !== cell) noted[r] = 1; // NaN: imputed
    }
  };
  // Built only for rows sent as objects: an array row (the common case) needs no lookup.
  let index: ReadonlyMap<string, number> | null = null;
  for (let r = 0; r < rows.length; r++) {
    const input = rows[r];
    if (categorical) noted[r] = 1;
    if (Array.isArray(input)) {
      if (input.length !== cols) {
        problems.push({ row: r, problem: `expected ${cols} values (one per feature, in feature order), got ${input.length}` });
        continue;
      }
      const values = input as readonly unknown[];
      for (let k = 0; k < cols; k++) put(r, k, values[k] ?? null);
      continue;
    }
    if (input === null || typeof input !== 'object') {
      problems.push({ row: r, problem: `expected an array of ${cols} values or an object keyed by feature name, got ${describe(input)}` });
      continue;
    }
    index ??= new Map(names.map((name, k) => [name, k]));
    const record = input as Readonly<Record<string, unknown>>;
    const unknown = Object.keys(record).filter((key) => !index?.has(key));
    if (unknown.length > 0) problems.push({ row: r, feature: unknown[0], problem: `unknown feature${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}` });
    for (let k = 0; k < cols; k++) put(r, k, Object.hasOwn(record, names[k]) ? record[names[k]] : undefined);
  }
  if (problems.length > 0) {
    const first = problems[0];
    const where = `row ${first.row}${first.feature ? `, feature ${JSON.stringify(first.feature)}` : ''}`;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new PredictionInputError(`${where}: ${first.problem}${more}`, problems.slice(0, 20));
  }
  const x = { rows: rows.length, cols, data };
  return { x, notes: notesOf(x, noted, preprocessor) };
}

/** The notes of the marked rows, from what the fitted transformer does with them. */
function notesOf(x: Matrix, noted: Uint8Array, preprocessor: FittedColumnTransformer): (RowNotes | null)[] {
  const notes = new Array<RowNotes | null>(x.rows).fill(null);
  if (!noted.includes(1)) return notes;
  const transformer = createRowTransformer(preprocessor);
  const flags = createRowFlags(preprocessor);
  const scratch = new Float64Array(transformer.nOutputs);
  const names = preprocessor.features.map((f) => f.name);
  for (let r = 0; r < x.rows; r++) {
    if (!noted[r]) continue;
    transformer.transform(x.data, r * x.cols, scratch, 0, flags);
    const imputed = names.filter((_, j) => flags.imputed[j] === 1);
    const unknownCategories = names.filter((_, j) => flags.unknown[j] === 1);
    if (imputed.length > 0 || unknownCategories.length > 0) notes[r] = { imputed, unknownCategories };
  }
  return notes;
}
