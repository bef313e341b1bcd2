/**
 * libsvm's one-vs-one layout for k classes, and what scikit-learn makes of its values.
 *
 * One binary classifier per pair of classes i < j, in the order (0,1), (0,2), …, (0,k-1), (1,2), …,
 * (k-2,k-1): libsvm's `p` in `svm_train` and `svm_predict_values`, scikit-learn's `intercept_` and
 * `decision_function_shape="ovo"` columns. A pair's value ("ovo" value, libsvm's `dec_values[p]`)
 * is > 0 for class i.
 */

/** A pair of classes, as indices into the model's `classes`: `first` < `second`. */
export interface ClassPair {
  readonly first: number;
  readonly second: number;
}

/** The k(k-1)/2 pairs in libsvm's order. */
export function classPairs(k: number): ClassPair[] {
  const pairs: ClassPair[] = [];
  for (let first = 0; first < k; first++) for (let second = first + 1; second < k; second++) pairs.push({ first, second });
  return pairs;
}

/**
 * The class libsvm predicts from one row's pair values at `ovo[offset …]`: each pair votes for
 * its first class when its value is > 0 and for its second otherwise (a value of exactly 0, or
 * NaN, votes for the second), and the first class with the most votes wins (`break_ties=False`).
 * `votes` is scratch space of k entries.
 */
export function votedClass(ovo: ArrayLike<number>, offset: number, k: number, votes: Int32Array): number {
  votes.fill(0, 0, k);
  let p = offset;
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) votes[ovo[p++] > 0 ? i : j]++;
  let best = 0;
  for (let i = 1; i < k; i++) if (votes[i] > votes[best]) best = i;
  return best;
}

/** `votedClass` for each of `rows` rows of pair values, as labels. */
export function labelsFromOvo(classes: readonly string[], ovo: Float64Array, rows: number): string[] {
  const k = classes.length;
  const nPairs = (k * (k - 1)) / 2;
  const votes = new Int32Array(k);
  const labels = new Array<string>(rows);
  for (let r = 0; r < rows; r++) labels[r] = classes[votedClass(ovo, r * nPairs, k, votes)];
  return labels;
}

/**
 * scikit-learn's `decision_function` with `decision_function_shape="ovr"` for k > 2 classes:
 * `_ovr_decision_function(dec < 0, -dec, k)` over `rows` rows of pair values, row-major k values
 * per row. Votes count as in libsvm except at a value of exactly 0 (`dec < 0` is false: a vote for
 * the pair's first class), and the summed confidences, mapped into (-1/3, 1/3), are added to the
 * votes; the operations and their order are numpy's, so the values are the same doubles.
 */
export function ovrDecision(ovo: Float64Array, rows: number, k: number): Float64Array {
  const nPairs = (k * (k - 1)) / 2;
  const out = new Float64Array(rows * k);
  const votes = new Float64Array(k);
  const sums = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    votes.fill(0);
    sums.fill(0);
    let p = r * nPairs;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, p++) {
        const confidence = -ovo[p];
        sums[i] -= confidence;
        sums[j] += confidence;
        if (ovo[p] < 0) votes[j] += 1;
        else votes[i] += 1;
      }
    }
    for (let c = 0; c < k; c++) out[r * k + c] = votes[c] + sums[c] / (3 * (Math.abs(sums[c]) + 1));
  }
  return out;
}
