import { describe, expect, it } from 'vitest';
import type { DriftReport, FeatureDrift, FeatureProfile, NumericDrift, NumericProfile, ReferenceProfile } from '../../src/core/drift/feature-profile.js';
import {
  compareToReference,
  DEFAULT_DRIFT_OPTIONS,
  DriftError,
  profileFeatures,
  UNKNOWN_CATEGORY_NAME,
} from '../../src/core/drift/feature-profile.js';
import { UNKNOWN_CATEGORY } from '../../src/core/preprocessing/one-hot-encoder.js';
import { categoryDriftTest } from '../../src/core/drift/chi-square.js';
import { binCounts, histogramBinEdges } from '../../src/core/drift/histogram.js';
import { binShares, PSI_BINS, populationStabilityIndex } from '../../src/core/drift/psi.js';
import type { Matrix } from '../../src/core/matrix.js';
import { matrixFromRows, takeRows } from '../../src/core/matrix.js';
import { loadGoldenCase, loadWdbc, readGolden } from '../helpers/wdbc.js';

function asNumeric(f: FeatureDrift): NumericDrift {
  if (f.kind !== 'numeric') throw new Error(`${f.feature}: a numeric feature expected`);
  return f;
}
function asNumericProfile(f: FeatureProfile): NumericProfile {
  if (f.kind === 'categorical') throw new Error(`${f.name}: a numeric feature expected`);
  return f;
}
const numericDrifts = (report: DriftReport): NumericDrift[] => report.features.map(asNumeric);

type GoldenSample = { readonly values: number[] } | { readonly runs: [number, number][] };

interface GoldenFeatureDrift {
  feature: string;
  statistic: number;
  pvalue: number;
  p_adjusted: number;
  drifted: boolean;
  psi: number;
  psi_major: boolean;
  below: number;
  above: number;
  recent_counts: number[];
}

interface DriftGolden {
  readonly bins: number;
  readonly psi: {
    name: string;
    reference: GoldenSample;
    current: GoldenSample;
    edges: number[];
    reference_counts: number[];
    current_counts: number[];
    below: number;
    above: number;
    psi: number;
  }[];
  readonly wdbc: {
    options: { alpha: number; psiMajor: number; driftShare: number };
    feature_names: string[];
    profile: {
      n_samples: number;
      features: { name: string; min: number; max: number; mean: number; std: number; edges: number[]; counts: number[] }[];
    };
    scenarios: {
      name: string;
      description: string;
      report: {
        n_recent: number;
        n_features: number;
        drifted_count: number;
        drifted_share: number;
        dataset_drift: boolean;
        features: GoldenFeatureDrift[];
      };
    }[];
  };
}

const golden = readGolden<DriftGolden>('drift');
const wdbc = loadWdbc();
const split = loadGoldenCase('default');
const xTrain = takeRows(wdbc.x, split.train_indices);
const xTest = takeRows(wdbc.x, split.test_indices);

function expand(sample: GoldenSample): number[] {
  if ('values' in sample) return sample.values;
  return sample.runs.flatMap(([value, count]) => new Array<number>(count).fill(value));
}

function scaled(x: Matrix, factor: number): Matrix {
  return { ...x, data: x.data.map((v) => v * factor) };
}

/** The recent inputs of each golden scenario, built the way the script built them. */
const SCENARIOS: Record<string, Matrix> = {
  test: xTest,
  'test-x1.3': scaled(xTest, 1.3),
  train: xTrain,
  'test-first-2': takeRows(xTest, [0, 1]),
};

describe('histograms and PSI against numpy and Evidently\'s formula', () => {
  it('uses the golden file\'s number of bins', () => {
    expect(PSI_BINS).toBe(golden.bins);
  });

  it.each(golden.psi.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const reference = expand(c.reference);
    const current = expand(c.current);
    const edges = histogramBinEdges(reference, PSI_BINS);
    expect(edges).toEqual(c.edges);
    expect(binCounts(reference, edges)).toEqual(c.reference_counts);
    expect(binCounts(current, edges)).toEqual(c.current_counts);
    const psi = populationStabilityIndex(c.reference_counts, c.current_counts);
    expect(Math.abs(psi - c.psi)).toBeLessThanOrEqual(1e-12);
  });

  it.each(golden.psi.map((c) => [c.name, c] as const))('%s, as a one-feature drift report', (_, c) => {
    const column = (values: number[]): Matrix => ({ rows: values.length, cols: 1, data: Float64Array.from(values) });
    const profile = profileFeatures(column(expand(c.reference)), ['f']);
    const [feature] = compareToReference(profile, column(expand(c.current))).features;
    if (feature.kind !== 'numeric') throw new Error('a numeric feature expected');
    expect(feature.histogram).toEqual({ edges: c.edges, reference: c.reference_counts, recent: c.current_counts });
    expect(feature.outOfRange).toEqual({ below: c.below, above: c.above });
    expect(Math.abs(feature.psi - c.psi)).toBeLessThanOrEqual(1e-12);
  });

  it('fills empty bins with 0.0001, or with the smallest share / 10^6 when that share is <= 0.0001', () => {
    expect(binShares([0, 3, 1])).toEqual([0.0001, 0.75, 0.25]);
    expect(binShares([19999, 0, 1])).toEqual([19999 / 20000, 1 / 20000 / 10 ** 6, 1 / 20000]);
  });

  it('is zero for identical histograms and symmetric in its arguments', () => {
    expect(populationStabilityIndex([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(populationStabilityIndex([5, 1, 0], [1, 2, 3])).toBe(populationStabilityIndex([1, 2, 3], [5, 1, 0]));
  });

  it('refuses histograms over different bins', () => {
    expect(() => populationStabilityIndex([1, 2], [1, 2, 3])).toThrow(/same bins, got 2 and 3 bins/);
  });
});

describe('profileFeatures on the training split of the default case', () => {
  const profile = profileFeatures(xTrain, wdbc.featureNames);
  const expected = golden.wdbc.profile;

  it('records min, max, numpy\'s mean and std, and the histogram, bit for bit', () => {
    expect(wdbc.featureNames).toEqual(golden.wdbc.feature_names);
    expect(profile.nSamples).toBe(expected.n_samples);
    profile.features.forEach((f, j) => {
      if (f.kind === 'categorical') throw new Error('a numeric feature expected');
      const e = expected.features[j];
      expect(f.name).toBe(e.name);
      expect([f.min, f.max, f.mean, f.std]).toEqual([e.min, e.max, e.mean, e.std]);
      expect(f.histogram).toEqual({ edges: e.edges, counts: e.counts });
    });
  });

  it('keeps each feature\'s training values, sorted', () => {
    profile.features.forEach((f, j) => {
      if (f.kind === 'categorical') throw new Error('a numeric feature expected');
      const column = Array.from({ length: xTrain.rows }, (_, i) => xTrain.data[i * xTrain.cols + j]);
      expect(f.values).toEqual(column.sort((a, b) => a - b));
    });
  });

  it('is plain JSON: a stored and reloaded profile gives the same report', () => {
    const reloaded = JSON.parse(JSON.stringify(profile)) as ReferenceProfile;
    expect(compareToReference(reloaded, xTest)).toEqual(compareToReference(profile, xTest));
  });
});

describe('compareToReference against SciPy and numpy on the bundled data', () => {
  const profile = profileFeatures(xTrain, wdbc.featureNames);
  const reports = new Map<string, DriftReport>();
  const reportFor = (name: string): DriftReport => {
    if (!reports.has(name)) reports.set(name, compareToReference(profile, SCENARIOS[name], golden.wdbc.options));
    return reports.get(name) as DriftReport;
  };

  it('uses the options the golden file was made with by default', () => {
    expect(DEFAULT_DRIFT_OPTIONS).toEqual(golden.wdbc.options);
  });

  it.each(golden.wdbc.scenarios.map((s) => [s.name, s] as const))('scenario %s, field by field', (name, scenario) => {
    const report = reportFor(name);
    const e = scenario.report;
    expect({
      nRecent: report.nRecent,
      nFeatures: report.nFeatures,
      driftedCount: report.driftedCount,
      driftedShare: report.driftedShare,
      datasetDrift: report.datasetDrift,
    }).toEqual({
      nRecent: e.n_recent,
      nFeatures: e.n_features,
      driftedCount: e.drifted_count,
      driftedShare: e.drifted_share,
      datasetDrift: e.dataset_drift,
    });
    expect(report.nReference).toBe(xTrain.rows);
    numericDrifts(report).forEach((f, j) => {
      const g = e.features[j];
      expect(f.feature).toBe(g.feature);
      expect(f.ks?.statistic).toBe(g.statistic);
      // Every sample here is at most 455 values, so SciPy took the exact path, which the port
      // follows operation for operation.
      expect(f.ks?.method).toBe('exact');
      expect(f.ks?.pValue).toBe(g.pvalue);
      expect(f.pAdjusted).toBe(g.p_adjusted);
      expect(f.drifted).toBe(g.drifted);
      expect(Math.abs(f.psi - g.psi)).toBeLessThanOrEqual(1e-12);
      expect(f.psiMajor).toBe(g.psi_major);
      expect(f.outOfRange).toEqual({ below: g.below, above: g.above });
      expect(f.histogram.recent).toEqual(g.recent_counts);
      expect(f.histogram.reference).toEqual(asNumericProfile(profile.features[j]).histogram.counts);
      expect(f.histogram.edges).toEqual(asNumericProfile(profile.features[j]).histogram.edges);
    });
  });

  it('flags more than 30% of the features when every feature of the test rows is scaled by 1.3, and none without', () => {
    const shifted = reportFor('test-x1.3');
    expect(shifted.driftedShare).toBeGreaterThan(0.3);
    expect(shifted.datasetDrift).toBe(true);
    expect(numericDrifts(shifted).reduce((s, f) => s + f.outOfRange.above, 0)).toBeGreaterThan(0);
    const plain = reportFor('test');
    expect(plain.driftedShare).toBeLessThanOrEqual(0.3);
    expect(plain.datasetDrift).toBe(false);
  });

  it('finds nothing when the recent inputs are the training rows', () => {
    const same = reportFor('train');
    for (const f of numericDrifts(same)) {
      expect([f.ks?.statistic, f.ks?.pValue, f.psi, f.drifted]).toEqual([0, 1, 0, false]);
    }
  });

  it('counts the share strictly: drift only when it exceeds driftShare', () => {
    const shifted = reportFor('test-x1.3');
    const atShare = compareToReference(profile, SCENARIOS['test-x1.3'], { ...golden.wdbc.options, driftShare: shifted.driftedShare });
    expect(atShare.datasetDrift).toBe(false);
  });
});

describe('compareToReference refuses what it cannot compare', () => {
  const profile = profileFeatures(matrixFromRows([[1, 10], [2, 20], [3, 30]]), ['a', 'b']);

  it('a feature-count mismatch', () => {
    expect(() => compareToReference(profile, matrixFromRows([[1], [2]]))).toThrow(
      new DriftError('recent inputs have 1 features, but the reference profile has 2'),
    );
  });

  it('fewer than two recent rows', () => {
    expect(() => compareToReference(profile, matrixFromRows([[1, 10]]))).toThrow(/1 row\(s\); drift statistics need at least 2/);
  });

  it('infinite values and codes no category has, naming the cell', () => {
    expect(() => compareToReference(profile, matrixFromRows([[1, 10], [2, Number.POSITIVE_INFINITY]]))).toThrow(/recent data \[1, 1\] is Infinity; values must be finite or NaN \(missing\)/);
    const coded = profileFeatures(matrixFromRows([[0], [1], [1]]), [{ name: 'site', kind: 'categorical', categories: ['left', 'right'] }]);
    expect(() => compareToReference(coded, matrixFromRows([[0], [2]]))).toThrow(/recent data \[1, 0\] is 2, not a code of categorical feature 'site' \(0 to 1\)/);
    expect(() => profileFeatures(matrixFromRows([[0], [-1]]), [{ name: 'site', kind: 'categorical', categories: ['left', 'right'] }])).toThrow(/reference data \[1, 0\] is -1/);
  });

  it('thresholds out of range', () => {
    expect(() => compareToReference(profile, matrixFromRows([[1, 10], [2, 20]]), { ...DEFAULT_DRIFT_OPTIONS, alpha: 0 })).toThrow(/alpha/);
    expect(() => compareToReference(profile, matrixFromRows([[1, 10], [2, 20]]), { ...DEFAULT_DRIFT_OPTIONS, driftShare: 1.5 })).toThrow(/driftShare/);
  });

  it('a profile with the wrong number of names or one row', () => {
    expect(() => profileFeatures(matrixFromRows([[1, 2], [3, 4]]), ['a'])).toThrow(/1 feature names for a matrix with 2 columns/);
    expect(() => profileFeatures(matrixFromRows([[1, 2]]), ['a', 'b'])).toThrow(/reference data has 1 row/);
  });

  it('counts values outside the training range of a constant feature', () => {
    const constant = profileFeatures(matrixFromRows([[5], [5], [5]]), ['c']);
    expect(asNumericProfile(constant.features[0]).histogram.edges[0]).toBe(4.5);
    const report = compareToReference(constant, matrixFromRows([[4.9], [5], [5.2], [7]]));
    expect(asNumeric(report.features[0]).outOfRange).toEqual({ below: 1, above: 2 });
  });
});

describe('missing values', () => {
  const NaN_ = Number.NaN;
  const reference = matrixFromRows([[1], [NaN_], [2], [3], [4], [NaN_], [5], [6]]);
  const profile = profileFeatures(reference, ['a']);

  it('are kept out of the profile, and counted', () => {
    expect(profile.features[0]).toMatchObject({ values: [1, 2, 3, 4, 5, 6], missing: 2, min: 1, max: 6 });
  });

  it('take part in no test: the KS test compares the values present, and each side\'s missing rate is reported', () => {
    const recent = matrixFromRows([[NaN_], [2], [NaN_], [5], [NaN_], [1]]);
    const f = asNumeric(compareToReference(profile, recent).features[0]);
    const present = compareToReference(profileFeatures(matrixFromRows([[1], [2], [3], [4], [5], [6]]), ['a']), matrixFromRows([[2], [5], [1]]));
    expect(f.ks).toEqual(asNumeric(present.features[0]).ks);
    expect(f.missingRate).toEqual({ reference: 2 / 8, recent: 3 / 6 });
    expect(f.note).toBeNull();
  });

  it('leave a feature untested, saying why, when fewer than two values are present', () => {
    const f = asNumeric(compareToReference(profile, matrixFromRows([[NaN_], [7], [NaN_]])).features[0]);
    expect(f).toMatchObject({ ks: null, pAdjusted: 1, drifted: false, note: '1 non-missing recent value(s); the KS test needs at least 2', outOfRange: { below: 0, above: 1 } });
    expect(f.missingRate).toEqual({ reference: 0.25, recent: 2 / 3 });
  });
});

describe('categorical features', () => {
  const site = { name: 'site', kind: 'categorical', categories: ['left', 'right', 'top'] } as const;
  // 60 training rows: 30 left, 20 right, 10 top; one more missing.
  const codes = (counts: readonly number[], missing = 0) => [...counts.flatMap((n, code) => Array<number>(n).fill(code)), ...Array<number>(missing).fill(Number.NaN)];
  const column = (values: readonly number[]): Matrix => ({ rows: values.length, cols: 1, data: Float64Array.from(values) });
  const profile = profileFeatures(column(codes([30, 20, 10], 1)), [site]);

  it('are profiled as counts per category', () => {
    expect(profile.features[0]).toEqual({ kind: 'categorical', name: 'site', categories: ['left', 'right', 'top'], counts: [30, 20, 10], missing: 1 });
  });

  it("are compared by SciPy's chi2_contingency of the counts, Bonferroni-corrected, with the PSI over the categories", () => {
    const report = compareToReference(profile, column(codes([5, 5, 30], 2)));
    const f = report.features[0];
    if (f.kind !== 'categorical') throw new Error('a categorical feature expected');
    const test = categoryDriftTest([30, 20, 10], [5, 5, 30]);
    expect(f.chiSquare).toEqual({ statistic: test.statistic, pValue: test.pValue, dof: 2 });
    expect(f.pAdjusted).toBe(Math.min(1, test.pValue));
    expect(f.drifted).toBe(true);
    expect(f.psi).toBe(populationStabilityIndex([30, 20, 10], [5, 5, 30]));
    expect(f.histogram).toEqual({ categories: ['left', 'right', 'top'], reference: [30, 20, 10], recent: [5, 5, 30] });
    expect(f.missingRate).toEqual({ reference: 1 / 61, recent: 2 / 42 });
  });

  it('count a category the model never saw as one more, with no training rows: a new category is drift', () => {
    const recent = column([...codes([10, 7, 3]), ...Array<number>(20).fill(UNKNOWN_CATEGORY)]);
    const f = compareToReference(profile, recent).features[0];
    if (f.kind !== 'categorical') throw new Error('a categorical feature expected');
    expect(f.histogram).toEqual({ categories: ['left', 'right', 'top', UNKNOWN_CATEGORY_NAME], reference: [30, 20, 10, 0], recent: [10, 7, 3, 20] });
    expect(f.chiSquare?.pValue).toBe(categoryDriftTest([30, 20, 10, 0], [10, 7, 3, 20]).pValue);
    expect(f.drifted).toBe(true);
  });

  it('do not drift when the shares stay', () => {
    const f = compareToReference(profile, column(codes([15, 10, 5]))).features[0];
    expect(f).toMatchObject({ kind: 'categorical', drifted: false, note: null });
    expect(f.pAdjusted).toBeGreaterThan(0.9);
  });

  it('beside numeric ones, each with its own test, in one report', () => {
    const x = matrixFromRows(codes([30, 20, 10]).map((code, i) => [i, code]));
    const both = profileFeatures(x, ['n', site]);
    const report = compareToReference(both, matrixFromRows([[100, 2], [101, 2], [102, 2], [103, 2]]));
    expect(report.features.map((f) => [f.feature, f.kind, f.drifted])).toEqual([['n', 'numeric', true], ['site', 'categorical', true]]);
    expect(report.driftedCount).toBe(2);
  });
});
