import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../src/core/matrix.js';
import type { OnnxSvcPipeline } from '../../src/core/onnx/svc-onnx-export.js';
import { exportOnnx } from '../../src/core/onnx/svc-onnx-export.js';
import { compareDecisions, float32Tolerance, runOnnx } from '../helpers/onnx-runtime.js';
import { loadWdbc, readGolden } from '../helpers/wdbc.js';

/**
 * The exporter on what mloop does not fit yet: scikit-learn's 3-class one-vs-one SVCs on iris and
 * Platt probabilities (3 classes and 2), from test/golden/onnx-svc.json (scripts/make-onnx-golden.py).
 * ONNX Runtime must give scikit-learn's predict on every row, its decision_function
 * (decision_function_shape='ovo') within float32 tolerance and its predict_proba within
 * PROBABILITY_TOLERANCE.
 */
interface SklearnCase {
  readonly case: string;
  readonly feature_names: string[];
  readonly classes: string[];
  readonly scaler: { scale: number[]; min: number[] } | null;
  readonly gamma: number;
  readonly n_support: number[];
  readonly support_vectors: number[][];
  readonly dual_coef: number[][];
  readonly intercept: number[];
  readonly probA: number[];
  readonly probB: number[];
  readonly predict: string[];
  readonly decision_function: number[][];
  readonly predict_proba: number[][] | null;
  readonly x?: number[][];
}

/**
 * ONNX Runtime computes the probabilities in float32 (measured: at most 4.4e-7 from scikit-learn's
 * here). libsvm's pairwise coupling is iterative and stops once its error is below 0.005 / k; were
 * float32 rounding to end it an iteration apart from libsvm's float64 run, a row could differ by
 * more than this tolerance, and the test would say so.
 */
const PROBABILITY_TOLERANCE = 1e-5;

/**
 * scikit-learn's public attributes in libsvm's conventions: for a binary SVC it negates libsvm's
 * sv_coef (dual_coef_) and exposes rho itself as intercept_; for k > 2 classes dual_coef_ is
 * sv_coef and intercept_ is −rho. probA_/probB_ are libsvm's in both cases.
 */
function fromScikitLearn(c: SklearnCase): OnnxSvcPipeline {
  const binary = c.classes.length === 2;
  return {
    featureNames: c.feature_names,
    scaler: c.scaler,
    classes: c.classes,
    gamma: c.gamma,
    nSupport: c.n_support,
    supportVectors: c.support_vectors.flat(),
    svCoef: binary ? c.dual_coef.map((row) => row.map((v) => -v)) : c.dual_coef,
    rho: binary ? c.intercept : c.intercept.map((v) => -v),
    ...(c.probA.length > 0 ? { probA: c.probA, probB: c.probB } : {}),
  };
}

function rowsOf(c: SklearnCase): Matrix {
  if (!c.x) return loadWdbc().x;
  return { rows: c.x.length, cols: c.x[0].length, data: Float64Array.from(c.x.flat()) };
}

const golden = readGolden<{ cases: SklearnCase[] }>('onnx-svc');
const exportCase = (c: SklearnCase) => exportOnnx(fromScikitLearn(c), { mloopVersion: '0.1.0', modelVersion: 1, dataSnapshotHash: c.case, gateVerdict: 'n/a' });

describe('ONNX export of scikit-learn SVCs, run by ONNX Runtime', () => {
  it.each(golden.cases)('$case: scikit-learn’s predict and ovo decision_function on every row', async (c) => {
    const x = rowsOf(c);
    const run = await runOnnx(exportCase(c), x);
    expect(c.decision_function[0]).toHaveLength((c.classes.length * (c.classes.length - 1)) / 2);
    const { worstShareOfTolerance, nearTies } = compareDecisions(run, x.rows, float32Tolerance(fromScikitLearn(c)), (r, p) => c.decision_function[r][p]);
    expect(worstShareOfTolerance).toBeLessThanOrEqual(1);
    expect(nearTies).toEqual([]);
    expect(run.labels).toEqual(c.predict);
  });

  it.each(golden.cases.filter((c) => c.predict_proba !== null))('$case: scikit-learn’s predict_proba', async (c) => {
    const x = rowsOf(c);
    const run = await runOnnx(exportCase(c), x);
    const k = c.classes.length;
    const probabilities = run.probabilities ?? new Float32Array(0);
    expect(probabilities).toHaveLength(x.rows * k);
    const worst = Math.max(...(c.predict_proba ?? []).flatMap((row, r) => row.map((p, j) => Math.abs(probabilities[r * k + j] - p))));
    expect(worst).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
  });

  it('covers 3 classes with and without probabilities, and 2 classes with them', () => {
    expect(golden.cases.map((c) => [c.classes.length, c.predict_proba !== null])).toEqual([
      [3, true],
      [3, false],
      [2, true],
    ]);
  });
});
