import type { Matrix } from './matrix.js';
import type { MinMaxScalerModel } from './min-max-scaler.js';
import { fitMinMaxScaler, transformMinMax } from './min-max-scaler.js';
import type { Gamma, SvcModel } from './svc/svc.js';
import { createPredictor } from './predictor.js';
import { defaultSvcParams, fitSvc } from './svc/svc.js';

/** The fitted scaler (none in `basic` mode) and SVC for fixed hyperparameters. */
export interface FittedEstimator {
  readonly scaler: MinMaxScalerModel | null;
  readonly svc: SvcModel;
}

/** One fit: `make_pipeline(MinMaxScaler(), SVC(C, gamma))`, or the bare SVC when not scaled. */
export interface EstimatorTask {
  readonly scaled: boolean;
  readonly C: number;
  readonly gamma: Gamma;
  readonly x: Matrix;
  readonly y: readonly string[];
}

export function fitEstimator(task: EstimatorTask): FittedEstimator {
  // The scaler sees the rows being fitted only; prediction applies that same fitted scaler.
  const scaler = task.scaled ? fitMinMaxScaler(task.x) : null;
  const svc = fitSvc({ ...defaultSvcParams, C: task.C, gamma: task.gamma }, scaler ? transformMinMax(scaler, task.x) : task.x, task.y);
  return { scaler, svc };
}

export function estimatorPredict(estimator: FittedEstimator, x: Matrix): string[] {
  // The serving predictor: the same arithmetic as scaler + svcDecisionFunction, bit for bit, faster.
  const predictor = createPredictor({ scaler: estimator.scaler, svc: estimator.svc });
  return Array.from(predictor.decide(x.data, x.rows), (d) => predictor.label(d));
}
