import { describe, expect, it } from 'vitest';
import { fitPipeline } from '../../src/core/pipeline.js';
import { predict } from '../../src/core/predictor.js';
import { groupCs, planGridSearch, scoreGridGroup } from '../../src/core/grid-search.js';
import { take, takeRows } from '../../src/core/matrix.js';
import { fitMinMaxScaler, transformMinMax } from '../../src/core/min-max-scaler.js';
import { defaultSvcParams, fitSvc, prepareSvcProblem, solveSvcProblem } from '../../src/core/svc/svc.js';
import { loadWdbc } from '../helpers/wdbc.js';
import { numericPreprocessing, numericTask } from '../helpers/pipelines.js';

/**
 * The grid search fits a fold's candidates that share a gamma together, on one Q matrix whose
 * cached kernel rows serve every C. Each fit must still be the fit it would be on its own: the
 * same model to the bit and the same score, whatever the order of the C values.
 */
describe('grid-search groups', () => {
  const data = loadWdbc();
  const rows = Array.from({ length: 240 }, (_, k) => (k * 7) % data.x.rows);
  const x = takeRows(data.x, rows);
  const y = take(data.y, rows);
  const grid = { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 'scale', 0.001] as const };

  it('puts every task in exactly one group of one fold and one gamma', () => {
    const plan = planGridSearch({ C: grid.C, gamma: [...grid.gamma] }, y, 5, numericPreprocessing(x));
    expect(plan.groups).toHaveLength(grid.gamma.length * 5);
    const seen = plan.groups.flatMap((g) => g.tasks);
    expect([...seen].sort((a, b) => a - b)).toEqual(plan.tasks.map((_, k) => k));
    for (const g of plan.groups) {
      for (const k of g.tasks) {
        expect(plan.tasks[k].fold).toBe(g.fold);
        expect(plan.candidates[plan.tasks[k].candidate].gamma).toBe(g.gamma);
      }
      expect(groupCs(plan, g)).toEqual(grid.C);
    }
  });

  it.each(grid.gamma)('shares the kernel rows across C without changing a fit (gamma %s)', (gamma) => {
    const fold = planGridSearch({ C: [1], gamma: [gamma] }, y, 5, numericPreprocessing(x)).folds[2];
    const xTrain = takeRows(x, fold.train);
    const yTrain = Array.from(fold.train, (i) => y[i]);
    const scaled = transformMinMax(fitMinMaxScaler(xTrain), xTrain);
    const problem = prepareSvcProblem(scaled, yTrain, gamma);
    for (const C of [100, 0.1, 10, 1, 0.1, 100]) {
      const shared = solveSvcProblem(problem, { ...defaultSvcParams, C, gamma });
      expect(shared).toEqual(fitSvc({ ...defaultSvcParams, C, gamma }, scaled, yTrain));
    }
  });

  it('scores a group as separate fits score each candidate', () => {
    const plan = planGridSearch({ C: grid.C, gamma: [...grid.gamma] }, y, 5, numericPreprocessing(x));
    for (const group of plan.groups.filter((g) => g.fold === 1 || g.fold === 4)) {
      const fold = plan.folds[group.fold];
      const xTest = takeRows(x, fold.test);
      const expected = groupCs(plan, group).map((C) => {
        const pipeline = fitPipeline(numericTask({ scaled: true, C, gamma: group.gamma, x: takeRows(x, fold.train), y: Array.from(fold.train, (i) => y[i]) }));
        const predicted = predict(pipeline, xTest).labels;
        return predicted.filter((label, k) => label === y[fold.test[k]]).length / fold.test.length;
      });
      expect(scoreGridGroup(x, y, fold, group.gamma, groupCs(plan, group), plan.preprocessing)).toEqual(expected);
    }
  });
});
