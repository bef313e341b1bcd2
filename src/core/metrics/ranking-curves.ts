/**
 * Threshold curves of a binary scorer, as scikit-learn 1.2.1 computes them
 * (sklearn/metrics/_ranking.py): `roc_curve`, `roc_auc_score`, `auc`,
 * `precision_recall_curve` and `average_precision_score`, without sample weights.
 *
 * Every value is scikit-learn's to the bit: the counts behind the curves are integers (exact in
 * a double), the rates are one IEEE division each, and the areas add their terms with numpy's
 * pairwise summation (numpySum), as `np.trapz` and `np.sum` do.
 *
 * Scores are decision values or probabilities, higher meaning "more positive". Labels are
 * compared with ===; every label other than `positive` counts as negative (scikit-learn itself
 * rejects more than two distinct labels; the one-vs-rest curves rely on this).
 *
 * With a single class present scikit-learn warns and returns undefined values; here they are
 * NaN, never an exception:
 * - no negative sample: every `fpr` is NaN (UndefinedMetricWarning in scikit-learn);
 * - no positive sample: every `tpr` is NaN (UndefinedMetricWarning), the precision-recall
 *   curve has recall 1 at every threshold ("No positive class found in y_true") and the
 *   average precision is scikit-learn's -0 (the step sum over a recall that never rises);
 * - either: `rocAucScore` is NaN where scikit-learn raises "Only one class present in y_true".
 */
import { numpySum } from '../numpy-sum.js';

export interface RocCurve {
  /** False-positive rate at each threshold, non-decreasing from 0. */
  readonly fpr: readonly number[];
  /** True-positive rate at each threshold, non-decreasing from 0. */
  readonly tpr: readonly number[];
  /**
   * Decreasing thresholds: a sample is predicted positive when its score is >= the threshold.
   * The first is the highest score + 1 (scikit-learn 1.2.1; later versions use +Infinity), a
   * threshold no sample reaches, so that the curve starts at (0, 0).
   */
  readonly thresholds: readonly number[];
}

export interface RocCurveOptions {
  /**
   * Drop thresholds whose point lies on a straight segment between its neighbours
   * (scikit-learn's `drop_intermediate`, default true). They never change the plotted curve,
   * and `rocAucScore` uses the dropped curve as scikit-learn does (it matters for the last bit).
   */
  readonly dropIntermediate?: boolean;
}

export interface PrecisionRecallCurve {
  /** Precision at each increasing threshold, then a final 1 that has no threshold. */
  readonly precision: readonly number[];
  /** Recall at each increasing threshold (non-increasing), then a final 0. */
  readonly recall: readonly number[];
  /** The distinct scores, increasing; one fewer than precision and recall. */
  readonly thresholds: readonly number[];
}

export class RankingCurveError extends Error {
  override readonly name = 'RankingCurveError';
}

/** `_binary_clf_curve`: counts at each distinct score, highest score first. */
interface ThresholdCounts {
  /** Negatives with score >= threshold. */
  readonly fps: number[];
  /** Positives with score >= threshold. */
  readonly tps: number[];
  readonly thresholds: number[];
}

function thresholdCounts<L>(yTrue: readonly L[], scores: ArrayLike<number>, positive: L): ThresholdCounts {
  const n = yTrue.length;
  if (scores.length !== n) {
    throw new RankingCurveError(`yTrue has ${n} labels but scores has ${scores.length} values`);
  }
  if (n === 0) throw new RankingCurveError('ranking curves need at least one sample');
  for (let i = 0; i < n; i++) {
    // assert_all_finite: scikit-learn rejects NaN and infinite scores.
    if (!Number.isFinite(scores[i])) throw new RankingCurveError(`score ${scores[i]} at index ${i} is not finite`);
  }
  // np.argsort(scores, kind="mergesort")[::-1]: decreasing scores, ties in decreasing index
  // order. Only the last sample of a tie group is read (its score as the threshold), so the
  // order inside a group matters just for which of -0 and 0 becomes the threshold.
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || b - a);

  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[order[i]];
    if (yTrue[order[i]] === positive) tp++;
    // np.where(np.diff(y_score)) marks where the next score differs (-0 and 0 do not).
    if (i === n - 1 || scores[order[i + 1]] !== s) {
      tps.push(tp);
      // Without sample weights scikit-learn takes fps = 1 + index - tps, exact in integers.
      fps.push(1 + i - tp);
      thresholds.push(s);
    }
  }
  return { fps, tps, thresholds };
}

/** Each count divided by the last (the total), or all NaN when the total is 0. */
function rates(counts: readonly number[]): number[] {
  const total = counts[counts.length - 1];
  return total <= 0 ? counts.map(() => Number.NaN) : counts.map((c) => c / total);
}

/** `sklearn.metrics.roc_curve(y_true, scores, pos_label=positive, drop_intermediate=...)`. */
export function rocCurve<L>(
  yTrue: readonly L[],
  scores: ArrayLike<number>,
  positive: L,
  options: RocCurveOptions = {},
): RocCurve {
  const { dropIntermediate = true } = options;
  let { fps, tps, thresholds } = thresholdCounts(yTrue, scores, positive);
  if (dropIntermediate && fps.length > 2) {
    // np.diff(_, 2) != 0 on fps or tps: a corner. Integer counts, so the test is exact;
    // scikit-learn keeps some collinear points too (fps [1, 3, 7], tps [1, 2, 4]) and so does this.
    const keep = (i: number): boolean =>
      i === 0 ||
      i === fps.length - 1 ||
      fps[i + 1] - fps[i] - (fps[i] - fps[i - 1]) !== 0 ||
      tps[i + 1] - tps[i] - (tps[i] - tps[i - 1]) !== 0;
    const kept = fps.map((_, i) => i).filter(keep);
    fps = kept.map((i) => fps[i]);
    tps = kept.map((i) => tps[i]);
    thresholds = kept.map((i) => thresholds[i]);
  }
  fps = [0, ...fps];
  tps = [0, ...tps];
  // scikit-learn 1.2.1 adds 1, which rounds away for scores of 2^53 and more.
  thresholds = [thresholds[0] + 1, ...thresholds];
  return { fpr: rates(fps), tpr: rates(tps), thresholds };
}

/**
 * `sklearn.metrics.auc(x, y)`: the trapezoidal area under a curve whose x is monotonic,
 * `direction * np.trapz(y, x)`.
 */
export function auc(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new RankingCurveError(`auc: x has ${x.length} points but y has ${y.length}`);
  if (x.length < 2) throw new RankingCurveError(`auc needs at least 2 points, got ${x.length}`);
  let anyDecrease = false;
  let allNonIncreasing = true;
  const terms = new Float64Array(x.length - 1);
  for (let i = 0; i < terms.length; i++) {
    const dx = x[i + 1] - x[i];
    if (dx < 0) anyDecrease = true;
    if (!(dx <= 0)) allNonIncreasing = false;
    // np.trapz: d * (y[1:] + y[:-1]) / 2.0, in that order, then add.reduce.
    terms[i] = (dx * (y[i + 1] + y[i])) / 2;
  }
  if (anyDecrease && !allNonIncreasing) {
    throw new RankingCurveError(`auc: x is neither increasing nor decreasing: ${JSON.stringify(x)}`);
  }
  const area = numpySum(terms);
  return anyDecrease ? -area : area;
}

/**
 * `sklearn.metrics.roc_auc_score` of a binary problem (y_true == positive as 0/1): `auc` of
 * the drop-intermediate ROC curve. NaN when only one class is present, where scikit-learn
 * raises.
 */
export function rocAucScore<L>(yTrue: readonly L[], scores: ArrayLike<number>, positive: L): number {
  return rocAuc(rocCurve(yTrue, scores, positive));
}

/** The area under a ROC curve, `auc(fpr, tpr)`; NaN when the curve is undefined (one class). */
export function rocAuc(curve: RocCurve): number {
  const { fpr, tpr } = curve;
  if (Number.isNaN(fpr[fpr.length - 1]) || Number.isNaN(tpr[tpr.length - 1])) return Number.NaN;
  return auc(fpr, tpr);
}

/** `sklearn.metrics.precision_recall_curve(y_true, scores, pos_label=positive)` (1.2.1). */
export function precisionRecallCurve<L>(
  yTrue: readonly L[],
  scores: ArrayLike<number>,
  positive: L,
): PrecisionRecallCurve {
  const { fps, tps, thresholds } = thresholdCounts(yTrue, scores, positive);
  // tps + fps counts the samples at or above a threshold, never 0, so scikit-learn's
  // "precision 0 where tps + fps == 0" never applies.
  const precision = tps.map((tp, i) => tp / (tp + fps[i]));
  // No positive at all: scikit-learn warns and sets the recall to 1 everywhere.
  const recall = tps[tps.length - 1] === 0 ? tps.map(() => 1) : rates(tps);
  // 1.2.1 keeps every threshold (older versions stopped at full recall).
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: [...thresholds].reverse(),
  };
}

/**
 * `sklearn.metrics.average_precision_score(y_true == positive, scores)`: the step-wise sum
 * -sum(diff(recall) * precision[:-1]) over the precision-recall curve, not interpolated.
 */
export function averagePrecisionScore<L>(yTrue: readonly L[], scores: ArrayLike<number>, positive: L): number {
  return averagePrecision(precisionRecallCurve(yTrue, scores, positive));
}

/** The average precision of a precision-recall curve (see averagePrecisionScore). */
export function averagePrecision(curve: PrecisionRecallCurve): number {
  const { precision, recall } = curve;
  const terms = new Float64Array(recall.length - 1);
  for (let i = 0; i < terms.length; i++) terms[i] = (recall[i + 1] - recall[i]) * precision[i];
  return -numpySum(terms);
}
