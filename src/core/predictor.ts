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

export function createPredictor(pipeline: FittedPipeline): Predictor {
  const svc = pipeline.svc;
  const cols = svc.nFeatures;
  const sv = Float64Array.from(svc.supportVectors);
  const coef = Float64Array.from(svc.svCoef);
  const nSv = coef.length;
  const scale = pipeline.scaler ? Float64Array.from(pipeline.scaler.scale) : null;
  const shift = pipeline.scaler ? Float64Array.from(pipeline.scaler.min) : null;
  const negGamma = -svc.gamma;
  const rho = svc.rho;
  const scratch = new Float64Array(cols);
  const [negative, positive] = svc.classes;

  return {
    nFeatures: cols,
    classes: svc.classes,
    decide(x, rows) {
      const out = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        for (let c = 0; c < cols; c++) scratch[c] = scale && shift ? x[o + c] * scale[c] + shift[c] : x[o + c];
        let sum = 0;
        for (let s = 0; s < nSv; s++) {
          const so = s * cols;
          let d2 = 0;
          for (let c = 0; c < cols; c++) {
            const d = scratch[c] - sv[so + c];
            d2 += d * d;
          }
          sum += coef[s] * Math.exp(negGamma * d2);
        }
        // libsvm computes sum - rho and scikit-learn negates it for a binary problem.
        out[r] = -(sum - rho);
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
