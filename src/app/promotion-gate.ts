import type { Evaluation } from '../core/training.js';
import { metricName } from '../core/monitored-metric.js';
import type { ActivationReason } from '../store/model-repository.js';

export interface GateVerdict {
  readonly activate: boolean;
  readonly activationReason: ActivationReason;
  /** Why the new version does not serve, or serves despite a low metric; null when it simply passed. */
  readonly reason: string | null;
  /** The measurement alone (`recall of M 0.8333 is below the threshold 0.9`), for alert messages. */
  readonly measured: string | null;
}

/**
 * The promotion gate: a new version replaces the active one only if its monitored metric reaches
 * the threshold. With no active version at all, the first model serves whatever its metric: the
 * gate protects a good model from a worse one, it does not leave the service without any.
 */
export function gateVerdict(evaluation: Evaluation, activeVersion: number | null, positive: string): GateVerdict {
  const measured = `${metricName(evaluation.metric, positive)} ${evaluation.value.toFixed(4)} is below the threshold ${evaluation.threshold}`;
  if (activeVersion === null) {
    return { activate: true, activationReason: 'first', reason: evaluation.passed ? null : `${measured}, but no model was active: it serves until a better one passes the gate`, measured: evaluation.passed ? null : measured };
  }
  if (evaluation.passed) return { activate: true, activationReason: 'gate', reason: null, measured: null };
  return { activate: false, activationReason: 'gate', reason: `${measured}: rejected by the promotion gate, v${activeVersion} stays active`, measured };
}
