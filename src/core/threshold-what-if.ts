import type { DecisionThreshold } from './pipeline.js';

/**
 * What a different decision threshold would give: the confusion matrix and the figures a clinician
 * trades against each other (recall of the positive class, specificity, precision, accuracy) when
 * a row is called positive as soon as its score for the positive class (the decision value,
 * negated when the positive class is the first one: `positiveScores`) is >= the threshold, the
 * rule the predictor applies. Two classes only: with more, no single threshold decides a label.
 */

export class ThresholdWhatIfError extends Error {
  override readonly name = 'ThresholdWhatIfError';
}

export interface ThresholdFigures {
  readonly threshold: number;
  readonly positive: string;
  /** The model's classes: the order of the confusion matrix's rows (true) and columns (predicted). */
  readonly labels: readonly string[];
  readonly confusionMatrix: readonly (readonly number[])[];
  readonly rows: number;
  /** Rows whose true label is the positive class. */
  readonly positives: number;
  /** Recall (sensitivity) of the positive class; null without a positive row. */
  readonly recall: number | null;
  /** Recall of the negative class; null without a negative row. */
  readonly specificity: number | null;
  /** Null when no row is called positive (scikit-learn warns and says 0; an admin should see "none"). */
  readonly precision: number | null;
  readonly accuracy: number | null;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);

/** The confusion matrix and its figures at `threshold` (see the module's comment). */
export function figuresAtThreshold(yTrue: readonly string[], scores: ArrayLike<number>, classes: readonly string[], positive: string, threshold: number): ThresholdFigures {
  const tallies = classes.map((actual) => ({ actual, rows: 0, calledPositive: 0 }));
  checkThreshold(classes, positive, threshold);
  yTrue.forEach((y, i) => {
    const tally = tallies.find((t) => t.actual === y);
    if (!tally) throw new ThresholdWhatIfError(`row ${i}: the label ${JSON.stringify(y)} is not one of the model's classes ${JSON.stringify(classes)}`);
    tally.rows++;
    if (scores[i] >= threshold) tally.calledPositive++;
  });
  return figuresFromTallies(tallies, classes, positive, threshold);
}

/** Rows of one true label, and how many of them score >= the threshold (the database counts them for live cases). */
export interface ThresholdTally {
  readonly actual: string;
  readonly rows: number;
  readonly calledPositive: number;
}

/** The figures from tallies per true label (see `figuresAtThreshold`). */
export function figuresFromTallies(tallies: readonly ThresholdTally[], classes: readonly string[], positive: string, threshold: number): ThresholdFigures {
  checkThreshold(classes, positive, threshold);
  const p = classes.indexOf(positive);
  const n = 1 - p;
  const cm = [
    [0, 0],
    [0, 0],
  ];
  for (const t of tallies) {
    const actual = classes.indexOf(t.actual);
    if (actual < 0) throw new ThresholdWhatIfError(`the label ${JSON.stringify(t.actual)} is not one of the model's classes ${JSON.stringify(classes)}`);
    cm[actual][p] += t.calledPositive;
    cm[actual][n] += t.rows - t.calledPositive;
  }
  const [tp, fn, fp, tn] = [cm[p][p], cm[p][n], cm[n][p], cm[n][n]];
  const rows = tp + fn + fp + tn;
  return {
    threshold,
    positive,
    labels: classes,
    confusionMatrix: cm,
    rows,
    positives: tp + fn,
    recall: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    precision: ratio(tp, tp + fp),
    accuracy: ratio(tp + tn, rows),
  };
}

function checkThreshold(classes: readonly string[], positive: string, threshold: number): void {
  if (classes.length !== 2) throw new ThresholdWhatIfError(`a decision threshold needs a model of two classes; this one has ${classes.length} (${classes.join(', ')})`);
  if (!classes.includes(positive)) throw new ThresholdWhatIfError(`the positive class ${JSON.stringify(positive)} is not one of the model's classes ${JSON.stringify(classes)}`);
  if (!Number.isFinite(threshold)) throw new ThresholdWhatIfError(`the threshold must be a finite number, got ${threshold}`);
}

/** The operating point an admin sets by hand on version `fromVersion`'s fit (same support vectors). */
export function manualThreshold(positive: string, threshold: number, fromVersion: number): DecisionThreshold {
  if (!Number.isFinite(threshold)) throw new ThresholdWhatIfError(`the threshold must be a finite number, got ${threshold}`);
  return { source: 'manual', positive, threshold, fromVersion };
}
