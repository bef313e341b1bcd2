/**
 * Data-drift monitoring: a reference profile of every feature, kept from the training split
 * and stored with the model as plain JSON, and the comparison of recent inputs against it,
 * feature by feature.
 *
 * The per-feature verdict is the two-sample Kolmogorov-Smirnov test (Evidently's default for
 * numerical features with a reference of this size), Bonferroni-corrected for the number of
 * features; PSI is reported beside it as the size of the shift. The data set as a whole counts
 * as drifted when the share of drifted features exceeds `driftShare`: strictly, as the issue
 * words the alert ("exceeds"), where Evidently's DatasetDriftMetric uses >=.
 */
import type { Matrix } from '../matrix.js';
import { mean, variance } from '../numpy-sum.js';
import { binCounts, histogramBinEdges } from './histogram.js';
import type { KsTestResult } from './ks-test.js';
import { ksTwoSample } from './ks-test.js';
import { PSI_BINS, populationStabilityIndex } from './psi.js';

export interface FeatureProfile {
  readonly name: string;
  /** The training values in ascending order: the exact KS test needs the whole sample. */
  readonly values: readonly number[];
  readonly min: number;
  readonly max: number;
  /** np.mean and np.std (ddof = 0) of the training values. */
  readonly mean: number;
  readonly std: number;
  /** PSI_BINS equal-width bins over [min, max], for the PSI and the dashboard's histograms. */
  readonly histogram: { readonly edges: readonly number[]; readonly counts: readonly number[] };
}

export interface ReferenceProfile {
  readonly nSamples: number;
  readonly features: readonly FeatureProfile[];
}

export interface DriftOptions {
  /** Significance level for the Bonferroni-adjusted KS p-value. */
  readonly alpha: number;
  /** PSI at or above this is a major shift. */
  readonly psiMajor: number;
  /** The data set drifts when more than this share of features drift (`monitor.driftShare`). */
  readonly driftShare: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = { alpha: 0.05, psiMajor: 0.2, driftShare: 0.3 };

export interface FeatureDrift {
  readonly feature: string;
  readonly ks: KsTestResult;
  /** min(1, p * nFeatures). */
  readonly pAdjusted: number;
  readonly drifted: boolean;
  readonly psi: number;
  readonly psiMajor: boolean;
  /** Recent values below the training minimum and above the training maximum. */
  readonly outOfRange: { readonly below: number; readonly above: number };
  /** Recent counts include the out-of-range values in the first and last bins, as the PSI does. */
  readonly histogram: {
    readonly edges: readonly number[];
    readonly reference: readonly number[];
    readonly recent: readonly number[];
  };
}

export interface DriftReport {
  readonly nReference: number;
  readonly nRecent: number;
  readonly nFeatures: number;
  readonly driftedCount: number;
  readonly driftedShare: number;
  readonly datasetDrift: boolean;
  readonly options: DriftOptions;
  readonly features: readonly FeatureDrift[];
}

export class DriftError extends Error {
  override readonly name = 'DriftError';
}

/**
 * Fewest rows for a profile or a comparison. One recent row cannot show drift: against a
 * 455-row reference, the smallest two-sided KS p-value it can reach is 2/456, which times
 * 30 features is above any usual alpha. Two rows can (2 / C(457, 2) times 30 is about 6e-4).
 */
export const MIN_DRIFT_ROWS = 2;

export function profileFeatures(x: Matrix, featureNames: readonly string[]): ReferenceProfile {
  if (featureNames.length !== x.cols) {
    throw new DriftError(`${featureNames.length} feature names for a matrix with ${x.cols} columns`);
  }
  checkRows(x, 'reference');
  const features = featureNames.map((name, j): FeatureProfile => {
    const column = columnOf(x, j);
    const values = Array.from(Float64Array.from(column).sort());
    const edges = histogramBinEdges(column, PSI_BINS);
    return {
      name,
      values,
      min: values[0],
      max: values[values.length - 1],
      mean: mean(column),
      std: Math.sqrt(variance(column)),
      histogram: { edges, counts: binCounts(column, edges) },
    };
  });
  return { nSamples: x.rows, features };
}

export function compareToReference(
  profile: ReferenceProfile,
  recent: Matrix,
  options: DriftOptions = DEFAULT_DRIFT_OPTIONS,
): DriftReport {
  checkOptions(options);
  const nFeatures = profile.features.length;
  if (recent.cols !== nFeatures) {
    throw new DriftError(`recent inputs have ${recent.cols} features, but the reference profile has ${nFeatures}`);
  }
  checkRows(recent, 'recent');
  const features = profile.features.map((ref, j): FeatureDrift => {
    const column = columnOf(recent, j);
    const ks = ksTwoSample(ref.values, column);
    const pAdjusted = Math.min(1, ks.pValue * nFeatures);
    const counts = binCounts(column, ref.histogram.edges);
    const psi = populationStabilityIndex(ref.histogram.counts, counts);
    return {
      feature: ref.name,
      ks,
      pAdjusted,
      drifted: pAdjusted < options.alpha,
      psi,
      psiMajor: psi >= options.psiMajor,
      outOfRange: outOfRange(column, ref.min, ref.max),
      histogram: { edges: ref.histogram.edges, reference: ref.histogram.counts, recent: counts },
    };
  });
  const driftedCount = features.filter((f) => f.drifted).length;
  const driftedShare = driftedCount / nFeatures;
  return {
    nReference: profile.nSamples,
    nRecent: recent.rows,
    nFeatures,
    driftedCount,
    driftedShare,
    datasetDrift: driftedShare > options.driftShare,
    options,
    features,
  };
}

/**
 * Counted against the training min and max rather than the histogram edges, which are
 * widened by 0.5 around a constant feature.
 */
function outOfRange(values: Float64Array, min: number, max: number): { below: number; above: number } {
  let below = 0;
  let above = 0;
  for (const v of values) {
    if (v < min) below++;
    else if (v > max) above++;
  }
  return { below, above };
}

function columnOf(x: Matrix, j: number): Float64Array {
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = x.data[i * x.cols + j];
  return out;
}

function checkRows(x: Matrix, what: string): void {
  if (x.cols < 1) throw new DriftError(`${what} data has no features`);
  if (x.rows < MIN_DRIFT_ROWS) {
    throw new DriftError(`${what} data has ${x.rows} row(s); drift statistics need at least ${MIN_DRIFT_ROWS}`);
  }
  for (let k = 0; k < x.data.length; k++) {
    if (!Number.isFinite(x.data[k])) {
      const row = Math.floor(k / x.cols);
      throw new DriftError(`${what} data [${row}, ${k - row * x.cols}] is ${x.data[k]}; values must be finite`);
    }
  }
}

function checkOptions(o: DriftOptions): void {
  if (!(o.alpha > 0 && o.alpha < 1)) throw new DriftError(`alpha must be in (0, 1), got ${o.alpha}`);
  if (!(o.psiMajor > 0)) throw new DriftError(`psiMajor must be positive, got ${o.psiMajor}`);
  if (!(o.driftShare >= 0 && o.driftShare <= 1)) {
    throw new DriftError(`driftShare must be in [0, 1], got ${o.driftShare}`);
  }
}
