import type { FeatureSpec } from './feature-spec.js';
import type { Matrix } from './matrix.js';
import { takeRows } from './matrix.js';
import { predict } from './predictor.js';
import type { ColumnTransformerParams } from './preprocessing/column-transformer.js';
import { fitColumnTransformer, transformColumns } from './preprocessing/column-transformer.js';
import { stratifiedKFold } from './stratified-k-fold.js';
import { FitWorkspace } from './svc/fit-workspace.js';
import { HeldOutKernel } from './svc/held-out-kernel.js';
import type { Gamma } from './svc/svc.js';
import { labelsFromOvo } from './svc/one-vs-one.js';
import { defaultSvcParams, prepareSvcProblem, solveSvcProblem } from './svc/svc.js';

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

/**
 * The tasks of one fold whose candidates share a gamma: their fits differ in C only, so they share
 * the fold's scaler and the kernel rows (scoreGridGroup), the bulk of a fit's work.
 */
export interface GridGroup {
  readonly fold: number;
  readonly gamma: Gamma;
  /** Indices into `GridPlan.tasks`. */
  readonly tasks: readonly number[];
}

export interface GridFold {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** The preprocessing each fold fits on its own training rows, before its SVC. */
export interface GridPreprocessing {
  readonly features: readonly FeatureSpec[];
  readonly params: ColumnTransformerParams;
}

export interface GridPlan {
  readonly preprocessing: GridPreprocessing;
  readonly candidates: readonly GridCandidate[];
  readonly folds: readonly GridFold[];
  readonly tasks: readonly GridTask[];
  /** Every task in exactly one group; gamma by gamma in grid order, then fold by fold. */
  readonly groups: readonly GridGroup[];
}

export function planGridSearch(grid: ParamGrid, y: readonly string[], cv: number, preprocessing: GridPreprocessing): GridPlan {
  const candidates = gridCandidates(grid);
  if (candidates.length === 0) throw new RangeError('training.grid: C and gamma each need at least one value');
  const folds = stratifiedKFold(y, cv);
  // scikit-learn iterates candidates outer, splits inner; the order only matters for progress.
  const tasks = candidates.flatMap((_, candidate) => folds.map((__, fold) => ({ candidate, fold })));
  const gammas = [...new Set(candidates.map((c) => c.gamma))];
  const groups = gammas.flatMap((gamma) =>
    folds.map((_, fold) => ({ fold, gamma, tasks: tasks.flatMap((task, k) => (task.fold === fold && candidates[task.candidate].gamma === gamma ? [k] : [])) })),
  );
  return { preprocessing, candidates, folds, tasks, groups };
}

/**
 * Scores the fits of one fold for one gamma and several C values exactly as `GridSearchCV` scores
 * each fit of `Pipeline([ColumnTransformer(...), SVC()])`: the preprocessing (imputer, scaler,
 * encoder) is fitted on the fold's training rows only (fitting it once on the whole split would
 * leak the validation fold's values into training), then accuracy on the held-out rows. The
 * preprocessing, the Q matrix (its cached kernel rows) and the kernel values between held-out and
 * training rows do not depend on C, so the fits share them; each fit's numbers and decision values
 * are those of a fit on its own. `workspace`: memory that the groups run one after the other on a
 * thread reuse.
 */
export function scoreGridGroup(
  x: Matrix,
  y: readonly string[],
  fold: GridFold,
  gamma: Gamma,
  Cs: readonly number[],
  preprocessing: GridPreprocessing,
  workspace?: FitWorkspace,
): number[] {
  const xTrain = takeRows(x, fold.train);
  const preprocessor = fitColumnTransformer(preprocessing.params, preprocessing.features, xTrain);
  const problem = prepareSvcProblem(transformColumns(preprocessor, xTrain).x, Array.from(fold.train, (i) => y[i]), gamma, workspace);
  const xTest = takeRows(x, fold.test);
  const heldOut = HeldOutKernel.fits(problem, xTest.rows) ? new HeldOutKernel(problem, transformColumns(preprocessor, xTest).x, workspace) : null;
  return Cs.map((C) => {
    const svc = solveSvcProblem(problem, { ...defaultSvcParams, C, gamma });
    const predicted = heldOut ? labelsFromOvo(svc.classes, heldOut.pairValues(svc), xTest.rows) : predict({ preprocessor, svc }, xTest).labels;
    let correct = 0;
    for (let k = 0; k < fold.test.length; k++) if (predicted[k] === y[fold.test[k]]) correct++;
    return correct / fold.test.length;
  });
}

/** The C of each task of `group`, in the group's order. */
export function groupCs(plan: GridPlan, group: GridGroup): number[] {
  return group.tasks.map((k) => plan.candidates[plan.tasks[k].candidate].C);
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

export interface GridProgress {
  readonly done: number;
  readonly total: number;
}

/** Runs the fits of a grid search and returns their scores in `plan.tasks` order. */
export type GridRunner = (plan: GridPlan, x: Matrix, y: readonly string[], onProgress: (progress: GridProgress) => void) => Promise<readonly number[]>;

/**
 * The scores of a grid search's groups, which may finish in any order, gathered in `plan.tasks`
 * order; progress is reported as each group's scores arrive. Both runners (inline, worker pool)
 * collect through it.
 */
export class GridScores {
  readonly scores: number[];
  private done = 0;

  constructor(
    private readonly plan: GridPlan,
    private readonly onProgress: (progress: GridProgress) => void,
  ) {
    this.scores = new Array<number>(plan.tasks.length).fill(Number.NaN);
  }

  add(group: GridGroup, groupScores: readonly number[]): void {
    group.tasks.forEach((k, n) => (this.scores[k] = groupScores[n]));
    this.done += group.tasks.length;
    this.onProgress({ done: this.done, total: this.plan.tasks.length });
  }
}

/** Runs every fit on the calling thread (tests, and machines with one core). */
export const runGridInline: GridRunner = async (plan, x, y, onProgress) => {
  const collected = new GridScores(plan, onProgress);
  const workspace = new FitWorkspace();
  for (const group of plan.groups) collected.add(group, scoreGridGroup(x, y, plan.folds[group.fold], group.gamma, groupCs(plan, group), plan.preprocessing, workspace));
  return collected.scores;
};
