/**
 * scikit-learn 1.2.1's `SimpleImputer(missing_values=np.nan, strategy=…)` on dense data, to the bit.
 * The fitted model is plain JSON data: the value each column's missing cells get.
 */
import type { Matrix } from '../matrix.js';
import { numpySum } from '../numpy-sum.js';

export const imputeStrategies = ['mean', 'median', 'most_frequent'] as const;
export type ImputeStrategy = (typeof imputeStrategies)[number];

export interface SimpleImputerParams {
  readonly strategy: ImputeStrategy;
}

export const defaultSimpleImputerParams: SimpleImputerParams = { strategy: 'mean' };

export interface SimpleImputerModel {
  readonly strategy: ImputeStrategy;
  /** Per column, the value that replaces NaN (scikit-learn's `statistics_`). */
  readonly statistics: readonly number[];
}

export class SimpleImputerError extends Error {
  override readonly name = 'SimpleImputerError';
  constructor(
    message: string,
    /** The column of the imputer's input the problem is in, when there is one. */
    readonly column?: number,
  ) {
    super(message);
  }
}

/**
 * `names` (one per column) only make the error messages speak the user's column names.
 *
 * A column with no observed value in `x` is an error. scikit-learn 1.2 (keep_empty_features=False)
 * drops such a column with a warning, so the model would silently see one feature fewer than the
 * table has; mloop refuses instead and names the column.
 */
export function fitSimpleImputer(params: SimpleImputerParams, x: Matrix, names?: readonly string[]): SimpleImputerModel {
  if (!imputeStrategies.includes(params.strategy)) {
    throw new SimpleImputerError(`strategy must be one of ${imputeStrategies.join(', ')}, got ${String(params.strategy)}`);
  }
  if (x.rows < 1) throw new SimpleImputerError('SimpleImputer needs at least one sample to fit');
  const label = (j: number) => columnLabel(names, j);
  assertNoInfinity(x, 'fit', label);
  const statistic = { mean: columnMean, median: columnMedian, most_frequent: columnMostFrequent }[params.strategy];
  const statistics: number[] = [];
  for (let j = 0; j < x.cols; j++) {
    const value = statistic(x, j);
    if (Number.isNaN(value)) {
      throw new SimpleImputerError(
        `${label(j)} has no observed value in the ${x.rows} training rows, so there is nothing to impute it with ` +
          `(scikit-learn 1.2 would silently drop the column); remove the column or give it values`,
        j,
      );
    }
    statistics.push(value);
  }
  return { strategy: params.strategy, statistics };
}

/** One cell through the fitted imputer: NaN becomes the column's statistic, any other value stays. */
export function imputeCell(model: SimpleImputerModel, column: number, value: number): number {
  return Number.isNaN(value) ? model.statistics[column] : value;
}

export function transformSimpleImputer(model: SimpleImputerModel, x: Matrix, names?: readonly string[]): Matrix {
  if (x.cols !== model.statistics.length) {
    throw new SimpleImputerError(`X has ${x.cols} features, but the SimpleImputer was fitted with ${model.statistics.length} features`);
  }
  assertNoInfinity(x, 'transform', (j) => columnLabel(names, j));
  const data = new Float64Array(x.data.length);
  for (let k = 0; k < data.length; k++) data[k] = imputeCell(model, k % x.cols, x.data[k]);
  return { rows: x.rows, cols: x.cols, data };
}

function columnLabel(names: readonly string[] | undefined, j: number): string {
  return names?.[j] !== undefined ? `'${names[j]}'` : `column ${j}`;
}

/** scikit-learn's input check (force_all_finite="allow-nan") lets NaN through but rejects ±inf. */
function assertNoInfinity(x: Matrix, verb: string, label: (j: number) => string): void {
  for (let k = 0; k < x.data.length; k++) {
    const v = x.data[k];
    if (v === Infinity || v === -Infinity) {
      const row = Math.floor(k / x.cols);
      const column = k - row * x.cols;
      throw new SimpleImputerError(`Cannot ${verb} SimpleImputer: row ${row}, ${label(column)} is ${v}; values must be finite or NaN (missing)`, column);
    }
  }
}

/**
 * `np.ma.mean(masked_X, axis=0)`: the masked cells are filled with 0 and the column is summed with
 * them in place, then divided by the count of observed cells. scikit-learn receives a pandas
 * DataFrame's values column-major (pandas stores a column contiguously), and numpy sums a
 * contiguous axis-0 reduction pairwise in 8192-element chunks: `numpySum` of the column. (A
 * C-ordered array would instead be summed row after row, a plain running sum: other bits.)
 */
function columnMean(x: Matrix, j: number): number {
  const column = new Float64Array(x.rows);
  let count = 0;
  for (let i = 0; i < x.rows; i++) {
    const v = x.data[i * x.cols + j];
    if (!Number.isNaN(v)) {
      column[i] = v;
      count++;
    }
  }
  return count === 0 ? NaN : numpySum(column) / count;
}

/**
 * `np.ma.median(masked_X, axis=0)`: the observed values sorted, the two middle ones (the same one
 * twice for an odd count) added by `np.ma.sum`, which starts from +0, then halved.
 */
function columnMedian(x: Matrix, j: number): number {
  const values = observed(x, j).sort();
  const n = values.length;
  if (n === 0) return NaN;
  const high = Math.floor(n / 2);
  const low = n % 2 === 1 ? high : high - 1;
  return (0 + values[low] + values[high]) / 2;
}

/**
 * scipy.stats.mode for numbers, `Counter` + `min` for strings: the most frequent observed value,
 * and on a tie the smallest. Categorical codes index categories in scikit-learn's sort order, so
 * the smallest code is the category scikit-learn picks.
 */
function columnMostFrequent(x: Matrix, j: number): number {
  const counts = new Map<number, number>();
  for (const v of observed(x, j)) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = NaN;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

function observed(x: Matrix, j: number): Float64Array {
  const values: number[] = [];
  for (let i = 0; i < x.rows; i++) {
    const v = x.data[i * x.cols + j];
    if (!Number.isNaN(v)) values.push(v);
  }
  return Float64Array.from(values);
}
