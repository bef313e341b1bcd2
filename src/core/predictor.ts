import type { Matrix } from './matrix.js';
import type { FittedPipeline } from './pipeline.js';

/**
 * A fitted pipeline prepared for serving: the scaler and support vectors unpacked once into typed
 * arrays. The arithmetic is the one of `transformMinMax` then libsvm's `k_function`, in the same
 * order, so the decision values are bit-identical to `pipelineDecisionFunction`.
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

/**
 * Interleaves the support vectors in blocks of `BLOCK`: feature c of vectors s..s+7 sit side by
 * side, so one pass over a row's features reads them in order and keeps eight sums going.
 */
function interleave(supportVectors: readonly number[], nSv: number, cols: number): Float64Array {
  const blocks = Math.floor(nSv / BLOCK);
  const out = new Float64Array(blocks * BLOCK * cols);
  for (let b = 0; b < blocks; b++) {
    for (let c = 0; c < cols; c++) {
      for (let j = 0; j < BLOCK; j++) out[(b * cols + c) * BLOCK + j] = supportVectors[(b * BLOCK + j) * cols + c];
    }
  }
  return out;
}

export function createPredictor(pipeline: FittedPipeline): Predictor {
  const svc = pipeline.svc;
  const cols = svc.nFeatures;
  const coef = Float64Array.from(svc.svCoef);
  const nSv = coef.length;
  const blocks = Math.floor(nSv / BLOCK);
  const blocked = interleave(svc.supportVectors, nSv, cols);
  // The last nSv % BLOCK vectors, row-major as stored.
  const rest = Float64Array.from(svc.supportVectors.slice(blocks * BLOCK * cols));
  const scale = pipeline.scaler ? Float64Array.from(pipeline.scaler.scale) : null;
  const shift = pipeline.scaler ? Float64Array.from(pipeline.scaler.min) : null;
  const negGamma = -svc.gamma;
  const rho = svc.rho;
  const z = new Float64Array(cols);
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
    for (let s = blocks * BLOCK, o = 0; s < nSv; s++, o += cols) {
      let d = 0;
      for (let c = 0; c < cols; c++) {
        const e = z[c] - rest[o + c];
        d += e * e;
      }
      sum += coef[s] * Math.exp(negGamma * d);
    }
    return sum;
  }

  return {
    nFeatures: cols,
    classes: svc.classes,
    decide(x, rows) {
      const out = new Float64Array(rows);
      for (let r = 0, o = 0; r < rows; r++, o += cols) {
        // X * scale_ + min_, multiplication first, as MinMaxScaler.transform.
        if (scale && shift) for (let c = 0; c < cols; c++) z[c] = x[o + c] * scale[c] + shift[c];
        else for (let c = 0; c < cols; c++) z[c] = x[o + c];
        // libsvm computes sum - rho and scikit-learn negates it for a binary problem.
        out[r] = -(kernelSum() - rho);
      }
      return out;
    },
    // libsvm votes for classes[0] only when its own value (the negation) is > 0.
    label: (decision) => (-decision > 0 ? negative : positive),
  };
}

export function predictorDecision(predictor: Predictor, x: Matrix): Float64Array {
  return predictor.decide(x.data, x.rows);
}
