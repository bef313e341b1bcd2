import { sigmoidPredict } from './platt-sigmoid.js';

/**
 * Class probabilities from one-vs-one pairwise probabilities, as scikit-learn's libsvm computes
 * `predict_proba` (`svm_predict_probability`, `multiclass_probability`: method 2 of Wu, Lin and
 * Weng, "Probability estimates for multi-class classification by pairwise coupling", JMLR 5, 2004).
 * scikit-learn's copy of libsvm runs the coupling for two classes as well (upstream libsvm returns
 * the sigmoid directly there), so a binary model's probabilities are the coupling's, not the sigmoid's.
 */

/** Pairwise probabilities are clipped to [MIN_PROB, 1 - MIN_PROB] before the coupling. */
const MIN_PROB = 1e-7;

export class ProbabilityError extends Error {
  override readonly name = 'ProbabilityError';
}

/**
 * `multiclass_probability(k, r, p)`: `r[i·k + j]` is P(class i | class i or j) for i ≠ j (the
 * diagonal is not read). Returns p, the k class probabilities. The fixed-point iteration stops when
 * every |(Qp)_t - pᵀQp| < 0.005 / k, or after max(100, k) sweeps, as libsvm's does.
 */
export function multiclassProbability(k: number, r: Float64Array): Float64Array {
  const maxIter = Math.max(100, k);
  const eps = 0.005 / k;
  const p = new Float64Array(k);
  const Q = new Float64Array(k * k);
  const Qp = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    p[t] = 1.0 / k;
    Q[t * k + t] = 0;
    for (let j = 0; j < t; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = Q[j * k + t];
    }
    for (let j = t + 1; j < k; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = -r[j * k + t] * r[t * k + j];
    }
  }
  for (let iter = 0; iter < maxIter; iter++) {
    // Qp and pᵀQp recomputed each sweep for accuracy, as libsvm does.
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      Qp[t] = 0;
      for (let j = 0; j < k; j++) Qp[t] += Q[t * k + j] * p[j];
      pQp += p[t] * Qp[t];
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) {
      const error = Math.abs(Qp[t] - pQp);
      if (error > maxError) maxError = error;
    }
    if (maxError < eps) break;

    for (let t = 0; t < k; t++) {
      const Qtt = Q[t * k + t];
      const diff = (-Qp[t] + pQp) / Qtt;
      p[t] += diff;
      pQp = (pQp + diff * (diff * Qtt + 2 * Qp[t])) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j] + diff * Q[t * k + j]) / (1 + diff);
        p[j] /= 1 + diff;
      }
    }
  }
  return p;
}

/**
 * scikit-learn's `predict_proba` from the one-vs-one decision values: `decision` holds, per row, the
 * `nClasses·(nClasses-1)/2` values of the pairs (0,1), (0,2), …, (1,2), … in libsvm's sign (positive
 * means the pair's first class: scikit-learn's `decision_function_shape='ovo'` values for more than
 * two classes, the negated `decision_function` for two). `probA[p]`, `probB[p]` are the pair's
 * sigmoid. Returns the probabilities row-major, `rows × nClasses`, classes in sorted order.
 */
export function predictProbabilities(decision: ArrayLike<number>, probA: ArrayLike<number>, probB: ArrayLike<number>, nClasses: number): Float64Array {
  const k = nClasses;
  if (!Number.isInteger(k) || k < 2) throw new ProbabilityError(`nClasses must be an integer >= 2, got ${k}`);
  const pairs = (k * (k - 1)) / 2;
  if (probA.length !== pairs || probB.length !== pairs) {
    throw new ProbabilityError(`${k} classes need ${pairs} pairs of sigmoid parameters, got probA ${probA.length} and probB ${probB.length}`);
  }
  if (decision.length % pairs !== 0) {
    throw new ProbabilityError(`expected ${pairs} decision values per row, got ${decision.length} values in all`);
  }
  const rows = decision.length / pairs;
  const out = new Float64Array(rows * k);
  const r = new Float64Array(k * k);
  for (let row = 0; row < rows; row++) {
    let pair = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const sigmoid = sigmoidPredict(decision[row * pairs + pair], probA[pair], probB[pair]);
        // min(max(s, min_prob), 1 - min_prob) with libsvm's min/max templates.
        const atLeast = sigmoid > MIN_PROB ? sigmoid : MIN_PROB;
        r[i * k + j] = atLeast < 1 - MIN_PROB ? atLeast : 1 - MIN_PROB;
        r[j * k + i] = 1 - r[i * k + j];
        pair++;
      }
    }
    out.set(multiclassProbability(k, r), row * k);
  }
  return out;
}
