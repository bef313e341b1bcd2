/**
 * The alert lifecycle as Alertmanager runs it, as a pure function over stored states: a condition
 * that starts fires and is notified at once, is re-notified every repeat interval while it lasts,
 * and is resolved (and notified as such) when it clears.
 *
 * Time is handed in as an ISO-8601 UTC string in `Date#toISOString()` form because that is what the
 * states store and the webhook sends; the core reads it with its own parser rather than the clock's
 * Date. The shell must run one evaluation at a time per store (a transaction or lock) and queue the
 * returned notifications together with the returned states: then `lastNotifiedAt` is what keeps
 * every replica, and every restart, from notifying the same alert twice within the interval.
 */
import type { AlertCondition, AlertLabels, AlertName, AlertState, Notification } from './alert.js';
import { isEventAlert } from './alert.js';
import { fingerprint } from './fingerprint.js';
import type { Silence } from './silence.js';
import { silencedBy } from './silence.js';

export class AlertLifecycleError extends Error {
  override readonly name = 'AlertLifecycleError';
}

/**
 * Which alerts an evaluation speaks for: every alert of a name, or only those whose labels include
 * the given ones. A scoped alert that no active condition mentions is resolved, as Prometheus
 * resolves an alert its rule stops returning; alerts outside every scope are left as they are.
 * `job_failed` needs the label form: a `train` job that succeeds says nothing about `update`.
 */
export type AlertScope = AlertName | { readonly name: AlertName; readonly labels: AlertLabels };

export interface AlertEvaluation {
  /** Every state: the untouched ones as given, the changed ones replaced, the new ones appended. */
  readonly states: readonly AlertState[];
  readonly notifications: readonly Notification[];
}

/**
 * @param now ISO-8601 UTC in `toISOString()` form, e.g. `2024-05-01T12:00:00.000Z`.
 * @param repeatIntervalMs how long a firing alert waits before it is notified again (`parseDuration`).
 * @param rules the scopes this evaluation covers; every condition must fall in one.
 * @param silences a notification of an alert that an active silence matches is not sent. Its state
 *   changes all the same, but keeps the `lastNotifiedAt` of the last notice really sent (none for a
 *   muted start), so that a condition still firing when the silence ends is notified then, as in
 *   Alertmanager; an event alert, which is never repeated, stays unsent.
 */
export function evaluateAlerts(
  previous: readonly AlertState[],
  conditions: readonly AlertCondition[],
  now: string,
  repeatIntervalMs: number,
  rules: readonly AlertScope[],
  silences: readonly Silence[] = [],
): AlertEvaluation {
  const nowMs = epochMs(now, 'now');
  if (!Number.isFinite(repeatIntervalMs) || repeatIntervalMs <= 0) {
    throw new AlertLifecycleError(`repeat interval must be a positive number of milliseconds, got ${String(repeatIntervalMs)}`);
  }

  const byFingerprint = new Map<string, { readonly condition: AlertCondition; readonly labels: AlertLabels }>();
  for (const condition of conditions) {
    const labels = labelsOf(condition);
    if (!rules.some((scope) => inScope(scope, condition.name, labels))) {
      throw new AlertLifecycleError(`condition ${describe(labels)} is outside the rules this evaluation covers (${rules.map(describeScope).join(', ') || 'none'})`);
    }
    const key = fingerprint(labels);
    if (byFingerprint.has(key)) {
      // As in Prometheus, one rule evaluation may not produce the same label set twice.
      throw new AlertLifecycleError(`two conditions with the same labels ${describe(labels)} in one evaluation`);
    }
    byFingerprint.set(key, { condition, labels });
  }

  const states: AlertState[] = [];
  const notifications: Notification[] = [];
  const seen = new Set<string>();
  const emit = (state: AlertState, reason: Notification['reason'] | null, before: AlertState | null): void => {
    if (reason !== null && silencedBy(state.labels, silences, now).length > 0) {
      states.push({ ...state, lastNotifiedAt: reason === 'new' ? null : (before?.lastNotifiedAt ?? null) });
      return;
    }
    states.push(state);
    if (reason !== null) notifications.push({ fingerprint: state.fingerprint, status: state.status, alert: state, reason });
  };

  for (const state of previous) {
    if (seen.has(state.fingerprint)) throw new AlertLifecycleError(`two stored states share the fingerprint ${state.fingerprint}`);
    seen.add(state.fingerprint);
    const match = byFingerprint.get(state.fingerprint);
    if (match !== undefined) {
      const [next, reason] = transition(state, match.condition, match.labels, now, nowMs, repeatIntervalMs);
      emit(next, reason, state);
    } else if (state.status === 'firing' && rules.some((scope) => inScope(scope, state.name, state.labels))) {
      emit(resolve(state, state.annotations, now), 'resolved', state);
    } else {
      emit(state, null, state);
    }
  }

  for (const [key, { condition, labels }] of byFingerprint) {
    // An inactive condition with no history is the normal quiet case: nothing to store or send.
    if (seen.has(key) || !condition.active) continue;
    emit(fire(key, condition, labels, now), 'new', null);
  }

  return { states, notifications };
}

export interface ReviewOptions {
  readonly repeatIntervalMs: number;
  /** `alerts.eventTtl`: an event alert resolves this long after it started, if nothing closed it before. */
  readonly eventTtlMs: number;
  readonly silences?: readonly Silence[];
}

/**
 * The periodic pass over firing alerts: a condition alert still firing is re-notified once its
 * repeat interval has passed; an event alert is never re-notified, and resolves (`resolution:
 * expired`) once it is `eventTtlMs` old.
 */
export function reviewFiring(states: readonly AlertState[], now: string, options: ReviewOptions): AlertEvaluation {
  const nowMs = epochMs(now, 'now');
  if (!Number.isFinite(options.eventTtlMs) || options.eventTtlMs <= 0) {
    throw new AlertLifecycleError(`event TTL must be a positive number of milliseconds, got ${String(options.eventTtlMs)}`);
  }
  const firing = states.filter((s) => s.status === 'firing');
  const conditions = firing.map((state): AlertCondition => {
    const { alertname: _name, ...labels } = state.labels;
    const expired = isEventAlert(state.name) && nowMs - epochMs(state.startsAt, `startsAt of alert ${state.fingerprint}`) >= options.eventTtlMs;
    return { name: state.name, labels, annotations: expired ? { ...state.annotations, resolution: 'expired' } : state.annotations, active: !expired };
  });
  const scopes = conditions.map((c): AlertScope => ({ name: c.name, labels: c.labels }));
  return evaluateAlerts(states, conditions, now, options.repeatIntervalMs, scopes, options.silences);
}

function transition(
  state: AlertState,
  condition: AlertCondition,
  labels: AlertLabels,
  now: string,
  nowMs: number,
  repeatIntervalMs: number,
): readonly [AlertState, Notification['reason'] | null] {
  if (condition.active) {
    if (state.status === 'resolved') return [fire(state.fingerprint, condition, labels, now), 'new'];
    // Annotations follow the latest evaluation (the current value) even when nothing is sent.
    const updated = { ...state, labels, annotations: condition.annotations };
    if (isEventAlert(state.name)) return [updated, null];
    const due = state.lastNotifiedAt === null || nowMs - epochMs(state.lastNotifiedAt, `lastNotifiedAt of alert ${state.fingerprint}`) >= repeatIntervalMs;
    return due ? [{ ...updated, lastNotifiedAt: now }, 'repeat'] : [updated, null];
  }
  if (state.status === 'resolved') return [state, null];
  // An inactive condition that carries no annotations keeps the firing ones, so the resolved
  // notice can still say what was wrong; one that carries some describes how it cleared.
  const annotations = Object.keys(condition.annotations).length > 0 ? condition.annotations : state.annotations;
  return [resolve(state, annotations, now), 'resolved'];
}

function fire(key: string, condition: AlertCondition, labels: AlertLabels, now: string): AlertState {
  return {
    fingerprint: key,
    name: condition.name,
    labels,
    annotations: condition.annotations,
    status: 'firing',
    startsAt: now,
    endsAt: null,
    lastNotifiedAt: now,
  };
}

function resolve(state: AlertState, annotations: AlertState['annotations'], now: string): AlertState {
  return { ...state, annotations, status: 'resolved', endsAt: now, lastNotifiedAt: now };
}

function labelsOf(condition: AlertCondition): AlertLabels {
  const given = condition.labels.alertname;
  if (given !== undefined && given !== condition.name) {
    throw new AlertLifecycleError(`condition ${condition.name} carries the label alertname=${JSON.stringify(given)}; alertname must equal the alert's name`);
  }
  return { alertname: condition.name, ...condition.labels };
}

function inScope(scope: AlertScope, name: AlertName, labels: AlertLabels): boolean {
  if (typeof scope === 'string') return scope === name;
  return scope.name === name && Object.entries(scope.labels).every(([key, value]) => labels[key] === value);
}

function describe(labels: AlertLabels): string {
  return `{${Object.entries(labels)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(', ')}}`;
}

function describeScope(scope: AlertScope): string {
  return typeof scope === 'string' ? scope : `${scope.name}${describe(scope.labels)}`;
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;

/** Milliseconds since the epoch of a `toISOString()` instant, without the clock's Date. */
function epochMs(text: string, what: string): number {
  const match = ISO_INSTANT.exec(text);
  const [year, month, day, hour, minute, second, milli] = (match ?? []).slice(1).map(Number);
  if (match === null || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new AlertLifecycleError(`${what} must be an ISO-8601 UTC instant as toISOString() writes it (e.g. 2024-05-01T12:00:00.000Z), got ${JSON.stringify(text)}`);
  }
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + milli;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
