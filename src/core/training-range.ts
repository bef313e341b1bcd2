/**
 * Where a model has seen its numeric features: the training split's minimum and maximum of each,
 * and the values of a prediction row that fall outside them. An SVM answers for any input, and
 * `radius_mean = -5` or `1e9` gets a class as confidently as a real measurement: the answer has to
 * say that the model is extrapolating.
 */
import type { FittedColumnTransformer } from './preprocessing/column-transformer.js';

/**
 * A value counts as out of range when it lies beyond the training range by more than this share
 * of the range's width (10 %), on either side. Without a margin every new extreme of a
 * measurement would be flagged, although the model's decision barely changes just past the
 * training extremes; a value a tenth of the range beyond them is one the data never came near.
 */
export const OUT_OF_RANGE_MARGIN = 0.1;

export interface TrainingRange {
  readonly min: number;
  readonly max: number;
}

/** One value of a row outside its feature's training range (beyond the margin). */
export interface OutOfRangeValue {
  readonly feature: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
}

/** The minimum and maximum of a feature as a profile keeps them (a categorical feature's profile has none). */
export interface FeatureExtremes {
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
}

/**
 * The training range of each of the transformer's features, in feature order: null for a
 * categorical feature, or when the model keeps no range. The range comes from the training
 * split's drift profile when the model has one (`profile`, by feature name), else from the fitted
 * MinMaxScaler (the same training rows, after imputation). A `basic`-mode model of data with
 * categorical features or missing values has neither, and its answers carry no range check.
 */
export function trainingRanges(preprocessor: FittedColumnTransformer, profile: readonly FeatureExtremes[] | null): (TrainingRange | null)[] {
  const ranges = new Array<TrainingRange | null>(preprocessor.features.length).fill(null);
  const profiled = new Map((profile ?? []).map((f) => [f.name, f]));
  const numeric = preprocessor.numeric;
  numeric?.columns.forEach((j, k) => {
    const fromProfile = profiled.get(preprocessor.features[j].name);
    const scaler = numeric.scaler;
    const range = fromProfile?.min !== undefined && fromProfile.max !== undefined ? { min: fromProfile.min, max: fromProfile.max } : scaler ? { min: scaler.dataMin[k], max: scaler.dataMax[k] } : null;
    if (range && Number.isFinite(range.min) && Number.isFinite(range.max)) ranges[j] = range;
  });
  return ranges;
}

const none: readonly OutOfRangeValue[] = Object.freeze([]);

/** Whether `value` lies beyond `range` by more than `margin` times its width (missing values never do). */
export function isOutOfRange(value: number, range: TrainingRange, margin = OUT_OF_RANGE_MARGIN): boolean {
  const slack = margin * (range.max - range.min);
  return value < range.min - slack || value > range.max + slack;
}

/**
 * The out-of-range values of row `row` of a row-major matrix of raw inputs (`cols` per row), in
 * feature order; an empty list when every value is within its range.
 */
export function outOfRangeValues(data: ArrayLike<number>, row: number, cols: number, ranges: readonly (TrainingRange | null)[], names: readonly string[], margin = OUT_OF_RANGE_MARGIN): readonly OutOfRangeValue[] {
  // Most rows are in range: they share one empty list rather than allocate their own.
  let out: OutOfRangeValue[] | null = null;
  const offset = row * cols;
  for (let j = 0; j < cols; j++) {
    const range = ranges[j];
    const value = data[offset + j];
    if (range && isOutOfRange(value, range, margin)) (out ??= []).push({ feature: names[j], value, min: range.min, max: range.max });
  }
  return out ?? none;
}
