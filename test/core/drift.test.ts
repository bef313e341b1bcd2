import { describe, expect, it } from 'vitest';
import type { DriftReport, ReferenceProfile } from '../../src/core/drift/feature-profile.js';
import {
  compareToReference,
  DEFAULT_DRIFT_OPTIONS,
  DriftError,
  profileFeatures,
} from '../../src/core/drift/feature-profile.js';
import { binCounts, histogramBinEdges } from '../../src/core/drift/histogram.js';
import { binShares, PSI_BINS, populationStabilityIndex } from '../../src/core/drift/psi.js';
import type { Matrix } from '../../src/core/matrix.js';
import { matrixFromRows, takeRows } from '../../src/core/matrix.js';
import { loadGoldenCase, loadWdbc, readGolden } from '../helpers/wdbc.js';

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
      const e = expected.features[j];
      expect(f.name).toBe(e.name);
      expect([f.min, f.max, f.mean, f.std]).toEqual([e.min, e.max, e.mean, e.std]);
      expect(f.histogram).toEqual({ edges: e.edges, counts: e.counts });
    });
  });

  it('keeps each feature\'s training values, sorted', () => {
    profile.features.forEach((f, j) => {
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
    report.features.forEach((f, j) => {
      const g = e.features[j];
      expect(f.feature).toBe(g.feature);
      expect(f.ks.statistic).toBe(g.statistic);
      // Every sample here is at most 455 values, so SciPy took the exact path, which the port
      // follows operation for operation.
      expect(f.ks.method).toBe('exact');
      expect(f.ks.pValue).toBe(g.pvalue);
      expect(f.pAdjusted).toBe(g.p_adjusted);
      expect(f.drifted).toBe(g.drifted);
      expect(Math.abs(f.psi - g.psi)).toBeLessThanOrEqual(1e-12);
      expect(f.psiMajor).toBe(g.psi_major);
      expect(f.outOfRange).toEqual({ below: g.below, above: g.above });
      expect(f.histogram.recent).toEqual(g.recent_counts);
      expect(f.histogram.reference).toEqual(profile.features[j].histogram.counts);
      expect(f.histogram.edges).toEqual(profile.features[j].histogram.edges);
    });
  });

  it('flags more than 30% of the features when every feature of the test rows is scaled by 1.3, and none without', () => {
    const shifted = reportFor('test-x1.3');
    expect(shifted.driftedShare).toBeGreaterThan(0.3);
    expect(shifted.datasetDrift).toBe(true);
    expect(shifted.features.reduce((s, f) => s + f.outOfRange.above, 0)).toBeGreaterThan(0);
    const plain = reportFor('test');
    expect(plain.driftedShare).toBeLessThanOrEqual(0.3);
    expect(plain.datasetDrift).toBe(false);
  });

  it('finds nothing when the recent inputs are the training rows', () => {
    const same = reportFor('train');
    for (const f of same.features) {
      expect([f.ks.statistic, f.ks.pValue, f.psi, f.drifted]).toEqual([0, 1, 0, false]);
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

  it('non-finite values, naming the cell', () => {
    expect(() => compareToReference(profile, matrixFromRows([[1, 10], [2, Number.NaN]]))).toThrow(/recent data \[1, 1\] is NaN/);
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
    expect(constant.features[0].histogram.edges[0]).toBe(4.5);
    const report = compareToReference(constant, matrixFromRows([[4.9], [5], [5.2], [7]]));
    expect(report.features[0].outOfRange).toEqual({ below: 1, above: 2 });
  });
});
