import type { Matrix } from './matrix.js';
import { takeRows } from './matrix.js';
import { estimatorPredict, fitEstimator } from './estimator.js';
import { stratifiedKFold } from './stratified-k-fold.js';
import type { Gamma } from './svc/svc.js';

/** The search space, as scikit-learn's `param_grid` for `svc__C` and `svc__gamma`. */
export interface ParamGrid {
  readonly C: readonly number[];
  readonly gamma: readonly Gamma[];
}

export interface GridCandidate {
  readonly C: number;
  readonly gamma: Gamma;
}

/** One fit of the search: candidate `candidate` trained without fold `fold`, scored on it. */
export interface GridTask {
  readonly candidate: number;
  readonly fold: number;
}

export interface GridSearchResult {
  readonly candidates: readonly GridCandidate[];
  /** `splitScores[candidate][fold]`: accuracy on the held-out fold. */
  readonly splitScores: readonly (readonly number[])[];
  readonly meanTestScore: readonly number[];
  readonly stdTestScore: readonly number[];
  readonly rankTestScore: readonly number[];
  readonly bestIndex: number;
  readonly bestParams: GridCandidate;
  readonly bestScore: number;
  readonly cv: number;
}

/** Candidates in `ParameterGrid` order: keys sorted (`C` before `gamma`), the last varying fastest. */
export function gridCandidates(grid: ParamGrid): GridCandidate[] {
  return grid.C.flatMap((C) => grid.gamma.map((gamma) => ({ C, gamma })));
}

export interface GridPlan {
  readonly candidates: readonly GridCandidate[];
  readonly folds: readonly { readonly train: Int32Array; readonly test: Int32Array }[];
  readonly tasks: readonly GridTask[];
}

export function planGridSearch(grid: ParamGrid, y: readonly string[], cv: number): GridPlan {
  const candidates = gridCandidates(grid);
  if (candidates.length === 0) throw new RangeError('training.grid: C and gamma each need at least one value');
  const folds = stratifiedKFold(y, cv);
  // scikit-learn iterates candidates outer, splits inner; the order only matters for progress.
  const tasks = candidates.flatMap((_, candidate) => folds.map((__, fold) => ({ candidate, fold })));
  return { candidates, folds, tasks };
}

/**
 * Scores one task exactly as `GridSearchCV(make_pipeline(MinMaxScaler(), SVC()))` does: the scaler
 * is fitted on the fold's training rows only (fitting it once on the whole split would leak the
 * validation fold's range into training), then accuracy on the held-out rows.
 */
export function scoreGridTask(
  x: Matrix,
  y: readonly string[],
  fold: { readonly train: Int32Array; readonly test: Int32Array },
  candidate: GridCandidate,
): number {
  const estimator = fitEstimator({ scaled: true, C: candidate.C, gamma: candidate.gamma, x: takeRows(x, fold.train), y: Array.from(fold.train, (i) => y[i]) });
  const predicted = estimatorPredict(estimator, takeRows(x, fold.test));
  let correct = 0;
  for (let k = 0; k < fold.test.length; k++) if (predicted[k] === y[fold.test[k]]) correct++;
  return correct / fold.test.length;
}

/** Mean, std and rank per candidate, and the winner by scikit-learn's rule (first of the best). */
export function summarizeGridSearch(plan: GridPlan, scores: readonly number[]): GridSearchResult {
  const nFolds = plan.folds.length;
  const splitScores = plan.candidates.map(() => new Array<number>(nFolds).fill(Number.NaN));
  plan.tasks.forEach((task, k) => {
    splitScores[task.candidate][task.fold] = scores[k];
  });
  // np.average over 5 values sums left to right, then divides.
  const meanTestScore = splitScores.map((s) => s.reduce((acc, v) => acc + v, 0) / s.length);
  const stdTestScore = splitScores.map((s, c) => Math.sqrt(s.reduce((acc, v) => acc + (v - meanTestScore[c]) ** 2, 0) / s.length));
  // rankdata(-mean, method="min"): 1 + the number of candidates with a strictly higher mean.
  const rankTestScore = meanTestScore.map((m) => 1 + meanTestScore.filter((other) => other > m).length);
  const bestIndex = rankTestScore.indexOf(1);
  return {
    candidates: plan.candidates,
    splitScores,
    meanTestScore,
    stdTestScore,
    rankTestScore,
    bestIndex,
    bestParams: plan.candidates[bestIndex],
    bestScore: meanTestScore[bestIndex],
    cv: nFolds,
  };
}
