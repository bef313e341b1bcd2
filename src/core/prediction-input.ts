import type { Matrix } from './matrix.js';

/** A row as the API takes it: values in feature order, or an object keyed by feature name. */
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

const describe = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? `the string ${JSON.stringify(v)}` : Array.isArray(v) ? 'an array' : typeof v);

/**
 * Validates rows and packs them row-major. Values are raw measurements (the model's own scaler is
 * applied later); every value must be a finite JSON number.
 */
export function packRows(rows: readonly InputRow[], featureNames: readonly string[], maxRows: number): Matrix {
  if (rows.length === 0) throw new PredictionInputError('no rows to predict: send at least one row', []);
  if (rows.length > maxRows) throw new PredictionInputError(`${rows.length} rows in one request, over the limit of ${maxRows} (server.maxBatchRows)`, []);
  const cols = featureNames.length;
  const data = new Float64Array(rows.length * cols);
  const problems: InputProblem[] = [];
  // Built only for rows sent as objects: an array row (the common case) needs no lookup.
  let index: ReadonlyMap<string, number> | null = null;
  for (let r = 0; r < rows.length; r++) {
    const input = rows[r];
    if (Array.isArray(input)) {
      if (input.length !== cols) {
        problems.push({ row: r, problem: `expected ${cols} values (one per feature, in feature order), got ${input.length}` });
        continue;
      }
      const values = input as readonly unknown[];
      for (let k = 0, o = r * cols; k < cols; k++) {
        const v = values[k];
        if (typeof v === 'number' && Number.isFinite(v)) data[o + k] = v;
        else problems.push({ row: r, feature: featureNames[k], problem: `expected a finite number, got ${describe(v)}` });
      }
      continue;
    }
    if (input === null || typeof input !== 'object') {
      problems.push({ row: r, problem: `expected an array of ${cols} numbers or an object keyed by feature name, got ${describe(input)}` });
      continue;
    }
    index ??= new Map(featureNames.map((name, k) => [name, k]));
    packRecord(input as Readonly<Record<string, unknown>>, r, featureNames, index, data, problems);
  }
  if (problems.length > 0) {
    const first = problems[0];
    const where = `row ${first.row}${first.feature ? `, feature ${JSON.stringify(first.feature)}` : ''}`;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new PredictionInputError(`${where}: ${first.problem}${more}`, problems.slice(0, 20));
  }
  return { rows: rows.length, cols, data };
}

/** One row sent as an object keyed by feature name. */
function packRecord(
  record: Readonly<Record<string, unknown>>,
  r: number,
  featureNames: readonly string[],
  index: ReadonlyMap<string, number>,
  data: Float64Array,
  problems: InputProblem[],
): void {
  const cols = featureNames.length;
  const unknown = Object.keys(record).filter((key) => !index.has(key));
  if (unknown.length > 0) problems.push({ row: r, feature: unknown[0], problem: `unknown feature${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}` });
  const missing = featureNames.filter((name) => !(name in record));
  if (missing.length > 0) problems.push({ row: r, feature: missing[0], problem: `missing feature${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')}` });
  featureNames.forEach((name, k) => {
    if (!(name in record)) return;
    const v = record[name];
    if (typeof v === 'number' && Number.isFinite(v)) data[r * cols + k] = v;
    else problems.push({ row: r, feature: name, problem: `expected a finite number, got ${describe(v)}` });
  });
}
