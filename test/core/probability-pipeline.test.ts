import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DatasetOptions } from '../../src/core/dataset.js';
import { parseDataset } from '../../src/core/dataset.js';
import { takeRows } from '../../src/core/matrix.js';
import type { TrainingMode, TrainingParams } from '../../src/core/model-artifact.js';
import { predict } from '../../src/core/predictor.js';
import { trainAndEvaluate } from '../../src/core/training.js';

/**
 * A training with `training.probability` through the whole pipeline, against
 * `Pipeline([..., SVC(probability=True, random_state=20)])` (scripts/make-probability-golden.py,
 * `pipeline_case`): the same support vectors and decision values as without probabilities, and
 * scikit-learn's probA_, probB_ and predict_proba on the test rows within 1e-9.
 */
interface GoldenMode {
  best_params: { C: number; gamma: number | 'scale' };
  support: number[];
  probA: number[];
  probB: number[];
  decision_function: number[];
  predict_proba: number[];
  curves: Record<string, { roc_auc: number; average_precision: number }>;
}
interface GoldenCase {
  name: string;
  positive: string;
  classes: string[];
  train_indices: number[];
  test_indices: number[];
  csv?: string;
  reading?: DatasetOptions;
  modes: Record<TrainingMode, GoldenMode>;
}

const probabilityPipelineGolden = JSON.parse(readFileSync(new URL('../golden/probability-pipeline.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };
const TOLERANCE = 1e-9;

const bundled = { csv: readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8'), reading: { label: 'diagnosis', positive: 'M', drop: ['id'] } };
const training = (mode: TrainingMode, probability: boolean): TrainingParams => ({ mode, C: 1, gamma: 'scale', grid: { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01, 0.001] }, cv: 5, impute: 'mean', probability });
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  return Math.max(0, ...Array.from(a, (v, i) => Math.abs(v - b[i])));
};

describe.each(probabilityPipelineGolden.cases)('$name', (golden) => {
  const { csv, reading } = golden.csv !== undefined && golden.reading ? { csv: golden.csv, reading: golden.reading } : bundled;
  const dataset = parseDataset(csv, reading);
  const split = { testSize: 0.2, randomState: 20, stratify: false };
  const monitor = { metric: 'recall', threshold: 0.9 } as const;

  it.each(['basic', 'normalized', 'gridsearch'] as const)('%s: predict_proba as SVC(probability=True, random_state=20), the fit otherwise unchanged', async (mode) => {
    const expected = golden.modes[mode];
    const outcome = await trainAndEvaluate(dataset, { split, training: training(mode, true), positive: golden.positive, monitor });
    expect(outcome.testIndices).toEqual(golden.test_indices);
    const { svc } = outcome.artifact;
    expect(svc.classes).toEqual(golden.classes);
    expect(svc.support).toEqual(expected.support);
    expect(maxAbsDiff(svc.probA ?? [], expected.probA)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(svc.probB ?? [], expected.probB)).toBeLessThanOrEqual(TOLERANCE);

    const xTest = takeRows(dataset.x, golden.test_indices);
    const { decision, probabilities } = predict(outcome.artifact, xTest);
    expect(maxAbsDiff(decision, expected.decision_function)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(probabilities ?? [], expected.predict_proba)).toBeLessThanOrEqual(TOLERANCE);

    // The test split's curves on decision values: roc_auc_score / average_precision_score of the
    // positive class (two classes) or of each class against the rest.
    const { curves, metrics } = outcome.evaluation;
    const labels = golden.classes.length === 2 ? [golden.positive] : golden.classes;
    expect(curves.perClass.map((c) => c.label)).toEqual(labels);
    for (const c of curves.perClass) {
      expect(c.rocAuc).toBeCloseTo(expected.curves[c.label].roc_auc, 12);
      expect(c.averagePrecision).toBeCloseTo(expected.curves[c.label].average_precision, 12);
      const k = metrics.labels.indexOf(c.label);
      expect(c.operatingPoint.recall).toBe(metrics.perClass[k].recall);
    }

    if (mode !== 'normalized') return;
    // Without probabilities: the very same model, and no probabilities in its answers.
    const plain = await trainAndEvaluate(dataset, { split, training: training(mode, false), positive: golden.positive, monitor });
    const { probA: _a, probB: _b, ...withoutPlatt } = svc;
    expect(plain.artifact.svc).toEqual(withoutPlatt);
    expect(plain.artifact.svc.probA).toBeUndefined();
    expect(predict(plain.artifact, xTest).probabilities).toBeNull();
  });
});
