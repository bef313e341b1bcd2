/**
 * Platt's sigmoid P(first class | f) = 1 / (1 + exp(A·f + B)) over libsvm decision values f, fitted
 * and applied as scikit-learn's libsvm does (`sigmoid_train`, `sigmoid_predict`; Lin, Lin and Weng,
 * "A note on Platt's probabilistic outputs for support vector machines", 2007): Newton's method with
 * a backtracking line search, ported statement by statement so that A and B are the same doubles.
 *
 * `f` is in libsvm's sign: positive means the pair's first class (scikit-learn's binary
 * `decision_function` is its negation).
 */

/** scikit-learn's `probA_` and `probB_` for one class pair. */
export interface PlattParameters {
  readonly probA: number;
  readonly probB: number;
}

const MAX_ITER = 100;
/** Smallest step the line search tries. */
const MIN_STEP = 1e-10;
/** Added to the Hessian's diagonal to keep it strictly positive definite. */
const SIGMA = 1e-12;
const EPS = 1e-5;

/**
 * `sigmoid_train`: the A, B that minimise the cross-entropy of the sigmoid against Platt's smoothed
 * targets. `labels[i] > 0` marks the first class. Like libsvm, it stops quietly when the line search
 * fails or after 100 iterations, keeping the last accepted A, B.
 */
export function sigmoidTrain(decision: ArrayLike<number>, labels: ArrayLike<number>): PlattParameters {
  const l = decision.length;
  let prior1 = 0;
  let prior0 = 0;
  for (let i = 0; i < l; i++) {
    if (labels[i] > 0) prior1 += 1;
    else prior0 += 1;
  }
  const hiTarget = (prior1 + 1.0) / (prior1 + 2.0);
  const loTarget = 1 / (prior0 + 2.0);
  const t = new Float64Array(l);
  for (let i = 0; i < l; i++) t[i] = labels[i] > 0 ? hiTarget : loTarget;

  let A = 0.0;
  let B = Math.log((prior0 + 1.0) / (prior1 + 1.0));
  let fval = crossEntropy(decision, t, A, B);
  for (let iter = 0; iter < MAX_ITER; iter++) {
    // Gradient and Hessian (H' = H + sigma·I).
    let h11 = SIGMA;
    let h22 = SIGMA;
    let h21 = 0.0;
    let g1 = 0.0;
    let g2 = 0.0;
    for (let i = 0; i < l; i++) {
      const f = decision[i];
      const fApB = f * A + B;
      let p: number;
      let q: number;
      if (fApB >= 0) {
        p = Math.exp(-fApB) / (1.0 + Math.exp(-fApB));
        q = 1.0 / (1.0 + Math.exp(-fApB));
      } else {
        p = 1.0 / (1.0 + Math.exp(fApB));
        q = Math.exp(fApB) / (1.0 + Math.exp(fApB));
      }
      const d2 = p * q;
      h11 += f * f * d2;
      h22 += d2;
      h21 += f * d2;
      const d1 = t[i] - p;
      g1 += f * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < EPS && Math.abs(g2) < EPS) break;

    // Newton direction -inv(H')·g, then backtracking until the sufficient-decrease test passes.
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let stepsize = 1;
    while (stepsize >= MIN_STEP) {
      const newA = A + stepsize * dA;
      const newB = B + stepsize * dB;
      const newf = crossEntropy(decision, t, newA, newB);
      if (newf < fval + 0.0001 * stepsize * gd) {
        A = newA;
        B = newB;
        fval = newf;
        break;
      }
      stepsize = stepsize / 2.0;
    }
    if (stepsize < MIN_STEP) break;
  }
  return { probA: A, probB: B };
}

/** The objective, summed in row order with libsvm's two overflow-safe forms. */
function crossEntropy(decision: ArrayLike<number>, t: Float64Array, A: number, B: number): number {
  let sum = 0.0;
  for (let i = 0; i < decision.length; i++) {
    const fApB = decision[i] * A + B;
    if (fApB >= 0) sum += t[i] * fApB + Math.log(1 + Math.exp(-fApB));
    else sum += (t[i] - 1) * fApB + Math.log(1 + Math.exp(fApB));
  }
  return sum;
}

/** `sigmoid_predict`: P(first class) for a libsvm decision value, in the form that avoids cancellation in 1 - p. */
export function sigmoidPredict(decision: number, A: number, B: number): number {
  const fApB = decision * A + B;
  if (fApB >= 0) return Math.exp(-fApB) / (1.0 + Math.exp(-fApB));
  return 1.0 / (1 + Math.exp(fApB));
}
