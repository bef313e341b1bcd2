import { describe, expect, it } from 'vitest';
import { takeRows } from '../../src/core/matrix.js';
import { fitMinMaxScaler, transformMinMax } from '../../src/core/min-max-scaler.js';
import { createPredictor } from '../../src/core/predictor.js';
import { FitWorkspace } from '../../src/core/svc/fit-workspace.js';
import { HeldOutKernel } from '../../src/core/svc/held-out-kernel.js';
import { defaultSvcParams, prepareSvcProblem, solveSvcProblem } from '../../src/core/svc/svc.js';
import { loadWdbc } from '../helpers/wdbc.js';
import { numericColumnTransformer } from '../../src/core/preprocessing/column-transformer.js';
import { namesOf } from '../helpers/pipelines.js';

/**
 * The grid search scores the models of one fold and gamma with kernel values it keeps between
 * them; their decision values must be the very bits of the serving predictor's, whatever the
 * number of held-out rows (blocks of four and the rest) and support vectors.
 */
describe('HeldOutKernel', () => {
  const data = loadWdbc();
  // One workspace for every case: each kernel starts on what the one before left in it.
  const workspace = new FitWorkspace();
  it.each([1, 3, 4, 9, 30, 57])('gives the predictor decision values for %i held-out rows', (nTest) => {
    const train = Array.from({ length: 150 }, (_, k) => (k * 7) % data.x.rows);
    const test = Array.from({ length: nTest }, (_, k) => (k * 11 + 3) % data.x.rows);
    const xTrain = takeRows(data.x, train);
    const xTest = takeRows(data.x, test);
    const yTrain = train.map((i) => data.y[i]);
    for (const scaled of [true, false]) {
      const scaler = scaled ? fitMinMaxScaler(xTrain) : null;
      for (const gamma of [1, 0.1, 'scale'] as const) {
        const problem = prepareSvcProblem(scaler ? transformMinMax(scaler, xTrain) : xTrain, yTrain, gamma, workspace);
        const heldOut = new HeldOutKernel(problem, scaler ? transformMinMax(scaler, xTest) : xTest, workspace);
        for (const C of [0.1, 100, 1, 10]) {
          const svc = solveSvcProblem(problem, { ...defaultSvcParams, C, gamma });
          const expected = createPredictor({ preprocessor: numericColumnTransformer(namesOf(xTest), scaler), svc }).decide(xTest.data, xTest.rows);
          const got = heldOut.decide(svc);
          expect(Array.from(got).filter((d, r) => !Object.is(d, expected[r]))).toEqual([]);
        }
      }
    }
  });
});
