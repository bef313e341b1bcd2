import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { positiveScores } from '../../src/core/operating-point.js';
import { figuresAtThreshold, ThresholdWhatIfError } from '../../src/core/threshold-what-if.js';

/**
 * What a threshold gives on held-out rows against scikit-learn's `confusion_matrix`, recall,
 * specificity, precision and accuracy of `where(score >= t, positive, negative)` on the tutorial's
 * normalized pipeline's test rows (scripts/make-threshold-golden.py).
 */
interface Golden {
  classes: string[];
  y_test: string[];
  decision: number[];
  cases: {
    positive: string;
    results: { threshold: number; confusion_matrix: number[][]; recall: number; specificity: number; precision: number | null; accuracy: number }[];
  }[];
}
const golden = JSON.parse(readFileSync(new URL('../golden/threshold-what-if.json', import.meta.url), 'utf8')) as Golden;

describe.each(golden.cases)('positive class $positive', ({ positive, results }) => {
  const scores = positiveScores(golden.decision, golden.classes, positive);
  it.each(results)('threshold $threshold: as scikit-learn counts it', (expected) => {
    const figures = figuresAtThreshold(golden.y_test, scores, golden.classes, positive, expected.threshold);
    expect(figures.labels).toEqual(golden.classes);
    expect(figures.confusionMatrix).toEqual(expected.confusion_matrix);
    expect(figures.rows).toBe(golden.y_test.length);
    expect(figures.positives).toBe(golden.y_test.filter((y) => y === positive).length);
    expect(figures.recall).toBe(expected.recall);
    expect(figures.specificity).toBe(expected.specificity);
    expect(figures.precision).toBe(expected.precision);
    expect(figures.accuracy).toBe(expected.accuracy);
  });
});

it('counts a hand-checked case: scores >= the threshold are positive', () => {
  const figures = figuresAtThreshold(['n', 'p', 'p', 'n', 'p'], [-1, 0.5, 0.2, 0.2, -0.3], ['n', 'p'], 'p', 0.2);
  // true p: 0.5, 0.2 predicted p, -0.3 missed; true n: 0.2 a false alarm, -1 right.
  expect(figures.confusionMatrix).toEqual([
    [1, 1],
    [1, 2],
  ]);
  expect([figures.recall, figures.specificity, figures.precision, figures.accuracy]).toEqual([2 / 3, 1 / 2, 2 / 3, 3 / 5]);
});

it('says null where a figure has no rows to stand on', () => {
  const none = figuresAtThreshold([], [], ['n', 'p'], 'p', 0);
  expect([none.rows, none.recall, none.specificity, none.precision, none.accuracy]).toEqual([0, null, null, null, null]);
});

it('refuses more than two classes, a positive class the model lacks, a label outside them, a threshold that is no number', () => {
  expect(() => figuresAtThreshold(['a'], [0], ['a', 'b', 'c'], 'a', 0)).toThrow(ThresholdWhatIfError);
  expect(() => figuresAtThreshold(['a'], [0], ['a', 'b'], 'z', 0)).toThrow(/z/);
  expect(() => figuresAtThreshold(['q'], [0], ['a', 'b'], 'a', 0)).toThrow(/"q"/);
  expect(() => figuresAtThreshold(['a'], [0], ['a', 'b'], 'a', Number.NaN)).toThrow(ThresholdWhatIfError);
});
