import { parse } from 'csv-parse/sync';
import type { Matrix } from './matrix.js';

/** A labelled table: `x` holds the features in `featureNames` order, `y` the label of each row. */
export interface Dataset {
  readonly featureNames: readonly string[];
  readonly x: Matrix;
  readonly y: readonly string[];
}

export interface DatasetOptions {
  readonly label: string;
  readonly positive: string;
  /** Columns to ignore; names absent from the file are fine. */
  readonly drop: readonly string[];
  /** When set, the file must have exactly these features (in any column order). */
  readonly features?: readonly string[];
}

/** A CSV that cannot be used, with the place of the problem. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

function readRecords(text: string): CsvRecord[] {
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as CsvRecord[];
  } catch (cause) {
    throw new DatasetError(`not a readable CSV: ${(cause as Error).message}`);
  }
}

export function parseDataset(text: string, options: DatasetOptions): Dataset {
  const records = readRecords(text);
  if (records.length === 0) throw new DatasetError('the CSV is empty: expected a header line and data rows');
  const header = records[0].record.map((name) => name.trim());
  const rows = records.slice(1);
  if (rows.length === 0) throw new DatasetError('the CSV has a header but no data rows', 2);

  // An unnamed column whose cells are all empty is what a trailing comma produces (pandas' "Unnamed: 32").
  const unnamedEmpty = (c: number) => header[c] === '' && rows.every((r) => (r.record[c] ?? '').trim() === '');
  const seen = new Map<string, number>();
  header.forEach((name, c) => {
    if (name === '') {
      if (!unnamedEmpty(c)) throw new DatasetError(`column ${c + 1} has no name in the header but holds values`, 1);
      return;
    }
    if (seen.has(name)) throw new DatasetError(`duplicate column '${name}' (columns ${(seen.get(name) ?? 0) + 1} and ${c + 1})`, 1, name);
    seen.set(name, c);
  });

  const labelColumn = seen.get(options.label);
  if (labelColumn === undefined) {
    throw new DatasetError(`missing label column '${options.label}' (the header has: ${[...seen.keys()].join(', ')})`, 1, options.label);
  }
  const dropped = new Set(options.drop);
  const present = [...seen.keys()].filter((name) => name !== options.label && !dropped.has(name));
  let featureNames: readonly string[] = present;
  if (options.features) {
    const expected = new Set(options.features);
    const missing = options.features.filter((name) => !seen.has(name));
    if (missing.length > 0) throw new DatasetError(`missing feature column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, 1, missing[0]);
    const extra = present.filter((name) => !expected.has(name));
    if (extra.length > 0) {
      throw new DatasetError(`unexpected column${extra.length > 1 ? 's' : ''} ${extra.map((n) => `'${n}'`).join(', ')}: not a feature of the model (list it in dataset.drop to ignore it)`, 1, extra[0]);
    }
    featureNames = options.features;
  }
  if (featureNames.length === 0) throw new DatasetError('the CSV has no feature columns besides the label', 1);

  const columns = featureNames.map((name) => seen.get(name) as number);
  const cols = columns.length;
  const data = new Float64Array(rows.length * cols);
  const y: string[] = [];
  const width = header.length;
  const widthWithoutTrailing = header[width - 1] === '' ? width - 1 : width;
  rows.forEach(({ record, info }, r) => {
    const line = info.lines;
    if (record.length !== width && record.length !== widthWithoutTrailing) {
      throw new DatasetError(`line ${line}: ${record.length} cells, but the header has ${widthWithoutTrailing} columns`, line);
    }
    const label = (record[labelColumn] ?? '').trim();
    if (label === '') throw new DatasetError(`line ${line}, column '${options.label}': empty label`, line, options.label);
    y.push(label);
    columns.forEach((c, k) => {
      const cell = (record[c] ?? '').trim();
      const name = featureNames[k];
      if (cell === '') throw new DatasetError(`line ${line}, column '${name}': empty cell (expected a number)`, line, name);
      if (!NUMBER.test(cell)) {
        const what = /^[+-]?(nan|inf(inity)?)$/i.test(cell) ? 'not a finite number' : 'not a number';
        throw new DatasetError(`line ${line}, column '${name}': '${cell}' is ${what}`, line, name);
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) throw new DatasetError(`line ${line}, column '${name}': '${cell}' is not a finite number`, line, name);
      data[r * cols + k] = value;
    });
  });

  checkLabels(y, rows.map((r) => r.info.lines), options);
  return { featureNames, x: { rows: rows.length, cols, data }, y };
}

function checkLabels(y: readonly string[], lines: readonly number[], options: DatasetOptions): void {
  const counts = new Map<string, number>();
  for (const label of y) counts.set(label, (counts.get(label) ?? 0) + 1);
  const byCount = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (!counts.has(options.positive)) {
    throw new DatasetError(
      `column '${options.label}' has no row of the positive class '${options.positive}' (found: ${byCount.map(([l, n]) => `${l} × ${n}`).join(', ')}); set dataset.positive`,
      undefined,
      options.label,
    );
  }
  if (counts.size < 2) throw new DatasetError(`column '${options.label}' has a single class '${options.positive}': a classifier needs two`, undefined, options.label);
  if (counts.size > 2) {
    const negative = byCount.find(([l]) => l !== options.positive)?.[0] as string;
    const known = new Set([options.positive, negative]);
    const r = y.findIndex((label) => !known.has(label));
    throw new DatasetError(
      `line ${lines[r]}, column '${options.label}': unknown label '${y[r]}' (expected ${options.positive} or ${negative})`,
      lines[r],
      options.label,
    );
  }
  for (const [label, n] of counts) {
    if (n < 2) throw new DatasetError(`class '${label}' has only ${n} row: at least 2 are needed to split into training and test rows`, undefined, options.label);
  }
}
