import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DatasetOptions } from '../../src/core/dataset.js';
import { parseDataset } from '../../src/core/dataset.js';
import { takeRows } from '../../src/core/matrix.js';
import type { TrainingMode, TrainingParams } from '../../src/core/model-artifact.js';
import { predict } from '../../src/core/predictor.js';
import { trainAndEvaluate } from '../../src/core/training.js';

/**
 * The whole pipeline on tables a clinic would bring (scripts/make-golden.py, `make_tabular_case`):
 * missing cells, categorical columns, a headerless file in the original Wisconsin layout, three
 * classes. The CSV text is read by mloop's reader with the options a user would configure, split,
 * fitted in each mode and evaluated exactly as `pd.read_csv` then `Pipeline([ColumnTransformer,
 * SVC()])` (and `GridSearchCV` over it) do in scikit-learn.
 */
interface GoldenMode {
  gamma: number;
  n_support: number[];
  support: number[];
  decision_function: number[];
  predictions: string[];
  confusion_matrix: number[][];
  report_text: string;
  recall_positive: number;
  recall_macro: number;
  best_params?: { C: number; gamma: number };
  cv_results?: { mean_test_score: number[] };
}
interface TabularGolden {
  case: string;
  csv: string;
  reading: DatasetOptions;
  classes: string[];
  train_indices: number[];
  test_indices: number[];
  tabular_modes: Record<TrainingMode, GoldenMode>;
}

const cases = ['wisconsin', 'wdbc-mixed', 'iris', 'wine'].map(
  (name) => JSON.parse(readFileSync(new URL(`../golden/tabular-${name}.json`, import.meta.url), 'utf8')) as TabularGolden,
);

const training = (mode: TrainingMode): TrainingParams => ({ mode, C: 1, gamma: 'scale', grid: { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01, 0.001] }, cv: 5, impute: 'mean' });

describe.each(cases)('$case', (golden) => {
  const dataset = parseDataset(golden.csv, golden.reading);
  const split = { testSize: 0.2, randomState: 20, stratify: false };

  it.each(['basic', 'normalized', 'gridsearch'] as const)('%s: same split, support vectors, decision values, predictions and report', async (mode) => {
    const expected = golden.tabular_modes[mode];
    const outcome = await trainAndEvaluate(dataset, { split, training: training(mode), positive: golden.reading.positive, monitor: { metric: 'recall', threshold: 0.9 } });
    expect(outcome.trainIndices).toEqual(golden.train_indices);
    expect(outcome.testIndices).toEqual(golden.test_indices);
    const { svc } = outcome.artifact;
    expect(svc.classes).toEqual(golden.classes);
    if (expected.best_params) {
      expect(outcome.artifact.gridSearch?.bestParams).toEqual(expected.best_params);
      expect(outcome.artifact.gridSearch?.meanTestScore).toEqual(expected.cv_results?.mean_test_score);
    }
    expect(svc.gamma).toBe(expected.gamma);
    expect(svc.nSupport).toEqual(expected.n_support);
    expect(svc.support).toEqual(expected.support);
    const { metrics, reportText, value } = outcome.evaluation;
    expect(metrics.confusionMatrix).toEqual(expected.confusion_matrix);
    expect(reportText).toBe(expected.report_text);
    expect(value).toBe(expected.recall_positive);
    expect(metrics.recallMacro).toBe(expected.recall_macro);

    // Predictions and decision values on the test rows, through the serving predictor.
    const { labels, decision } = predict(outcome.artifact, takeRows(dataset.x, golden.test_indices));
    expect(labels).toEqual(expected.predictions);
    const worst = Math.max(...Array.from(decision, (d, k) => Math.abs(d - expected.decision_function[k])));
    expect(worst).toBeLessThanOrEqual(1e-9);
  });
});
