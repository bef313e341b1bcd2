import type { FeatureSpec } from './feature-spec.js';
import type { GridProgress, GridRunner, GridSearchResult, ParamGrid } from './grid-search.js';
import { planGridSearch, runGridInline, summarizeGridSearch } from './grid-search.js';
import type { Matrix } from './matrix.js';
import type { MinMaxScalerModel } from './min-max-scaler.js';
import type { FittedPipeline, PipelineTask } from './pipeline.js';
import { fitPipeline } from './pipeline.js';
import type { ColumnTransformerParams } from './preprocessing/column-transformer.js';
import { imputedValues, numericColumnTransformer } from './preprocessing/column-transformer.js';
import type { ImputeStrategy } from './preprocessing/simple-imputer.js';
import type { Gamma } from './svc/svc.js';
import type { TrainingRange } from './training-range.js';

import type { TrainingMode } from './training-mode.js';

export type { TrainingMode } from './training-mode.js';
export { trainingModes } from './training-mode.js';

/** What a training is asked to do; the tutorial's three modes are values of `mode`. */
export interface TrainingParams {
  readonly mode: TrainingMode;
  readonly C: number;
  readonly gamma: Gamma;
  readonly grid: ParamGrid;
  readonly cv: number;
  /** The numeric features' SimpleImputer strategy (`training.impute`). */
  readonly impute: ImputeStrategy;
  /**
   * `SVC(probability=True)`: Platt scaling fitted with the final model (`training.probability`;
   * absent in versions trained before it existed, which have no probabilities).
   */
  readonly probability?: boolean;
}

/** The preprocessing of a mode: the numeric features are min-max scaled except in `basic`. */
export function preprocessingOf(params: Pick<TrainingParams, 'mode' | 'impute'>): ColumnTransformerParams {
  return { impute: params.impute, scaled: params.mode !== 'basic' };
}

/**
 * The model artifact a training produces and the registry keeps: the fitted pipeline, with what
 * made it (mode, parameters, grid search) and the names of its input features. Plain JSON-safe
 * data, stored as it is (the `kind` and `formatVersion` say how to read it back).
 *
 * Format 3 holds a ColumnTransformer (imputation, scaling, one-hot encoding) and a k-class SVC.
 * Earlier formats are read through `upgradeModelArtifact`: format 2 had a MinMaxScaler (or none)
 * in place of the ColumnTransformer, format 1 also a binary SVC with a single `rho`.
 */
export interface ModelArtifact extends FittedPipeline {
  readonly kind: 'mloop-pipeline';
  readonly formatVersion: 3;
  readonly mode: TrainingMode;
  readonly params: TrainingParams;
  readonly featureNames: readonly string[];
  readonly gridSearch: GridSearchResult | null;
}

export function isModelArtifact(value: unknown): value is ModelArtifact {
  const p = value as Partial<ModelArtifact> | null;
  return typeof p === 'object' && p !== null && p.kind === 'mloop-pipeline' && p.formatVersion === 3 && typeof p.svc === 'object' && typeof p.preprocessor === 'object';
}

interface StoredArtifact {
  readonly kind?: unknown;
  readonly formatVersion?: unknown;
  readonly featureNames?: readonly string[];
  readonly scaler?: MinMaxScalerModel | null;
  readonly params?: Partial<TrainingParams>;
  readonly svc?: { readonly rho?: unknown; readonly iterations?: unknown };
}

/**
 * A stored artifact in the current format; anything that is not an older mloop artifact as it is,
 * for `isModelArtifact` to judge. The upgrade gives the very same predictions on complete rows:
 * - format 1 → 2: a binary SVC's single `rho` and `iterations` become one-pair lists (its classes,
 *   nSupport and svCoef already have the k-class layout for k = 2);
 * - format 2 → 3: the MinMaxScaler (or none, in `basic` mode) becomes the numeric block of a
 *   ColumnTransformer over numeric features. Those models were trained before missing values were
 *   accepted: their imputer has no statistics (NaN), so a missing value is refused, not imputed.
 */
export function upgradeModelArtifact(value: unknown): unknown {
  let p = value as StoredArtifact | null;
  if (typeof p !== 'object' || p === null || p.kind !== 'mloop-pipeline') return value;
  if (p.formatVersion === 1) {
    if (typeof p.svc !== 'object' || p.svc === null || typeof p.svc.rho !== 'number') return value;
    p = { ...p, formatVersion: 2, svc: { ...p.svc, rho: [p.svc.rho], iterations: [p.svc.iterations] } };
  }
  if (p.formatVersion === 2 && Array.isArray(p.featureNames)) {
    const { scaler, ...rest } = p;
    const preprocessor = numericColumnTransformer(p.featureNames, scaler ?? null);
    p = { ...rest, formatVersion: 3, params: { impute: 'mean', ...p.params }, preprocessor } as StoredArtifact;
  }
  return p;
}

export interface FitOptions {
  readonly runGrid?: GridRunner;
  /** Fits the final pipeline (a worker thread in the service); inline by default. */
  readonly fitFinal?: (task: PipelineTask) => Promise<FittedPipeline>;
  readonly onProgress?: (progress: GridProgress) => void;
  /** The SVC's `random_state` (Platt scaling's cross-validation); the tutorial's split seed. Default 0. */
  readonly randomState?: number;
}

/**
 * One training of the tutorial's mode on raw training rows (`features` describes their columns): a
 * grid search first in `gridsearch` mode, then the fit.
 */
export async function fitModel(params: TrainingParams, x: Matrix, y: readonly string[], features: readonly FeatureSpec[], options: FitOptions = {}): Promise<ModelArtifact> {
  let C = params.C;
  let gamma = params.gamma;
  let gridSearch: GridSearchResult | null = null;
  const preprocessing = preprocessingOf(params);
  if (params.mode === 'gridsearch') {
    const plan = planGridSearch(params.grid, y, params.cv, { features, params: preprocessing });
    const onProgress = options.onProgress ?? (() => undefined);
    onProgress({ done: 0, total: plan.tasks.length });
    const scores = await (options.runGrid ?? runGridInline)(plan, x, y, onProgress);
    gridSearch = summarizeGridSearch(plan, scores);
    ({ C, gamma } = gridSearch.bestParams);
  }
  const task: PipelineTask = { features, preprocessing, C, gamma, x, y, ...(params.probability === true ? { probabilityRandomState: options.randomState ?? 0 } : {}) };
  const { preprocessor, svc } = options.fitFinal ? await options.fitFinal(task) : fitPipeline(task);
  return { kind: 'mloop-pipeline', formatVersion: 3, mode: params.mode, params, featureNames: features.map((f) => f.name), preprocessor, svc, gridSearch };
}

/** One input feature of a model, as a client needs it to send a row. */
export interface FeatureSchemaEntry {
  readonly name: string;
  readonly kind: FeatureSpec['kind'];
  /** Categorical: the categories the model learned from its training rows (any other is unknown to it). */
  readonly categories?: readonly string[];
  /** What a missing value becomes (the fitted imputer's statistic); null when the model cannot impute. */
  readonly imputedValue: number | string | null;
  /** Numeric: the training split's minimum and maximum (null when the model keeps none); see training-range.ts. */
  readonly trainingRange?: TrainingRange | null;
}

/**
 * The model's input schema: its features in order, their kinds, categories, imputed values and,
 * with the model's training `ranges` (`trainingRanges`), each numeric feature's range.
 */
export function featureSchemaOf(artifact: ModelArtifact, ranges: readonly (TrainingRange | null)[] = []): FeatureSchemaEntry[] {
  const { preprocessor } = artifact;
  const imputed = imputedValues(preprocessor);
  const learned = new Map<number, readonly string[]>();
  preprocessor.categorical?.columns.forEach((j, k) => learned.set(j, preprocessor.categorical?.encoder.categories[k] ?? []));
  return preprocessor.features.map((feature, j) => {
    const value = imputed[j]?.value;
    const imputedValue = typeof value === 'number' ? (Number.isFinite(value) ? value : null) : (value ?? null);
    const kindSpecific = feature.kind === 'categorical' ? { categories: learned.get(j) ?? [] } : { trainingRange: ranges[j] ?? null };
    return { name: feature.name, kind: feature.kind, ...kindSpecific, imputedValue };
  });
}
