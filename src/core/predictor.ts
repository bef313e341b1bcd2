import type { Matrix } from './matrix.js';
import type { FittedPipeline } from './pipeline.js';
import { createRowTransformer } from './preprocessing/column-transformer.js';
import { blockSupportVectors, kernelValues, SV_BLOCK } from './svc/kernel-values.js';
import { labelsFromOvo, ovrDecision } from './svc/one-vs-one.js';
import { pairSumsOf, pairValuesOf } from './svc/pair-values.js';
import type { BinaryKernelSums, KernelValuesBatch } from './svc/rbf-kernel-simd.js';
import { simdBinaryKernelSums, simdKernelValues } from './svc/rbf-kernel-simd.js';
import { SvcFitError } from './svc/svc.js';
import { svcProbabilities } from './svc/svc-probability.js';

/**
 * A fitted pipeline prepared for serving: the scaler and support vectors unpacked once into typed
 * arrays. The arithmetic is the one of `transformMinMax` then libsvm's `k_function` and
 * `svm_predict_values`, in the same order, so the values are bit-identical to scikit-learn's
 * `decision_function` and `predict` (see `svcOvoDecision` and `svcDecisionFunction`, the plain
 * references the tests compare it with). Rows are `rows` rows packed row-major in `x`.
 */
export interface Predictor {
  /** Raw input columns per row (the pipeline's features, before one-hot encoding). */
  readonly nFeatures: number;
  /** The model's classes: the order of every per-class output. */
  readonly classes: readonly string[];
  /** Which loops compute the kernel: WebAssembly SIMD where the engine has it, else JavaScript (the same bits). */
  readonly kernel: PredictorKernel;
  /**
   * scikit-learn's `decision_function`: for two classes one value per row, > 0 meaning
   * `classes[1]`; for k > 2, k values per row, row-major (`decision_function_shape="ovr"`).
   */
  decide(x: Float64Array, rows: number): Float64Array;
  /** Two classes only: the label of one of `decide`'s values. For k > 2 use `classify`. */
  label(decision: number): string;
  /** Labels, decision values and libsvm's pair values of each row. */
  classify(x: Float64Array, rows: number): Predictions;
}

export interface Predictions {
  /** libsvm's one-vs-one votes, as `predict` (for two classes, the sign of the decision value). */
  readonly labels: readonly string[];
  /** `decide`'s values: one per row for two classes (> 0 means `classes[1]`), k per row (ovr) for more. */
  readonly decision: Float64Array;
  /**
   * libsvm's `dec_values`, k(k-1)/2 per row in pair order, > 0 for a pair's first class (for two
   * classes, the decision value negated): what probability estimates couple.
   */
  readonly ovo: Float64Array;
  /**
   * scikit-learn's `predict_proba` (Platt scaling, pairwise coupling): k per row, row-major, in
   * `classes` order; null when the model was fitted without probabilities.
   */
  readonly probabilities: Float64Array | null;
}

export const predictorKernels = ['wasm-simd', 'js'] as const;
export type PredictorKernel = (typeof predictorKernels)[number];

export interface PredictorOptions {
  /** 'js' keeps the JavaScript loops even where WebAssembly SIMD runs (the tests compare both). */
  readonly kernel?: PredictorKernel;
}

export class PredictorError extends Error {
  override readonly name = 'PredictorError';
}

const BLOCK = SV_BLOCK;

/**
 * Writes row `x[o …]` (raw: numbers, category codes, NaN for missing) as the SVC sees it into
 * `target`, through the fitted ColumnTransformer: imputed, then `X * scale_ + min_` (multiplication
 * first, as MinMaxScaler.transform), categories one-hot.
 */
function rowLoader(pipeline: FittedPipeline): (target: Float64Array, x: Float64Array, o: number) => void {
  const transformer = createRowTransformer(pipeline.preprocessor);
  return (target, x, o) => transformer.transform(x, o, target, 0);
}

/**
 * Feeds rows to a WebAssembly kernel `capacity` at a time: each chunk's rows, as the SVC sees them,
 * into `pairs`, two rows interleaved per pair (feature c of row r at `((r >> 1) · cols + c) · 2 +
 * (r & 1)`), then `run(from, n)` for rows `from … from + n - 1`.
 */
type ChunkFeeder = (pairs: Float64Array, capacity: number, x: Float64Array, rows: number, run: (from: number, n: number) => void) => void;

function chunkFeeder(pipeline: FittedPipeline): ChunkFeeder {
  const load = rowLoader(pipeline);
  const cols = pipeline.svc.nFeatures;
  const inputs = pipeline.preprocessor.features.length;
  const z = new Float64Array(cols);
  return (pairs, capacity, x, rows, run) => {
    for (let from = 0; from < rows; from += capacity) {
      const n = Math.min(capacity, rows - from);
      for (let r = 0; r < n; r++) {
        load(z, x, (from + r) * inputs);
        for (let c = 0, i = (r >> 1) * cols * 2 + (r & 1); c < cols; c++, i += 2) pairs[i] = z[c];
      }
      run(from, n);
    }
  };
}

export function createPredictor(pipeline: FittedPipeline, options: PredictorOptions = {}): Predictor {
  return pipeline.svc.classes.length === 2 ? createBinaryPredictor(pipeline, options) : createOvoPredictor(pipeline, options);
}

/**
 * Two classes: one pair, so the decision value is one sum over the support vectors, which the
 * benchmarked serving loop adds up as it goes: two rows at a time, one per f64x2 lane, in
 * WebAssembly SIMD (rbf-kernel.wat), or in JavaScript (`kernelSumPair`) where SIMD is unavailable.
 */
function createBinaryPredictor(pipeline: FittedPipeline, options: PredictorOptions): Predictor {
  const svc = pipeline.svc;
  const cols = svc.nFeatures;
  const inputs = pipeline.preprocessor.features.length;
  const vectors = blockSupportVectors(svc);
  const { blocked, blocks } = vectors;
  const kvalue = new Float64Array(blocks * BLOCK);
  // A padding vector adds coef · exp(…) = +0 · (a finite value ≥ 0) = +0 after the real terms,
  // and x + (+0) is x for every x the sum can be (it starts at +0, so it is never -0): the same
  // bits as stopping at the last real vector.
  const coef = new Float64Array(blocks * BLOCK);
  coef.set(svc.svCoef);
  const negGamma = -svc.gamma;
  const rho = svc.rho[0];
  const z = new Float64Array(cols);
  const z2 = new Float64Array(cols);
  const [negative, positive] = svc.classes;

  /**
   * Σ coef[s] · exp(-γ · Σ_c (z_c - sv_sc)²) for the row in `z`, each term added to the total in
   * support-vector order, exactly as libsvm's `svm_predict_values` does.
   */
  function kernelSum(): number {
    kernelValues(z, vectors, cols, negGamma, kvalue);
    let sum = 0;
    for (let s = 0; s < kvalue.length; s++) sum += coef[s] * kvalue[s];
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

  const load = rowLoader(pipeline);
  const pair = new Float64Array(2);
  // libsvm votes for classes[0] only when its own value (the negation) is > 0; a chosen operating
  // point instead compares the positive class's score with its threshold.
  const chosen = pipeline.decisionThreshold;
  const sign = chosen?.positive === negative ? -1 : 1;
  const label = chosen
    ? (decision: number) => (sign * decision >= chosen.threshold ? chosen.positive : chosen.positive === negative ? positive : negative)
    : (decision: number) => (-decision > 0 ? negative : positive);

  const simd = options.kernel === 'js' ? null : simdBinaryKernelSums(vectors, cols, svc.svCoef, svc.gamma);

  const feed = chunkFeeder(pipeline);

  /** `decide` through the WebAssembly kernel, `simd.capacity` rows per call. */
  function decideSimd(kernel: BinaryKernelSums, x: Float64Array, rows: number): Float64Array {
    const out = new Float64Array(rows);
    const sums = kernel.out;
    feed(kernel.rows, kernel.capacity, x, rows, (from, n) => {
      kernel.sums(n);
      for (let r = 0; r < n; r++) out[from + r] = -(sums[r] - rho);
    });
    return out;
  }

  function decide(x: Float64Array, rows: number): Float64Array {
    if (simd !== null) return decideSimd(simd, x, rows);
    const out = new Float64Array(rows);
    let r = 0;
    // libsvm computes sum - rho and scikit-learn negates it for a binary problem.
    for (; r + 1 < rows; r += 2) {
      load(z, x, r * inputs);
      load(z2, x, (r + 1) * inputs);
      kernelSumPair(pair);
      out[r] = -(pair[0] - rho);
      out[r + 1] = -(pair[1] - rho);
    }
    if (r < rows) {
      load(z, x, r * inputs);
      out[r] = -(kernelSum() - rho);
    }
    return out;
  }

  return {
    nFeatures: inputs,
    classes: svc.classes,
    kernel: simd === null ? 'js' : 'wasm-simd',
    decide,
    label,
    classify(x, rows) {
      const decision = decide(x, rows);
      const ovo = decision.map((d) => -d);
      return { labels: Array.from(decision, label), decision, ovo, probabilities: svcProbabilities(svc, ovo) };
    },
  };
}

/**
 * k > 2 classes: libsvm's pair values of each row, then scikit-learn's votes and ovr values from
 * them. The kernel values come from WebAssembly SIMD (two rows per f64x2) where it runs, else from
 * `pairValuesOf`'s JavaScript; the pair sums are the same code either way.
 */
function createOvoPredictor(pipeline: FittedPipeline, options: PredictorOptions): Predictor {
  const svc = pipeline.svc;
  const cols = svc.nFeatures;
  const inputs = pipeline.preprocessor.features.length;
  const k = svc.classes.length;
  const nPairs = (k * (k - 1)) / 2;
  const load = rowLoader(pipeline);
  const z = new Float64Array(cols);
  const simd = options.kernel === 'js' ? null : simdKernelValues(blockSupportVectors(svc), cols, svc.gamma);
  const pairValues = pairValuesOf(svc);
  const pairSums = pairSumsOf(svc);

  const feed = chunkFeeder(pipeline);

  function ovoSimd(kernel: KernelValuesBatch, x: Float64Array, rows: number, ovo: Float64Array): void {
    const { stride, values } = kernel;
    feed(kernel.rows, kernel.capacity, x, rows, (from, n) => {
      kernel.compute(n);
      for (let r = 0; r < n; r++) pairSums(values, (r >> 1) * stride * 2 + (r & 1), 2, ovo, (from + r) * nPairs);
    });
  }

  function classify(x: Float64Array, rows: number): Predictions {
    const ovo = new Float64Array(rows * nPairs);
    if (simd !== null) ovoSimd(simd, x, rows, ovo);
    else {
      for (let r = 0; r < rows; r++) {
        load(z, x, r * inputs);
        pairValues(z, ovo, r * nPairs);
      }
    }
    return { labels: labelsFromOvo(svc.classes, ovo, rows), decision: ovrDecision(ovo, rows, k), ovo, probabilities: svcProbabilities(svc, ovo) };
  }
  return {
    nFeatures: inputs,
    classes: svc.classes,
    kernel: simd === null ? 'js' : 'wasm-simd',
    decide: (x, rows) => classify(x, rows).decision,
    label: () => {
      throw new PredictorError(`a model of ${k} classes has ${k} decision values per row, not one: use classify`);
    },
    classify,
  };
}

/** The pipeline's `predict` and `decision_function` on raw rows, through the serving predictor. */
export function predict(pipeline: FittedPipeline, x: Matrix): Predictions {
  const inputs = pipeline.preprocessor.features.length;
  if (x.cols !== inputs) throw new SvcFitError(`expected ${inputs} features, got ${x.cols}`);
  return createPredictor(pipeline).classify(x.data, x.rows);
}
