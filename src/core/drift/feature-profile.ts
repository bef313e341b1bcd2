/**
 * Data-drift monitoring: a reference profile of every feature, kept from the training split
 * and stored with the model as plain JSON, and the comparison of recent inputs against it,
 * feature by feature.
 *
 * The per-feature verdict is the two-sample Kolmogorov-Smirnov test for a numeric feature
 * (Evidently's default for numerical features with a reference of this size) and Pearson's
 * chi-square test of the category frequencies for a categorical one (SciPy's
 * `chi2_contingency`, as Evidently's `chisquare_stat_test` family does), Bonferroni-corrected
 * for the number of features; PSI is reported beside it as the size of the shift (over the
 * reference's bins, or over the categories). Missing values (NaN in the raw rows) take part in
 * no test: each side's missing-value rate is reported beside them. The data set as a whole
 * counts as drifted when the share of drifted features exceeds `driftShare`: strictly, as the
 * issue words the alert ("exceeds"), where Evidently's DatasetDriftMetric uses >=.
 */
import type { FeatureSpec } from '../feature-spec.js';
import type { Matrix } from '../matrix.js';
import { mean, variance } from '../numpy-sum.js';
import { UNKNOWN_CATEGORY } from '../preprocessing/one-hot-encoder.js';
import { categoryDriftTest } from './chi-square.js';
import { binCounts, histogramBinEdges } from './histogram.js';
import type { KsTestResult } from './ks-test.js';
import { ksTwoSample } from './ks-test.js';
import { PSI_BINS, populationStabilityIndex } from './psi.js';

export interface NumericProfile {
  /** Absent in profiles stored before categorical features were profiled: those are numeric. */
  readonly kind?: 'numeric';
  readonly name: string;
  /** The non-missing training values in ascending order: the exact KS test needs the whole sample. */
  readonly values: readonly number[];
  /** Missing training cells (absent before missing values were profiled: none). */
  readonly missing?: number;
  readonly min: number;
  readonly max: number;
  /** np.mean and np.std (ddof = 0) of the non-missing training values. */
  readonly mean: number;
  readonly std: number;
  /** PSI_BINS equal-width bins over [min, max], for the PSI and the dashboard's histograms. */
  readonly histogram: { readonly edges: readonly number[]; readonly counts: readonly number[] };
}

export interface CategoricalProfile {
  readonly kind: 'categorical';
  readonly name: string;
  /** The categories the model knows, in its code order. */
  readonly categories: readonly string[];
  /** Training rows per category, in `categories` order. */
  readonly counts: readonly number[];
  readonly missing: number;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

export interface ReferenceProfile {
  readonly nSamples: number;
  readonly features: readonly FeatureProfile[];
}

export interface DriftOptions {
  /** Significance level for the Bonferroni-adjusted p-value. */
  readonly alpha: number;
  /** PSI at or above this is a major shift. */
  readonly psiMajor: number;
  /** The data set drifts when more than this share of features drift (`monitor.driftShare`). */
  readonly driftShare: number;
}

export const DEFAULT_DRIFT_OPTIONS: DriftOptions = { alpha: 0.05, psiMajor: 0.2, driftShare: 0.3 };

/** The category recent inputs had that training never saw (the all-zero encoding), as a report names it. */
export const UNKNOWN_CATEGORY_NAME = '(unknown)';

interface FeatureDriftBase {
  readonly feature: string;
  /** min(1, p * nFeatures); 1 when the feature could not be tested (`note` says why). */
  readonly pAdjusted: number;
  readonly drifted: boolean;
  readonly psi: number;
  readonly psiMajor: boolean;
  /** Share of rows with the feature missing, in the training split and in the recent inputs. */
  readonly missingRate: { readonly reference: number; readonly recent: number };
  /** Why the feature could not be tested, when it could not (and so did not count as drifted). */
  readonly note: string | null;
}

export interface NumericDrift extends FeatureDriftBase {
  readonly kind: 'numeric';
  /** Null when either side has fewer than MIN_DRIFT_ROWS non-missing values. */
  readonly ks: KsTestResult | null;
  /** Recent values below the training minimum and above the training maximum. */
  readonly outOfRange: { readonly below: number; readonly above: number };
  /** Recent counts include the out-of-range values in the first and last bins, as the PSI does. */
  readonly histogram: {
    readonly edges: readonly number[];
    readonly reference: readonly number[];
    readonly recent: readonly number[];
  };
}

export interface CategoricalDrift extends FeatureDriftBase {
  readonly kind: 'categorical';
  /** `chi2_contingency` of the reference and recent counts over the categories either side has. */
  readonly chiSquare: { readonly statistic: number; readonly pValue: number; readonly dof: number } | null;
  /** Counts per category (the model's, then UNKNOWN_CATEGORY_NAME when recent inputs had one it never saw). */
  readonly histogram: {
    readonly categories: readonly string[];
    readonly reference: readonly number[];
    readonly recent: readonly number[];
  };
}

export type FeatureDrift = NumericDrift | CategoricalDrift;

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

/**
 * The profile of the training rows `x` (raw: numbers, category codes, NaN for missing), one per
 * feature of `features` (numeric ones when only names are given).
 */
export function profileFeatures(x: Matrix, features: readonly (FeatureSpec | string)[]): ReferenceProfile {
  if (features.length !== x.cols) {
    throw new DriftError(`${features.length} feature names for a matrix with ${x.cols} columns`);
  }
  checkRows(x, 'reference', features.map(specOf));
  return { nSamples: x.rows, features: features.map((f, j) => profileColumn(specOf(f), columnOf(x, j))) };
}

function specOf(feature: FeatureSpec | string): FeatureSpec {
  return typeof feature === 'string' ? { name: feature, kind: 'numeric' } : feature;
}

function profileColumn(spec: FeatureSpec, column: Float64Array): FeatureProfile {
  const present = column.filter((v) => !Number.isNaN(v));
  const missing = column.length - present.length;
  if (spec.kind === 'categorical') {
    const categories = spec.categories ?? [];
    const counts = new Array<number>(categories.length).fill(0);
    for (const code of present) counts[code]++;
    return { kind: 'categorical', name: spec.name, categories, counts, missing };
  }
  const values = Array.from(Float64Array.from(present).sort());
  // A column missing in every training row has nothing to bin; its tests say so.
  const edges = values.length > 0 ? histogramBinEdges(values, PSI_BINS) : [];
  return {
    kind: 'numeric',
    name: spec.name,
    values,
    missing,
    min: values.length > 0 ? values[0] : Number.NaN,
    max: values.length > 0 ? values[values.length - 1] : Number.NaN,
    mean: values.length > 0 ? mean(present) : Number.NaN,
    std: values.length > 0 ? Math.sqrt(variance(present)) : Number.NaN,
    histogram: { edges, counts: values.length > 0 ? binCounts(values, edges) : [] },
  };
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
  checkRows(
    recent,
    'recent',
    profile.features.map((f) => (f.kind === 'categorical' ? { name: f.name, kind: 'categorical', categories: f.categories } : { name: f.name, kind: 'numeric' })),
    true,
  );
  const features = profile.features.map((ref, j): FeatureDrift => {
    const column = columnOf(recent, j);
    const present = column.filter((v) => !Number.isNaN(v));
    const missingRate = { reference: (ref.missing ?? 0) / profile.nSamples, recent: (column.length - present.length) / column.length };
    return ref.kind === 'categorical'
      ? categoricalDrift(ref, present, missingRate, nFeatures, options)
      : numericDrift(ref, present, missingRate, nFeatures, options);
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

type MissingRate = FeatureDriftBase['missingRate'];

function numericDrift(ref: NumericProfile, present: Float64Array, missingRate: MissingRate, nFeatures: number, options: DriftOptions): NumericDrift {
  const tooFew = [['training', ref.values.length], ['recent', present.length]].find(([, n]) => (n as number) < MIN_DRIFT_ROWS);
  const base = { kind: 'numeric', feature: ref.name, missingRate, outOfRange: outOfRange(present, ref.min, ref.max) } as const;
  if (tooFew) {
    const [side, n] = tooFew;
    const note = `${n} non-missing ${side} value(s); the KS test needs at least ${MIN_DRIFT_ROWS}`;
    const histogram = { edges: ref.histogram.edges, reference: ref.histogram.counts, recent: ref.values.length > 0 ? binCounts(present, ref.histogram.edges) : [] };
    return { ...base, ks: null, pAdjusted: 1, drifted: false, psi: 0, psiMajor: false, note, histogram };
  }
  const ks = ksTwoSample(ref.values, present);
  const pAdjusted = Math.min(1, ks.pValue * nFeatures);
  const counts = binCounts(present, ref.histogram.edges);
  const psi = populationStabilityIndex(ref.histogram.counts, counts);
  return {
    ...base,
    ks,
    pAdjusted,
    drifted: pAdjusted < options.alpha,
    psi,
    psiMajor: psi >= options.psiMajor,
    note: null,
    histogram: { edges: ref.histogram.edges, reference: ref.histogram.counts, recent: counts },
  };
}

/**
 * The chi-square test of the category counts. A category recent inputs had that the model never
 * saw counts as one more category, with no training rows: a new category is drift. The PSI is
 * over the same categories (an empty one gets PSI's small share, as an empty bin does).
 */
function categoricalDrift(ref: CategoricalProfile, codes: Float64Array, missingRate: MissingRate, nFeatures: number, options: DriftOptions): CategoricalDrift {
  const recentCounts = new Array<number>(ref.categories.length).fill(0);
  let unknown = 0;
  for (const code of codes) {
    if (code === UNKNOWN_CATEGORY) unknown++;
    else recentCounts[code]++;
  }
  const histogram =
    unknown > 0
      ? { categories: [...ref.categories, UNKNOWN_CATEGORY_NAME], reference: [...ref.counts, 0], recent: [...recentCounts, unknown] }
      : { categories: ref.categories, reference: ref.counts, recent: recentCounts };
  const base = { kind: 'categorical', feature: ref.name, missingRate, histogram } as const;
  const tooFew = [['training', ref.counts], ['recent', histogram.recent]].find(([, counts]) => sum(counts as number[]) < MIN_DRIFT_ROWS);
  if (tooFew) {
    const [side, counts] = tooFew;
    const note = `${sum(counts as number[])} non-missing ${side} value(s); the chi-square test needs at least ${MIN_DRIFT_ROWS}`;
    return { ...base, chiSquare: null, pAdjusted: 1, drifted: false, psi: 0, psiMajor: false, note };
  }
  const { statistic, pValue, dof, categories } = categoryDriftTest(histogram.reference, histogram.recent);
  const pAdjusted = Math.min(1, pValue * nFeatures);
  const psi = populationStabilityIndex(histogram.reference, histogram.recent);
  // SciPy's dof-0 answer (p = 1): with one category on either side, no share could move.
  const note = categories.length < 2 ? `only one category (${histogram.categories[categories[0]]}) in training and recent inputs: no share can move` : null;
  return { ...base, chiSquare: { statistic, pValue, dof }, pAdjusted, drifted: pAdjusted < options.alpha, psi, psiMajor: psi >= options.psiMajor, note };
}

function sum(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0);
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

/**
 * Rows as the pipeline takes them: finite numbers, NaN for a missing cell, and for a categorical
 * feature one of its codes (and, in recent inputs, UNKNOWN_CATEGORY for a category it never saw).
 */
function checkRows(x: Matrix, what: string, features: readonly FeatureSpec[], unknownAllowed = false): void {
  if (x.cols < 1) throw new DriftError(`${what} data has no features`);
  if (x.rows < MIN_DRIFT_ROWS) {
    throw new DriftError(`${what} data has ${x.rows} row(s); drift statistics need at least ${MIN_DRIFT_ROWS}`);
  }
  for (let k = 0; k < x.data.length; k++) {
    const v = x.data[k];
    if (Number.isNaN(v)) continue;
    const row = Math.floor(k / x.cols);
    const feature = features[k - row * x.cols];
    if (!Number.isFinite(v)) throw new DriftError(`${what} data [${row}, ${k - row * x.cols}] is ${v}; values must be finite or NaN (missing)`);
    if (feature.kind !== 'categorical') continue;
    const n = feature.categories?.length ?? 0;
    if (!(Number.isInteger(v) && ((v >= 0 && v < n) || (unknownAllowed && v === UNKNOWN_CATEGORY)))) {
      throw new DriftError(`${what} data [${row}, ${k - row * x.cols}] is ${v}, not a code of categorical feature '${feature.name}' (0 to ${n - 1})`);
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
