/**
 * Test-only: runs an exported ONNX model in ONNX Runtime (CPU, float32, one thread) and compares
 * its decision values with float64 ones within a float32 tolerance.
 */
import * as ort from 'onnxruntime-node';
import type { FeatureSpec } from '../../src/core/feature-spec.js';
import type { Matrix } from '../../src/core/matrix.js';
import type { OnnxSvcPipeline } from '../../src/core/onnx/svc-onnx-export.js';
import { ONNX_MISSING_CATEGORY, onnxNames } from '../../src/core/onnx/svc-onnx-export.js';

export interface OnnxRun {
  readonly labels: readonly string[];
  /** Row-major [rows, pairs]. */
  readonly decision: Float32Array;
  /** Row-major [rows, classes], when the model has probabilities. */
  readonly probabilities: Float32Array | null;
  readonly outputNames: readonly string[];
}

/** A text no table holds: a category the model never saw. */
export const UNSEEN_CATEGORY = '<a category no table holds>';

/**
 * The exported model's inputs for raw rows as mloop's reader gives them (`features` describes the
 * columns; without it every column is numeric): the numeric columns as float32 (NaN stays missing),
 * the categorical codes as their category's text, "" for missing, UNSEEN_CATEGORY for a code outside
 * the table's categories (mloop's UNKNOWN_CATEGORY).
 */
export function onnxFeeds(x: Matrix, features?: readonly FeatureSpec[]): Record<string, ort.Tensor> {
  const kinds = features ?? Array.from({ length: x.cols }, () => ({ kind: 'numeric', name: '' }) as FeatureSpec);
  const numeric = kinds.flatMap((f, j) => (f.kind === 'numeric' ? [j] : []));
  const categorical = kinds.flatMap((f, j) => (f.kind === 'categorical' ? [j] : []));
  const feeds: Record<string, ort.Tensor> = {};
  if (numeric.length > 0) {
    const data = new Float32Array(x.rows * numeric.length);
    for (let i = 0; i < x.rows; i++) numeric.forEach((j, c) => (data[i * numeric.length + c] = x.data[i * x.cols + j]));
    feeds[onnxNames.input] = new ort.Tensor('float32', data, [x.rows, numeric.length]);
  }
  if (categorical.length > 0) {
    const data: string[] = [];
    for (let i = 0; i < x.rows; i++) {
      for (const j of categorical) {
        const code = x.data[i * x.cols + j];
        data.push(Number.isNaN(code) ? ONNX_MISSING_CATEGORY : (kinds[j].categories?.[code] ?? UNSEEN_CATEGORY));
      }
    }
    feeds[onnxNames.categorical] = new ort.Tensor('string', data, [x.rows, categorical.length]);
  }
  return feeds;
}

export async function runOnnx(bytes: Uint8Array, x: Matrix, features?: readonly FeatureSpec[]): Promise<OnnxRun> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run(onnxFeeds(x, features));
    const probabilities = out[onnxNames.probabilities];
    return {
      labels: out[onnxNames.label].data as string[],
      decision: out[onnxNames.decision].data as Float32Array,
      probabilities: probabilities ? (probabilities.data as Float32Array) : null,
      outputNames: session.outputNames,
    };
  } finally {
    await session.release();
  }
}

/**
 * The tolerance of each class pair's decision value: 4 float32 roundings (2⁻²³ each, relative) of
 * the largest the pair's sum can be, Σ|coef| + |rho| (every kernel value is in [0, 1]). ONNX Runtime
 * rounds the input, the scaled features, the support vectors, the coefficients, each kernel value
 * and each product to float32; four roundings per term bound them with room to spare.
 */
export function float32Tolerance(p: OnnxSvcPipeline): number[] {
  const k = p.classes.length;
  const start = p.nSupport.map((_, c) => p.nSupport.slice(0, c).reduce((a, b) => a + b, 0));
  const absSum = (row: readonly number[], cls: number) => row.slice(start[cls], start[cls] + p.nSupport[cls]).reduce((a, v) => a + Math.abs(v), 0);
  const tolerance: number[] = [];
  for (let i = 0, pair = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, pair++) {
      tolerance.push(4 * 2 ** -23 * (absSum(p.svCoef[j - 1], i) + absSum(p.svCoef[i], j) + Math.abs(p.rho[pair])));
    }
  }
  return tolerance;
}

export interface DecisionComparison {
  /** Largest |ONNX − expected| over all rows and pairs. */
  readonly maxAbsDiff: number;
  /** Largest |ONNX − expected| / tolerance: ≤ 1 passes. */
  readonly worstShareOfTolerance: number;
  /** Rows with a pair's expected value within its tolerance of 0: there float32 may flip a vote. */
  readonly nearTies: readonly number[];
}

/** `expected(row, pair)`: the float64 decision value in scikit-learn's sign (see `onnxNames.decision`). */
export function compareDecisions(run: OnnxRun, rows: number, tolerance: readonly number[], expected: (row: number, pair: number) => number): DecisionComparison {
  const pairs = tolerance.length;
  if (run.decision.length !== rows * pairs) throw new Error(`ONNX gave ${run.decision.length} decision values, expected ${rows} rows × ${pairs} pairs`);
  let maxAbsDiff = 0;
  let worstShareOfTolerance = 0;
  const nearTies = new Set<number>();
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < pairs; p++) {
      const want = expected(r, p);
      const diff = Math.abs(run.decision[r * pairs + p] - want);
      maxAbsDiff = Math.max(maxAbsDiff, diff);
      worstShareOfTolerance = Math.max(worstShareOfTolerance, diff / tolerance[p]);
      if (Math.abs(want) <= tolerance[p]) nearTies.add(r);
    }
  }
  return { maxAbsDiff, worstShareOfTolerance, nearTies: [...nearTies] };
}
