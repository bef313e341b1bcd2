import type { ClassificationMetrics } from './classification-metrics.js';
import { classificationMetrics } from './classification-metrics.js';
import { formatClassificationReport } from './classification-report.js';
import type { DecisionCurves } from './metrics/decision-curves.js';
import { decisionCurves, operatingPoints } from './metrics/decision-curves.js';
import type { Dataset } from './dataset.js';
import type { Matrix } from './matrix.js';
import type { MonitoredMetric } from './monitored-metric.js';
import { monitoredValue, passesThreshold } from './monitored-metric.js';
import { take, takeRows } from './matrix.js';
import type { FitOptions, ModelArtifact, TrainingParams } from './model-artifact.js';
import { fitModel, preprocessingOf } from './model-artifact.js';
import { chooseThreshold } from './operating-point.js';
import type { FittedPipeline } from './pipeline.js';
import { predict } from './predictor.js';
import { trainTestSplit } from './train-test-split.js';

export interface SplitParams {
  readonly testSize: number;
  readonly randomState: number;
  readonly stratify: boolean;
}


export interface MonitorParams {
  readonly metric: MonitoredMetric;
  readonly threshold: number;
  /**
   * Two classes: choose the decision threshold whose out-of-fold recall of the positive class on
   * the training rows reaches this (see operating-point.ts); absent, libsvm's boundary (0) decides.
   */
  readonly targetRecall?: number;
}

export interface Evaluation {
  readonly metrics: ClassificationMetrics;
  /** ROC and precision–recall curves of the positive class (each class for k > 2) on the same rows. */
  readonly curves: DecisionCurves;
  readonly reportText: string;
  readonly metric: MonitoredMetric;
  readonly value: number;
  readonly threshold: number;
  /** The monitored value reaches the threshold. */
  readonly passed: boolean;
}

export interface TrainingOutcome {
  readonly artifact: ModelArtifact;
  readonly trainIndices: readonly number[];
  readonly testIndices: readonly number[];
  readonly evaluation: Evaluation;
}

export interface DataSplit {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

export function splitDataset(dataset: Dataset, split: SplitParams): DataSplit {
  return trainTestSplit(dataset.y.length, { testSize: split.testSize, randomState: split.randomState }, split.stratify ? dataset.y : undefined);
}

export function evaluatePipeline(pipeline: FittedPipeline, x: Matrix, y: readonly string[], positive: string, monitor: MonitorParams): Evaluation {
  const { labels, decision } = predict(pipeline, x);
  const { classes } = pipeline.svc;
  const metrics = classificationMetrics(y, labels, classes, positive);
  const value = monitoredValue(metrics, monitor.metric);
  const threshold = pipeline.decisionThreshold?.threshold ?? 0;
  return {
    metrics,
    curves: decisionCurves(y, decision, classes, positive, operatingPoints(metrics.labels, metrics.confusionMatrix, threshold)),
    reportText: formatClassificationReport(metrics),
    metric: monitor.metric,
    value,
    threshold: monitor.threshold,
    passed: passesThreshold(value, monitor.threshold),
  };
}

/** Split, fit on the training rows, evaluate on the test rows: one training of the tutorial. */
export async function trainAndEvaluate(
  dataset: Dataset,
  params: { readonly split: SplitParams; readonly training: TrainingParams; readonly positive: string; readonly monitor: MonitorParams },
  options: FitOptions = {},
): Promise<TrainingOutcome> {
  const { train, test } = splitDataset(dataset, params.split);
  // SVC(random_state=split.randomState): the seed of Platt scaling's cross-validation too.
  const [xTrain, yTrain] = [takeRows(dataset.x, train), take(dataset.y, train)];
  let artifact = await fitModel(params.training, xTrain, yTrain, dataset.features, { randomState: params.split.randomState, ...options });
  const { targetRecall } = params.monitor;
  if (targetRecall !== undefined) {
    // The final fit's C and gamma, refitted per fold of training.cv on the training rows only.
    const task = { features: dataset.features, preprocessing: preprocessingOf(params.training), C: artifact.svc.params.C, gamma: artifact.svc.params.gamma, x: xTrain, y: yTrain };
    const decisionThreshold = await chooseThreshold(task, params.training.cv, artifact.svc.classes, params.positive, targetRecall, options.fitFinal);
    artifact = { ...artifact, decisionThreshold };
  }
  const evaluation = evaluatePipeline(artifact, takeRows(dataset.x, test), take(dataset.y, test), params.positive, params.monitor);
  return { artifact, trainIndices: Array.from(train), testIndices: Array.from(test), evaluation };
}
