import type { ClassificationMetrics } from './classification-metrics.js';
import { ClassificationMetricsError, metricsFromConfusionMatrix } from './classification-metrics.js';

/**
 * How many confirmed cases of one model version share a predicted and a confirmed label: the
 * prediction log tallied by the database, so that a window of a million cases is a few numbers.
 */
export interface ConfirmedCount {
  readonly modelVersion: number;
  /** What the model said. */
  readonly label: string;
  /** What pathology found. */
  readonly actual: string;
  readonly count: number;
}

export interface LivePerformance {
  readonly modelVersion: number;
  readonly confirmed: number;
  /** Confirmed cases whose true label is the positive class: the evidence behind live recall. */
  readonly confirmedPositives: number;
  readonly confusionMatrix: readonly (readonly number[])[];
  readonly labels: readonly string[];
  readonly recall: number;
  readonly recallMacro: number;
  readonly precision: number;
  readonly accuracy: number;
  readonly metrics: ClassificationMetrics;
}

/**
 * How the model did in production, per version (newest first), on the cases whose diagnosis was
 * confirmed: the same numbers as the test-split report, over live data.
 */
export function livePerformance(counts: readonly ConfirmedCount[], labels: readonly string[], positive: string): LivePerformance[] {
  const index = new Map(labels.map((label, k) => [label, k]));
  const byVersion = new Map<number, number[][]>();
  for (const c of counts) {
    const predicted = index.get(c.label);
    const actual = index.get(c.actual);
    if (predicted === undefined || actual === undefined) {
      const which = predicted === undefined ? `predicted label ${JSON.stringify(c.label)}` : `confirmed label ${JSON.stringify(c.actual)}`;
      throw new ClassificationMetricsError(`model v${c.modelVersion}: the ${which} is not one of the labels ${JSON.stringify(labels)}`);
    }
    let cm = byVersion.get(c.modelVersion);
    if (!cm) byVersion.set(c.modelVersion, (cm = labels.map(() => labels.map(() => 0))));
    cm[actual][predicted] += c.count;
  }
  const p = labels.indexOf(positive);
  return [...byVersion.entries()]
    .filter(([, cm]) => cm.some((row) => row.some((n) => n > 0)))
    .sort(([a], [b]) => b - a)
    .map(([modelVersion, cm]) => {
      const metrics = metricsFromConfusionMatrix(cm, labels, positive);
      return {
        modelVersion,
        confirmed: cm.reduce((sum, row) => sum + row.reduce((s, n) => s + n, 0), 0),
        confirmedPositives: cm[p].reduce((s, n) => s + n, 0),
        confusionMatrix: metrics.confusionMatrix,
        labels,
        recall: metrics.recallPositive,
        recallMacro: metrics.recallMacro,
        precision: metrics.perClass[p].precision,
        accuracy: metrics.accuracy,
        metrics,
      };
    });
}
