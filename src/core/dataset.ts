import type { CsvColumn } from './csv-column.js';
import { floatValue, isNumericDtype, numberText, readCsvColumn } from './csv-column.js';
import type { CsvTable, CsvTableOptions } from './csv-table.js';
import { readCsvTable } from './csv-table.js';
import { DatasetError } from './dataset-error.js';
import { compareCodePoints } from './label-order.js';
import type { FeatureSpec } from './feature-spec.js';
import type { Matrix } from './matrix.js';
import { DEFAULT_NA_VALUES, naValuesOf } from './na-values.js';

export { DatasetError } from './dataset-error.js';

/**
 * A labelled table, as `pandas.read_csv` reads it and a scikit-learn `ColumnTransformer` would
 * take it: `x` holds the features in `features` order, `y` the label of each labelled row.
 */
export interface Dataset {
  /** = features.map(f => f.name), kept for existing callers. */
  readonly featureNames: readonly string[];
  readonly features: readonly FeatureSpec[];
  /** Row-major; numeric cells as doubles, categorical cells as the index into `categories`; NaN = missing. */
  readonly x: Matrix;
  /** Labels as strings ("4", "M", ...). */
  readonly y: readonly string[];
  /** Rows left out because their label was missing. */
  readonly unlabelledRows: number;
}

export interface DatasetOptions extends CsvTableOptions {
  readonly label: string;
  readonly positive: string;
  /** Columns to ignore; names absent from the file are fine. */
  readonly drop: readonly string[];
  /** When set, the file must have exactly these features (in any column order). */
  readonly features?: readonly string[];
  /** Cells that mean "missing" (pandas' na_values with keep_default_na=False); default DEFAULT_NA_VALUES. */
  readonly naValues?: readonly string[];
  /** Feature columns read as categories even when every cell is a number. */
  readonly categorical?: readonly string[];
}

export function parseDataset(text: string, options: DatasetOptions): Dataset {
  const table = readCsvTable(text, options);
  const index = new Map<string, number>();
  table.names.forEach((name, c) => name !== '' && index.set(name, c));
  const featureNames = selectFeatures([...index.keys()], options, table);
  const forced = new Set(options.categorical ?? []);
  const unknown = [...forced].filter((name) => !featureNames.includes(name));
  if (unknown.length > 0) {
    throw new DatasetError(`dataset.categorical names ${unknown.map((n) => `'${n}'`).join(', ')}, not ${unknown.length > 1 ? 'feature columns' : 'a feature column'} (features: ${featureNames.join(', ')})`, undefined, unknown[0]);
  }

  const na = naValuesOf(options.naValues ?? DEFAULT_NA_VALUES);
  const column = (name: string) => readCsvColumn(table.rows.map((row) => row.cells[index.get(name) as number]), na);
  const label = column(options.label);
  const labelled = table.rows.flatMap((_, r) => (label.text(r) === undefined ? [] : [r]));
  const y = labelled.map((r) => label.text(r) as string);
  const lines = labelled.map((r) => table.rows[r].line);

  const cols = featureNames.length;
  const data = new Float64Array(labelled.length * cols);
  const features = featureNames.map((name, k): FeatureSpec => {
    const values = column(name);
    checkFinite(values, name, table);
    const categorical = forced.has(name) || !isNumericDtype(values.dtype);
    const { codes, categories } = categorical ? encode(values, table.rows.length) : { codes: values.numbers as Float64Array, categories: undefined };
    labelled.forEach((r, i) => (data[i * cols + k] = codes[r]));
    return categorical ? { name, kind: 'categorical', categories } : { name, kind: 'numeric' };
  });

  checkLabels(y, lines, { ...options, positive: positiveText(options.positive, label) });
  return { featureNames, features, x: { rows: labelled.length, cols, data }, y, unlabelledRows: table.rows.length - labelled.length };
}

function selectFeatures(present: readonly string[], options: DatasetOptions, table: CsvTable): readonly string[] {
  const headerLine = table.namedBy === 'the header' ? 1 : undefined;
  if (!present.includes(options.label)) {
    throw new DatasetError(`missing label column '${options.label}' (${table.namedBy} has: ${present.join(', ')})`, headerLine, options.label);
  }
  const dropped = new Set(options.drop);
  const candidates = present.filter((name) => name !== options.label && !dropped.has(name));
  let featureNames = candidates;
  if (options.features) {
    const expected = new Set(options.features);
    const missing = options.features.filter((name) => !present.includes(name));
    if (missing.length > 0) throw new DatasetError(`missing feature column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, headerLine, missing[0]);
    const extra = candidates.filter((name) => !expected.has(name));
    if (extra.length > 0) {
      throw new DatasetError(`unexpected column${extra.length > 1 ? 's' : ''} ${extra.map((n) => `'${n}'`).join(', ')}: not a feature of the model (list it in dataset.drop to ignore it)`, headerLine, extra[0]);
    }
    featureNames = [...options.features];
  }
  if (featureNames.length === 0) throw new DatasetError('the CSV has no feature columns besides the label', headerLine);
  return featureNames;
}

/** scikit-learn rejects infinite inputs (check_array), so an infinite number stops here with its place. */
function checkFinite(column: CsvColumn, name: string, table: CsvTable): void {
  const r = column.numbers?.findIndex((v) => v === Infinity || v === -Infinity) ?? -1;
  if (r < 0) return;
  const line = table.rows[r].line;
  const cell = table.rows[r].cells[table.names.indexOf(name)];
  throw new DatasetError(`line ${line}, column '${name}': '${cell}' is not a finite number`, line, name);
}

/** Category indices in OneHotEncoder's order: np.unique sorts numbers by value and strings by code point. */
function encode(column: CsvColumn, rows: number): { codes: Float64Array; categories: string[] } {
  const codes = new Float64Array(rows);
  if (column.numbers) {
    const numbers = column.numbers;
    const distinct = [...new Set(numbers.filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
    const position = new Map(distinct.map((v, i) => [v, i]));
    numbers.forEach((v, r) => (codes[r] = Number.isNaN(v) ? Number.NaN : (position.get(v) as number)));
    // String(v), not the cell: "1" and "1.0" are the same category of a numeric column.
    return { codes, categories: distinct.map(String) };
  }
  const texts = Array.from(codes, (_, r) => column.text(r));
  const categories = [...new Set(texts.filter((t): t is string => t !== undefined))].sort(compareCodePoints);
  const position = new Map(categories.map((t, i) => [t, i]));
  texts.forEach((t, r) => (codes[r] = t === undefined ? Number.NaN : (position.get(t) as number)));
  return { codes, categories };
}


/** `positive: 4` or `"4.0"` names the label 4 of a numeric label column. */
function positiveText(positive: string, label: CsvColumn): string {
  return isNumericDtype(label.dtype) && floatValue(positive) !== undefined ? numberText(positive, label.dtype) : positive;
}

function checkLabels(y: readonly string[], lines: readonly number[], options: DatasetOptions): void {
  if (y.length === 0) throw new DatasetError(`column '${options.label}' has no label in any row`, undefined, options.label);
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
  for (const [label, n] of counts) {
    if (n < 2) {
      const line = lines[y.indexOf(label)];
      throw new DatasetError(`class '${label}' has only ${n} row (line ${line}): at least 2 are needed to split into training and test rows`, line, options.label);
    }
  }
}
