import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDataset } from '../../src/core/dataset.js';
import type { Matrix } from '../../src/core/matrix.js';
import { matrixFromRows, take, takeRows } from '../../src/core/matrix.js';
import { fitMinMaxScaler, transformMinMax } from '../../src/core/min-max-scaler.js';
import { binarySvcProbability, crossValidatedDecisionValues } from '../../src/core/svc/binary-svc-probability.js';
import type { PairProblem } from '../../src/core/svc/binary-svc-probability.js';
import { LibsvmRandom, libsvmSeed } from '../../src/core/svc/libsvm-random.js';
import { multiclassProbability, predictProbabilities, ProbabilityError } from '../../src/core/svc/pairwise-coupling.js';
import { sigmoidPredict, sigmoidTrain } from '../../src/core/svc/platt-sigmoid.js';
import type { SolverOptions } from '../../src/core/svc/smo-solver.js';
import { defaultSvcParams, fitSvc, prepareSvcProblem, resolveGamma, sortedClasses, svcDecisionFunction } from '../../src/core/svc/svc.js';

/**
 * Parity with scikit-learn 1.2.1's `SVC(probability=True, random_state=…)`: golden values from
 * scripts/make-probability-golden.py. The seed, the generator's draws and the permutations are
 * identical. probA / probB and predict_proba are compared within TOLERANCE (measured: at most
 * ~1e-14): the arithmetic is libsvm's, in libsvm's order, but two library calls are not the same bits:
 * - V8's Math.exp / Math.log (fdlibm) and glibc's exp / log differ in the last bit for a few percent
 *   of arguments (held-out kernel values, the sigmoid's objective and predictions);
 * - scikit-learn 1.2.1's `k_function` sums the squared differences with BLAS `ddot` (OpenBLAS here, a
 *   vectorised kernel), mloop in feature order, as its predictor does.
 * With glibc's exp / log substituted (a throwaway check), predict_proba from scikit-learn's decision
 * values and every value of the tiny synthetic cases (dyadic features) came out bit-identical.
 */
const TOLERANCE = 1e-12;

interface Case {
  random_state: number;
  random_seed: number;
  C: number;
  class_weight: number[] | null;
  classes: string[];
  gamma: number;
  probA: number[];
  probB: number[];
  decision_function: number[] | number[][];
  predict_proba: number[][];
}
interface WdbcCase extends Case {
  mode: 'basic' | 'normalized';
}
interface MulticlassCase extends Case {
  name: string;
  X_train: number[][];
  y_train: string[];
  X_test: number[][];
  decision_function: number[][];
}
interface SyntheticCase extends Case {
  name: string;
  X: number[][];
  y: string[];
  permutation: number[];
  folds: { kind: 'fit' | 'positive-only' | 'negative-only' | 'empty'; held_out: number[] }[];
  decision_function: number[];
}
interface Golden {
  generator: {
    seeds: { random_state: number; random_seed: number }[];
    sequences: { seed: number; range: number | null; draws?: number[]; uint32_first?: number[]; uint32_620_to_640?: number[] }[];
    permutations: { seed: number; n: number; permutation: number[] }[];
  };
  wdbc: { train_indices: number[]; test_indices: number[]; cases: WdbcCase[] };
  multiclass: MulticlassCase[];
  synthetic: SyntheticCase[];
}

const golden = JSON.parse(readFileSync(new URL('../golden/probability.json', import.meta.url), 'utf8')) as Golden;
const solver: SolverOptions = { eps: defaultSvcParams.tol, shrinking: defaultSvcParams.shrinking, maxIter: defaultSvcParams.maxIter };

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  return Math.max(0, ...Array.from(a, (v, i) => Math.abs(v - b[i])));
};

/** libsvm's two-class problem of a binary fit: a binary SvcProblem (classes[0]'s rows first, as +1). */
function pairProblem(x: Matrix, y: readonly string[]): PairProblem {
  const { gamma, cols, pairs } = prepareSvcProblem(x, y, 'scale');
  return { gamma, cols, grouped: pairs[0].x, signs: pairs[0].y };
}

/** The probabilities of a binary model on `xTest`, from its scikit-learn decision values. */
function binaryProba(x: Matrix, y: readonly string[], xTest: Matrix, probA: number, probB: number): Float64Array {
  const decision = svcDecisionFunction(fitSvc(defaultSvcParams, x, y), xTest);
  // scikit-learn's binary decision_function is the negation of libsvm's value.
  return predictProbabilities(decision.map((d) => -d), [probA], [probB], 2);
}

describe('libsvm random generator', () => {
  it('derives libsvm seed from random_state as BaseLibSVM.fit does', () => {
    for (const { random_state, random_seed } of golden.generator.seeds) expect(libsvmSeed(random_state)).toBe(random_seed);
  });

  it('draws what std::mt19937 and bounded_rand_int draw', () => {
    for (const s of golden.generator.sequences) {
      const rng = new LibsvmRandom(s.seed);
      if (s.range === null) {
        const bits = Array.from({ length: 640 }, () => rng.nextUint32());
        expect(bits.slice(0, 10)).toEqual(s.uint32_first);
        expect(bits.slice(620)).toEqual(s.uint32_620_to_640);
      } else {
        expect(s.draws?.map(() => rng.boundedRandInt(s.range as number))).toEqual(s.draws);
      }
    }
  });

  it('gives the C++ standard check value: the 10000th draw of std::mt19937 with its default seed is 4123659995', () => {
    const rng = new LibsvmRandom(5489);
    for (let i = 1; i < 10000; i++) rng.nextUint32();
    expect(rng.nextUint32()).toBe(4123659995);
  });

  it("shuffles like svm_binary_svc_probability, and reseed restarts the sequence", () => {
    for (const { seed, n, permutation } of golden.generator.permutations) {
      const rng = new LibsvmRandom(seed);
      expect(Array.from(rng.permutation(n))).toEqual(permutation);
      rng.reseed();
      expect(Array.from(rng.permutation(n))).toEqual(permutation);
    }
  });
});

describe('binary SVC probabilities on the bundled data', () => {
  const dataset = parseDataset(readFileSync(new URL('../../data/wdbc.csv', import.meta.url), 'utf8'), { label: 'diagnosis', positive: 'M', drop: ['id'] });
  const xTrainRaw = takeRows(dataset.x, golden.wdbc.train_indices);
  const yTrain = take(dataset.y, golden.wdbc.train_indices);
  const xTestRaw = takeRows(dataset.x, golden.wdbc.test_indices);
  const scaler = fitMinMaxScaler(xTrainRaw);

  it.each(golden.wdbc.cases.map((c) => [`${c.mode} random_state=${c.random_state} C=${c.C} class_weight=${String(c.class_weight)}`, c] as const))('%s', (_, expected) => {
    const [xTrain, xTest] = expected.mode === 'basic' ? [xTrainRaw, xTestRaw] : [transformMinMax(scaler, xTrainRaw), transformMinMax(scaler, xTestRaw)];
    const problem = pairProblem(xTrain, yTrain);
    expect(problem.gamma).toBe(expected.gamma);
    const [wFirst, wSecond] = expected.class_weight ?? [1, 1];
    const { probA, probB } = binarySvcProbability(problem, expected.C * wFirst, expected.C * wSecond, solver, new LibsvmRandom(libsvmSeed(expected.random_state)));
    expect(Math.abs(probA - expected.probA[0])).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(probB - expected.probB[0])).toBeLessThanOrEqual(TOLERANCE);

    // predict_proba needs the main fit's decision values, which mloop fits with one C for both classes.
    if (expected.class_weight !== null) return;
    const proba = binaryProba(xTrain, yTrain, xTest, probA, probB);
    expect(maxAbsDiff(proba, expected.predict_proba.flat())).toBeLessThanOrEqual(TOLERANCE);
    // The coupling alone, on scikit-learn's own decision values and sigmoid.
    const fromGolden = predictProbabilities((expected.decision_function as number[]).map((d) => -d), expected.probA, expected.probB, 2);
    expect(maxAbsDiff(fromGolden, expected.predict_proba.flat())).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('multi-class probabilities (one generator across the class pairs)', () => {
  it.each(golden.multiclass.map((c) => [`${c.name} random_state=${c.random_state}`, c] as const))('%s', (_, expected) => {
    const x = matrixFromRows(expected.X_train);
    const classes = sortedClasses(expected.y_train);
    expect(classes).toEqual(expected.classes);
    const gamma = resolveGamma('scale', x);
    expect(gamma).toBe(expected.gamma);
    const k = classes.length;

    // libsvm's order: pairs (0,1), (0,2), …, (1,2), …; each pair's rows are class i's then class j's.
    const rng = new LibsvmRandom(libsvmSeed(expected.random_state));
    const probA: number[] = [];
    const probB: number[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const rows = [i, j].flatMap((c) => expected.y_train.flatMap((label, r) => (label === classes[c] ? [r] : [])));
        const pair = takeRows(x, rows);
        const signs = Int8Array.from(rows, (r) => (expected.y_train[r] === classes[i] ? 1 : -1));
        const fitted = binarySvcProbability({ grouped: pair.data, cols: x.cols, signs, gamma }, expected.C, expected.C, solver, rng);
        probA.push(fitted.probA);
        probB.push(fitted.probB);
      }
    }
    expect(maxAbsDiff(probA, expected.probA)).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(probB, expected.probB)).toBeLessThanOrEqual(TOLERANCE);

    // ovo decision values are libsvm's own sign for more than two classes.
    const decision = expected.decision_function.flat();
    expect(maxAbsDiff(predictProbabilities(decision, expected.probA, expected.probB, k), expected.predict_proba.flat())).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(predictProbabilities(decision, probA, probB, k), expected.predict_proba.flat())).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('tiny problems: folds whose training part has one class', () => {
  it.each(golden.synthetic.map((c) => [c.name, c] as const))('%s', (_, expected) => {
    const x = matrixFromRows(expected.X);
    const problem = pairProblem(x, expected.y);
    const seed = libsvmSeed(expected.random_state);
    expect(Array.from(new LibsvmRandom(seed).permutation(expected.y.length))).toEqual(expected.permutation);

    const decision = crossValidatedDecisionValues(problem, expected.C, expected.C, solver, new LibsvmRandom(seed));
    // A fold whose training part has one class gives its held-out rows (indices in libsvm's
    // grouped order) that class's sign instead of a fitted decision value.
    const constants = { 'positive-only': 1, 'negative-only': -1, empty: 0 } as const;
    for (const fold of expected.folds) {
      if (fold.kind !== 'fit') for (const k of fold.held_out) expect(decision[k]).toBe(constants[fold.kind]);
    }
    const { probA, probB } = binarySvcProbability(problem, expected.C, expected.C, solver, new LibsvmRandom(seed));
    expect(Math.abs(probA - expected.probA[0])).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(probB - expected.probB[0])).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(binaryProba(x, expected.y, x, probA, probB), expected.predict_proba.flat())).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('Platt sigmoid and pairwise coupling', () => {
  it('fits the sigmoid of separable scores to the smoothed targets and predicts with it', () => {
    const { probA, probB } = sigmoidTrain([2, 1.5, 1, -1, -2, -0.5], [1, 1, 1, -1, -1, -1]);
    // Positive decision values mean the first class: A < 0 so the probability grows with f.
    expect(probA).toBeLessThan(0);
    expect(sigmoidPredict(2, probA, probB)).toBeGreaterThan(0.5);
    expect(sigmoidPredict(-2, probA, probB)).toBeLessThan(0.5);
    // 1 - p computed without cancellation on both branches.
    expect(sigmoidPredict(-40, -1, 0) + sigmoidPredict(40, -1, 0)).toBeCloseTo(1, 15);
  });

  it('couples consistent pairwise probabilities into class probabilities that sum to 1', () => {
    const p = multiclassProbability(3, Float64Array.from([0, 0.6, 0.75, 0.4, 0, 2 / 3, 0.25, 1 / 3, 0]));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[0]).toBeGreaterThan(p[1]);
    expect(p[1]).toBeGreaterThan(p[2]);
  });

  it('rejects decision values that do not fit the number of classes', () => {
    expect(() => predictProbabilities([0.1, 0.2], [1, 1, 1], [0, 0, 0], 3)).toThrow(ProbabilityError);
    expect(() => predictProbabilities([0.1], [1], [0], 1)).toThrow(ProbabilityError);
  });
});
