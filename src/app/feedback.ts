import type { Store } from '../store/database.js';
import type { Clock } from './clock.js';
import { ConflictError, InvalidInputError, NotFoundError } from './errors.js';
import type { PredictionLog } from './prediction-log.js';

/** A confirmed diagnosis for one prediction (by its id) or one case (by the caller's id). */
export interface FeedbackItem {
  readonly predictionId?: string;
  readonly externalId?: string;
  readonly actual: string;
}

export const feedbackStatuses = ['recorded', 'unchanged', 'corrected'] as const;
export type FeedbackStatus = (typeof feedbackStatuses)[number];

export interface FeedbackOutcome {
  readonly predictionId?: string;
  readonly externalId?: string;
  readonly actual: string;
  /**
   * `recorded`: new; `unchanged`: the same label was confirmed before (an identical repeat);
   * `corrected`: a different label confirmed before was replaced (a correction).
   */
  readonly status: FeedbackStatus;
  readonly predictions: number;
}

/** An admin's correction of diagnoses confirmed before: why, for the audit log. */
export interface FeedbackCorrection {
  readonly reason: string;
}

/**
 * Most predictions one case number may confirm. A case is one patient's tumour, predicted a few
 * times at most; a case number shared by more predictions is a misuse, and confirming it would
 * cost the store time that grows with them (each statement holds SQLite's event loop).
 */
export const MAX_PREDICTIONS_PER_CASE = 1000;

/** What one item confirms: one prediction, or every prediction of one case number. */
interface Target {
  readonly item: FeedbackItem;
  readonly predictionId?: string;
  /** The case number the item names, or the one its prediction was logged with. */
  readonly externalId: string | null;
  readonly predictions: number;
  /** The different label confirmed before, which a correction replaces. */
  readonly confirmedBefore?: string;
}

/** Whether two items confirm some prediction in common. */
function overlap(a: Target, b: Target): boolean {
  if (a.predictionId !== undefined && b.predictionId !== undefined) return a.predictionId === b.predictionId;
  return a.externalId !== null && a.externalId === b.externalId;
}

/**
 * Ground truth arriving later (pathology): each item names a prediction or a case and its true
 * label. A batch is checked whole before anything is written: one unknown id, a label outside the
 * classes or a different label than one confirmed before rejects the batch and changes nothing.
 * A case is checked and confirmed by statements on its case number, never by loading its rows.
 *
 * With a `correction` (an admin's, with a reason) a different label confirmed before is replaced
 * instead of refused, each replacement recorded in the audit log; live figures, computed from the
 * log on every read, follow.
 */
export async function recordFeedback(
  items: readonly FeedbackItem[],
  deps: { readonly store: Store; readonly log: PredictionLog; readonly clock: Clock; readonly classes: readonly string[] },
  correction?: FeedbackCorrection,
): Promise<FeedbackOutcome[]> {
  if (items.length === 0) throw new InvalidInputError('no feedback to record: send at least one item');
  const reason = correction?.reason.trim();
  if (correction && !reason) throw new InvalidInputError('a correction ("correct": true) needs a "reason": say why the confirmed diagnosis was wrong');
  await deps.log.flush();
  const predictions = deps.store.predictions;
  const targets: Target[] = [];
  for (const [i, item] of items.entries()) {
    const where = items.length > 1 ? `item ${i}: ` : '';
    if ((item.predictionId === undefined) === (item.externalId === undefined)) {
      throw new InvalidInputError(`${where}give either "predictionId" or "externalId"`, { item: i });
    }
    if (!deps.classes.includes(item.actual)) {
      throw new InvalidInputError(`${where}"actual" must be one of ${deps.classes.join(', ')}, got ${JSON.stringify(item.actual)}`, { item: i, expected: deps.classes });
    }
    const name = item.predictionId !== undefined ? `prediction ${JSON.stringify(item.predictionId)}` : `externalId ${JSON.stringify(item.externalId)}`;
    let target: Target;
    let confirmedBefore: string | undefined;
    if (item.predictionId !== undefined) {
      const record = await predictions.get(item.predictionId);
      if (!record) throw new NotFoundError(`${where}no ${name} in the prediction log`, { item: i });
      target = { item, predictionId: record.id, externalId: record.externalId, predictions: 1 };
      if (record.actual !== null && record.actual !== item.actual) confirmedBefore = record.actual;
    } else {
      const externalId = item.externalId as string;
      const count = await predictions.countByExternalId(externalId, MAX_PREDICTIONS_PER_CASE);
      if (count === 0) throw new NotFoundError(`${where}no ${name} in the prediction log`, { item: i });
      if (count > MAX_PREDICTIONS_PER_CASE) {
        throw new ConflictError(`${where}${name} was sent with more than ${MAX_PREDICTIONS_PER_CASE} predictions, and one case number confirms at most ${MAX_PREDICTIONS_PER_CASE}: confirm them by predictionId`, { item: i, limit: MAX_PREDICTIONS_PER_CASE });
      }
      target = { item, externalId, predictions: count };
      confirmedBefore = await predictions.otherConfirmedLabel(externalId, item.actual);
    }
    if (confirmedBefore !== undefined && !correction) {
      throw new ConflictError(`${where}${name} was confirmed as ${confirmedBefore} before; it cannot also be ${item.actual} (an admin can correct it with "correct": true and a "reason")`, {
        item: i,
        confirmed: confirmedBefore,
      });
    }
    if (confirmedBefore !== undefined) target = { ...target, confirmedBefore };
    if (targets.some((earlier) => overlap(earlier, target) && earlier.item.actual !== item.actual)) {
      throw new ConflictError(`${where}${name} gets two different labels in this batch`, { item: i });
    }
    targets.push(target);
  }
  const now = deps.clock.now();
  const outcomes: FeedbackOutcome[] = [];
  for (const { item, predictionId, predictions: count, confirmedBefore } of targets) {
    const named = item.predictionId !== undefined ? { predictionId: item.predictionId } : { externalId: item.externalId };
    if (confirmedBefore !== undefined) {
      const what = item.predictionId !== undefined ? `prediction ${JSON.stringify(item.predictionId)}` : `case ${JSON.stringify(item.externalId)}`;
      const audit = { action: 'diagnosis_correction', actor: 'admin', reason: `${what}: confirmed ${confirmedBefore}, corrected to ${item.actual}: ${reason}` } as const;
      const changed = await predictions.correct(predictionId !== undefined ? { id: predictionId } : { externalId: item.externalId as string }, item.actual, now, audit);
      outcomes.push({ ...named, actual: item.actual, status: changed > 0 ? 'corrected' : 'unchanged', predictions: count });
      continue;
    }
    const changed = predictionId !== undefined ? await predictions.confirm([predictionId], item.actual, now) : await predictions.confirmCase(item.externalId as string, item.actual, now);
    outcomes.push({ ...named, actual: item.actual, status: changed > 0 ? 'recorded' : 'unchanged', predictions: count });
  }
  return outcomes;
}
