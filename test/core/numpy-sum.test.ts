import { describe, expect, it } from 'vitest';
import { takeRows } from '../../src/core/matrix.js';
import { fitMinMaxScaler, transformMinMax } from '../../src/core/min-max-scaler.js';
import { mean, numpySum, pairwiseSum, variance } from '../../src/core/numpy-sum.js';
import type { Gamma } from '../../src/core/svc/svc.js';
import { resolveGamma } from '../../src/core/svc/svc.js';
import { ALL_GOLDEN_CASES, loadGoldenCase, loadWdbc, readGolden } from '../helpers/wdbc.js';

interface SyntheticSums {
  readonly sums: { n: number; sum: number; var: number | null }[];
}

/** Same formula as synthetic_values in scripts/make-golden.py. */
function syntheticValues(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 10007) / 97 - 50);
}

const wdbc = loadWdbc();

describe('numpy float64 summation', () => {
  const { sums } = readGolden<SyntheticSums>('synthetic');

  it.each(sums.map((s) => [s.n, s] as const))('x.sum() and x.var() match numpy exactly for n=%i', (n, golden) => {
    const values = syntheticValues(n);
    expect(numpySum(values)).toBe(golden.sum);
    if (golden.var !== null) expect(variance(values)).toBe(golden.var);
  });

  it('pairwiseSum is one add-loop call: equal to numpySum up to the 8192-element buffer', () => {
    const values = syntheticValues(8192);
    expect(pairwiseSum(values)).toBe(numpySum(values));
    expect(pairwiseSum(values, 100, 29)).toBe(numpySum(values.slice(100, 129)));
  });

  it('needs the buffer chunking: one pairwise sum over 20000 elements is not what numpy returns', () => {
    const values = syntheticValues(20000);
    const golden = sums.find((s) => s.n === 20000);
    expect(numpySum(values)).toBe(golden?.sum);
    expect(pairwiseSum(values)).not.toBe(golden?.sum);
  });

  it('uses eight accumulators, not a left-to-right loop, from 8 elements on', () => {
    const values = Float64Array.from([1e16, 1, 1, 1, 1, 1, 1, 1, -1e16]);
    let naive = 0;
    for (const v of values) naive += v;
    expect(naive).toBe(0);
    // ((1e16 + 1) + (1 + 1)) + ((1 + 1) + (1 + 1)) keeps the small terms, then -1e16 leaves them.
    expect(pairwiseSum(values)).toBe(6);
  });

  it('returns NaN for the mean and variance of nothing, and 0 for the sum', () => {
    expect(numpySum(new Float64Array(0))).toBe(0);
    expect(mean(new Float64Array(0))).toBeNaN();
    expect(variance(new Float64Array(0))).toBeNaN();
  });
});

describe.each(ALL_GOLDEN_CASES)('X.var() as gamma="scale" uses it, golden case %s', (name) => {
  const golden = loadGoldenCase(name);
  const xTrain = takeRows(wdbc.x, golden.train_indices);

  it('raw training features', () => {
    expect(variance(xTrain.data)).toBe(golden.X_train_var);
  });

  it('min-max scaled training features', () => {
    const scaled = transformMinMax(fitMinMaxScaler(xTrain), xTrain);
    expect(variance(scaled.data)).toBe(golden.X_train_scaled_var);
  });

  // Every mode of the case, through mloop's own resolveGamma on the rows that mode's SVC sees.
  it.each(Object.entries(golden.modes))('gives the gamma scikit-learn used in %s', (mode, expected) => {
    const rows = mode === 'basic' ? xTrain : transformMinMax(fitMinMaxScaler(xTrain), xTrain);
    expect(resolveGamma(expected.params.gamma as Gamma, rows)).toBe(expected.gamma);
  });
});
