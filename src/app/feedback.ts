import type { Store } from '../store/database.js';
import type { PredictionRecord } from '../store/prediction-repository.js';
import type { Clock } from './clock.js';
import { ConflictError, InvalidInputError, NotFoundError } from './errors.js';
import type { PredictionLog } from './prediction-log.js';

/** A confirmed diagnosis for one prediction (by its id) or one case (by the caller's id). */
export interface FeedbackItem {
  readonly predictionId?: string;
  readonly externalId?: string;
  readonly actual: string;
}

export const feedbackStatuses = ['recorded', 'unchanged'] as const;
export type FeedbackStatus = (typeof feedbackStatuses)[number];

export interface FeedbackOutcome {
  readonly predictionId?: string;
  readonly externalId?: string;
  readonly actual: string;
  /** `recorded`: new; `unchanged`: the same label was confirmed before (an identical repeat). */
  readonly status: FeedbackStatus;
  readonly predictions: number;
}

/**
 * Ground truth arriving later (pathology): each item names a prediction or a case and its true
 * label. A batch is checked whole before anything is written: one unknown id, a label outside the
 * classes or a different label than one confirmed before rejects the batch and changes nothing.
 */
export async function recordFeedback(
  items: readonly FeedbackItem[],
  deps: { readonly store: Store; readonly log: PredictionLog; readonly clock: Clock; readonly classes: readonly string[] },
): Promise<FeedbackOutcome[]> {
  if (items.length === 0) throw new InvalidInputError('no feedback to record: send at least one item');
  await deps.log.flush();
  const resolved: { item: FeedbackItem; targets: PredictionRecord[] }[] = [];
  for (const [i, item] of items.entries()) {
    const where = items.length > 1 ? `item ${i}: ` : '';
    if ((item.predictionId === undefined) === (item.externalId === undefined)) {
      throw new InvalidInputError(`${where}give either "predictionId" or "externalId"`, { item: i });
    }
    if (!deps.classes.includes(item.actual)) {
      throw new InvalidInputError(`${where}"actual" must be one of ${deps.classes.join(', ')}, got ${JSON.stringify(item.actual)}`, { item: i, expected: deps.classes });
    }
    const targets = item.predictionId !== undefined ? [await deps.store.predictions.get(item.predictionId)].filter((p): p is PredictionRecord => p !== undefined) : await deps.store.predictions.byExternalId(item.externalId as string);
    const name = item.predictionId !== undefined ? `prediction ${JSON.stringify(item.predictionId)}` : `externalId ${JSON.stringify(item.externalId)}`;
    if (targets.length === 0) throw new NotFoundError(`${where}no ${name} in the prediction log`, { item: i });
    const conflicting = targets.find((t) => t.actual !== null && t.actual !== item.actual);
    if (conflicting) {
      throw new ConflictError(`${where}${name} was confirmed as ${conflicting.actual} before; it cannot also be ${item.actual}`, { item: i, confirmed: conflicting.actual });
    }
    const earlier = resolved.find((r) => r.targets.some((t) => targets.some((u) => u.id === t.id)) && r.item.actual !== item.actual);
    if (earlier) throw new ConflictError(`${where}${name} gets two different labels in this batch`, { item: i });
    resolved.push({ item, targets });
  }
  const now = deps.clock.now();
  const outcomes: FeedbackOutcome[] = [];
  for (const { item, targets } of resolved) {
    const changed = await deps.store.predictions.confirm(
      targets.map((t) => t.id),
      item.actual,
      now,
    );
    outcomes.push({ ...(item.predictionId !== undefined ? { predictionId: item.predictionId } : { externalId: item.externalId }), actual: item.actual, status: changed > 0 ? 'recorded' : 'unchanged', predictions: targets.length });
  }
  return outcomes;
}
