import { describe, expect, it } from 'vitest';
import { classificationMetrics, ClassificationMetricsError, metricsFromConfusionMatrix } from '../../src/core/classification-metrics.js';
import type { ConfirmedCount } from '../../src/core/live-performance.js';
import { livePerformance } from '../../src/core/live-performance.js';
import { take } from '../../src/core/matrix.js';
import { loadGoldenCase, loadWdbc, readGolden } from '../helpers/wdbc.js';

interface SyntheticReports {
  readonly reports: { y_true: string[]; y_pred: string[]; labels: string[]; positive: string; recall_positive: number; recall_macro: number }[];
}

/** What the database answers for a list of cases: one count per version, predicted and confirmed label. */
function tally(cases: readonly { modelVersion: number; label: string; actual: string }[]): ConfirmedCount[] {
  const counts = new Map<string, ConfirmedCount>();
  for (const c of cases) {
    const key = `${c.modelVersion}/${c.label}/${c.actual}`;
    counts.set(key, { ...c, count: (counts.get(key)?.count ?? 0) + 1 });
  }
  return [...counts.values()];
}

describe('metrics from counts', () => {
  it("are scikit-learn's numbers, the same as from the samples", () => {
    for (const r of readGolden<SyntheticReports>('synthetic').reports) {
      const fromSamples = classificationMetrics(r.y_true, r.y_pred, r.labels, r.positive);
      const fromCounts = metricsFromConfusionMatrix(fromSamples.confusionMatrix, r.labels, r.positive);
      expect(fromCounts).toEqual(fromSamples);
      expect(fromCounts.recallPositive).toBe(r.recall_positive);
      expect(fromCounts.recallMacro).toBe(r.recall_macro);
    }
  });

  it('refuse a matrix of another shape, or of no samples', () => {
    expect(() => metricsFromConfusionMatrix([[1, 0]], ['B', 'M'], 'M')).toThrow(ClassificationMetricsError);
    expect(() => metricsFromConfusionMatrix([[0, 0], [0, 0]], ['B', 'M'], 'M')).toThrow(/zero samples/);
  });
});

describe('live performance from confirmed counts', () => {
  const wdbc = loadWdbc();
  const golden = loadGoldenCase('default');
  const actual = take(wdbc.y, golden.test_indices);
  const predicted = golden.modes.normalized.predictions;
  // Version 3 predicted every test row, version 2 the first 40 (with the basic model's answers).
  const cases = [
    ...actual.map((a, i) => ({ modelVersion: 3, label: predicted[i], actual: a })),
    ...actual.slice(0, 40).map((a, i) => ({ modelVersion: 2, label: golden.modes.basic.predictions[i], actual: a })),
  ];

  it('gives per version, newest first, the test-split report of the same cases', () => {
    const [v3, v2] = livePerformance(tally(cases), ['B', 'M'], 'M');
    const expected3 = classificationMetrics(actual, predicted, ['B', 'M'], 'M');
    expect(v3).toMatchObject({ modelVersion: 3, confirmed: 114, confirmedPositives: actual.filter((a) => a === 'M').length, recall: golden.modes.normalized.recall_positive, recallMacro: golden.modes.normalized.recall_macro });
    expect(v3.metrics).toEqual(expected3);
    expect(v3.confusionMatrix).toEqual(golden.modes.normalized.confusion_matrix);
    expect(v2.metrics).toEqual(classificationMetrics(actual.slice(0, 40), golden.modes.basic.predictions.slice(0, 40), ['B', 'M'], 'M'));
    expect(v2.confirmed).toBe(40);
  });

  it('names a label outside the classes', () => {
    expect(() => livePerformance([{ modelVersion: 1, label: 'B', actual: 'X', count: 2 }], ['B', 'M'], 'M')).toThrow(/model v1: the confirmed label "X" is not one of the labels/);
    expect(livePerformance([], ['B', 'M'], 'M')).toEqual([]);
  });
});
