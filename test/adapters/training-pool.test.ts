import { afterAll, describe, expect, it } from 'vitest';
import { take, takeRows } from '../../src/core/matrix.js';
import type { TrainingParams } from '../../src/core/model-artifact.js';
import { fitModel } from '../../src/core/model-artifact.js';
import { planGridSearch } from '../../src/core/grid-search.js';
import { TrainingPool } from '../../src/adapters/training-pool.js';
import { numericPreprocessing, numericTask } from '../helpers/pipelines.js';
import { slowGrid } from '../helpers/slow-training.js';
import { waitFor } from '../helpers/wait-for.js';
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

/** A training that is cancelled or times out must not keep a core busy: its threads go with it. */
describe('TrainingPool with a signal', () => {
  const pool = new TrainingPool(2);
  afterAll(() => pool.close());
  const data = loadWdbc();
  const plan = planGridSearch(slowGrid, data.y, 3, numericPreprocessing(data.x));

  it('rejects at once when the signal aborts, and terminates the threads the fits ran on', async () => {
    const controller = new AbortController();
    let done = 0;
    const grid = pool.runners(controller.signal).runGrid(plan, data.x, data.y, (p) => (done = p.done));
    grid.catch(() => undefined);
    await waitFor('both threads to work', async () => ((await pool.threadCount()) === 2 && done > 0 ? true : undefined), 30_000, 10);
    controller.abort(new Error('stop'));
    await expect(grid).rejects.toMatchObject({ name: 'AbortError', cause: new Error('stop') });
    expect(done).toBeLessThan(plan.tasks.length);
    // Threads that finish a task stay for the next one (idleTimeout); these were ended.
    expect(await pool.threadCount()).toBe(0);
    // The pool works on: the next training gets new threads.
    const { fitFinal } = pool.runners(new AbortController().signal);
    expect((await fitFinal(numericTask({ scaled: true, C: 1, gamma: 'scale', x: data.x, y: data.y }))).svc.classes).toEqual(['B', 'M']);
  });
});
