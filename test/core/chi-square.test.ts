import { describe, expect, it } from 'vitest';
import { ChiSquareError, categoryDriftTest, chi2Contingency } from '../../src/core/drift/chi-square.js';
import { chiSquareSf, gammaQ } from '../../src/core/stats/incomplete-gamma.js';
import { MIN_NORMAL, expectClose } from '../helpers/expect-close.js';
import { readGolden } from '../helpers/wdbc.js';

interface ChiSquareGolden {
  readonly scipy_version: string;
  readonly contingency: {
    name: string;
    table: number[][];
    statistic: number;
    pvalue: number;
    dof: number;
    expected: number[][];
  }[];
  /** [df, x, scipy.stats.chi2.sf(x, df)] */
  readonly chi2_sf: [number, number, number][];
  /** [a, x, scipy.special.gammaincc(a, x)] */
  readonly gammaincc: [number, number, number][];
  readonly drift: {
    name: string;
    reference: number[];
    recent: number[];
    kept: number[];
    statistic: number;
    pvalue: number;
    dof: number;
  }[];
}

const golden = readGolden<ChiSquareGolden>('chi-square');

/**
 * The p-value tolerance. chiSquareSf performs SciPy's igamc arithmetic, but JavaScript's
 * Math.log / Math.exp / Math.pow and glibc's differ in the last bit now and then, and the
 * prefactor exp(a log x - x - log Gamma(a)) turns one bit of a term of size |a log x| into a
 * relative difference of about |a log x| 2^-53: at most 2.3e-13 on this grid.
 */
const P_RTOL = 1e-12;

describe(`chi2Contingency against scipy.stats.chi2_contingency (SciPy ${golden.scipy_version})`, () => {
  it('has 2x2 (Yates), k x 2, dof-0 and tiny-p cases', () => {
    const c = golden.contingency;
    expect(c.filter((t) => t.dof === 1).length).toBeGreaterThanOrEqual(5);
    expect(c.some((t) => t.table.length > 2 && t.table[0].length === 2)).toBe(true);
    expect(c.some((t) => t.dof === 0)).toBe(true);
    expect(c.some((t) => t.pvalue > 0 && t.pvalue < 1e-290)).toBe(true);
  });

  it.each(golden.contingency.map((t) => [t.name, t] as const))('%s', (_, t) => {
    const result = chi2Contingency(t.table);
    // Integer margins, one division per expected value and numpy's summation order: exact.
    expect(result.expected).toEqual(t.expected);
    expect(result.statistic).toBe(t.statistic);
    expect(result.dof).toBe(t.dof);
    expectClose(result.pValue, t.pvalue, P_RTOL);
  });

  it('skips the correction when asked, and rejects what SciPy rejects', () => {
    const yates = chi2Contingency([[3, 7], [9, 2]]);
    const plain = chi2Contingency([[3, 7], [9, 2]], { correction: false });
    expect(plain.statistic).toBeGreaterThan(yates.statistic);
    expect(plain.expected).toEqual(yates.expected);
    expect(() => chi2Contingency([])).toThrow(ChiSquareError);
    expect(() => chi2Contingency([[1, 2], [3]])).toThrow(/row 1 has 1 cells/);
    expect(() => chi2Contingency([[1, -2], [3, 4]])).toThrow(/cell \(0, 1\) is -2/);
    expect(() => chi2Contingency([[1, 0], [3, 0]])).toThrow(/expected frequency at \(0, 1\) is zero/);
  });
});

describe(`chiSquareSf against scipy.stats.chi2.sf (SciPy ${golden.scipy_version})`, () => {
  it('covers df from 1 to 100000 and p from 1 - 1e-15 down to 1e-300', () => {
    const dfs = golden.chi2_sf.map((r) => r[0]);
    const ps = golden.chi2_sf.map((r) => r[2]).filter((p) => p > 0);
    expect(Math.max(...dfs)).toBeGreaterThanOrEqual(100000);
    expect(Math.min(...ps)).toBeLessThan(1e-300);
    expect(Math.max(...ps.filter((p) => p < 1))).toBeGreaterThan(1 - 1e-14);
  });

  it(`agrees within ${P_RTOL} relative at every grid point`, () => {
    let worst = 0;
    for (const [df, x, p] of golden.chi2_sf) {
      const q = chiSquareSf(x, df);
      expectClose(q, p, P_RTOL);
      if (p >= MIN_NORMAL) worst = Math.max(worst, Math.abs(q - p) / p);
    }
    // The documented figure; a port that drifted from SciPy's arithmetic would exceed it.
    expect(worst).toBeLessThan(3e-13);
  });

  it(`gammaQ agrees with scipy.special.gammaincc within ${P_RTOL} at other shapes a`, () => {
    for (const [a, x, p] of golden.gammaincc) expectClose(gammaQ(a, x), p, P_RTOL);
  });

  it('handles the edges as SciPy does', () => {
    expect(chiSquareSf(0, 3)).toBe(1);
    expect(chiSquareSf(-1, 3)).toBe(1);
    expect(chiSquareSf(Infinity, 3)).toBe(0);
    expect(chiSquareSf(1, 0)).toBeNaN();
    expect(chiSquareSf(Number.NaN, 2)).toBeNaN();
    expect(gammaQ(0, 1)).toBe(0);
    expect(gammaQ(Infinity, 1)).toBe(1);
    expect(gammaQ(1, -1)).toBeNaN();
  });
});

describe(`categoryDriftTest against chi2_contingency of [reference; recent] (SciPy ${golden.scipy_version})`, () => {
  it.each(golden.drift.map((t) => [t.name, t] as const))('%s', (_, t) => {
    const result = categoryDriftTest(t.reference, t.recent);
    expect(result.categories).toEqual(t.kept);
    expect(result.statistic).toBe(t.statistic);
    expect(result.dof).toBe(t.dof);
    expectClose(result.pValue, t.pvalue, P_RTOL);
  });

  it('rejects mismatched categories, bad counts and an empty side', () => {
    expect(() => categoryDriftTest([1, 2], [1, 2, 3])).toThrow(/2 categories but recent has 3/);
    expect(() => categoryDriftTest([1, Number.NaN], [1, 2])).toThrow(/reference count 1 is NaN/);
    expect(() => categoryDriftTest([5, 6], [0, 0])).toThrow(/recent counts are all zero/);
  });
});
