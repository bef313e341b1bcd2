import { describe, expect, it } from 'vitest';
import { KS_MAX_EXACT_N, KsTestError, ksTwoSample } from '../../src/core/drift/ks-test.js';
import { kstwoSf } from '../../src/core/drift/kstwo-distribution.js';
import { smirnovSf } from '../../src/core/drift/smirnov.js';
import { expectClose } from '../helpers/expect-close.js';
import { readGolden } from '../helpers/wdbc.js';

/** A sample as scripts/make-drift-golden.py stores it: its values, or how to make them. */
type GoldenSample =
  | { readonly values: number[] }
  | { readonly modular: { n: number; mult: number; mod: number; div: number; offset: number } };

interface DriftKsGolden {
  readonly scipy_version: string;
  readonly ks_2samp: {
    name: string;
    reference: GoldenSample;
    current: GoldenSample;
    statistic: number;
    pvalue: number;
    method: 'exact' | 'asymp';
  }[];
  /** [n, x, scipy.stats.kstwo.sf(x, n)] */
  readonly kstwo_sf: [number, number, number][];
  /** [n, x, scipy.special.smirnov(n, x)] */
  readonly smirnov: [number, number, number][];
}

const golden = readGolden<DriftKsGolden>('drift-ks');

function expand(sample: GoldenSample): number[] {
  if ('values' in sample) return sample.values;
  const { n, mult, mod, div, offset } = sample.modular;
  // Integer arithmetic, then one division and one addition: the script's float64 values exactly.
  return Array.from({ length: n }, (_, i) => ((i * mult) % mod) / div + offset);
}

describe(`ksTwoSample against scipy.stats.ks_2samp (SciPy ${golden.scipy_version})`, () => {
  it('has golden cases on both of SciPy\'s paths, including samples above the exact limit', () => {
    const methods = golden.ks_2samp.map((c) => c.method);
    expect(methods.filter((m) => m === 'exact').length).toBeGreaterThan(10);
    expect(methods.filter((m) => m === 'asymp').length).toBeGreaterThanOrEqual(4);
    const sizes = golden.ks_2samp.map((c) => Math.max(expand(c.reference).length, expand(c.current).length));
    expect(sizes.some((n) => n > KS_MAX_EXACT_N)).toBe(true);
  });

  it.each(golden.ks_2samp.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const result = ksTwoSample(expand(c.reference), expand(c.current));
    expect(result.statistic).toBe(c.statistic);
    expect(result.method).toBe(c.method);
    if (c.method === 'exact') {
      // The exact path performs SciPy's float operations in SciPy's order: the same bits.
      expect(result.pValue).toBe(c.pvalue);
    } else {
      expectClose(result.pValue, c.pvalue, 1e-10);
    }
  });

  it('gives the same result with the samples swapped, and for typed arrays', () => {
    for (const c of golden.ks_2samp.slice(0, 12)) {
      const a = expand(c.reference);
      const b = expand(c.current);
      const forward = ksTwoSample(a, b);
      expect(ksTwoSample(b, a)).toEqual(forward);
      expect(ksTwoSample(Float64Array.from(a), Float64Array.from(b))).toEqual(forward);
    }
  });

  it('does not reorder or modify its inputs', () => {
    const reference = [3, 1, 2];
    const current = new Float64Array([9, 7, 8]);
    ksTwoSample(reference, current);
    expect(reference).toEqual([3, 1, 2]);
    expect(Array.from(current)).toEqual([9, 7, 8]);
  });

  it('refuses an empty sample and NaN, naming which', () => {
    expect(() => ksTwoSample([], [1])).toThrow(new KsTestError('ks_2samp needs a non-empty reference sample'));
    expect(() => ksTwoSample([1], [])).toThrow(/non-empty current sample/);
    expect(() => ksTwoSample([1, Number.NaN], [1])).toThrow(/reference sample has NaN at index 1/);
  });
});

describe('kstwoSf against scipy.stats.kstwo.sf', () => {
  it('covers every method: n up to 1e6, n x^2 from 0.05 to 371', () => {
    expect(golden.kstwo_sf.length).toBeGreaterThan(300);
    expect(golden.kstwo_sf.some(([n]) => n > 100000)).toBe(true);
  });

  it('matches to 1e-10 relative at every grid point', () => {
    for (const [n, x, expected] of golden.kstwo_sf) expectClose(kstwoSf(x, n), expected, 1e-10);
  });

  it('is 1 at or below 0.5/n and 0 from 1 on, as the distribution wrapper makes it', () => {
    expect(kstwoSf(0.5 / 7, 7)).toBe(1);
    expect(kstwoSf(1, 7)).toBe(0);
    expect(kstwoSf(0.3, 0)).toBeNaN();
    expect(kstwoSf(0.3, 2.5)).toBeNaN();
  });
});

describe('smirnovSf against scipy.special.smirnov', () => {
  it('matches to 1e-10 relative at every grid point', () => {
    for (const [n, x, expected] of golden.smirnov) expectClose(smirnovSf(n, x), expected, 1e-10);
  });

  it('has the closed forms at the ends', () => {
    expect(smirnovSf(1, 0.25)).toBe(0.75);
    expect(smirnovSf(10, 0)).toBe(1);
    expect(smirnovSf(10, 1)).toBe(0);
    expect(smirnovSf(10, 1.5)).toBeNaN();
  });
});
