import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../src/core/dataset.js';
import { take, takeRows } from '../../src/core/matrix.js';
import { fitModel } from '../../src/core/model-artifact.js';
import type { TrainingMode, TrainingParams } from '../../src/core/model-artifact.js';
import { predict } from '../../src/core/predictor.js';

/**
 * Parity with scikit-learn: each golden file (made by scripts/make-golden.py with Debian's
 * scikit-learn) holds a split of the bundled data and, per training mode, what scikit-learn fitted
 * and predicted. Our pipeline must pick the same support vectors, the same best grid-search
 * parameters with the same CV scores, and give the same decision values within 1e-9.
 */
const goldenDir = new URL('../golden/', import.meta.url);
const dataset = parseDataset(readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });

interface GoldenMode {
  gamma: number;
  n_support: number[];
  support: number[];
  dual_coef: number[];
  intercept: number[];
  decision_function: number[];
  predictions: string[];
  best_params?: { C: number; gamma: number };
  best_index?: number;
  cv_results?: { mean_test_score: number[]; rank_test_score: number[]; [split: string]: unknown };
}
interface Golden {
  case: string;
  train_indices: number[];
  test_indices: number[];
  modes: Record<string, GoldenMode>;
}

const goldens = readdirSync(goldenDir)
  .filter((f) => f.endsWith('.json') && f !== 'random_state.json' && !f.startsWith('stats-') && !f.startsWith('multiclass-'))
  .map((f) => JSON.parse(readFileSync(new URL(f, goldenDir), 'utf8')) as Golden)
  .filter((g) => g.modes !== undefined);

const params = (mode: TrainingMode, gamma: TrainingParams['gamma'] = 'scale'): TrainingParams => ({
  mode,
  C: 1,
  gamma,
  grid: { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01, 0.001] },
  cv: 5,
  impute: 'mean',
});

describe.each(goldens)('scikit-learn parity: $case', (golden) => {
  const xTrain = takeRows(dataset.x, golden.train_indices);
  const yTrain = take(dataset.y, golden.train_indices);
  const xTest = takeRows(dataset.x, golden.test_indices);

  it.each(Object.keys(golden.modes))('%s', async (modeKey) => {
    const expected = golden.modes[modeKey];
    const mode = (modeKey === 'gamma-auto-basic' ? 'basic' : modeKey) as TrainingMode;
    const pipeline = await fitModel(params(mode, golden.case === 'gamma-auto-basic' ? 'auto' : 'scale'), xTrain, yTrain, dataset.features);

    if (expected.best_params) {
      const grid = pipeline.gridSearch;
      expect(grid?.bestParams).toEqual(expected.best_params);
      expect(grid?.bestIndex).toBe(expected.best_index);
      expect(grid?.meanTestScore).toEqual(expected.cv_results?.mean_test_score);
      expect(grid?.rankTestScore).toEqual(expected.cv_results?.rank_test_score);
    }
    expect(pipeline.svc.gamma).toBe(expected.gamma);
    expect(pipeline.svc.nSupport).toEqual(expected.n_support);
    expect(pipeline.svc.support).toEqual(expected.support);
    // scikit-learn exposes the negated libsvm coefficients and rho for a binary problem.
    pipeline.svc.svCoef.forEach((c, k) => expect(Math.abs(-c - expected.dual_coef[k])).toBeLessThanOrEqual(1e-9));
    expect(Math.abs(pipeline.svc.rho[0] - expected.intercept[0])).toBeLessThanOrEqual(1e-9);

    const { labels, decision } = predict(pipeline, xTest);
    expect(labels).toEqual(expected.predictions);
    const worst = Math.max(...Array.from(decision, (d, k) => Math.abs(d - expected.decision_function[k])));
    expect(worst).toBeLessThanOrEqual(1e-9);

    // Persisted as JSON and read back, the model gives bit-identical decision values.
    const reloaded = JSON.parse(JSON.stringify(pipeline)) as typeof pipeline;
    expect(Array.from(predict(reloaded, xTest).decision)).toEqual(Array.from(decision));
  });
});
