import { describe, expect, it } from 'vitest';
import { take } from '../../src/core/matrix.js';
import { stratifiedKFold, StratifiedKFoldError, stratifiedTestFolds } from '../../src/core/stratified-k-fold.js';
import { ALL_GOLDEN_CASES, loadGoldenCase, loadWdbc, readGolden } from '../helpers/wdbc.js';

interface SyntheticFolds {
  readonly stratified_k_fold: { labels: string[]; n_splits: number; folds: { train: number[]; test: number[] }[] }[];
}

const wdbc = loadWdbc();

describe.each(ALL_GOLDEN_CASES)('stratifiedKFold(5) on the training split, golden case %s', (name) => {
  const golden = loadGoldenCase(name);
  const yTrain = take(wdbc.y, golden.train_indices);

  it('puts every training sample in the same test fold as scikit-learn', () => {
    expect(Array.from(stratifiedTestFolds(yTrain, 5))).toEqual(golden.cv_test_folds);
  });

  it('yields ascending, disjoint train and test indices covering the split', () => {
    const folds = stratifiedKFold(yTrain, 5);
    expect(folds).toHaveLength(5);
    folds.forEach(({ train, test }, k) => {
      expect(Array.from(test)).toEqual(
        golden.cv_test_folds.flatMap((fold, i) => (fold === k ? [i] : [])),
      );
      expect(train.length + test.length).toBe(yTrain.length);
      expect(Array.from(train)).toEqual([...train].sort((a, b) => a - b));
      const inTest = new Set(test);
      expect(Array.from(train).some((i) => inTest.has(i))).toBe(false);
    });
  });
});

describe('stratifiedKFold on synthetic labels', () => {
  const { stratified_k_fold: cases } = readGolden<SyntheticFolds>('synthetic');
  it.each(cases.map((c) => [c.labels.join(''), c.n_splits, c] as const))(
    'labels %s with %i splits match scikit-learn',
    (_, nSplits, c) => {
      const folds = stratifiedKFold(c.labels, nSplits).map((f) => ({
        train: Array.from(f.train),
        test: Array.from(f.test),
      }));
      expect(folds).toEqual(c.folds);
    },
  );
});

describe('stratifiedKFold argument errors', () => {
  it('names the class that has fewer members than folds', () => {
    const labels = ['B', 'B', 'B', 'M', 'B', 'M', 'B'];
    expect(() => stratifiedKFold(labels, 3)).toThrow(StratifiedKFoldError);
    expect(() => stratifiedKFold(labels, 3)).toThrow(/Class "M" has only 2 members, fewer than nSplits=3/);
  });

  it('rejects fewer than two folds and more folds than samples', () => {
    expect(() => stratifiedKFold(['a', 'b'], 1)).toThrow(/at least 2/);
    expect(() => stratifiedKFold(['a', 'b'], 2.5)).toThrow(/at least 2/);
    expect(() => stratifiedKFold(['a', 'a', 'a'], 4)).toThrow(/greater than the number of samples 3/);
  });
});
