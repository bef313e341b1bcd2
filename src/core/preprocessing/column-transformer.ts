/**
 * scikit-learn 1.2.1's
 *
 *     ColumnTransformer([
 *         ("num", Pipeline([SimpleImputer(strategy=impute), MinMaxScaler()]), numeric),  # scaler when `scaled`
 *         ("cat", Pipeline([SimpleImputer(strategy="most_frequent"),
 *                           OneHotEncoder(handle_unknown="ignore", sparse_output=False)]), categorical),
 *     ])
 *
 * on the reader's table (numeric cells as doubles, categorical cells as codes, NaN = missing), to
 * the bit. The output is dense: the numeric block (numeric features in table order), then the
 * one-hot block; a block with no column is left out, as scikit-learn skips an empty selection.
 * With no categorical feature and no missing cell this is exactly `MinMaxScaler` (or the identity
 * when unscaled), so the bundled data keeps its results.
 */
import type { FeatureSpec } from '../feature-spec.js';
import { numericFeatures } from '../feature-spec.js';
import type { Matrix } from '../matrix.js';
import { takeColumns } from '../matrix.js';
import type { MinMaxScalerModel } from '../min-max-scaler.js';
import { fitMinMaxScaler } from '../min-max-scaler.js';
import type { OneHotEncoderModel } from './one-hot-encoder.js';
import { encodeCell, fitOneHotEncoder } from './one-hot-encoder.js';
import type { ImputeStrategy, SimpleImputerModel } from './simple-imputer.js';
import { fitSimpleImputer, imputeCell, transformSimpleImputer } from './simple-imputer.js';

export interface ColumnTransformerParams {
  /** The numeric features' SimpleImputer strategy (`training.impute`). */
  readonly impute: ImputeStrategy;
  /** MinMaxScaler after the numeric imputer (the `normalized` and `gridsearch` modes). */
  readonly scaled: boolean;
}

export const defaultColumnTransformerParams: ColumnTransformerParams = { impute: 'mean', scaled: true };

export interface NumericBlock {
  /** Input columns (indices into `features`), in table order. */
  readonly columns: readonly number[];
  readonly imputer: SimpleImputerModel;
  readonly scaler: MinMaxScalerModel | null;
}

export interface CategoricalBlock {
  readonly columns: readonly number[];
  /** most_frequent over the codes: its statistics are codes. */
  readonly imputer: SimpleImputerModel;
  readonly encoder: OneHotEncoderModel;
}

/** Plain JSON-safe data: written with JSON.stringify and read back, it transforms bit-identically. */
export interface FittedColumnTransformer {
  readonly kind: 'column-transformer';
  readonly params: ColumnTransformerParams;
  /** The input schema: the table's features in column order, with the table's categories. */
  readonly features: readonly FeatureSpec[];
  readonly numeric: NumericBlock | null;
  readonly categorical: CategoricalBlock | null;
  readonly nOutputs: number;
}

export class ColumnTransformerError extends Error {
  override readonly name = 'ColumnTransformerError';
  constructor(
    message: string,
    readonly feature?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A ColumnTransformer over numeric features only, with a given scaler (or none): what mloop's
 * pipelines were before missing values and categories. Without `statistics`, its imputer has none
 * (NaN), and a missing value is refused rather than imputed (see `missingValueImputable`).
 */
export function numericColumnTransformer(names: readonly string[], scaler: MinMaxScalerModel | null, statistics?: readonly number[]): FittedColumnTransformer {
  const columns = names.map((_, j) => j);
  return {
    kind: 'column-transformer',
    params: { impute: 'mean', scaled: scaler !== null },
    features: numericFeatures(names),
    numeric: { columns, imputer: { strategy: 'mean', statistics: statistics ?? columns.map(() => Number.NaN) }, scaler },
    categorical: null,
    nOutputs: names.length,
  };
}

/** `x`: the training rows of the raw table, one column per feature. */
export function fitColumnTransformer(params: ColumnTransformerParams, features: readonly FeatureSpec[], x: Matrix): FittedColumnTransformer {
  if (x.cols !== features.length) throw new ColumnTransformerError(`X has ${x.cols} columns but ${features.length} features were described`);
  if (features.length === 0) throw new ColumnTransformerError('there are no features to transform');
  const numericColumns: number[] = [];
  const categoricalColumns: number[] = [];
  features.forEach((feature, j) => {
    if (feature.kind === 'numeric') numericColumns.push(j);
    else if (feature.kind === 'categorical' && feature.categories !== undefined) categoricalColumns.push(j);
    else throw new ColumnTransformerError(`feature '${feature.name}' is categorical but has no categories`, feature.name);
  });
  const namesOf = (columns: readonly number[]) => columns.map((j) => features[j].name);

  let numeric: NumericBlock | null = null;
  if (numericColumns.length > 0) {
    const xNum = takeColumns(x, numericColumns);
    const names = namesOf(numericColumns);
    const imputer = fitSimpleImputer({ strategy: params.impute }, xNum, names);
    const scaler = params.scaled ? fitMinMaxScaler(transformSimpleImputer(imputer, xNum, names)) : null;
    numeric = { columns: numericColumns, imputer, scaler };
  }
  let categorical: CategoricalBlock | null = null;
  if (categoricalColumns.length > 0) {
    const xCat = takeColumns(x, categoricalColumns);
    const names = namesOf(categoricalColumns);
    const imputer = fitSimpleImputer({ strategy: 'most_frequent' }, xCat, names);
    const encoder = fitOneHotEncoder(transformSimpleImputer(imputer, xCat, names), categoricalColumns.map((j) => features[j]));
    categorical = { columns: categoricalColumns, imputer, encoder };
  }
  const nOutputs = numericColumns.length + (categorical?.encoder.nOutputs ?? 0);
  return { kind: 'column-transformer', params, features, numeric, categorical, nOutputs };
}

/** What happened to one row's inputs; indexed by input feature, 1 = yes. Reset by every call. */
export interface RowFlags {
  /** The value was missing and got the fitted statistic. */
  readonly imputed: Uint8Array;
  /** A categorical value not seen in training: its one-hot block is all zeros. */
  readonly unknown: Uint8Array;
}

export function createRowFlags(fitted: FittedColumnTransformer): RowFlags {
  return { imputed: new Uint8Array(fitted.features.length), unknown: new Uint8Array(fitted.features.length) };
}

/** A fitted transformer unpacked once for a serving loop: `transform` allocates nothing. */
export interface RowTransformer {
  readonly nInputs: number;
  readonly nOutputs: number;
  /** Reads `raw[rawOffset … rawOffset + nInputs)` and writes `out[outOffset … outOffset + nOutputs)`. */
  transform(raw: ArrayLike<number>, rawOffset: number, out: Float64Array, outOffset: number, flags?: RowFlags): void;
}

export function createRowTransformer(fitted: FittedColumnTransformer): RowTransformer {
  const { features, numeric, categorical } = fitted;
  const numColumns = Int32Array.from(numeric?.columns ?? []);
  const scaler = numeric?.scaler ?? null;
  const scale = Float64Array.from(scaler?.scale ?? []);
  const shift = Float64Array.from(scaler?.min ?? []);
  const catColumns = Int32Array.from(categorical?.columns ?? []);
  const widths = Int32Array.from(categorical?.encoder.codes.map((c) => c.length) ?? []);
  const nNum = numColumns.length;

  function transform(raw: ArrayLike<number>, rawOffset: number, out: Float64Array, outOffset: number, flags?: RowFlags): void {
    if (flags) {
      flags.imputed.fill(0);
      flags.unknown.fill(0);
    }
    if (numeric) {
      for (let k = 0; k < nNum; k++) {
        const column = numColumns[k];
        const x = raw[rawOffset + column];
        if (Number.isNaN(x)) {
          if (flags) flags.imputed[column] = 1;
        } else if (x === Infinity || x === -Infinity) {
          const name = features[column].name;
          throw new ColumnTransformerError(`feature '${name}' is ${x}; values must be finite or missing`, name);
        }
        const v = imputeCell(numeric.imputer, k, x);
        // X * scale_ + min_, multiplication first: transformMinMax's arithmetic.
        out[outOffset + k] = scaler ? v * scale[k] + shift[k] : v;
      }
    }
    if (categorical) {
      let at = outOffset + nNum;
      for (let k = 0; k < catColumns.length; k++) {
        const column = catColumns[k];
        const code = raw[rawOffset + column];
        if (flags && Number.isNaN(code)) flags.imputed[column] = 1;
        const known = encodeCell(categorical.encoder, k, imputeCell(categorical.imputer, k, code), out, at);
        if (flags && !known) flags.unknown[column] = 1;
        at += widths[k];
      }
    }
  }
  return { nInputs: features.length, nOutputs: fitted.nOutputs, transform };
}

/** A cell of the input: `feature` indexes the fitted transformer's `features`. */
export interface CellRef {
  readonly row: number;
  readonly feature: number;
}

export interface ColumnTransformResult {
  readonly x: Matrix;
  /** Missing cells that were imputed, row by row. */
  readonly imputed: readonly CellRef[];
  /** Categorical cells whose value was not seen in training (encoded as zeros). */
  readonly unknown: readonly CellRef[];
}

export function transformColumns(fitted: FittedColumnTransformer, x: Matrix): ColumnTransformResult {
  if (x.cols !== fitted.features.length) {
    throw new ColumnTransformerError(`X has ${x.cols} columns, but the ColumnTransformer was fitted with ${fitted.features.length} features`);
  }
  const rowTransformer = createRowTransformer(fitted);
  const flags = createRowFlags(fitted);
  const data = new Float64Array(x.rows * fitted.nOutputs);
  const imputed: CellRef[] = [];
  const unknown: CellRef[] = [];
  for (let i = 0; i < x.rows; i++) {
    try {
      rowTransformer.transform(x.data, i * x.cols, data, i * fitted.nOutputs, flags);
    } catch (error) {
      if (!(error instanceof ColumnTransformerError)) throw error;
      throw new ColumnTransformerError(`row ${i}: ${error.message}`, error.feature, { cause: error });
    }
    for (let j = 0; j < x.cols; j++) {
      if (flags.imputed[j]) imputed.push({ row: i, feature: j });
      if (flags.unknown[j]) unknown.push({ row: i, feature: j });
    }
  }
  return { x: { rows: x.rows, cols: fitted.nOutputs, data }, imputed, unknown };
}

/** `get_feature_names_out()`: `num__<feature>`, then `cat__<feature>_<category>` per learned category. */
export function featureNamesOut(fitted: FittedColumnTransformer): string[] {
  const { features, numeric, categorical } = fitted;
  const names = (numeric?.columns ?? []).map((j) => `num__${features[j].name}`);
  if (categorical) {
    categorical.columns.forEach((j, k) => {
      for (const category of categorical.encoder.categories[k]) names.push(`cat__${features[j].name}_${category}`);
    });
  }
  return names;
}

/** What a missing value of each input feature becomes: a number, or a category of the table. */
export interface ImputedValue {
  readonly feature: string;
  readonly kind: FeatureSpec['kind'];
  readonly value: number | string;
}

/** Per input feature, in table order. */
export function imputedValues(fitted: FittedColumnTransformer): ImputedValue[] {
  const { features, numeric, categorical } = fitted;
  const values = new Array<ImputedValue>(features.length);
  if (numeric) {
    numeric.columns.forEach((j, k) => {
      values[j] = { feature: features[j].name, kind: 'numeric', value: numeric.imputer.statistics[k] };
    });
  }
  if (categorical) {
    categorical.columns.forEach((j, k) => {
      // The statistic is a code into the table's categories (fit checked they exist).
      values[j] = { feature: features[j].name, kind: 'categorical', value: (features[j].categories ?? [])[categorical.imputer.statistics[k]] };
    });
  }
  return values;
}
