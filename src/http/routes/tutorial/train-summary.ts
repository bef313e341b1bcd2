import type { TrainResult } from '../../../app/trainings.js';
import type { ClassificationMetrics } from '../../../core/classification-metrics.js';

/**
 * The one-line answer of the tutorial's /train_svm, e.g.
 * `Model v3 trained (normalized): recall of M 0.9792, macro recall 0.9896, active`.
 */
export function trainSummary(result: TrainResult): string {
  const { model } = result;
  const metrics = model.metrics as ClassificationMetrics;
  const head = `Model v${model.version} trained (${model.mode}): recall of ${metrics.positive} ${metrics.recallPositive.toFixed(4)}, macro recall ${metrics.recallMacro.toFixed(4)}`;
  // A model that serves although the gate rejected it (monitor.serveBelowThreshold) says why.
  if (result.activated) return model.gateVerdict === 'rejected' && result.gateReason ? `${head}, active (${result.gateReason})` : `${head}, active`;
  return `${head}, not active: ${result.gateReason ?? 'rejected by the promotion gate'}`;
}
