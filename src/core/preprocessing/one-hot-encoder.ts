/**
 * scikit-learn 1.2.1's `OneHotEncoder(handle_unknown="ignore", sparse_output=False)` on categorical
 * codes (indices into each feature's `categories`, as the reader gives them).
 */
import type { FeatureSpec } from '../feature-spec.js';
import type { Matrix } from '../matrix.js';

/**
 * The code to pass for a value outside the table's categories (a prediction input the table never
 * held): like any code the encoder did not learn, it is encoded as all zeros and reported unknown.
 */
export const UNKNOWN_CATEGORY = -1;

export interface OneHotEncoderModel {
  /**
   * Per feature, the codes of the categories seen in fit, ascending. Codes follow the table's
   * categories, which are in scikit-learn's order, so this is `np.unique`'s order: `categories_`.
   */
  readonly codes: readonly (readonly number[])[];
  /** Per feature, those categories as text, in the same order. */
  readonly categories: readonly (readonly string[])[];
  /** Output columns: one per learned category. */
  readonly nOutputs: number;
}

export class OneHotEncoderError extends Error {
  override readonly name = 'OneHotEncoderError';
  constructor(
    message: string,
    readonly feature?: string,
  ) {
    super(message);
  }
}

/** One cell the encoder did not know (the whole feature's block was written as zeros). */
export interface UnknownCategory {
  readonly row: number;
  /** Column of the encoder's input. */
  readonly column: number;
  readonly code: number;
}

/** `x`'s columns are `features` (all categorical), holding codes; missing cells must be imputed first. */
export function fitOneHotEncoder(x: Matrix, features: readonly FeatureSpec[]): OneHotEncoderModel {
  if (x.cols !== features.length) {
    throw new OneHotEncoderError(`X has ${x.cols} columns but ${features.length} features were described`);
  }
  if (x.rows < 1) throw new OneHotEncoderError('OneHotEncoder needs at least one sample to fit');
  const codes: number[][] = [];
  const categories: string[][] = [];
  features.forEach((feature, j) => {
    const table = feature.categories ?? [];
    const seen = new Uint8Array(table.length);
    for (let i = 0; i < x.rows; i++) {
      const code = x.data[i * x.cols + j];
      if (!(Number.isInteger(code) && code >= 0 && code < table.length)) {
        // scikit-learn would learn NaN as a category of its own; in mloop's pipeline the imputer
        // always comes first, so NaN here is a caller's mistake.
        throw new OneHotEncoderError(
          `row ${i}, feature '${feature.name}': ${code} is not a category code (expected an integer in [0, ${table.length}))`,
          feature.name,
        );
      }
      seen[code] = 1;
    }
    const learned: number[] = [];
    seen.forEach((s, code) => {
      if (s) learned.push(code);
    });
    codes.push(learned);
    categories.push(learned.map((code) => table[code]));
  });
  return { codes, categories, nOutputs: codes.reduce((n, c) => n + c.length, 0) };
}

/**
 * Writes input column `column`'s block (`codes[column].length` values from `out[offset]`): 1 at the
 * code's category, 0 elsewhere; all zeros for a code not learned in fit (NaN included), as
 * handle_unknown="ignore". Returns whether the code was known.
 */
export function encodeCell(model: OneHotEncoderModel, column: number, code: number, out: Float64Array, offset: number): boolean {
  const learned = model.codes[column];
  out.fill(0, offset, offset + learned.length);
  // Binary search: codes are ascending.
  let lo = 0;
  let hi = learned.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = learned[mid];
    if (c === code) {
      out[offset + mid] = 1;
      return true;
    }
    if (c < code) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function transformOneHot(model: OneHotEncoderModel, x: Matrix): { readonly x: Matrix; readonly unknown: readonly UnknownCategory[] } {
  if (x.cols !== model.codes.length) {
    throw new OneHotEncoderError(`X has ${x.cols} features, but the OneHotEncoder was fitted with ${model.codes.length} features`);
  }
  const data = new Float64Array(x.rows * model.nOutputs);
  const unknown: UnknownCategory[] = [];
  for (let i = 0; i < x.rows; i++) {
    let offset = i * model.nOutputs;
    for (let j = 0; j < x.cols; j++) {
      const code = x.data[i * x.cols + j];
      if (!encodeCell(model, j, code, data, offset)) unknown.push({ row: i, column: j, code });
      offset += model.codes[j].length;
    }
  }
  return { x: { rows: x.rows, cols: model.nOutputs, data }, unknown };
}
