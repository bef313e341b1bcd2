/**
 * Silences as Alertmanager has them: a set of label matchers and a time span. While a silence is
 * active, the notifications of every alert whose labels it matches are not sent; the alert itself
 * still fires, repeats and resolves as usual, and shows which silences mute it.
 *
 * Times are ISO-8601 UTC strings in `toISOString()` form, compared as text (their text order is
 * their time order), as everywhere in the alerting core.
 */
import type { AlertLabels, AlertName } from './alert.js';
import { isEventAlert } from './alert.js';

/** Alertmanager's matcher: `name=value`, `name!=value`, `name=~regex`, `name!~regex`. */
export interface Matcher {
  readonly name: string;
  readonly value: string;
  /** `value` is a regular expression, anchored at both ends as in Alertmanager. */
  readonly isRegex: boolean;
  /** false negates the match (`!=`, `!~`). */
  readonly isEqual: boolean;
}

export interface Silence {
  readonly id: number;
  readonly matchers: readonly Matcher[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly createdAt: string;
  /** Why (Alertmanager's `comment`). */
  readonly reason: string;
}

export const silenceStates = ['active', 'pending', 'expired'] as const;
export type SilenceState = (typeof silenceStates)[number];

export class SilenceError extends Error {
  override readonly name = 'SilenceError';
}

/** `pending` before it starts, `active` from `startsAt` until `endsAt`, `expired` from then on. */
export function silenceState(silence: Pick<Silence, 'startsAt' | 'endsAt'>, now: string): SilenceState {
  if (now < silence.startsAt) return 'pending';
  return now < silence.endsAt ? 'active' : 'expired';
}

/**
 * The problems of a set of matchers, empty when it is valid. As in Alertmanager, a silence needs at
 * least one matcher, and one of them must not match the empty string: a label an alert lacks reads
 * as empty, so a silence of only such matchers would mute every alert.
 */
export function matcherProblems(matchers: readonly Matcher[]): string[] {
  if (matchers.length === 0) return ['a silence needs at least one matcher (e.g. {"name": "alertname", "value": "data_drift"})'];
  const problems: string[] = [];
  matchers.forEach((m, i) => {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) problems.push(`matchers[${i}].name: ${JSON.stringify(m.name)} is not a label name (letters, digits and _, not starting with a digit)`);
    if (m.isRegex) {
      try {
        new RegExp(m.value, 'u');
      } catch (error) {
        problems.push(`matchers[${i}].value: ${JSON.stringify(m.value)} is not a regular expression (${(error as Error).message})`);
      }
    }
  });
  if (problems.length === 0 && matchers.every((m) => matches(m, ''))) {
    problems.push('at least one matcher must not match the empty string, or the silence would mute every alert');
  }
  return problems;
}

/** Whether every matcher holds for the labels (an absent label reads as the empty string). */
export function silenceMatches(silence: Pick<Silence, 'matchers'>, labels: AlertLabels): boolean {
  return silence.matchers.every((m) => matches(m, labels[m.name] ?? ''));
}

/** The ids of the silences that mute an alert with these labels at `now`. */
export function silencedBy(labels: AlertLabels, silences: readonly Silence[], now: string): number[] {
  return silences.filter((s) => silenceState(s, now) === 'active' && silenceMatches(s, labels)).map((s) => s.id);
}

/**
 * What "silence this alert" means: exactly its labels for a condition; for an event, which fired
 * and was notified once already, every later event of its name (the next rejections, say).
 */
export function silenceMatchersFor(alert: { readonly name: AlertName; readonly labels: AlertLabels }): Matcher[] {
  const labels = isEventAlert(alert.name) ? { alertname: alert.name } : alert.labels;
  return Object.keys(labels)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, value: labels[name], isRegex: false, isEqual: true }));
}

function matches(matcher: Matcher, value: string): boolean {
  const hit = matcher.isRegex ? new RegExp(`^(?:${matcher.value})$`, 'u').test(value) : value === matcher.value;
  return hit === matcher.isEqual;
}
