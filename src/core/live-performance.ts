import type { ClassificationMetrics } from './classification-metrics.js';
import { classificationMetrics } from './classification-metrics.js';

/** One confirmed case: what the model said, what pathology found. */
export interface ConfirmedCase {
  readonly modelVersion: number;
  readonly label: string;
  readonly actual: string;
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
 * How the model did in production, per version, on the cases whose diagnosis was confirmed:
 * the same numbers as the test-split report, over live data.
 */
export function livePerformance(cases: readonly ConfirmedCase[], labels: readonly string[], positive: string): LivePerformance[] {
  const byVersion = new Map<number, ConfirmedCase[]>();
  for (const c of cases) {
    const list = byVersion.get(c.modelVersion) ?? [];
    list.push(c);
    byVersion.set(c.modelVersion, list);
  }
  return [...byVersion.entries()]
    .sort(([a], [b]) => b - a)
    .map(([modelVersion, list]) => {
      const metrics = classificationMetrics(
        list.map((c) => c.actual),
        list.map((c) => c.label),
        labels,
        positive,
      );
      const p = labels.indexOf(positive);
      return {
        modelVersion,
        confirmed: list.length,
        confirmedPositives: list.filter((c) => c.actual === positive).length,
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
