import type { Matrix } from './matrix.js';
import { takeColumns } from './matrix.js';

/** A model needs features the data does not have. */
export class MissingFeaturesError extends Error {
  override readonly name = 'MissingFeaturesError';
  constructor(readonly missing: readonly string[]) {
    super(`the data has no ${missing.length === 1 ? 'feature' : 'features'} ${missing.map((n) => `'${n}'`).join(', ')}`);
  }
}

/**
 * The columns of `x`, named `names`, in the order of `wanted`: the rows as a model trained on the
 * features `wanted` reads them (pandas' `df[wanted]`). `x` itself when the orders agree.
 */
export function columnsByName(x: Matrix, names: readonly string[], wanted: readonly string[]): Matrix {
  if (wanted.length === names.length && wanted.every((name, j) => names[j] === name)) return x;
  const index = new Map(names.map((name, j) => [name, j]));
  const missing = wanted.filter((name) => !index.has(name));
  if (missing.length > 0) throw new MissingFeaturesError(missing);
  return takeColumns(x, wanted.map((name) => index.get(name) as number));
}
