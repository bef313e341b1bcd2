/**
 * scikit-learn 1.2.1's `MinMaxScaler()` (feature_range (0, 1), clip=False), to the bit.
 * The fitted model is plain JSON data, so a stored pipeline transforms exactly as it did in fit.
 */
import type { Matrix } from './matrix.js';

export interface MinMaxScalerModel {
  readonly dataMin: readonly number[];
  readonly dataMax: readonly number[];
  readonly dataRange: readonly number[];
  readonly scale: readonly number[];
  readonly min: readonly number[];
}

export class MinMaxScalerError extends Error {
  override readonly name = 'MinMaxScalerError';
}

/**
 * Ranges below this are treated as constant features and get scale 1 instead of a huge or
 * infinite one: `_handle_zeros_in_scale` uses `scale < 10 * np.finfo(np.float64).eps`.
 */
const NEAR_ZERO_RANGE = 10 * Number.EPSILON;

export function fitMinMaxScaler(x: Matrix): MinMaxScalerModel {
  if (x.rows < 1) {
    throw new MinMaxScalerError('MinMaxScaler needs at least one sample to fit');
  }
  assertFinite(x, 'fit');
  const dataMin: number[] = [];
  const dataMax: number[] = [];
  for (let j = 0; j < x.cols; j++) {
    let lo = x.data[j];
    let hi = lo;
    for (let i = 1; i < x.rows; i++) {
      const v = x.data[i * x.cols + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    dataMin.push(lo);
    dataMax.push(hi);
  }
  const dataRange = dataMax.map((hi, j) => hi - dataMin[j]);
  // (feature_range[1] - feature_range[0]) / range: the numerator is exactly 1.
  const scale = dataRange.map((r) => 1 / (r < NEAR_ZERO_RANGE ? 1 : r));
  // `feature_range[0] - data_min * scale_`: subtracting from 0 (not negating) keeps +0 for a
  // zero minimum, as numpy does.
  const min = dataMin.map((lo, j) => 0 - lo * scale[j]);
  return { dataMin, dataMax, dataRange, scale, min };
}

/** `X * scale_ + min_`, multiplication first, as scikit-learn's in-place `*=` then `+=`. */
export function transformMinMax(model: MinMaxScalerModel, x: Matrix): Matrix {
  if (x.cols !== model.scale.length) {
    throw new MinMaxScalerError(
      `X has ${x.cols} features, but the MinMaxScaler was fitted with ${model.scale.length} features`,
    );
  }
  assertFinite(x, 'transform');
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) {
    const base = i * x.cols;
    for (let j = 0; j < x.cols; j++) {
      data[base + j] = x.data[base + j] * model.scale[j] + model.min[j];
    }
  }
  return { rows: x.rows, cols: x.cols, data };
}

/**
 * scikit-learn lets NaN through MinMaxScaler (nanmin/nanmax) but the SVC after it rejects
 * it; failing here names the cell instead of surfacing later as a vague solver error.
 */
function assertFinite(x: Matrix, verb: string): void {
  for (let k = 0; k < x.data.length; k++) {
    if (!Number.isFinite(x.data[k])) {
      const rowIndex = Math.floor(k / x.cols);
      throw new MinMaxScalerError(
        `Cannot ${verb} MinMaxScaler: X[${rowIndex}, ${k - rowIndex * x.cols}] is ${x.data[k]}; values must be finite`,
      );
    }
  }
}
