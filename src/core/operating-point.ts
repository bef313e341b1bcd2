import { take, takeRows } from './matrix.js';
import type { FittedPipeline, PipelineTask, TargetRecallThreshold } from './pipeline.js';
import { fitPipeline } from './pipeline.js';
import { predict } from './predictor.js';
import { stratifiedKFold } from './stratified-k-fold.js';

/**
 * Choosing a decision threshold for a target recall (`monitor.targetRecall`) without looking at the
 * test split: on out-of-fold decision values of the training rows, as
 * `cross_val_predict(pipeline, X, y, cv=training.cv, method="decision_function")` gives them.
 */

export class OperatingPointError extends Error {
  override readonly name = 'OperatingPointError';
}

/**
 * Each training row's decision value from the pipeline fitted on the other folds (scikit-learn's
 * StratifiedKFold(cv), no shuffle, as `cross_val_predict` uses for a classifier): one value per row
 * for two classes, k per row (ovr) for more, in row order. `task` is the final fit's (its C and
 * gamma, its rows); Platt scaling is left out, as decision values do not depend on it.
 */
export async function outOfFoldDecision(task: PipelineTask, cv: number, fit: (task: PipelineTask) => Promise<FittedPipeline> = async (t) => fitPipeline(t)): Promise<Float64Array> {
  const { probabilityRandomState: _platt, ...plain } = task;
  const folds = stratifiedKFold(task.y, cv);
  let out: Float64Array | null = null;
  let width = 0;
  for (const { train, test } of folds) {
    const pipeline = await fit({ ...plain, x: takeRows(task.x, train), y: take(task.y, train) });
    const { decision } = predict(pipeline, takeRows(task.x, test));
    width = decision.length / test.length;
    out ??= new Float64Array(task.y.length * width);
    test.forEach((row, k) => out?.set(decision.subarray(k * width, (k + 1) * width), row * width));
  }
  return out ?? new Float64Array(0);
}

/** A binary model's score for `positive`: its decision value, negated when `positive` is `classes[0]`. */
export function positiveScores(decision: ArrayLike<number>, classes: readonly string[], positive: string): Float64Array {
  if (classes.length !== 2) throw new OperatingPointError(`a target recall needs two classes, the model has ${classes.length} (${classes.join(', ')})`);
  const sign = positive === classes[1] ? 1 : -1;
  return Float64Array.from(decision, (d) => sign * d);
}

/**
 * The highest threshold t such that the share of `positive` rows whose score is >= t reaches
 * `target`: the `ceil`-th highest positive score, counted so that m / P >= target holds in doubles.
 */
export function thresholdForRecall(yTrue: readonly string[], scores: ArrayLike<number>, positive: string, target: number): number {
  if (!(target > 0 && target <= 1)) throw new OperatingPointError(`targetRecall must be in (0, 1], got ${target}`);
  const positives = yTrue.flatMap((y, i) => (y === positive ? [scores[i]] : [])).sort((a, b) => b - a);
  const P = positives.length;
  if (P === 0) throw new OperatingPointError(`no training row of the positive class ${positive}: no threshold reaches a recall`);
  let m = 1;
  while (m < P && m / P < target) m++;
  return positives[m - 1];
}

/** Labels at a threshold on the positive score: the positive class when the score is >= it. */
export function labelsAtThreshold(scores: ArrayLike<number>, classes: readonly string[], positive: string, threshold: number): string[] {
  const negative = classes[0] === positive ? classes[1] : classes[0];
  return Array.from(scores, (s) => (s >= threshold ? positive : negative));
}

/**
 * The out-of-fold threshold of a fit task (see `outOfFoldDecision`, `thresholdForRecall`); `fit`
 * fits a fold (a worker thread in the service).
 */
export async function chooseThreshold(
  task: PipelineTask,
  cv: number,
  classes: readonly string[],
  positive: string,
  target: number,
  fit?: (task: PipelineTask) => Promise<FittedPipeline>,
): Promise<TargetRecallThreshold> {
  const scores = positiveScores(await outOfFoldDecision(task, cv, fit), classes, positive);
  const threshold = thresholdForRecall(task.y, scores, positive, target);
  const P = task.y.filter((y) => y === positive).length;
  const reached = task.y.filter((y, i) => y === positive && scores[i] >= threshold).length;
  return { source: 'targetRecall', positive, threshold, targetRecall: target, outOfFoldRecall: reached / P };
}

