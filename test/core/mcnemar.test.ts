import { describe, expect, it } from 'vitest';
import { McNemarError, binomialCdfHalf, mcnemarExact, mcnemarFromOutcomes } from '../../src/core/stats/mcnemar.js';
import { MIN_NORMAL, expectClose } from '../helpers/expect-close.js';
import { readGolden } from '../helpers/wdbc.js';

interface McNemarGolden {
  readonly scipy_version: string;
  /** pvalue from scipy.stats.binom.cdf; pvalue_exact is the exact rational, correctly rounded. */
  readonly tests: { b: number; c: number; pvalue: number; pvalue_exact: number }[];
  /** [k, n, scipy.stats.binom.cdf(k, n, 0.5), exact value correctly rounded] */
  readonly binom_cdf_half: [number, number, number, number][];
  readonly paired: { correct_a: boolean[]; correct_b: boolean[]; b: number; c: number; pvalue: number };
}

const golden = readGolden<McNemarGolden>('mcnemar');

describe(`exact McNemar test against scipy.stats.binom.cdf (SciPy ${golden.scipy_version})`, () => {
  it('has cases with large counts and p-values at the edge of underflow', () => {
    expect(golden.tests.some((t) => t.b + t.c > 10000)).toBe(true);
    expect(golden.tests.some((t) => t.pvalue_exact > 0 && t.pvalue_exact < MIN_NORMAL)).toBe(true);
    expect(golden.tests.some((t) => t.b + t.c === 0)).toBe(true);
  });

  it.each(golden.tests.map((t) => [`b=${t.b} c=${t.c}`, t] as const))('%s', (_, t) => {
    const result = mcnemarExact(t.b, t.c);
    expect(result).toMatchObject({ b: t.b, c: t.c, statistic: Math.min(t.b, t.c) });
    // The double-double sum rounds to the exact value's nearest double (subnormals aside).
    if (t.pvalue_exact >= MIN_NORMAL) expect(result.pValue).toBe(t.pvalue_exact);
    else expectClose(result.pValue, t.pvalue_exact, 0);
    // SciPy's Boost incomplete beta is off by up to ~2e-13 relative in these cases.
    expectClose(result.pValue, t.pvalue, 5e-13);
  });

  it('is symmetric in b and c', () => {
    for (const t of golden.tests) expect(mcnemarExact(t.c, t.b).pValue).toBe(mcnemarExact(t.b, t.c).pValue);
  });

  it('counts the discordant pairs of paired outcomes', () => {
    const { correct_a, correct_b, b, c, pvalue } = golden.paired;
    const result = mcnemarFromOutcomes(correct_a, correct_b);
    expect([result.b, result.c]).toEqual([b, c]);
    expectClose(result.pValue, pvalue, 5e-13);
  });

  it('rejects counts that are not non-negative integers and outcomes of different lengths', () => {
    expect(() => mcnemarExact(-1, 3)).toThrow(McNemarError);
    expect(() => mcnemarExact(2, 1.5)).toThrow(/c must be a count/);
    expect(() => mcnemarFromOutcomes([true], [true, false])).toThrow(/1 for A, 2 for B/);
  });
});

describe('binomialCdfHalf against scipy.stats.binom.cdf(k, n, 0.5)', () => {
  it.each(golden.binom_cdf_half.map((r) => [`k=${r[0]} n=${r[1]}`, r] as const))('%s', (_, [k, n, scipy, exact]) => {
    const p = binomialCdfHalf(k, n);
    if (exact >= MIN_NORMAL) expect(p).toBe(exact);
    else expectClose(p, exact, 0);
    expectClose(p, scipy, 5e-13);
  });

  it('floors k and is 0 below the support, as SciPy', () => {
    expect(binomialCdfHalf(2.7, 10)).toBe(binomialCdfHalf(2, 10));
    expect(binomialCdfHalf(-1, 10)).toBe(0);
    expect(() => binomialCdfHalf(1, 2.5)).toThrow(McNemarError);
  });
});
