import { describe, expect, it } from 'vitest';
import { take } from '../../src/core/matrix.js';
import {
  classificationMetrics,
  ClassificationMetricsError,
  confusionMatrix,
} from '../../src/core/classification-metrics.js';
import {
  classificationReportDict,
  formatClassificationReport,
  formatFixed,
} from '../../src/core/classification-report.js';
import type { GoldenScores } from '../helpers/wdbc.js';
import { ALL_GOLDEN_CASES, loadGoldenCase, loadWdbc, readGolden } from '../helpers/wdbc.js';

interface SyntheticReports {
  readonly reports: {
    y_true: string[];
    y_pred: string[];
    labels: string[];
    positive: string;
    digits: number;
    target_names: string[] | null;
    confusion_matrix: number[][];
    report: Record<string, GoldenScores | number>;
    report_text: string;
    recall_positive: number;
    recall_macro: number;
  }[];
}

const wdbc = loadWdbc();
const LABELS = ['B', 'M'];

// The golden predictions stand in for the SVM, so these tests check the metrics alone.
describe.each(ALL_GOLDEN_CASES)('classification report, golden case %s', (name) => {
  const golden = loadGoldenCase(name);
  const yTest = take(wdbc.y, golden.test_indices);

  it.each(Object.keys(golden.modes))('mode %s: numbers and text identical to scikit-learn', (mode) => {
    const expected = golden.modes[mode];
    const metrics = classificationMetrics(yTest, expected.predictions, LABELS, 'M');
    expect(metrics.confusionMatrix).toEqual(expected.confusion_matrix);
    expect(classificationReportDict(metrics)).toEqual(expected.report);
    expect(metrics.recallPositive).toBe(expected.recall_positive);
    expect(metrics.recallMacro).toBe(expected.recall_macro);
    expect(formatClassificationReport(metrics)).toBe(expected.report_text);
  });
});

describe('classification report on synthetic cases (absent classes, ties, digits, names)', () => {
  const { reports } = readGolden<SyntheticReports>('synthetic');
  it.each(reports.map((r, i) => [i, r] as const))('case %i matches scikit-learn', (_, r) => {
    const metrics = classificationMetrics(r.y_true, r.y_pred, r.labels, r.positive);
    const targetNames = r.target_names ?? undefined;
    expect(confusionMatrix(r.y_true, r.y_pred, r.labels)).toEqual(r.confusion_matrix);
    expect(classificationReportDict(metrics, { targetNames })).toEqual(r.report);
    expect(metrics.recallPositive).toBe(r.recall_positive);
    expect(metrics.recallMacro).toBe(r.recall_macro);
    expect(formatClassificationReport(metrics, { digits: r.digits, targetNames })).toBe(r.report_text);
  });
});

describe('zero division', () => {
  it('scores a never-predicted, never-true class 0 without NaN, and says "micro avg"', () => {
    const metrics = classificationMetrics(['B', 'B'], ['B', 'B'], LABELS, 'M');
    expect(metrics.perClass[1]).toEqual({ label: 'M', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(metrics.recallPositive).toBe(0);
    expect(metrics.accuracy).toBe(1);
    expect(metrics.microIsAccuracy).toBe(false);
    expect(formatClassificationReport(metrics)).toContain('   micro avg       1.00      1.00      1.00         2\n');
  });

  it('scores a class that is never predicted with precision 0', () => {
    const metrics = classificationMetrics(['B', 'M', 'M'], ['B', 'B', 'B'], LABELS, 'M');
    expect(metrics.perClass[1]).toEqual({ label: 'M', precision: 0, recall: 0, f1: 0, support: 2 });
    expect(metrics.perClass[0].precision).toBe(1 / 3);
    expect(metrics.microIsAccuracy).toBe(true);
  });
});

describe('formatFixed (Python float formatting)', () => {
  it.each([
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [0.625, 2, '0.62'],
    [0.875, 2, '0.88'],
    [0.5625, 3, '0.562'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [0.1 + 0.2, 2, '0.30'],
    [0.005, 2, '0.01'],
    [1, 2, '1.00'],
    [-0, 2, '-0.00'],
    [-0.125, 2, '-0.12'],
    [Number.NaN, 2, 'nan'],
  ])('formats %s to %i places as %s', (x, digits, expected) => {
    expect(formatFixed(x, digits)).toBe(expected);
  });
});

describe('argument errors', () => {
  it('rejects mismatched lengths, empty input and unknown labels', () => {
    expect(() => classificationMetrics(['B'], ['B', 'M'], LABELS, 'M')).toThrow(ClassificationMetricsError);
    expect(() => classificationMetrics(['B'], ['B', 'M'], LABELS, 'M')).toThrow(/yTrue has 1 samples but yPred has 2/);
    expect(() => classificationMetrics([], [], LABELS, 'M')).toThrow(/zero samples/);
    expect(() => classificationMetrics(['B', 'X'], ['B', 'B'], LABELS, 'M')).toThrow(
      /yTrue\[1\] is "X", which is not one of the labels \["B","M"\]/,
    );
    expect(() => classificationMetrics(['B'], ['B'], ['B', 'B'], 'B')).toThrow(/"B" twice/);
  });

  it('rejects a positive label that is not a label', () => {
    expect(() => classificationMetrics(['B'], ['B'], LABELS, 'malignant')).toThrow(
      /positive label "malignant" is not one of the labels/,
    );
  });

  it('rejects target names of the wrong length and bad digits', () => {
    const metrics = classificationMetrics(['B', 'M'], ['B', 'M'], LABELS, 'M');
    expect(() => formatClassificationReport(metrics, { targetNames: ['benign'] })).toThrow(
      /Number of classes, 2, does not match size of targetNames, 1/,
    );
    expect(() => formatClassificationReport(metrics, { digits: -1 })).toThrow(/digits must be an integer/);
  });
});
