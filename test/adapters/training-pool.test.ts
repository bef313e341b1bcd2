import { afterAll, describe, expect, it } from 'vitest';
import { take, takeRows } from '../../src/core/matrix.js';
import type { TrainingParams } from '../../src/core/model-artifact.js';
import { fitModel } from '../../src/core/model-artifact.js';
import { TrainingPool } from '../../src/adapters/training-pool.js';
import { loadWdbc } from '../helpers/wdbc.js';

/** The worker threads run the grid-search fits in groups over shared rows: same search, same model. */
describe('TrainingPool', () => {
  const pool = new TrainingPool(2);
  afterAll(() => pool.close());
  const data = loadWdbc();
  const rows = Array.from({ length: 300 }, (_, k) => (k * 13) % data.x.rows);
  const x = takeRows(data.x, rows);
  const y = take(data.y, rows);
  const params: TrainingParams = { mode: 'gridsearch', C: 1, gamma: 'scale', grid: { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01, 'scale'] }, cv: 5, impute: 'mean' };

  it('gives the grid search and final model of the inline run, with progress up to every task', async () => {
    const progress: number[] = [];
    const pooled = await fitModel(params, x, y, data.features, { runGrid: pool.runGrid, fitFinal: pool.fitFinal, onProgress: (p) => progress.push(p.done) });
    const inline = await fitModel(params, x, y, data.features);
    expect(pooled).toEqual(inline);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(80);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});
