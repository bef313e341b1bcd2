import type { GridProgress, GridRunner, GridSearchResult, ParamGrid } from './grid-search.js';
import { planGridSearch, runGridInline, summarizeGridSearch } from './grid-search.js';
import type { Matrix } from './matrix.js';
import type { FittedPipeline, PipelineTask } from './pipeline.js';
import { fitPipeline } from './pipeline.js';
import type { Gamma } from './svc/svc.js';

export const trainingModes = ['basic', 'normalized', 'gridsearch'] as const;
export type TrainingMode = (typeof trainingModes)[number];

/** What a training is asked to do; the tutorial's three modes are values of `mode`. */
export interface TrainingParams {
  readonly mode: TrainingMode;
  readonly C: number;
  readonly gamma: Gamma;
  readonly grid: ParamGrid;
  readonly cv: number;
}

/**
 * The model artifact a training produces and the registry keeps: the fitted pipeline, with what
 * made it (mode, parameters, grid search) and the names of its input features. Plain JSON-safe
 * data, stored as it is (the `kind` and `formatVersion` say how to read it back).
 *
 * Format 2 holds a k-class SVC (`rho` and `iterations` one per pair of classes); format 1, written
 * before multi-class, a binary one with a single `rho` and `iterations` (`upgradeModelArtifact`).
 */
export interface ModelArtifact extends FittedPipeline {
  readonly kind: 'mloop-pipeline';
  readonly formatVersion: 2;
  readonly mode: TrainingMode;
  readonly params: TrainingParams;
  readonly featureNames: readonly string[];
  readonly gridSearch: GridSearchResult | null;
}

export function isModelArtifact(value: unknown): value is ModelArtifact {
  const p = value as Partial<ModelArtifact> | null;
  return typeof p === 'object' && p !== null && p.kind === 'mloop-pipeline' && p.formatVersion === 2 && typeof p.svc === 'object';
}

/**
 * A stored artifact in the current format: a format-1 artifact (a binary SVC, whose classes,
 * nSupport and svCoef already have the k-class layout for k = 2) with its single `rho` and
 * `iterations` as one-pair lists, which gives the very same predictions; anything else as it is,
 * for `isModelArtifact` to judge.
 */
export function upgradeModelArtifact(value: unknown): unknown {
  const p = value as { kind?: unknown; formatVersion?: unknown; svc?: { rho?: unknown; iterations?: unknown } } | null;
  if (typeof p !== 'object' || p === null || p.kind !== 'mloop-pipeline' || p.formatVersion !== 1) return value;
  if (typeof p.svc !== 'object' || p.svc === null || typeof p.svc.rho !== 'number') return value;
  const { rho, iterations } = p.svc;
  return { ...p, formatVersion: 2, svc: { ...p.svc, rho: [rho], iterations: [iterations] } };
}

export interface FitOptions {
  readonly runGrid?: GridRunner;
  /** Fits the final pipeline (a worker thread in the service); inline by default. */
  readonly fitFinal?: (task: PipelineTask) => Promise<FittedPipeline>;
  readonly onProgress?: (progress: GridProgress) => void;
}

/** One training of the tutorial's mode: a grid search first in `gridsearch` mode, then the fit. */
export async function fitModel(params: TrainingParams, x: Matrix, y: readonly string[], featureNames: readonly string[], options: FitOptions = {}): Promise<ModelArtifact> {
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
  const task: PipelineTask = { scaled: params.mode !== 'basic', C, gamma, x, y };
  const { scaler, svc } = options.fitFinal ? await options.fitFinal(task) : fitPipeline(task);
  return { kind: 'mloop-pipeline', formatVersion: 2, mode: params.mode, params, featureNames, scaler, svc, gridSearch };
}
