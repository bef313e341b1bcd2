import type { FeatureSpec } from './feature-spec.js';
import type { Matrix } from './matrix.js';
import type { ColumnTransformerParams, FittedColumnTransformer } from './preprocessing/column-transformer.js';
import { fitColumnTransformer, transformColumns } from './preprocessing/column-transformer.js';
import type { Gamma, SvcModel } from './svc/svc.js';
import { defaultSvcParams, fitSvc } from './svc/svc.js';
import { fitSvcWithProbability } from './svc/svc-probability.js';

/**
 * A fitted `Pipeline([("columns", ColumnTransformer(...)), ("svc", SVC(C, gamma))])`: what
 * predicts. The ColumnTransformer imputes missing values, one-hot encodes categorical features and,
 * in the `normalized` and `gridsearch` modes, min-max scales the numeric ones (see
 * `column-transformer.ts`); on a table of numbers without missing cells it is exactly the
 * tutorial's `MinMaxScaler` (or nothing, in `basic` mode). Plain JSON-safe data: written with
 * `JSON.stringify` and read back, it gives bit-identical decision values.
 */
export interface FittedPipeline {
  readonly preprocessor: FittedColumnTransformer;
  readonly svc: SvcModel;
  /**
   * Two classes only: the operating point chosen for `monitor.targetRecall` (see operating-point.ts)
   * or set by an admin (see threshold-what-if.ts). A row is `positive` when its score for it (the
   * decision value, negated if `positive` is `classes[0]`) is >= `threshold`; absent, libsvm's own
   * boundary decides.
   */
  readonly decisionThreshold?: DecisionThreshold;
}

export type DecisionThreshold = TargetRecallThreshold | ManualThreshold;

/** Chosen by training for `monitor.targetRecall` (versions before `source` existed have none). */
export interface TargetRecallThreshold {
  readonly source?: 'targetRecall';
  readonly positive: string;
  readonly threshold: number;
  /** The recall the threshold was chosen for, and what it gave on the out-of-fold decision values. */
  readonly targetRecall: number;
  readonly outOfFoldRecall: number;
}

/** Set by an admin on the fit of `fromVersion`: a new version, judged by the gate as any other. */
export interface ManualThreshold {
  readonly source: 'manual';
  readonly positive: string;
  readonly threshold: number;
  readonly fromVersion: number;
}

/** One fit of the pipeline for fixed hyperparameters (the refit of a grid search, or a plain training). */
export interface PipelineTask {
  /** The raw table's columns, as the reader described them. */
  readonly features: readonly FeatureSpec[];
  readonly preprocessing: ColumnTransformerParams;
  readonly C: number;
  readonly gamma: Gamma;
  /** Raw rows: numbers, category codes, NaN for missing (see `Dataset`). */
  readonly x: Matrix;
  readonly y: readonly string[];
  /**
   * `SVC(probability=True, random_state=…)`: the random_state of libsvm's Platt scaling (see
   * `fitSvcWithProbability`); absent, the SVC is fitted without probabilities, as `SVC()` is.
   */
  readonly probabilityRandomState?: number;
}

export function fitPipeline(task: PipelineTask): FittedPipeline {
  // The preprocessing sees the rows being fitted only; prediction applies that same fitted transformer.
  const preprocessor = fitColumnTransformer(task.preprocessing, task.features, task.x);
  const params = { ...defaultSvcParams, C: task.C, gamma: task.gamma };
  const x = transformColumns(preprocessor, task.x).x;
  const svc = task.probabilityRandomState === undefined ? fitSvc(params, x, task.y) : fitSvcWithProbability(params, x, task.y, task.probabilityRandomState);
  return { preprocessor, svc };
}
