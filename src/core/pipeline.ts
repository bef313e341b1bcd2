import type { Matrix } from './matrix.js';
import type { MinMaxScalerModel } from './min-max-scaler.js';
import { fitMinMaxScaler, transformMinMax } from './min-max-scaler.js';
import type { Gamma, SvcModel } from './svc/svc.js';
import { defaultSvcParams, fitSvc } from './svc/svc.js';

/**
 * A fitted `make_pipeline(MinMaxScaler(), SVC(C, gamma))`, or the bare `SVC` in `basic` mode: what
 * predicts. Plain JSON-safe data: written with `JSON.stringify` and read back, it gives
 * bit-identical decision values.
 */
export interface FittedPipeline {
  readonly scaler: MinMaxScalerModel | null;
  readonly svc: SvcModel;
}

/** One fit of the pipeline for fixed hyperparameters (the refit of a grid search, or a plain training). */
export interface PipelineTask {
  readonly scaled: boolean;
  readonly C: number;
  readonly gamma: Gamma;
  readonly x: Matrix;
  readonly y: readonly string[];
}

export function fitPipeline(task: PipelineTask): FittedPipeline {
  // The scaler sees the rows being fitted only; prediction applies that same fitted scaler.
  const scaler = task.scaled ? fitMinMaxScaler(task.x) : null;
  const svc = fitSvc({ ...defaultSvcParams, C: task.C, gamma: task.gamma }, scaler ? transformMinMax(scaler, task.x) : task.x, task.y);
  return { scaler, svc };
}
