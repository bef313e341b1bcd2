import { sortedLabels } from './label-order.js';
/**
 * scikit-learn 1.2.1's `train_test_split` on sample indices: ShuffleSplit, or
 * StratifiedShuffleSplit when labels are given. Every RNG call happens in scikit-learn's order,
 * so the same `randomState` selects the same rows.
 */
import { RandomState } from './random-state.js';

export interface TrainTestSplitOptions {
  /** A fraction in (0, 1), or an integer count of test samples in [1, nSamples - 1]. */
  readonly testSize: number;
  /** Seed of numpy's legacy RandomState, an integer in [0, 2**32 - 1]. */
  readonly randomState: number;
}

export interface TrainTestIndices {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

export class TrainTestSplitError extends Error {
  override readonly name = 'TrainTestSplitError';
}

export function trainTestSplit(
  nSamples: number,
  options: TrainTestSplitOptions,
  stratifyLabels?: readonly string[],
): TrainTestIndices {
  const { nTrain, nTest } = splitSizes(nSamples, options.testSize);
  const rng = new RandomState(options.randomState);
  if (stratifyLabels === undefined) {
    const permutation = rng.permutation(nSamples);
    return {
      test: permutation.slice(0, nTest),
      train: permutation.slice(nTest, nTest + nTrain),
    };
  }
  if (stratifyLabels.length !== nSamples) {
    throw new TrainTestSplitError(
      `stratify has ${stratifyLabels.length} labels but there are ${nSamples} samples`,
    );
  }
  return stratifiedSplit(stratifyLabels, nTrain, nTest, rng);
}

/** `_validate_shuffle_split` with train_size=None. */
function splitSizes(nSamples: number, testSize: number): { nTrain: number; nTest: number } {
  if (!Number.isInteger(nSamples) || nSamples < 1) {
    throw new TrainTestSplitError(`nSamples must be a positive integer, got ${String(nSamples)}`);
  }
  let nTest: number;
  if (Number.isInteger(testSize)) {
    if (testSize <= 0 || testSize >= nSamples) {
      throw new TrainTestSplitError(
        `testSize=${testSize} should be either positive and smaller than the number of samples ${nSamples} or a float in the (0, 1) range`,
      );
    }
    nTest = testSize;
  } else {
    if (!(testSize > 0 && testSize < 1)) {
      throw new TrainTestSplitError(
        `testSize=${String(testSize)} should be either positive and smaller than the number of samples ${nSamples} or a float in the (0, 1) range`,
      );
    }
    // Same product as Python's `ceil(test_size * n_samples)`: 0.2 * 569 = 113.80000000000001 -> 114.
    nTest = Math.ceil(testSize * nSamples);
  }
  const nTrain = nSamples - nTest;
  if (nTrain === 0) {
    throw new TrainTestSplitError(
      `With nSamples=${nSamples} and testSize=${testSize}, the resulting train set would be empty`,
    );
  }
  return { nTrain, nTest };
}

function stratifiedSplit(
  labels: readonly string[],
  nTrain: number,
  nTest: number,
  rng: RandomState,
): TrainTestIndices {
  // np.unique(y, return_inverse=True): classes sorted, then each class's indices ascending.
  const classes = sortedLabels(labels);
  const classOf = new Map(classes.map((c, i) => [c, i]));
  const classIndices: number[][] = classes.map(() => []);
  labels.forEach((label, i) => classIndices[classOf.get(label) ?? -1].push(i));
  const classCounts = classIndices.map((members) => members.length);

  classCounts.forEach((count, i) => {
    if (count < 2) {
      throw new TrainTestSplitError(
        `The least populated class in y has only 1 member (class ${JSON.stringify(classes[i])}); stratified splitting needs at least 2 per class`,
      );
    }
  });
  if (nTrain < classes.length) {
    throw new TrainTestSplitError(
      `The train size ${nTrain} should be greater than or equal to the number of classes ${classes.length}`,
    );
  }
  if (nTest < classes.length) {
    throw new TrainTestSplitError(
      `The test size ${nTest} should be greater than or equal to the number of classes ${classes.length}`,
    );
  }

  const nI = approximateMode(classCounts, nTrain, rng);
  const remaining = classCounts.map((count, i) => count - nI[i]);
  const tI = approximateMode(remaining, nTest, rng);

  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((_, i) => {
    const permutation = rng.permutation(classCounts[i]);
    const members = classIndices[i];
    for (let k = 0; k < nI[i]; k++) train.push(members[permutation[k]]);
    for (let k = nI[i]; k < nI[i] + tI[i]; k++) test.push(members[permutation[k]]);
  });
  // scikit-learn shuffles the train list before the test list; the order of the draws matters.
  const trainOut = Int32Array.from(train);
  rng.shuffle(trainOut);
  const testOut = Int32Array.from(test);
  rng.shuffle(testOut);
  return { train: trainOut, test: testOut };
}

/**
 * `sklearn.utils._approximate_mode`: floor each class's share of nDraws, then hand out the
 * missing draws by descending remainder. Equal remainders are a tie broken by
 * `rng.choice(inds, size, replace=False)`, which numpy implements as `permutation(len)[:size]`;
 * it is called (and consumes draws) even when every tied class gets one.
 */
export function approximateMode(classCounts: readonly number[], nDraws: number, rng: RandomState): number[] {
  const total = classCounts.reduce((a, b) => a + b, 0);
  const continuous = classCounts.map((count) => (count / total) * nDraws);
  const floored = continuous.map(Math.floor);
  let needToAdd = nDraws - floored.reduce((a, b) => a + b, 0);
  if (needToAdd > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds: number[] = [];
      remainder.forEach((r, i) => {
        if (r === value) inds.push(i);
      });
      const addNow = Math.min(inds.length, needToAdd);
      const chosen = rng.permutation(inds.length).subarray(0, addNow);
      for (const c of chosen) floored[inds[c]] += 1;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}
