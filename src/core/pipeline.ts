import type { GridGroup, GridPlan, GridSearchResult, ParamGrid } from './grid-search.js';
import { groupCs, planGridSearch, scoreGridGroup, summarizeGridSearch } from './grid-search.js';
import type { Matrix } from './matrix.js';
import type { MinMaxScalerModel } from './min-max-scaler.js';
import type { Gamma, SvcModel } from './svc/svc.js';
import { createPredictor } from './predictor.js';
import { labelsFromDecision } from './svc/svc.js';
import { FitWorkspace } from './svc/fit-workspace.js';
import type { EstimatorTask, FittedEstimator } from './estimator.js';
import { fitEstimator } from './estimator.js';

export const trainingModes = ['basic', 'normalized', 'gridsearch'] as const;
export type TrainingMode = (typeof trainingModes)[number];

/** What a training is asked to do; the tutorial's three modes are values of `mode`. */
export interface PipelineParams {
  readonly mode: TrainingMode;
  readonly C: number;
  readonly gamma: Gamma;
  readonly grid: ParamGrid;
  readonly cv: number;
}

/**
 * A fitted pipeline: optional min-max scaler, then the SVC. Plain JSON-safe data: written with
 * `JSON.stringify` and read back, it gives bit-identical decision values.
 */
export interface FittedPipeline {
  readonly kind: 'mloop-pipeline';
  readonly formatVersion: 1;
  readonly mode: TrainingMode;
  readonly params: PipelineParams;
  readonly featureNames: readonly string[];
  readonly scaler: MinMaxScalerModel | null;
  readonly svc: SvcModel;
  readonly gridSearch: GridSearchResult | null;
}

export interface GridProgress {
  readonly done: number;
  readonly total: number;
}

/** Runs the fits of a grid search and returns their scores in `plan.tasks` order. */
export type GridRunner = (
  plan: GridPlan,
  x: Matrix,
  y: readonly string[],
  onProgress: (progress: GridProgress) => void,
) => Promise<readonly number[]>;

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
  for (const group of plan.groups) collected.add(group, scoreGridGroup(x, y, plan.folds[group.fold], group.gamma, groupCs(plan, group), workspace));
  return collected.scores;
};

export interface FitOptions {
  readonly runGrid?: GridRunner;
  /** Fits the final estimator (a worker thread in the service); inline by default. */
  readonly fitFinal?: (task: EstimatorTask) => Promise<FittedEstimator>;
  readonly onProgress?: (progress: GridProgress) => void;
}

export async function fitPipeline(
  params: PipelineParams,
  x: Matrix,
  y: readonly string[],
  featureNames: readonly string[],
  options: FitOptions = {},
): Promise<FittedPipeline> {
  let C = params.C;
  let gamma = params.gamma;
  let gridSearch: GridSearchResult | null = null;
  if (params.mode === 'gridsearch') {
    const plan = planGridSearch(params.grid, y, params.cv);
    const onProgress = options.onProgress ?? (() => undefined);
    onProgress({ done: 0, total: plan.tasks.length });
    const scores = await (options.runGrid ?? runGridInline)(plan, x, y, onProgress);
    gridSearch = summarizeGridSearch(plan, scores);
    ({ C, gamma } = gridSearch.bestParams);
  }
  const task: EstimatorTask = { scaled: params.mode !== 'basic', C, gamma, x, y };
  const { scaler, svc } = options.fitFinal ? await options.fitFinal(task) : fitEstimator(task);
  return { kind: 'mloop-pipeline', formatVersion: 1, mode: params.mode, params, featureNames, scaler, svc, gridSearch };
}

export function pipelineDecisionFunction(pipeline: FittedPipeline, x: Matrix): Float64Array {
  if (x.cols !== pipeline.svc.nFeatures) throw new RangeError(`expected ${pipeline.svc.nFeatures} features, got ${x.cols}`);
  return createPredictor(pipeline).decide(x.data, x.rows);
}

export interface Predictions {
  readonly labels: readonly string[];
  /** Decision values; positive means `classes[1]` (scikit-learn's convention). */
  readonly decision: Float64Array;
}

export function predictPipeline(pipeline: FittedPipeline, x: Matrix): Predictions {
  const decision = pipelineDecisionFunction(pipeline, x);
  return { labels: labelsFromDecision(pipeline.svc, decision), decision };
}
