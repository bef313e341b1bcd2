import { describe, expect, it } from 'vitest';
import { groupCs, planGridSearch, scoreGridGroup } from '../../src/core/grid-search.js';
import { numericColumnTransformer } from '../../src/core/preprocessing/column-transformer.js';
import { namesOf, numericPreprocessing, numericTask, seenBySvc } from '../helpers/pipelines.js';
import type { Matrix } from '../../src/core/matrix.js';
import { matrixFromRows, take, takeRows } from '../../src/core/matrix.js';
import { fitMinMaxScaler, transformMinMax } from '../../src/core/min-max-scaler.js';
import { fitPipeline } from '../../src/core/pipeline.js';
import { createPredictor, predict, PredictorError, predictorKernels } from '../../src/core/predictor.js';
import { FitWorkspace } from '../../src/core/svc/fit-workspace.js';
import { HeldOutKernel } from '../../src/core/svc/held-out-kernel.js';
import { labelsFromOvo, ovrDecision } from '../../src/core/svc/one-vs-one.js';
import type { SvcModel, SvcPairFit } from '../../src/core/svc/svc.js';
import { defaultSvcParams, fitSvc, prepareSvcProblem, solveSvcProblem, svcDecisionFunction, svcOvoDecision } from '../../src/core/svc/svc.js';
import { readGolden } from '../helpers/wdbc.js';

interface DataGolden {
  readonly X: number[][];
  readonly y: string[];
}
interface VotesGolden {
  readonly cases: { classes: string[]; ovo: number[][]; ovr: number[][]; predictions: string[]; vote_ties: number }[];
}

const iris = readGolden<DataGolden>('multiclass-iris');
const digits = readGolden<DataGolden>('multiclass-digits-stratified');
const data = (golden: DataGolden) => ({ x: matrixFromRows(golden.X), y: golden.y });
const mismatches = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  return Array.from(a).filter((v, i) => !Object.is(v, b[i])).length;
};

describe('one-vs-one votes and ovr values', () => {
  const { cases } = readGolden<VotesGolden>('multiclass-votes');

  it.each(cases.map((c) => [c.classes.length, c] as const))('are libsvm’s and scikit-learn’s for %i classes, zeros and ties included', (k, c) => {
    expect(c.vote_ties).toBeGreaterThan(0);
    const ovo = Float64Array.from(c.ovo.flat());
    expect(labelsFromOvo(c.classes, ovo, c.ovo.length)).toEqual(c.predictions);
    expect(mismatches(ovrDecision(ovo, c.ovo.length, k), c.ovr.flat())).toBe(0);

    // The same through the serving predictor: a model whose coefficients are zero has the pair values -rho.
    for (const [r, values] of c.ovo.entries()) {
      const svc: SvcModel = {
        kind: 'rbf-svc',
        params: defaultSvcParams,
        gamma: 1,
        classes: c.classes,
        nFeatures: 1,
        support: c.classes.map((_, i) => i),
        nSupport: c.classes.map(() => 1),
        supportVectors: c.classes.map((_, i) => i),
        svCoef: new Array<number>((k - 1) * k).fill(0),
        rho: values.map((v) => -v),
        iterations: values.map(() => 0),
      };
      const served = createPredictor({ preprocessor: numericColumnTransformer(['f0'], null), svc }).classify(Float64Array.of(0.5), 1);
      expect(mismatches(served.ovo, values)).toBe(0);
      expect(served.labels).toEqual([c.predictions[r]]);
      expect(mismatches(served.decision, c.ovr[r])).toBe(0);
    }
  });
});

describe('k-class serving predictor', () => {
  // Fits on subsets of several sizes, so the support-vector counts cover every remainder modulo 8.
  it.each([
    ['iris', data(iris), [12, 20, 30, 45, 60, 75, 90, 120]],
    ['digits', data(digits), [30, 41, 60, 77, 100, 130, 160, 200]],
  ] as const)('is bit-identical to the plain libsvm reference (%s)', (_, { x, y }, sizes) => {
    const remainders = new Set<number>();
    for (const n of sizes) {
      const rows = Array.from({ length: n }, (__, k) => (k * 37) % x.rows);
      for (const scaled of [true, false]) {
        const pipeline = fitPipeline(numericTask({ scaled, C: 10, gamma: scaled ? 0.5 : 'scale', x: takeRows(x, rows), y: take(y, rows) }));
        remainders.add(pipeline.svc.support.length % 8);
        const seen = seenBySvc(pipeline, x);
        // WebAssembly SIMD and the JavaScript fallback alike
        for (const kernel of predictorKernels) {
          const served = createPredictor(pipeline, { kernel }).classify(x.data, x.rows);
          expect(mismatches(served.ovo, svcOvoDecision(pipeline.svc, seen))).toBe(0);
          expect(mismatches(served.decision, svcDecisionFunction(pipeline.svc, seen))).toBe(0);
          expect(mismatches(createPredictor(pipeline, { kernel }).decide(x.data, x.rows), served.decision)).toBe(0);
          expect(served.labels).toEqual(labelsFromOvo(pipeline.svc.classes, svcOvoDecision(pipeline.svc, seen), x.rows));
        }
      }
    }
    expect(remainders.size).toBeGreaterThanOrEqual(5);
  });

  it('runs k-class kernels in WebAssembly SIMD unless asked for JavaScript', () => {
    const { x, y } = data(iris);
    const pipeline = fitPipeline(numericTask({ scaled: true, C: 1, gamma: 'scale', x, y }));
    expect(createPredictor(pipeline).kernel).toBe('wasm-simd');
    expect(createPredictor(pipeline, { kernel: 'js' }).kernel).toBe('js');
  });

  it('has no single decision value to label for k > 2 classes', () => {
    const { x, y } = data(iris);
    const predictor = createPredictor(fitPipeline(numericTask({ scaled: true, C: 1, gamma: 'scale', x, y })));
    expect(predictor.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(() => predictor.label(0.5)).toThrow(PredictorError);
  });

  it('gives two-class models their pair value as the negated decision value', () => {
    const { x, y } = data(iris);
    const rows = y.flatMap((label, i) => (label === 'setosa' ? [] : [i]));
    const pipeline = fitPipeline(numericTask({ scaled: true, C: 1, gamma: 'scale', x: takeRows(x, rows), y: take(y, rows) }));
    const predictor = createPredictor(pipeline);
    const { labels, decision, ovo } = predictor.classify(x.data, x.rows);
    expect(mismatches(decision, predictor.decide(x.data, x.rows))).toBe(0);
    expect(mismatches(ovo, decision.map((d) => -d))).toBe(0);
    expect(labels).toEqual(Array.from(decision, (d) => predictor.label(d)));
  });
});

describe('k-class fits that share a prepared problem', () => {
  const { x, y } = data(digits);
  const plan = planGridSearch({ C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01] }, y, 5, numericPreprocessing(x));

  it.each([1, 0.1, 'scale'] as const)('give each C the fit it gets on its own, and the held-out pair values of the predictor (gamma %s)', (gamma) => {
    const fold = plan.folds[3];
    const xTrain = takeRows(x, fold.train);
    const yTrain = take(y, fold.train);
    const scaler = fitMinMaxScaler(xTrain);
    const workspace = new FitWorkspace();
    const problem = prepareSvcProblem(transformMinMax(scaler, xTrain), yTrain, gamma, workspace);
    expect(problem.pairs).toHaveLength(45);
    const xTest = takeRows(x, fold.test);
    const heldOut = new HeldOutKernel(problem, transformMinMax(scaler, xTest), workspace);
    for (const C of [100, 0.1, 10, 1, 0.1]) {
      const shared = solveSvcProblem(problem, { ...defaultSvcParams, C, gamma });
      expect(shared).toEqual(fitSvc({ ...defaultSvcParams, C, gamma }, transformMinMax(scaler, xTrain), yTrain));
      const served = createPredictor({ preprocessor: numericColumnTransformer(namesOf(xTest), scaler), svc: shared }).classify(xTest.data, xTest.rows);
      expect(mismatches(heldOut.pairValues(shared), served.ovo)).toBe(0);
    }
  });

  it('scores a grid group as separate fits score each candidate', () => {
    for (const group of plan.groups.filter((g) => g.fold === 0 || g.fold === 2)) {
      const fold = plan.folds[group.fold];
      const xTest = takeRows(x, fold.test);
      const expected = groupCs(plan, group).map((C) => {
        const pipeline = fitPipeline(numericTask({ scaled: true, C, gamma: group.gamma, x: takeRows(x, fold.train), y: take(y, fold.train) }));
        return predict(pipeline, xTest).labels.filter((label, k) => label === y[fold.test[k]]).length / fold.test.length;
      });
      expect(scoreGridGroup(x, y, fold, group.gamma, groupCs(plan, group), plan.preprocessing)).toEqual(expected);
    }
  });
});

describe('the per-pair hook (where libsvm fits Platt scaling)', () => {
  it('sees each pair’s sub-problem in libsvm’s order, before the pair is solved, without changing the fit', () => {
    const { x, y } = data(iris);
    const rows = Array.from({ length: 90 }, (_, k) => (k * 7) % x.rows);
    const xTrain = takeRows(x, rows);
    const yTrain = take(y, rows);
    const params = { ...defaultSvcParams, C: 3 };
    const seen: SvcPairFit[] = [];
    const model = fitSvc(params, xTrain, yTrain, { beforePair: (fit) => seen.push(fit) });
    expect(model).toEqual(fitSvc(params, xTrain, yTrain));
    expect(seen.map((f) => [f.index, f.problem.first, f.problem.second])).toEqual([[0, 0, 1], [1, 0, 2], [2, 1, 2]]);
    for (const fit of seen) {
      const { first, second } = fit.problem;
      const rowsOf = (c: number) => yTrain.flatMap((label, i) => (label === model.classes[c] ? [i] : []));
      const expectedRows: Matrix = takeRows(xTrain, [...rowsOf(first), ...rowsOf(second)]);
      expect(Array.from(fit.problem.x)).toEqual(Array.from(expectedRows.data));
      expect(Array.from(fit.problem.y)).toEqual([...rowsOf(first).map(() => 1), ...rowsOf(second).map(() => -1)]);
      expect([fit.Cp, fit.Cn, fit.gamma, fit.params]).toEqual([3, 3, model.gamma, params]);
    }
  });
});
