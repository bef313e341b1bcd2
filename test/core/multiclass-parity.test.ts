import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../src/core/classification-metrics.js';
import { classificationReportDict, formatClassificationReport } from '../../src/core/classification-report.js';
import { matrixFromRows, take, takeRows } from '../../src/core/matrix.js';
import type { Matrix } from '../../src/core/matrix.js';
import { numericFeatures } from '../../src/core/feature-spec.js';
import { seenBySvc } from '../helpers/pipelines.js';
import { fitModel } from '../../src/core/model-artifact.js';
import type { ModelArtifact, TrainingMode } from '../../src/core/model-artifact.js';
import { createPredictor, predict } from '../../src/core/predictor.js';
import { stratifiedTestFolds } from '../../src/core/stratified-k-fold.js';
import { svcDecisionFunction, svcOvoDecision } from '../../src/core/svc/svc.js';
import { trainTestSplit } from '../../src/core/train-test-split.js';
import type { GoldenMode as BinaryGoldenMode } from '../helpers/wdbc.js';
import { readGolden } from '../helpers/wdbc.js';

/**
 * Parity with scikit-learn's multi-class SVC (libsvm one-vs-one): each golden file (made by
 * scripts/make-multiclass-golden.py) holds a data set scikit-learn ships, a split of it and, per
 * training mode, what scikit-learn fitted and predicted. The fit must pick the same support vectors
 * with the same solver iterations per pair, coefficients and intercepts, the grid search the same
 * scores, and the predictions, report and confusion matrix must be identical; decision values
 * agree within 1e-9 (the libm `exp` of the reference and V8's can differ in the last bit).
 */
interface GoldenMode extends Omit<BinaryGoldenMode, 'dual_coef' | 'decision_function'> {
  readonly classes: string[];
  /** (k − 1) rows × n_SV. */
  readonly dual_coef: number[][];
  readonly n_iter: number[];
  /** Rows × k (ovr), and rows × k(k−1)/2 (ovo). */
  readonly decision_function: number[][];
  readonly decision_ovo: number[][];
  readonly probe_decision_function: number[][];
  readonly probe_decision_ovo: number[][];
  readonly probe_predictions: string[];
  readonly positive: string;
  readonly best_params?: { C: number; gamma: number };
  readonly best_index?: number;
  readonly cv_results?: Record<string, number[]>;
}

interface Golden {
  readonly case: string;
  readonly feature_names: string[];
  readonly X: number[][];
  readonly y: string[];
  readonly probe: number[][];
  readonly split: { test_size: number; random_state: number; stratify: boolean };
  readonly train_indices: number[];
  readonly test_indices: number[];
  readonly cv_test_folds: number[];
  readonly modes: Record<TrainingMode, GoldenMode>;
}

const CASES = ['iris', 'iris-stratified', 'wine', 'wine-stratified', 'digits-stratified'];
const TOLERANCE = 1e-9;

const params = (mode: TrainingMode) => ({ mode, C: 1, gamma: 'scale' as const, grid: { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01, 0.001] }, cv: 5, impute: 'mean' as const });

/** Largest absolute difference, failing on a length mismatch. */
function maxDiff(got: ArrayLike<number>, expected: readonly number[]): number {
  expect(got.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
  return worst;
}

describe.each(CASES)('multi-class scikit-learn parity: %s', (name) => {
  const golden = readGolden<Golden>(`multiclass-${name}`);
  const x = matrixFromRows(golden.X);
  const probe = matrixFromRows(golden.probe);
  const xTrain = takeRows(x, golden.train_indices);
  const yTrain = take(golden.y, golden.train_indices);
  const xTest = takeRows(x, golden.test_indices);
  const yTest = take(golden.y, golden.test_indices);

  it('splits and folds the rows as scikit-learn', () => {
    const { split } = golden;
    const { train, test } = trainTestSplit(x.rows, { testSize: split.test_size, randomState: split.random_state }, split.stratify ? golden.y : undefined);
    expect(Array.from(train)).toEqual(golden.train_indices);
    expect(Array.from(test)).toEqual(golden.test_indices);
    expect(Array.from(stratifiedTestFolds(yTrain, 5))).toEqual(golden.cv_test_folds);
  });

  const fitted = new Map<TrainingMode, Promise<ModelArtifact>>();
  const fit = (mode: TrainingMode) => {
    if (!fitted.has(mode)) fitted.set(mode, fitModel(params(mode), xTrain, yTrain, numericFeatures(golden.feature_names)));
    return fitted.get(mode) as Promise<ModelArtifact>;
  };

  describe.each(['basic', 'normalized', 'gridsearch'] as const)('%s', (mode) => {
    const expected = golden.modes[mode];

    it('fits the same model', async () => {
      const { svc, gridSearch } = await fit(mode);
      if (expected.best_params) {
        const cv = expected.cv_results as Record<string, number[]>;
        expect(gridSearch?.bestParams).toEqual(expected.best_params);
        expect(gridSearch?.bestIndex).toBe(expected.best_index);
        expect(gridSearch?.meanTestScore).toEqual(cv.mean_test_score);
        expect(gridSearch?.stdTestScore).toEqual(cv.std_test_score);
        expect(gridSearch?.rankTestScore).toEqual(cv.rank_test_score);
        for (let f = 0; f < 5; f++) expect(gridSearch?.splitScores.map((s) => s[f])).toEqual(cv[`split${f}_test_score`]);
      }
      expect(svc.classes).toEqual(expected.classes);
      expect(svc.gamma).toBe(expected.gamma);
      expect(svc.nSupport).toEqual(expected.n_support);
      expect(svc.support).toEqual(expected.support);
      expect(svc.iterations).toEqual(expected.n_iter);
      // The solver's arithmetic is libsvm's, so the numbers are the same doubles (zero signs
      // included). For k > 2, dual_coef_ is sv_coef as it is and intercept_ is -rho, written by
      // libsvm_helper.c's copy_intercept as `t != 0 ? -t : 0`.
      expect(svc.svCoef).toEqual(expected.dual_coef.flat());
      expect(svc.rho.map((r) => (r !== 0 ? -r : 0))).toEqual(expected.intercept);
    });

    it('keeps the support vectors as the model saw them', async () => {
      const artifact = await fit(mode);
      const { svc } = artifact;
      const seen = seenBySvc(artifact, xTrain);
      expect(svc.supportVectors).toEqual(Array.from(takeRows(seen, svc.support).data));
    });

    it('predicts and decides as scikit-learn, on the test rows and on probe rows where votes tie', async () => {
      const artifact = await fit(mode);
      for (const [rows, labels, ovr, ovo] of [
        [xTest, expected.predictions, expected.decision_function, expected.decision_ovo],
        [probe, expected.probe_predictions, expected.probe_decision_function, expected.probe_decision_ovo],
      ] as const) {
        const got = predict(artifact, rows);
        expect(got.labels).toEqual(labels);
        expect(maxDiff(got.decision, ovr.flat())).toBeLessThanOrEqual(TOLERANCE);
        expect(maxDiff(got.ovo, ovo.flat())).toBeLessThanOrEqual(TOLERANCE);
      }
    });

    it('serves the very bits of the plain libsvm reference, also after a JSON round trip', async () => {
      const artifact = await fit(mode);
      const both: Matrix = matrixFromRows([...golden.X, ...golden.probe]);
      const seen = seenBySvc(artifact, both);
      const served = createPredictor(artifact).classify(both.data, both.rows);
      const reloaded = createPredictor(JSON.parse(JSON.stringify(artifact)) as ModelArtifact).classify(both.data, both.rows);
      const mismatches = (a: Float64Array, b: Float64Array) => Array.from(a).filter((v, i) => !Object.is(v, b[i])).length;
      expect(mismatches(served.ovo, svcOvoDecision(artifact.svc, seen))).toBe(0);
      expect(mismatches(served.decision, svcDecisionFunction(artifact.svc, seen))).toBe(0);
      expect(mismatches(reloaded.ovo, served.ovo)).toBe(0);
      expect(mismatches(reloaded.decision, served.decision)).toBe(0);
      expect(reloaded.labels).toEqual(served.labels);
    });

    it('reports as classification_report, with every class', async () => {
      const { svc } = await fit(mode);
      const metrics = classificationMetrics(yTest, expected.predictions, svc.classes, expected.positive);
      expect(metrics.confusionMatrix).toEqual(expected.confusion_matrix);
      expect(classificationReportDict(metrics)).toEqual(expected.report);
      expect(formatClassificationReport(metrics)).toBe(expected.report_text);
      expect(metrics.recallPositive).toBe(expected.recall_positive);
      expect(metrics.recallMacro).toBe(expected.recall_macro);
    });
  });
});

describe('multi-class goldens', () => {
  it('include rows whose one-vs-one votes tie, where libsvm takes the first class', () => {
    const ties = CASES.flatMap((name) => Object.values(readGolden<{ modes: Record<string, { probe_vote_ties: number }> }>(`multiclass-${name}`).modes).map((m) => m.probe_vote_ties));
    expect(ties.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10);
  });
});
