import type { Matrix } from './matrix.js';
import { interleaveRows } from './matrix.js';
import type { FittedPipeline } from './pipeline.js';
import { labelsFromDecision, SvcFitError } from './svc/svc.js';

/**
 * A fitted pipeline prepared for serving: the scaler and support vectors unpacked once into typed
 * arrays. The arithmetic is the one of `transformMinMax` then libsvm's `k_function`, in the same
 * order, so the decision values are bit-identical to scikit-learn's `decision_function` (see
 * `svcDecisionFunction`, the plain reference the tests compare it with).
 */
export interface Predictor {
  readonly nFeatures: number;
  readonly classes: readonly [string, string];
  /** Decision values of `rows` rows packed row-major in `x`; > 0 means `classes[1]`. */
  decide(x: Float64Array, rows: number): Float64Array;
  label(decision: number): string;
}

/** Support vectors whose distances one pass over the features computes together. */
const BLOCK = 8;

export function createPredictor(pipeline: FittedPipeline): Predictor {
  const svc = pipeline.svc;
  const cols = svc.nFeatures;
  const nSv = svc.svCoef.length;
  const blocks = Math.ceil(nSv / BLOCK);
  // Feature c of vectors s..s+7 side by side; the last block is filled up with zero vectors.
  const blocked = interleaveRows(svc.supportVectors, nSv, cols, BLOCK, blocks);
  // A padding vector adds coef · exp(…) = +0 · (a finite value ≥ 0) = +0 after the real terms,
  // and x + (+0) is x for every x the sum can be (it starts at +0, so it is never -0): the same
  // bits as stopping at the last real vector.
  const coef = new Float64Array(blocks * BLOCK);
  coef.set(svc.svCoef);
  const scale = pipeline.scaler ? Float64Array.from(pipeline.scaler.scale) : null;
  const shift = pipeline.scaler ? Float64Array.from(pipeline.scaler.min) : null;
  const negGamma = -svc.gamma;
  const rho = svc.rho;
  const z = new Float64Array(cols);
  const z2 = new Float64Array(cols);
  const [negative, positive] = svc.classes;

  /**
   * Σ coef[s] · exp(-γ · Σ_c (z_c - sv_sc)²) for the row in `z`. Each squared distance is summed
   * over the features in order and each term is added to the total in support-vector order,
   * exactly as libsvm's dense `k_function` and `svm_predict_values` do: eight distances computed
   * side by side change the speed (independent sums overlap in the CPU), never a rounding.
   */
  function kernelSum(): number {
    let sum = 0;
    for (let b = 0, i = 0; b < blocks; b++) {
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      let d4 = 0;
      let d5 = 0;
      let d6 = 0;
      let d7 = 0;
      for (let c = 0; c < cols; c++, i += BLOCK) {
        const v = z[c];
        const e0 = v - blocked[i];
        d0 += e0 * e0;
        const e1 = v - blocked[i + 1];
        d1 += e1 * e1;
        const e2 = v - blocked[i + 2];
        d2 += e2 * e2;
        const e3 = v - blocked[i + 3];
        d3 += e3 * e3;
        const e4 = v - blocked[i + 4];
        d4 += e4 * e4;
        const e5 = v - blocked[i + 5];
        d5 += e5 * e5;
        const e6 = v - blocked[i + 6];
        d6 += e6 * e6;
        const e7 = v - blocked[i + 7];
        d7 += e7 * e7;
      }
      const s = b * BLOCK;
      sum += coef[s] * Math.exp(negGamma * d0);
      sum += coef[s + 1] * Math.exp(negGamma * d1);
      sum += coef[s + 2] * Math.exp(negGamma * d2);
      sum += coef[s + 3] * Math.exp(negGamma * d3);
      sum += coef[s + 4] * Math.exp(negGamma * d4);
      sum += coef[s + 5] * Math.exp(negGamma * d5);
      sum += coef[s + 6] * Math.exp(negGamma * d6);
      sum += coef[s + 7] * Math.exp(negGamma * d7);
    }
    return sum;
  }

  /**
   * `kernelSum` for two rows at once (`z` and `z2`), written to `pair`: each support vector's
   * values are read once for both rows. Per row, the arithmetic and its order are `kernelSum`'s:
   * a block's first four vectors, then its last four, each over the features in order.
   */
  function kernelSumPair(pair: Float64Array): void {
    let sumA = 0;
    let sumB = 0;
    for (let b = 0; b < blocks; b++) {
      for (let half = 0; half < BLOCK; half += 4) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let b0 = 0;
        let b1 = 0;
        let b2 = 0;
        let b3 = 0;
        for (let c = 0, i = b * cols * BLOCK + half; c < cols; c++, i += BLOCK) {
          const u = z[c];
          const v = z2[c];
          const w0 = blocked[i];
          const w1 = blocked[i + 1];
          const w2 = blocked[i + 2];
          const w3 = blocked[i + 3];
          let e = u - w0;
          a0 += e * e;
          e = u - w1;
          a1 += e * e;
          e = u - w2;
          a2 += e * e;
          e = u - w3;
          a3 += e * e;
          e = v - w0;
          b0 += e * e;
          e = v - w1;
          b1 += e * e;
          e = v - w2;
          b2 += e * e;
          e = v - w3;
          b3 += e * e;
        }
        const s = b * BLOCK + half;
        sumA += coef[s] * Math.exp(negGamma * a0);
        sumA += coef[s + 1] * Math.exp(negGamma * a1);
        sumA += coef[s + 2] * Math.exp(negGamma * a2);
        sumA += coef[s + 3] * Math.exp(negGamma * a3);
        sumB += coef[s] * Math.exp(negGamma * b0);
        sumB += coef[s + 1] * Math.exp(negGamma * b1);
        sumB += coef[s + 2] * Math.exp(negGamma * b2);
        sumB += coef[s + 3] * Math.exp(negGamma * b3);
      }
    }
    pair[0] = sumA;
    pair[1] = sumB;
  }

  const load = (target: Float64Array, x: Float64Array, o: number) => {
    // X * scale_ + min_, multiplication first, as MinMaxScaler.transform.
    if (scale && shift) for (let c = 0; c < cols; c++) target[c] = x[o + c] * scale[c] + shift[c];
    else for (let c = 0; c < cols; c++) target[c] = x[o + c];
  };
  const pair = new Float64Array(2);

  return {
    nFeatures: cols,
    classes: svc.classes,
    decide(x, rows) {
      const out = new Float64Array(rows);
      let r = 0;
      // libsvm computes sum - rho and scikit-learn negates it for a binary problem.
      for (; r + 1 < rows; r += 2) {
        load(z, x, r * cols);
        load(z2, x, (r + 1) * cols);
        kernelSumPair(pair);
        out[r] = -(pair[0] - rho);
        out[r + 1] = -(pair[1] - rho);
      }
      if (r < rows) {
        load(z, x, r * cols);
        out[r] = -(kernelSum() - rho);
      }
      return out;
    },
    // libsvm votes for classes[0] only when its own value (the negation) is > 0.
    label: (decision) => (-decision > 0 ? negative : positive),
  };
}

export interface Predictions {
  readonly labels: readonly string[];
  /** Decision values; positive means `classes[1]` (scikit-learn's convention). */
  readonly decision: Float64Array;
}

/** The pipeline's `predict` and `decision_function` on raw rows, through the serving predictor. */
export function predict(pipeline: FittedPipeline, x: Matrix): Predictions {
  if (x.cols !== pipeline.svc.nFeatures) throw new SvcFitError(`expected ${pipeline.svc.nFeatures} features, got ${x.cols}`);
  const predictor = createPredictor(pipeline);
  const decision = predictor.decide(x.data, x.rows);
  return { labels: labelsFromDecision(pipeline.svc, decision), decision };
}
