/**
 * Pearson's chi-square test of independence on a contingency table,
 * `scipy.stats.chi2_contingency(table)` as SciPy 1.10 computes it (correction=True,
 * lambda_=None), and the category-frequency drift test built on it.
 *
 * The expected frequencies and the statistic are SciPy's to the bit for tables of counts (the
 * margins are exact integer sums; each expected value is row * column / total, and the terms
 * (o - e)^2 / e add in numpy's pairwise order). The p-value is chiSquareSf, within 1e-12
 * relative of SciPy's on the golden grid (see stats/incomplete-gamma.ts).
 */
import { numpySum, pairwiseSum } from '../numpy-sum.js';
import { chiSquareSf } from '../stats/incomplete-gamma.js';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  /** (rows - 1)(columns - 1). */
  readonly dof: number;
}

export interface ContingencyResult extends ChiSquareResult {
  /** row total * column total / grand total, in the table's shape. */
  readonly expected: readonly (readonly number[])[];
}

export interface ContingencyOptions {
  /**
   * Yates' continuity correction when dof = 1 (SciPy's default, true): each observed count
   * moves by up to 0.5 towards its expected value before the statistic is summed.
   */
  readonly correction?: boolean;
}

export class ChiSquareError extends Error {
  override readonly name = 'ChiSquareError';
}

/** `scipy.stats.chi2_contingency(table, correction)` for a two-dimensional table. */
export function chi2Contingency(
  table: readonly (readonly number[])[],
  options: ContingencyOptions = {},
): ContingencyResult {
  const { correction = true } = options;
  const rows = table.length;
  const cols = rows === 0 ? 0 : table[0].length;
  if (rows === 0 || cols === 0) throw new ChiSquareError('the contingency table is empty');
  const observed = new Float64Array(rows * cols);
  table.forEach((row, i) => {
    if (row.length !== cols) throw new ChiSquareError(`table row ${i} has ${row.length} cells, row 0 has ${cols}`);
    row.forEach((v, j) => {
      assertCount(v, `table cell (${i}, ${j})`);
      observed[i * cols + j] = v;
    });
  });

  // expected_freq: margins by np.sum over each axis (a row is one pairwise sum; a column adds
  // row after row), their outer product, divided by observed.sum().
  const rowSums = Array.from({ length: rows }, (_, i) => 0 + pairwiseSum(observed, i * cols, cols));
  const colSums = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) colSums[j] += observed[i * cols + j];
  const total = numpySum(observed);
  const expected = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const e = (rowSums[i] * colSums[j]) / total;
      // SciPy refuses a zero expected frequency (an all-zero row or column): the statistic
      // would divide by it.
      if (e === 0) {
        throw new ChiSquareError(
          `the expected frequency at (${i}, ${j}) is zero: row ${i} or column ${j} has no counts`,
        );
      }
      expected[i * cols + j] = e;
    }
  }
  const expectedRows = Array.from({ length: rows }, (_, i) => Array.from(expected.subarray(i * cols, (i + 1) * cols)));

  const dof = (rows - 1) * (cols - 1);
  // One non-trivial dimension: observed equals expected, and SciPy returns 0 and 1 directly.
  if (dof === 0) return { statistic: 0, pValue: 1, dof, expected: expectedRows };

  const terms = new Float64Array(rows * cols);
  for (let k = 0; k < terms.length; k++) {
    let o = observed[k];
    const e = expected[k];
    if (dof === 1 && correction) {
      // o + min(0.5, |e - o|) * sign(e - o): never past the expected value (SciPy gh-13875).
      const diff = e - o;
      o += Math.min(0.5, Math.abs(diff)) * Math.sign(diff);
    }
    const d = o - e;
    // (f_obs - f_exp)**2 / f_exp: numpy squares by one multiplication.
    terms[k] = (d * d) / e;
  }
  const statistic = numpySum(terms);
  return { statistic, pValue: chiSquareSf(statistic, dof), dof, expected: expectedRows };
}

export interface CategoryDriftResult extends ChiSquareResult {
  /** Indices of the categories the test compared: those seen in the reference or the recent data. */
  readonly categories: readonly number[];
}

/**
 * Did the category shares of a column change? `chi2Contingency` of the 2 x k table
 * [reference counts; recent counts], with SciPy's defaults (so Yates' correction when only two
 * categories remain), after dropping the categories counted in neither (their expected
 * frequency would be zero, which SciPy rejects). With fewer than two categories left no share
 * can move: the result is SciPy's dof-0 answer, statistic 0 and p-value 1, and the caller
 * should report that the column could not drift rather than that it did not.
 *
 * Both arrays give counts per category in the same category order; each needs a positive total.
 */
export function categoryDriftTest(referenceCounts: readonly number[], recentCounts: readonly number[]): CategoryDriftResult {
  if (referenceCounts.length !== recentCounts.length) {
    throw new ChiSquareError(
      `reference has ${referenceCounts.length} categories but recent has ${recentCounts.length}: give both in the same category order`,
    );
  }
  for (const [name, counts] of [['reference', referenceCounts], ['recent', recentCounts]] as const) {
    counts.forEach((v, j) => assertCount(v, `${name} count ${j}`));
    if (!counts.some((v) => v > 0)) throw new ChiSquareError(`the ${name} counts are all zero: nothing to compare`);
  }
  const categories = referenceCounts.map((_, j) => j).filter((j) => referenceCounts[j] + recentCounts[j] > 0);
  const { statistic, pValue, dof } = chi2Contingency([
    categories.map((j) => referenceCounts[j]),
    categories.map((j) => recentCounts[j]),
  ]);
  return { statistic, pValue, dof, categories };
}

function assertCount(v: number, where: string): void {
  if (!(v >= 0 && Number.isFinite(v))) throw new ChiSquareError(`${where} is ${v}: counts must be finite and non-negative`);
}
