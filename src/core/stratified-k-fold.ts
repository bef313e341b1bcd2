/**
 * scikit-learn 1.2.1's `StratifiedKFold(n_splits, shuffle=False)`: the cross-validation folds
 * GridSearchCV(cv=5) uses for a classifier, reproduced index for index.
 */
import type { TrainTestIndices } from './train-test-split.js';

export class StratifiedKFoldError extends Error {
  override readonly name = 'StratifiedKFoldError';
}

/**
 * For each sample, the fold (0..nSplits-1) whose test set holds it: scikit-learn's
 * `_make_test_folds`. Classes are numbered in order of first appearance (not sorted), the
 * per-fold allocation is a round robin over the class-sorted labels, and each class's samples,
 * in data order, fill fold 0 first, then fold 1, and so on.
 */
export function stratifiedTestFolds(labels: readonly string[], nSplits: number): Int32Array {
  validate(labels, nSplits);
  const codeOf = new Map<string, number>();
  const encoded = labels.map((label) => {
    let code = codeOf.get(label);
    if (code === undefined) {
      code = codeOf.size;
      codeOf.set(label, code);
    }
    return code;
  });
  const classes = [...codeOf.keys()];
  const counts = classes.map(() => 0);
  for (const code of encoded) counts[code]++;

  // scikit-learn only warns when a class has fewer members than folds (it raises only when
  // every class does); such a fold has no sample of that class, and its scores are misleading.
  counts.forEach((count, k) => {
    if (count < nSplits) {
      throw new StratifiedKFoldError(
        `Class ${JSON.stringify(classes[k])} has only ${count} member${count === 1 ? '' : 's'}, fewer than nSplits=${nSplits}`,
      );
    }
  });

  // allocation[i][k] = np.bincount(y_order[i::n_splits])[k], y_order = np.sort(encoded).
  const allocation = Array.from({ length: nSplits }, () => classes.map(() => 0));
  let position = 0;
  counts.forEach((count, k) => {
    for (let c = 0; c < count; c++, position++) allocation[position % nSplits][k]++;
  });

  // folds_for_class = np.arange(n_splits).repeat(allocation[:, k]), assigned in data order.
  const nextFold = classes.map(() => 0);
  const usedInFold = classes.map(() => 0);
  const testFolds = new Int32Array(labels.length);
  encoded.forEach((k, i) => {
    while (usedInFold[k] === allocation[nextFold[k]][k]) {
      nextFold[k]++;
      usedInFold[k] = 0;
    }
    testFolds[i] = nextFold[k];
    usedInFold[k]++;
  });
  return testFolds;
}

/** The nSplits (train, test) pairs, each index array ascending, in fold order. */
export function stratifiedKFold(labels: readonly string[], nSplits: number): TrainTestIndices[] {
  const testFolds = stratifiedTestFolds(labels, nSplits);
  const folds: TrainTestIndices[] = [];
  for (let fold = 0; fold < nSplits; fold++) {
    const train: number[] = [];
    const test: number[] = [];
    testFolds.forEach((f, i) => (f === fold ? test : train).push(i));
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}

function validate(labels: readonly string[], nSplits: number): void {
  if (!Number.isInteger(nSplits) || nSplits < 2) {
    throw new StratifiedKFoldError(`nSplits must be an integer of at least 2, got ${String(nSplits)}`);
  }
  if (nSplits > labels.length) {
    throw new StratifiedKFoldError(
      `Cannot have number of splits nSplits=${nSplits} greater than the number of samples ${labels.length}`,
    );
  }
}
