import type { ClassificationMetrics } from './classification-metrics.js';

/**
 * The metric the promotion gate, the daily check and the alerts watch: the recall of the positive
 * class (`dataset.positive`, the clinical risk: a missed malignant tumour), or the tutorial's macro
 * recall. Declared once; the configuration's and the API's schemas are built from this list.
 */
export const monitoredMetrics = ['recall', 'recall_macro'] as const;
export type MonitoredMetric = (typeof monitoredMetrics)[number];

/** The monitored metric's value: recall of the positive class, or the tutorial's macro recall. */
export function monitoredValue(metrics: ClassificationMetrics, metric: MonitoredMetric): number {
  return metric === 'recall' ? metrics.recallPositive : metrics.recallMacro;
}

/** The monitored metric in words, as messages, reports and the dashboard print it. */
export function metricName(metric: MonitoredMetric, positive: string): string {
  return metric === 'recall' ? `recall of ${positive}` : 'macro recall';
}

/** Whether a value of the monitored metric passes: it reaches the threshold (NaN never does). */
export function passesThreshold(value: number, threshold: number): boolean {
  return value >= threshold;
}

/**
 * The monitored metric of one evaluation against its threshold, with its name in words: what the
 * API sends next to a value, so that no client has to know which rule turns a value into a verdict.
 */
export interface MetricVerdict {
  readonly metric: MonitoredMetric;
  /** As `metricName` says it: `recall of M`, `macro recall`. */
  readonly label: string;
  readonly value: number;
  readonly threshold: number;
  readonly passed: boolean;
}

export function metricVerdict(metric: MonitoredMetric, value: number, threshold: number, positive: string): MetricVerdict {
  return { metric, label: metricName(metric, positive), value, threshold, passed: passesThreshold(value, threshold) };
}

/**
 * Whether a live value is judged at all: only from `minCases` confirmed positive cases, because a
 * handful of cases cannot tell a weak model from bad luck.
 */
export function liveJudged(confirmedPositives: number, minCases: number): boolean {
  return confirmedPositives >= minCases;
}
