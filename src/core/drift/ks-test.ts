/**
 * The two-sample Kolmogorov-Smirnov test, `scipy.stats.ks_2samp(reference, current)` with
 * alternative='two-sided' and method='auto', as SciPy 1.10 computes it.
 *
 * 'auto' means the exact null distribution when neither sample has more than 10000 values
 * (Hodges' lattice-path counting), and otherwise, or when the exact computation fails, the
 * asymptotic one: kstwo.sf(D, round(n1 n2 / (n1 + n2))). The statistic is SciPy's to the bit
 * (on the exact path SciPy returns h / lcm(n1, n2), the rounded D, and so does this). The exact
 * path performs SciPy's floating-point operations in SciPy's order and uses no library
 * function, so its p-values are bit-identical (every golden case and ~450 random pairs of
 * samples up to 2500 values); the asymptotic path's accuracy is given in kstwo-distribution.ts.
 */
import { kstwoSf } from './kstwo-distribution.js';

export interface KsTestResult {
  /** D = max |F_ref(t) - F_cur(t)|; on the exact path, SciPy's h / lcm(n1, n2) rounding of it. */
  readonly statistic: number;
  readonly pValue: number;
  /** Which null distribution gave the p-value, as SciPy's method='auto' chose it. */
  readonly method: 'exact' | 'asymp';
}

export class KsTestError extends Error {
  override readonly name = 'KsTestError';
}

/** ks_2samp's MAX_AUTO_N: 'auto' tries the exact distribution up to this many values per sample. */
export const KS_MAX_EXACT_N = 10000;

export function ksTwoSample(reference: Float64Array | readonly number[], current: Float64Array | readonly number[]): KsTestResult {
  const data1 = sortedCopy(reference, 'reference');
  const data2 = sortedCopy(current, 'current');
  const n1 = data1.length;
  const n2 = data2.length;

  // The ECDF difference at every value of either sample (searchsorted side='right' in SciPy);
  // tied values all give the same difference, so walking the distinct values is enough.
  let minDiff = 0;
  let maxDiff = 0;
  let i1 = 0;
  let i2 = 0;
  while (i1 < n1 || i2 < n2) {
    const v = i2 >= n2 || (i1 < n1 && data1[i1] <= data2[i2]) ? data1[i1] : data2[i2];
    while (i1 < n1 && data1[i1] <= v) i1++;
    while (i2 < n2 && data2[i2] <= v) i2++;
    const diff = i1 / n1 - i2 / n2;
    if (diff < minDiff) minDiff = diff;
    if (diff > maxDiff) maxDiff = diff;
  }
  // SciPy clips -min to [0, 1] and takes it only when strictly larger than max.
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  let d = minS > maxDiff ? minS : maxDiff;

  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    const p = h === 0 ? 1 : n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    // SciPy rejects an exact p outside [0, 1] (rounding for tiny h with n1 = n2) and falls back.
    if (p >= 0 && p <= 1) return { statistic: d, pValue: p, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  const p = kstwoSf(d, roundHalfEven(en));
  return { statistic: d, pValue: Math.min(Math.max(p, 0), 1), method: 'asymp' };
}

function sortedCopy(values: Float64Array | readonly number[], name: string): Float64Array {
  if (values.length === 0) throw new KsTestError(`ks_2samp needs a non-empty ${name} sample`);
  const out = Float64Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i])) throw new KsTestError(`${name} sample has NaN at index ${i}`);
  }
  return out.sort();
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** numpy's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `_compute_prob_outside_square(n, h)`: P(D_{n,n} >= h/n), as
 * 2 * (C(2n, n-h) - C(2n, n-2h) + ...) / C(2n, n) evaluated by Horner to avoid cancellation.
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * `_compute_outer_prob_inside_method(m, n, g, h)` (SciPy's Pythran module): 1 minus the share
 * of lattice paths from (0, 0) to (m, n) that stay strictly inside |x/m - y/n| < h / lcm(m, n).
 * Viehmann's recursion computes that complement directly, column by column over a sliding
 * window, so no binomial coefficient is ever formed.
 */
function outerProbInside(n1: number, n2: number, g: number, h: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const a = new Float64Array(lenA).fill(1);
  a.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj] * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1];
}
