import type { ParamGrid } from './grid-search.js';

/**
 * The bounds of what one training may ask for. scikit-learn accepts any positive C and gamma, and
 * its libsvm runs without an iteration limit (`max_iter=-1`), so one fit with C = 1e308 never
 * ends. Measured on the 2-core reference machine, one fit of 10,000 rows (the bundled data with
 * noise) within these bounds takes at most about 40 s (C = 1e4 on raw features with an RBF kernel
 * that is nearly the identity); C = 1e5 took 39 s and C = 1e6 135 s on raw features, gamma = 1e3
 * on scaled ones 78 s. The lowest gamma is below the one `gamma='scale'` gives the raw features
 * (about 3e-7), so `basic` can be asked for explicitly what it uses by default. What the bounds
 * cannot catch (a slow data set) `training.timeout` stops.
 */
export const trainingLimits = {
  C: { min: 1e-6, max: 1e4 },
  gamma: { min: 1e-9, max: 100 },
  /** Values per axis of the grid. */
  gridValues: 20,
  /** C values × gamma values × folds of one grid search. */
  gridFits: 1000,
  cv: { min: 2, max: 20 },
} as const;

/** Why a grid search is too large to run, naming the keys; null when it is within the limit. */
export function gridSizeProblem(grid: ParamGrid, cv: number): string | null {
  const fits = grid.C.length * grid.gamma.length * cv;
  if (fits <= trainingLimits.gridFits) return null;
  return `${grid.C.length} C values × ${grid.gamma.length} gamma values × ${cv} folds (training.cv) = ${fits} fits, more than the limit of ${trainingLimits.gridFits}`;
}
