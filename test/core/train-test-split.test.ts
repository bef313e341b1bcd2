import { describe, expect, it } from 'vitest';
import { RandomState } from '../../src/core/random-state.js';
import {
  approximateMode,
  trainTestSplit,
  TrainTestSplitError,
} from '../../src/core/train-test-split.js';
import { ALL_GOLDEN_CASES, loadGoldenCase, loadWdbc, readGolden } from '../helpers/wdbc.js';

interface SyntheticSplits {
  readonly splits: {
    labels?: string[];
    n?: number;
    test_size: number;
    random_state: number;
    train: number[];
    test: number[];
  }[];
}

const wdbc = loadWdbc();

describe.each(ALL_GOLDEN_CASES)('trainTestSplit on wdbc, golden case %s', (name) => {
  const golden = loadGoldenCase(name);
  it('selects the same rows in the same order as scikit-learn', () => {
    const { train, test } = trainTestSplit(
      wdbc.y.length,
      { testSize: golden.split.test_size, randomState: golden.split.random_state },
      golden.split.stratify ? wdbc.y : undefined,
    );
    expect(Array.from(test)).toEqual(golden.test_indices);
    expect(Array.from(train)).toEqual(golden.train_indices);
  });
});

describe('trainTestSplit on synthetic labels', () => {
  const { splits } = readGolden<SyntheticSplits>('synthetic');
  it.each(splits.map((s, i) => [i, s] as const))('case %i matches scikit-learn', (_, s) => {
    const n = s.labels?.length ?? s.n ?? 0;
    const got = trainTestSplit(n, { testSize: s.test_size, randomState: s.random_state }, s.labels);
    expect(Array.from(got.train)).toEqual(s.train);
    expect(Array.from(got.test)).toEqual(s.test);
  });

  it('accepts an integer test count', () => {
    const { train, test } = trainTestSplit(10, { testSize: 3, randomState: 0 });
    expect(test.length).toBe(3);
    expect(train.length).toBe(7);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('approximateMode', () => {
  it('reproduces the examples in scikit-learn\'s docstring', () => {
    expect(approximateMode([4, 2], 3, new RandomState(0))).toEqual([2, 1]);
    expect(approximateMode([5, 2], 4, new RandomState(0))).toEqual([3, 1]);
    expect(approximateMode([2, 2, 2, 1], 2, new RandomState(0))).toEqual([0, 1, 1, 0]);
    expect(approximateMode([2, 2, 2, 1], 2, new RandomState(42))).toEqual([1, 1, 0, 0]);
  });
});

describe('trainTestSplit argument errors', () => {
  const bad = (n: number, testSize: number, randomState = 0, labels?: string[]) => () =>
    trainTestSplit(n, { testSize, randomState }, labels);

  it.each([0, 1.0 + 1e-9, -0.2, 10, 11, Number.NaN])('rejects testSize=%s for 10 samples', (testSize) => {
    expect(bad(10, testSize)).toThrow(TrainTestSplitError);
    expect(bad(10, testSize)).toThrow(/testSize=/);
  });

  it('rejects a fraction that leaves no training sample', () => {
    expect(bad(10, 0.99)).toThrow(/train set would be empty/);
  });

  it('rejects a bad sample count and a bad seed', () => {
    expect(bad(0, 0.2)).toThrow(/nSamples must be a positive integer/);
    expect(bad(10, 0.2, -1)).toThrow(/randomState must be an integer/);
  });

  it('rejects stratify labels of the wrong length', () => {
    expect(bad(4, 0.5, 0, ['a', 'b', 'a'])).toThrow(/stratify has 3 labels but there are 4 samples/);
  });

  it('names a class with a single member, as scikit-learn refuses to stratify it', () => {
    expect(bad(5, 0.4, 0, ['a', 'a', 'b', 'b', 'lonely'])).toThrow(/only 1 member \(class "lonely"\)/);
  });

  it('needs at least one test and one train sample per class', () => {
    const labels = ['a', 'a', 'b', 'b', 'c', 'c'];
    expect(bad(6, 0.2, 0, labels)).toThrow(/test size 2 should be greater than or equal to the number of classes 3/);
    expect(bad(6, 0.8, 0, labels)).toThrow(/train size 1 should be greater than or equal to the number of classes 3/);
  });
});
