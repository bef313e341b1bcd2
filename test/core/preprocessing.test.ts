import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from '../../src/core/feature-spec.js';
import type { Matrix } from '../../src/core/matrix.js';
import { matrixFromRows, take, takeRows } from '../../src/core/matrix.js';
import { fitMinMaxScaler, transformMinMax } from '../../src/core/min-max-scaler.js';
import type { ColumnTransformerParams, FittedColumnTransformer } from '../../src/core/preprocessing/column-transformer.js';
import {
  ColumnTransformerError,
  createRowFlags,
  createRowTransformer,
  featureNamesOut,
  fitColumnTransformer,
  imputedValues,
  transformColumns,
} from '../../src/core/preprocessing/column-transformer.js';
import { fitOneHotEncoder, OneHotEncoderError, transformOneHot, UNKNOWN_CATEGORY } from '../../src/core/preprocessing/one-hot-encoder.js';
import { fitSimpleImputer, SimpleImputerError, transformSimpleImputer } from '../../src/core/preprocessing/simple-imputer.js';
import { labelsFromOvo } from '../../src/core/svc/one-vs-one.js';
import { defaultSvcParams, fitSvc, svcDecisionFunction, svcOvoDecision } from '../../src/core/svc/svc.js';
import { trainTestSplit } from '../../src/core/train-test-split.js';
import { loadGoldenCase, loadWdbc, readGolden } from '../helpers/wdbc.js';

/**
 * Parity with scikit-learn's ColumnTransformer (SimpleImputer, MinMaxScaler, OneHotEncoder): each
 * golden file (scripts/make-preprocessing-golden.py) holds a table as mloop's reader gives it, the
 * split, and per impute strategy, scaled or not, what scikit-learn 1.2.1 fitted and output. The
 * statistics and the transformed matrices must be equal bit for bit; for the binary tables, mloop's
 * SVC fitted on our matrix must pick scikit-learn's support vectors with its decision values.
 */
type GoldenValue = number | string;

interface GoldenFit {
  readonly impute: ColumnTransformerParams['impute'];
  readonly scaled: boolean;
  readonly numeric_statistics: number[];
  readonly scaler_scale?: number[];
  readonly scaler_min?: number[];
  readonly categorical_statistics?: GoldenValue[];
  readonly encoder_categories?: GoldenValue[][];
  readonly feature_names_out: string[];
  readonly n_features_out: number;
  readonly X_train: number[];
  readonly X_test: number[];
  readonly svc?: {
    readonly classes: string[];
    readonly gamma: number;
    readonly n_support: number[];
    readonly support: number[];
    readonly dual_coef: number[];
    readonly intercept: number[];
    readonly decision_function: number[];
  };
}

interface PreprocessingGolden {
  readonly case: string;
  readonly split: { readonly test_size: number; readonly random_state: number };
  readonly train_indices: number[];
  readonly test_indices: number[];
  readonly features: FeatureSpec[];
  readonly raw: (number | null)[][];
  readonly labels: string[];
  readonly fits: GoldenFit[];
}

const CASES = ['wdbc-mixed', 'iris', 'wine', 'wisconsin'] as const;

/** The first differing positions (by Object.is, so -0 and +0 differ): empty when bit-identical. */
function differences(actual: ArrayLike<number>, expected: readonly number[]): string[] {
  const found: string[] = [];
  if (actual.length !== expected.length) return [`length ${actual.length} vs ${expected.length}`];
  for (let k = 0; k < expected.length && found.length < 5; k++) {
    if (!Object.is(actual[k], expected[k])) found.push(`[${k}] ${actual[k]} vs ${expected[k]}`);
  }
  return found;
}

/** scikit-learn keeps a numeric-coded category as the float; the reader keeps its text. */
function sameCategory(ours: string, theirs: GoldenValue): boolean {
  return typeof theirs === 'number' ? Number(ours) === theirs : ours === theirs;
}

/** A golden table with missing cells as NaN, split into its training and test rows. */
function loadCase(name: string) {
  const golden = readGolden<PreprocessingGolden>(`preprocessing-${name}`);
  const raw = matrixFromRows(golden.raw.map((r) => r.map((v) => v ?? NaN)));
  return {
    golden,
    raw,
    xTrain: takeRows(raw, golden.train_indices),
    xTest: takeRows(raw, golden.test_indices),
    yTrain: take(golden.labels, golden.train_indices),
  };
}

describe.each(CASES)('ColumnTransformer parity with scikit-learn: %s', (name) => {
  const { golden, raw, xTrain, xTest } = loadCase(name);
  const categorical = golden.features.flatMap((f, j) => (f.kind === 'categorical' ? [j] : []));

  it("reproduces the split with mloop's trainTestSplit", () => {
    const split = trainTestSplit(raw.rows, { testSize: golden.split.test_size, randomState: golden.split.random_state });
    expect(Array.from(split.train)).toEqual(golden.train_indices);
    expect(Array.from(split.test)).toEqual(golden.test_indices);
  });

  describe.each(golden.fits)('impute=$impute scaled=$scaled', (fit) => {
    const fitted = fitColumnTransformer({ impute: fit.impute, scaled: fit.scaled }, golden.features, xTrain);

    it('learns the same statistics, categories and output names', () => {
      expect(fitted.numeric?.imputer.statistics ?? []).toEqual(fit.numeric_statistics);
      expect(fitted.numeric?.scaler?.scale).toEqual(fit.scaler_scale);
      expect(fitted.numeric?.scaler?.min).toEqual(fit.scaler_min);
      expect(fitted.nOutputs).toBe(fit.n_features_out);
      const block = fitted.categorical;
      if (block === null) {
        expect(fit.encoder_categories).toBeUndefined();
      } else {
        const stats = block.columns.map((j, k) => (golden.features[j].categories ?? [])[block.imputer.statistics[k]]);
        stats.forEach((s, k) => expect(sameCategory(s, fit.categorical_statistics?.[k] ?? NaN), `${s} vs ${fit.categorical_statistics?.[k]}`).toBe(true));
        expect(block.encoder.categories.map((c) => c.length)).toEqual(fit.encoder_categories?.map((c) => c.length));
        block.encoder.categories.forEach((cats, k) => cats.forEach((c, m) => expect(sameCategory(c, fit.encoder_categories?.[k][m] ?? NaN)).toBe(true)));
      }
      const names = featureNamesOut(fitted);
      expect(names).toHaveLength(fit.feature_names_out.length);
      names.forEach((ours, k) => {
        const theirs = fit.feature_names_out[k];
        // `cat__grade_1` here is `cat__grade_1.0` in scikit-learn (pandas read the codes as floats).
        const prefix = ours.slice(0, ours.lastIndexOf('_') + 1);
        const numericName = ours.startsWith('cat__') && theirs.startsWith(prefix) && Number(ours.slice(prefix.length)) === Number(theirs.slice(prefix.length));
        expect(ours === theirs || numericName, `${ours} vs ${theirs}`).toBe(true);
      });
    });

    it('transforms the training and test rows to the same bits', () => {
      const train = transformColumns(fitted, xTrain);
      const test = transformColumns(fitted, xTest);
      expect(differences(train.x.data, fit.X_train)).toEqual([]);
      expect(differences(test.x.data, fit.X_test)).toEqual([]);

      // Imputed = the missing cells; unknown = the categorical cells scikit-learn encoded as all zeros.
      const missing = (x: Matrix) => Array.from(x.data).flatMap((v, k) => (Number.isNaN(v) ? [{ row: Math.floor(k / x.cols), feature: k % x.cols }] : []));
      expect(test.imputed).toEqual(missing(xTest));
      expect(train.imputed).toEqual(missing(xTrain));
      expect(train.unknown).toEqual([]);
      const zeroBlocks: { row: number; feature: number }[] = [];
      const widths = fitted.categorical?.encoder.codes.map((c) => c.length) ?? [];
      for (let i = 0; i < xTest.rows; i++) {
        let at = i * fit.n_features_out + (fitted.numeric?.columns.length ?? 0);
        categorical.forEach((j, k) => {
          if (fit.X_test.slice(at, at + widths[k]).every((v) => v === 0)) zeroBlocks.push({ row: i, feature: j });
          at += widths[k];
        });
      }
      expect(test.unknown).toEqual(zeroBlocks);
    });

    it('gives the same bits after a JSON round trip, row by row into a shared buffer', () => {
      const reloaded = JSON.parse(JSON.stringify(fitted)) as FittedColumnTransformer;
      const rows = createRowTransformer(reloaded);
      const out = new Float64Array(xTest.rows * rows.nOutputs + 3);
      for (let i = 0; i < xTest.rows; i++) rows.transform(xTest.data, i * xTest.cols, out, 3 + i * rows.nOutputs);
      expect(differences(out.subarray(3), fit.X_test)).toEqual([]);
    });

  });
});

/** The binary tables: the whole chain, preprocessing then mloop's (unchanged) binary SVC. */
describe.each(['wdbc-mixed', 'wisconsin'])('ColumnTransformer then SVC, as scikit-learn fits them: %s', (name) => {
  const { golden, xTrain, xTest, yTrain } = loadCase(name);

  it.each(golden.fits)("impute=$impute scaled=$scaled: the same support vectors and decision values", (fit) => {
    const expected = fit.svc;
    if (expected === undefined) throw new Error(`preprocessing-${name}.json has no SVC for impute=${fit.impute} scaled=${fit.scaled}`);
    const fitted = fitColumnTransformer({ impute: fit.impute, scaled: fit.scaled }, golden.features, xTrain);
    const svc = fitSvc(defaultSvcParams, transformColumns(fitted, xTrain).x, yTrain);
    expect(svc.classes).toEqual(expected.classes);
    expect(svc.gamma).toBe(expected.gamma);
    expect(svc.nSupport).toEqual(expected.n_support);
    expect(svc.support).toEqual(expected.support);
    // scikit-learn reports the negated libsvm coefficients; intercept_ is rho for a binary problem.
    const coefError = Math.max(...svc.svCoef.map((c, k) => Math.abs(-c - expected.dual_coef[k])));
    expect(coefError).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(svc.rho[0] - expected.intercept[0])).toBeLessThanOrEqual(1e-9);
    const decision = svcDecisionFunction(svc, transformColumns(fitted, xTest).x);
    const decisionError = Math.max(...Array.from(decision, (d, k) => Math.abs(d - expected.decision_function[k])));
    expect(decisionError).toBeLessThanOrEqual(1e-9);
    const sklearnLabels = expected.decision_function.map((d) => (d > 0 ? expected.classes[1] : expected.classes[0]));
    expect(labelsFromOvo(svc.classes, svcOvoDecision(svc, transformColumns(fitted, xTest).x), xTest.rows)).toEqual(sklearnLabels);
  });
});

describe('SimpleImputer on more training rows than numpy sums in one buffer', () => {
  const golden = readGolden<{ n: number; train_indices: number[]; numeric_statistics: Record<ColumnTransformerParams['impute'], number[]> }>('preprocessing-large');
  // The script's large_values: integer arithmetic, one division and one subtraction, so exact here too.
  const rows = Array.from({ length: golden.n }, (_, i) => [
    i % 13 === 5 ? NaN : ((i * 7919) % 10007) / 97.0 - 50.0,
    i % 29 === 0 ? NaN : ((i * 104729) % 65521) / 7.0 - 3000.0,
    i % 7 === 1 ? NaN : ((i * 31) % 1009) / 3.0,
  ]);
  const xTrain = takeRows(matrixFromRows(rows), golden.train_indices);
  const features: FeatureSpec[] = ['a', 'b', 'c'].map((name) => ({ name, kind: 'numeric' }));

  it.each(['mean', 'median', 'most_frequent'] as const)('%s: the same statistics, bit for bit', (impute) => {
    expect(xTrain.rows).toBeGreaterThan(8192);
    const fitted = fitColumnTransformer({ impute, scaled: false }, features, xTrain);
    expect(fitted.numeric?.imputer.statistics).toEqual(golden.numeric_statistics[impute]);
  });
});

describe('ColumnTransformer on the bundled data (numbers only, nothing missing)', () => {
  const wdbc = loadWdbc();
  const golden = loadGoldenCase('default');
  const features: FeatureSpec[] = wdbc.featureNames.map((name) => ({ name, kind: 'numeric' }));
  const xTrain = takeRows(wdbc.x, golden.train_indices);
  const xTest = takeRows(wdbc.x, golden.test_indices);

  it("is today's MinMaxScaler, bit for bit", () => {
    const fitted = fitColumnTransformer({ impute: 'mean', scaled: true }, features, xTrain);
    const scaler = fitMinMaxScaler(xTrain);
    expect(fitted.numeric?.scaler).toEqual(scaler);
    expect(differences(transformColumns(fitted, xTrain).x.data, Array.from(transformMinMax(scaler, xTrain).data))).toEqual([]);
    expect(differences(transformColumns(fitted, xTest).x.data, Array.from(transformMinMax(scaler, xTest).data))).toEqual([]);
    expect(featureNamesOut(fitted)).toEqual(wdbc.featureNames.map((n) => `num__${n}`));
  });

  it('is the identity when unscaled', () => {
    const fitted = fitColumnTransformer({ impute: 'median', scaled: false }, features, xTrain);
    expect(differences(transformColumns(fitted, xTest).x.data, Array.from(xTest.data))).toEqual([]);
  });
});

describe('ColumnTransformer for serving', () => {
  const features: FeatureSpec[] = [
    { name: 'size', kind: 'numeric' },
    { name: 'site', kind: 'categorical', categories: ['center', 'left', 'right'] },
    { name: 'weight', kind: 'numeric' },
  ];
  const xTrain = matrixFromRows([
    [1, 1, 10],
    [3, 2, NaN],
    [NaN, 1, 30],
    [5, NaN, 20],
  ]);
  const fitted = fitColumnTransformer({ impute: 'mean', scaled: true }, features, xTrain);

  it('reports per input feature what a missing value becomes', () => {
    expect(imputedValues(fitted)).toEqual([
      { feature: 'size', kind: 'numeric', value: fitted.numeric?.imputer.statistics[0] },
      { feature: 'site', kind: 'categorical', value: 'left' },
      { feature: 'weight', kind: 'numeric', value: fitted.numeric?.imputer.statistics[1] },
    ]);
    expect(featureNamesOut(fitted)).toEqual(['num__size', 'num__weight', 'cat__site_left', 'cat__site_right']);
  });

  it('flags imputed and unknown values per row and resets the flags on each call', () => {
    const rows = createRowTransformer(fitted);
    const flags = createRowFlags(fitted);
    const out = new Float64Array(rows.nOutputs);
    rows.transform([NaN, 0, 20], 0, out, 0, flags);
    expect(Array.from(flags.imputed)).toEqual([1, 0, 0]);
    expect(Array.from(flags.unknown)).toEqual([0, 1, 0]);
    expect(Array.from(out.subarray(2))).toEqual([0, 0]);
    rows.transform([2, NaN, UNKNOWN_CATEGORY], 0, out, 0, flags);
    expect(Array.from(flags.imputed)).toEqual([0, 1, 0]);
    expect(Array.from(flags.unknown)).toEqual([0, 0, 0]);
    expect(Array.from(out.subarray(2))).toEqual([1, 0]);
  });

  it('names the feature of an infinite value, and its row in a batch', () => {
    expect(() => transformColumns(fitted, matrixFromRows([[1, 1, 1], [1, 1, -Infinity]]))).toThrow(/row 1: feature 'weight' is -Infinity/);
    expect(() => transformColumns(fitted, matrixFromRows([[1, 1]]))).toThrow(ColumnTransformerError);
  });

  it('refuses a feature with no observed value in the training rows, naming it', () => {
    const empty = matrixFromRows([
      [1, NaN, 10],
      [2, NaN, 20],
    ]);
    expect(() => fitColumnTransformer({ impute: 'median', scaled: false }, features, empty)).toThrow(/'site' has no observed value in the 2 training rows/);
    expect(() => fitColumnTransformer({ impute: 'mean', scaled: false }, [{ name: 'c', kind: 'categorical' }], matrixFromRows([[0]]))).toThrow(/'c' is categorical but has no categories/);
  });
});

describe('SimpleImputer and OneHotEncoder on their own', () => {
  it('imputes only NaN and rejects infinity, as scikit-learn\'s allow-nan check does', () => {
    const model = fitSimpleImputer({ strategy: 'most_frequent' }, matrixFromRows([[2], [1], [2], [1], [NaN]]));
    expect(model.statistics).toEqual([1]);
    expect(Array.from(transformSimpleImputer(model, matrixFromRows([[NaN], [7]])).data)).toEqual([1, 7]);
    expect(() => fitSimpleImputer({ strategy: 'mean' }, matrixFromRows([[1], [Infinity]]), ['x'])).toThrow(/row 1, 'x' is Infinity/);
    expect(() => fitSimpleImputer({ strategy: 'mean' }, matrixFromRows([[NaN, 1]]))).toThrow(SimpleImputerError);
  });

  it('encodes codes it did not learn as zeros and reports them', () => {
    const features: FeatureSpec[] = [{ name: 'g', kind: 'categorical', categories: ['1', '2', '3'] }];
    const model = fitOneHotEncoder(matrixFromRows([[2], [0], [2]]), features);
    expect(model.categories).toEqual([['1', '3']]);
    const { x, unknown } = transformOneHot(model, matrixFromRows([[0], [1], [NaN], [2]]));
    expect(Array.from(x.data)).toEqual([1, 0, 0, 0, 0, 0, 0, 1]);
    expect(unknown.map((u) => u.row)).toEqual([1, 2]);
    expect(() => fitOneHotEncoder(matrixFromRows([[NaN]]), features)).toThrow(OneHotEncoderError);
    expect(() => fitOneHotEncoder(matrixFromRows([[3]]), features)).toThrow(/feature 'g': 3 is not a category code/);
  });
});
