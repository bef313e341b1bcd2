import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DatasetOptions } from '../../src/core/dataset.js';
import { parseDataset } from '../../src/core/dataset.js';
import { take, takeRows } from '../../src/core/matrix.js';
import type { TrainingMode } from '../../src/core/model-artifact.js';
import { preprocessingOf } from '../../src/core/model-artifact.js';
import { chooseThreshold, labelsAtThreshold, OperatingPointError, outOfFoldDecision, positiveScores, thresholdForRecall } from '../../src/core/operating-point.js';

/**
 * Out-of-fold decision values against scikit-learn's
 * `cross_val_predict(pipeline, X_train, y_train, cv=5, method="decision_function")`
 * (scripts/make-probability-golden.py, `pipeline_case`), and the threshold chosen on them.
 */
interface GoldenCase {
  name: string;
  positive: string;
  classes: string[];
  train_indices: number[];
  csv?: string;
  reading?: DatasetOptions;
  modes: Record<TrainingMode, { best_params: { C: number; gamma: number | 'scale' }; out_of_fold_decision: number[] }>;
}
const golden = JSON.parse(readFileSync(new URL('../golden/probability-pipeline.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };
const bundled = { csv: readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8'), reading: { label: 'diagnosis', positive: 'M', drop: ['id'] } };

describe.each(golden.cases)('$name: out-of-fold decision values', (c) => {
  const { csv, reading } = c.csv !== undefined && c.reading ? { csv: c.csv, reading: c.reading } : bundled;
  const dataset = parseDataset(csv, reading);
  const x = takeRows(dataset.x, c.train_indices);
  const y = take(dataset.y, c.train_indices);

  it.each(['basic', 'normalized', 'gridsearch'] as const)('%s: as cross_val_predict(method="decision_function")', async (mode) => {
    const expected = c.modes[mode];
    const task = { features: dataset.features, preprocessing: preprocessingOf({ mode, impute: 'mean' }), ...expected.best_params, x, y };
    const oof = await outOfFoldDecision(task, 5);
    expect(oof.length).toBe(expected.out_of_fold_decision.length);
    expect(Math.max(...Array.from(oof, (v, i) => Math.abs(v - expected.out_of_fold_decision[i])))).toBeLessThanOrEqual(1e-9);
    if (c.classes.length !== 2) return;

    // The highest threshold reaching the target on these values: one positive row fewer misses it.
    const scores = positiveScores(Float64Array.from(expected.out_of_fold_decision), c.classes, c.positive);
    const P = y.filter((v) => v === c.positive).length;
    const recallAt = (t: number) => y.filter((v, i) => v === c.positive && scores[i] >= t).length / P;
    for (const target of [0.9, 0.95, 0.99, 1]) {
      const t = thresholdForRecall(y, scores, c.positive, target);
      expect(recallAt(t)).toBeGreaterThanOrEqual(target);
      const higher = scores.filter((s, i) => y[i] === c.positive && s > t);
      if (higher.length > 0) expect(recallAt(Math.min(...higher))).toBeLessThan(target);
    }
    const chosen = await chooseThreshold(task, 5, c.classes, c.positive, 0.99);
    expect(chosen.threshold).toBe(thresholdForRecall(y, positiveScores(oof, c.classes, c.positive), c.positive, 0.99));
    expect(chosen.outOfFoldRecall).toBeGreaterThanOrEqual(0.99);
    const labels = labelsAtThreshold(positiveScores(oof, c.classes, c.positive), c.classes, c.positive, chosen.threshold);
    expect(labels.filter((l, i) => l === c.positive && y[i] === c.positive).length / P).toBe(chosen.outOfFoldRecall);
  });
});

it('refuses a target recall for more than two classes, or out of (0, 1]', () => {
  expect(() => positiveScores([1, 2, 3], ['a', 'b', 'c'], 'a')).toThrow(OperatingPointError);
  expect(() => thresholdForRecall(['a', 'b'], [1, -1], 'a', 0)).toThrow(/targetRecall must be in \(0, 1\], got 0/);
  expect(() => thresholdForRecall(['b', 'b'], [1, -1], 'a', 0.9)).toThrow(/no training row of the positive class a/);
});
