import { describe, expect, it } from 'vitest';
import type { AlertCondition, AlertState } from '../../src/core/alerts/alert.js';
import {
  ALERT_NAMES,
  driftCondition,
  isAlertName,
  jobFailedCondition,
  jobSucceededCondition,
  liveRecallCondition,
  MAX_LISTED_FEATURES,
  MAX_TOP_FEATURES,
  closeRejections,
  modelRejectedCondition,
  recallCondition,
} from '../../src/core/alerts/alert.js';
import { AlertLifecycleError, evaluateAlerts, reviewFiring } from '../../src/core/alerts/alert-lifecycle.js';
import type { Silence } from '../../src/core/alerts/silence.js';
import { fingerprint, fnv1a64Hex } from '../../src/core/alerts/fingerprint.js';

const HOUR = 3_600_000;
const REPEAT = 4 * HOUR;
const T0 = '2024-05-01T12:00:00.000Z';

/** T0 plus whole minutes, written out so the test does not lean on the code's own time arithmetic. */
const at = {
  plus1m: '2024-05-01T12:01:00.000Z',
  plus3h59m: '2024-05-01T15:59:00.000Z',
  plus3h59m59s999: '2024-05-01T15:59:59.999Z',
  plus4h: '2024-05-01T16:00:00.000Z',
  plus5h: '2024-05-01T17:00:00.000Z',
  plus8h: '2024-05-01T20:00:00.000Z',
  plus8h30m: '2024-05-01T20:30:00.000Z',
  plus9h: '2024-05-01T21:00:00.000Z',
};

const low = recallCondition({ metric: 'recall', value: 0.8333333333333334, threshold: 0.9, modelVersion: 3, snapshotId: 12, positiveClass: 'M' });
const ok = recallCondition({ metric: 'recall', value: 0.95, threshold: 0.9, modelVersion: 4, snapshotId: 13, positiveClass: 'M' });
const recallFingerprint = fingerprint({ alertname: 'recall_below_threshold', metric: 'recall' });

function run(previous: readonly AlertState[], conditions: readonly AlertCondition[], now: string, rules: Parameters<typeof evaluateAlerts>[4] = ['recall_below_threshold']) {
  return evaluateAlerts(previous, conditions, now, REPEAT, rules);
}

/** Drives a sequence of evaluations, feeding each result's states into the next. */
function sequence(steps: readonly (readonly [readonly AlertCondition[], string])[]) {
  let states: readonly AlertState[] = [];
  return steps.map(([conditions, now]) => {
    const result = run(states, conditions, now);
    states = result.states;
    return result;
  });
}

describe('evaluateAlerts', () => {
  it('fires a new alert and notifies at once', () => {
    const { states, notifications } = run([], [low], T0);
    const expected: AlertState = {
      fingerprint: recallFingerprint,
      name: 'recall_below_threshold',
      labels: { alertname: 'recall_below_threshold', metric: 'recall' },
      annotations: { value: '0.8333333333333334', threshold: '0.9', model_version: '3', snapshot_id: '12', positive_class: 'M' },
      status: 'firing',
      startsAt: T0,
      endsAt: null,
      lastNotifiedAt: T0,
    };
    expect(states).toEqual([expected]);
    expect(notifications).toEqual([{ fingerprint: recallFingerprint, status: 'firing', alert: expected, reason: 'new' }]);
  });

  it('stores and sends nothing for an inactive condition with no history', () => {
    expect(run([], [ok], T0)).toEqual({ states: [], notifications: [] });
  });

  it('does not notify again before the repeat interval, but keeps the latest annotations', () => {
    const [, second, third] = sequence([
      [[low], T0],
      [[recallCondition({ metric: 'recall', value: 0.8, threshold: 0.9, modelVersion: 3, snapshotId: 14 })], at.plus1m],
      [[low], at.plus3h59m59s999],
    ]);
    expect(second.notifications).toEqual([]);
    expect(second.states[0]).toMatchObject({ status: 'firing', startsAt: T0, lastNotifiedAt: T0, annotations: { value: '0.8', snapshot_id: '14' } });
    expect(third.notifications).toEqual([]);
  });

  it('re-notifies once the repeat interval has passed, counting from the last notice', () => {
    const [, repeat, tooSoon, again] = sequence([
      [[low], T0],
      [[low], at.plus4h],
      [[low], at.plus5h],
      [[low], at.plus8h],
    ]);
    expect(repeat.notifications).toHaveLength(1);
    expect(repeat.notifications[0]).toMatchObject({ reason: 'repeat', status: 'firing', alert: { startsAt: T0, lastNotifiedAt: at.plus4h, endsAt: null } });
    expect(tooSoon.notifications).toEqual([]);
    expect(again.notifications.map((n) => n.reason)).toEqual(['repeat']);
  });

  it('notifies a firing alert that was never notified at the next evaluation', () => {
    const [fired] = run([], [low], T0).states;
    const { notifications } = run([{ ...fired, lastNotifiedAt: null }], [low], at.plus1m);
    expect(notifications.map((n) => n.reason)).toEqual(['repeat']);
  });

  it('resolves when the condition clears, with the clearing values, and notifies', () => {
    const [, resolved] = sequence([
      [[low], T0],
      [[ok], at.plus3h59m],
    ]);
    expect(resolved.notifications).toHaveLength(1);
    const [n] = resolved.notifications;
    expect(n).toMatchObject({ reason: 'resolved', status: 'resolved', fingerprint: recallFingerprint });
    expect(n.alert).toEqual({
      ...run([], [low], T0).states[0],
      status: 'resolved',
      annotations: ok.annotations,
      endsAt: at.plus3h59m,
      lastNotifiedAt: at.plus3h59m,
    });
  });

  it('keeps the firing annotations when the clearing condition carries none', () => {
    const failed = jobFailedCondition({ job: 'train', error: 'out of memory', attempts: 3 });
    const first = run([], [failed], T0, ['job_failed']);
    const cleared = run(first.states, [{ ...jobSucceededCondition({ job: 'train' }) }], at.plus1m, ['job_failed']);
    expect(cleared.notifications[0].alert).toMatchObject({ status: 'resolved', annotations: { error: 'out of memory', attempts: '3' } });
  });

  it('leaves a resolved alert alone while its condition stays clear', () => {
    const [, resolved, quiet] = sequence([
      [[low], T0],
      [[ok], at.plus1m],
      [[ok], at.plus8h],
    ]);
    expect(quiet.notifications).toEqual([]);
    expect(quiet.states).toEqual(resolved.states);
  });

  it('fires a resolved alert again as new, with a new startsAt and no endsAt', () => {
    const [, , refired] = sequence([
      [[low], T0],
      [[ok], at.plus1m],
      [[low], at.plus5h],
    ]);
    expect(refired.notifications).toHaveLength(1);
    expect(refired.notifications[0]).toMatchObject({ reason: 'new', status: 'firing', fingerprint: recallFingerprint });
    expect(refired.notifications[0].alert).toMatchObject({ startsAt: at.plus5h, endsAt: null, lastNotifiedAt: at.plus5h });
    expect(refired.states).toHaveLength(1);
  });

  it('resolves an alert of a covered rule that the evaluation no longer mentions', () => {
    // e.g. monitor.metric changed from recall to recall_macro: the old alert must not fire forever.
    const first = run([], [low], T0);
    const macro = recallCondition({ metric: 'recall_macro', value: 0.95, threshold: 0.9, modelVersion: 3, snapshotId: 12 });
    const { states, notifications } = run(first.states, [macro], at.plus1m);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({ reason: 'resolved', fingerprint: recallFingerprint, alert: { annotations: low.annotations, endsAt: at.plus1m } });
    expect(states).toHaveLength(1);
  });

  it('leaves alerts of rules outside the evaluation untouched', () => {
    const recall = run([], [low], T0);
    const rejected = run(recall.states, [modelRejectedCondition({ modelVersion: 5, reason: 'recall 0.85 is below the threshold 0.9', activeVersion: 3 })], at.plus1m, ['model_rejected']);
    expect(rejected.notifications.map((n) => [n.alert.name, n.reason])).toEqual([['model_rejected', 'new']]);
    expect(rejected.states[0]).toBe(recall.states[0]);

    // The recall rule evaluated long after: the rejection is neither resolved nor repeated by it.
    const later = run(rejected.states, [low], at.plus8h30m);
    expect(later.notifications.map((n) => [n.alert.name, n.reason])).toEqual([['recall_below_threshold', 'repeat']]);
    expect(later.states[1]).toBe(rejected.states[1]);
  });

  it('scopes by label, so one job succeeding does not resolve another job’s failure', () => {
    const scope = (job: 'update' | 'train') => [{ name: 'job_failed', labels: { job } }] as const;
    const updateFailed = run([], [jobFailedCondition({ job: 'update', error: 'HTTP 503', attempts: 3 })], T0, scope('update'));
    const trainOk = run(updateFailed.states, [jobSucceededCondition({ job: 'train', runId: 8 })], at.plus1m, scope('train'));
    expect(trainOk.notifications).toEqual([]);
    expect(trainOk.states).toEqual(updateFailed.states);
    const updateOk = run(trainOk.states, [jobSucceededCondition({ job: 'update', runId: 9 })], at.plus5h, scope('update'));
    expect(updateOk.notifications.map((n) => [n.alert.labels.job, n.reason, n.alert.annotations.run_id])).toEqual([['update', 'resolved', '9']]);
  });

  it('resolves a model rejection when a later model passes the gate or an admin promotes one', () => {
    const rejected = run([], [modelRejectedCondition({ modelVersion: 5, reason: 'recall too low' })], T0, ['model_rejected']);
    const passed = run(rejected.states, closeRejections(rejected.states, 'passed_gate', 6), at.plus1m, ['model_rejected']);
    expect(passed.notifications[0]).toMatchObject({
      reason: 'resolved',
      alert: { labels: { model_version: '5' }, annotations: { model_version: '5', reason: 'recall too low', resolution: 'passed_gate', resolved_by_version: '6' } },
    });
    const promoted = run(rejected.states, closeRejections(rejected.states, 'promoted', 5), at.plus1m, ['model_rejected']);
    expect(promoted.notifications.map((n) => [n.reason, n.alert.annotations.resolution])).toEqual([['resolved', 'promoted']]);
  });

  it('notifies a rejection once: an event is never repeated, however long it fires', () => {
    const rejection = modelRejectedCondition({ modelVersion: 5, reason: 'recall too low', activeVersion: 3 });
    const fired = run([], [rejection], T0, ['model_rejected']);
    expect(fired.notifications.map((n) => n.reason)).toEqual(['new']);
    const later = run(fired.states, [rejection], at.plus4h, ['model_rejected']);
    expect(later.notifications).toEqual([]);
    expect(later.states[0]).toMatchObject({ status: 'firing', lastNotifiedAt: T0 });
    expect(run(later.states, [rejection], at.plus9h, ['model_rejected']).notifications).toEqual([]);
  });

  it('notifies each rejected version as its own alert, the earlier one closing as superseded', () => {
    const first = run([], [modelRejectedCondition({ modelVersion: 5, reason: 'recall too low' })], T0, ['model_rejected']);
    const second = run(first.states, [...closeRejections(first.states, 'superseded', 6), modelRejectedCondition({ modelVersion: 6, reason: 'worse than v3' })], at.plus1m, ['model_rejected']);
    expect(second.notifications.map((n) => [n.alert.labels.model_version, n.reason])).toEqual([
      ['5', 'resolved'],
      ['6', 'new'],
    ]);
    expect(second.notifications[0].alert.annotations).toMatchObject({ resolution: 'superseded', resolved_by_version: '6' });
  });

  it('keeps the state order, appending new alerts', () => {
    const first = run([], [low], T0);
    const both = run(first.states, [low, recallCondition({ metric: 'recall_macro', value: 0.5, threshold: 0.9, modelVersion: 3, snapshotId: 12 })], at.plus1m);
    expect(both.states.map((s) => s.labels.metric)).toEqual(['recall', 'recall_macro']);
    expect(both.notifications.map((n) => [n.alert.labels.metric, n.reason])).toEqual([['recall_macro', 'new']]);
  });

  it('does not repeat when the clock of another replica is behind the last notice', () => {
    const first = run([], [low], at.plus1m);
    expect(run(first.states, [low], T0).notifications).toEqual([]);
  });

  it('gives the same fingerprint whatever the order of the condition’s labels', () => {
    const a: AlertCondition = { name: 'job_failed', labels: { job: 'train', zone: 'eu' }, annotations: {}, active: true };
    const b: AlertCondition = { ...a, labels: { zone: 'eu', job: 'train' } };
    const scope = ['job_failed'] as const;
    expect(run([], [a], T0, scope).states[0].fingerprint).toBe(run([], [b], T0, scope).states[0].fingerprint);
    // …and an annotation change is the same alert.
    expect(run([], [{ ...a, annotations: { error: 'x' } }], T0, scope).states[0].fingerprint).toBe(run([], [a], T0, scope).states[0].fingerprint);
  });

  it.each([
    ['a condition outside the covered rules', () => run([], [low], T0, ['job_failed']), /outside the rules this evaluation covers \(job_failed\)/],
    ['two conditions with the same labels', () => run([], [low, ok], T0), /same labels \{alertname="recall_below_threshold", metric="recall"\}/],
    ['an alertname label that contradicts the name', () => run([], [{ ...low, labels: { alertname: 'other' } }], T0), /alertname must equal/],
    ['now not in toISOString form', () => run([], [low], '2024-05-01T12:00:00Z'), /now must be an ISO-8601 UTC instant.*"2024-05-01T12:00:00Z"/],
    ['an impossible date', () => run([], [low], '2023-02-29T00:00:00.000Z'), /now must be/],
    ['a zero repeat interval', () => evaluateAlerts([], [low], T0, 0, ['recall_below_threshold']), /repeat interval must be a positive/],
    ['two stored states with one fingerprint', () => run([...run([], [low], T0).states, ...run([], [low], T0).states], [], T0), /share the fingerprint/],
  ])('refuses %s', (_what, evaluate, message) => {
    expect(evaluate).toThrow(AlertLifecycleError);
    expect(evaluate).toThrow(message);
  });

  it('reads times across month, year and leap-day boundaries', () => {
    const fire = (now: string) => run([], [low], now).states;
    const repeatAfter = (from: string, to: string) => evaluateAlerts(fire(from), [low], to, 24 * HOUR, ['recall_below_threshold']).notifications.length;
    expect(repeatAfter('2024-02-28T12:00:00.000Z', '2024-02-29T12:00:00.000Z')).toBe(1);
    expect(repeatAfter('2024-02-28T12:00:00.000Z', '2024-02-29T11:59:59.999Z')).toBe(0);
    expect(repeatAfter('2023-12-31T23:00:00.000Z', '2024-01-01T23:00:00.000Z')).toBe(1);
    expect(repeatAfter('2023-12-31T23:00:00.000Z', '2024-01-01T22:59:59.999Z')).toBe(0);
    expect(repeatAfter('2023-02-28T00:00:00.000Z', '2023-03-01T00:00:00.000Z')).toBe(1);
    expect(repeatAfter('1999-12-31T00:00:00.000Z', '2000-01-01T00:00:00.000Z')).toBe(1);
  });
});

describe('live recall and drift conditions', () => {
  const live = (value: number, confirmedPositives: number, modelVersion = 3) =>
    liveRecallCondition({ metric: 'recall', value, threshold: 0.9, modelVersion, confirmedPositives, minCases: 30, window: 'last 30 days', positiveClass: 'M', positiveClassName: 'malignant' });
  const liveRules = ['live_recall_below_threshold'] as const;
  const liveFingerprint = fingerprint({ alertname: 'live_recall_below_threshold', metric: 'recall' });

  it('fires live recall below the threshold once there are enough confirmed positive cases', () => {
    const { states, notifications } = run([], [live(0.8, 42)], T0, liveRules);
    const expected: AlertState = {
      fingerprint: liveFingerprint,
      name: 'live_recall_below_threshold',
      labels: { alertname: 'live_recall_below_threshold', metric: 'recall' },
      annotations: {
        value: '0.8',
        threshold: '0.9',
        model_version: '3',
        confirmed_positives: '42',
        min_cases: '30',
        window: 'last 30 days',
        positive_class: 'M',
        positive_class_name: 'malignant',
      },
      status: 'firing',
      startsAt: T0,
      endsAt: null,
      lastNotifiedAt: T0,
    };
    expect(states).toEqual([expected]);
    expect(notifications).toEqual([{ fingerprint: liveFingerprint, status: 'firing', alert: expected, reason: 'new' }]);
  });

  it.each([
    ['exactly minCases confirmed cases and a low value', 0.8, 30, true],
    ['one case fewer than minCases', 0.8, 29, false],
    ['no confirmed case at all (NaN recall)', NaN, 0, false],
    ['enough cases and a NaN value', NaN, 30, true],
    ['enough cases and the value at the threshold', 0.9, 100, false],
  ])('with %s, live recall is active: %s', (_what, value, cases, active) => {
    expect(live(value, cases).active).toBe(active);
  });

  it('stores and sends nothing while there are too few confirmed cases to judge', () => {
    expect(run([], [live(0.5, 29)], T0, liveRules)).toEqual({ states: [], notifications: [] });
  });

  it('keeps one live recall alert across model versions: same fingerprint, repeat timing, latest version', () => {
    const first = run([], [live(0.8, 42, 3)], T0, liveRules);
    const newVersion = run(first.states, [live(0.85, 35, 4)], at.plus1m, liveRules);
    expect(newVersion.notifications).toEqual([]);
    expect(newVersion.states).toHaveLength(1);
    expect(newVersion.states[0]).toMatchObject({ fingerprint: liveFingerprint, startsAt: T0, annotations: { model_version: '4', value: '0.85' } });
    const reminded = run(newVersion.states, [live(0.85, 36, 4)], at.plus4h, liveRules);
    expect(reminded.notifications.map((n) => [n.reason, n.alert.annotations.model_version])).toEqual([['repeat', '4']]);
  });

  it('resolves live recall as recovered when the value reaches the threshold', () => {
    const first = run([], [live(0.8, 42)], T0, liveRules);
    const { notifications } = run(first.states, [live(0.93, 45)], at.plus5h, liveRules);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({ reason: 'resolved', alert: { status: 'resolved', endsAt: at.plus5h, annotations: { value: '0.93', resolution: 'recovered' } } });
  });

  it('resolves live recall as "too few cases" when the evidence falls below minCases, and fires again with enough', () => {
    const first = run([], [live(0.8, 42, 3)], T0, liveRules);
    // A new version starts serving: its window holds only a few confirmed cases, all of them missed.
    const tooFew = run(first.states, [live(0.5, 12, 4)], at.plus1m, liveRules);
    expect(tooFew.notifications.map((n) => [n.reason, n.alert.annotations.resolution, n.alert.annotations.confirmed_positives])).toEqual([['resolved', 'too_few_cases', '12']]);
    const quiet = run(tooFew.states, [live(0.5, 20, 4)], at.plus5h, liveRules);
    expect(quiet.notifications).toEqual([]);
    const again = run(quiet.states, [live(0.7, 30, 4)], at.plus8h, liveRules);
    expect(again.notifications).toHaveLength(1);
    expect(again.notifications[0]).toMatchObject({ reason: 'new', fingerprint: liveFingerprint, alert: { startsAt: at.plus8h, endsAt: null } });
    expect(again.notifications[0].alert.annotations).not.toHaveProperty('resolution');
  });

  it('keeps live recall and the evaluation-time recall alert apart', () => {
    const offline = run([], [low], T0);
    const both = run(offline.states, [live(0.8, 42)], at.plus1m, liveRules);
    expect(both.states.map((s) => s.name)).toEqual(['recall_below_threshold', 'live_recall_below_threshold']);
    expect(both.states[0]).toBe(offline.states[0]);
    expect(both.states[1].fingerprint).not.toBe(offline.states[0].fingerprint);
  });

  const features = Array.from({ length: 12 }, (_, i) => `feature_${i + 1}`);
  const drift = (driftedFeatures: readonly string[], nFeatures = 30) =>
    driftCondition({
      driftedShare: driftedFeatures.length / nFeatures,
      driftShare: 0.3,
      driftedFeatures,
      nFeatures,
      nRecent: 200,
      window: 'last 30 days',
      modelVersion: 3,
      topFeatures: [
        { feature: 'feature_1', pAdjusted: 1.2e-7, psi: 0.41 },
        { feature: 'feature_2', pAdjusted: 0.0003, psi: 0.35 },
      ],
    });
  const driftRules = ['data_drift'] as const;
  const driftFingerprint = fingerprint({ alertname: 'data_drift' });

  it('fires one drift alert with no labels when the drifted share exceeds driftShare', () => {
    const { states, notifications } = run([], [drift(features)], T0, driftRules);
    expect(states).toEqual([
      {
        fingerprint: driftFingerprint,
        name: 'data_drift',
        labels: { alertname: 'data_drift' },
        annotations: {
          drifted_share: '0.4',
          drift_share: '0.3',
          drifted_count: '12',
          n_features: '30',
          n_recent: '200',
          window: 'last 30 days',
          model_version: '3',
          drifted_features: 'feature_1, feature_2, feature_3, feature_4, feature_5, feature_6, feature_7, feature_8, feature_9, feature_10 and 2 more',
          alpha: '0.05',
          top_features: '[{"feature":"feature_1","p_adjusted":1.2e-7,"psi":0.41},{"feature":"feature_2","p_adjusted":0.0003,"psi":0.35}]',
        },
        status: 'firing',
        startsAt: T0,
        endsAt: null,
        lastNotifiedAt: T0,
      },
    ]);
    expect(notifications.map((n) => n.reason)).toEqual(['new']);
  });

  it.each([
    ['a share above driftShare', 10, true],
    ['a share equal to driftShare', 9, false],
    ['a share below driftShare', 2, false],
  ])('with %s, drift is active: %s', (_what, count, active) => {
    expect(drift(features.slice(0, count)).active).toBe(active);
  });

  it('does not fire drift without features to compare (NaN share)', () => {
    expect(driftCondition({ driftedShare: NaN, driftShare: 0.3, driftedFeatures: [], nFeatures: 0, nRecent: 0, window: 'last 30 days', modelVersion: 3 }).active).toBe(false);
  });

  it('lists every drifted feature up to the limit, and keeps the first top features only', () => {
    const names = features.slice(0, MAX_LISTED_FEATURES);
    expect(drift(names).annotations.drifted_features).toBe(names.join(', '));
    expect(drift([]).annotations.drifted_features).toBe('');
    const many = Array.from({ length: MAX_TOP_FEATURES + 3 }, (_, i) => ({ feature: `f${i}`, pAdjusted: 0.01, psi: 1 - i / 10 }));
    const condition = driftCondition({ driftedShare: 0.5, driftShare: 0.3, driftedFeatures: [], nFeatures: 30, nRecent: 200, window: 'w', modelVersion: 3, topFeatures: many, alpha: 0.01 });
    const top = JSON.parse(condition.annotations.top_features) as { feature: string }[];
    expect(top.map((f) => f.feature)).toEqual(many.slice(0, MAX_TOP_FEATURES).map((f) => f.feature));
    expect(condition.annotations.alpha).toBe('0.01');
    expect(drift(features.slice(0, 1)).annotations).toHaveProperty('top_features');
    expect(driftCondition({ driftedShare: 0, driftShare: 0.3, driftedFeatures: [], nFeatures: 30, nRecent: 200, window: 'w', modelVersion: 3 }).annotations).not.toHaveProperty('top_features');
  });

  it('repeats drift as the same alert while the drifted features change, and resolves it when the share falls', () => {
    const first = run([], [drift(features)], T0, driftRules);
    const other = run(first.states, [drift(['feature_20', ...features.slice(0, 11)])], at.plus1m, driftRules);
    expect(other.notifications).toEqual([]);
    expect(other.states[0]).toMatchObject({ fingerprint: driftFingerprint, annotations: { drifted_features: expect.stringMatching(/^feature_20, /) as unknown } });
    const reminded = run(other.states, [drift(features)], at.plus4h, driftRules);
    expect(reminded.notifications.map((n) => n.reason)).toEqual(['repeat']);
    const calm = run(reminded.states, [drift(features.slice(0, 2))], at.plus5h, driftRules);
    expect(calm.notifications).toHaveLength(1);
    expect(calm.notifications[0]).toMatchObject({ reason: 'resolved', alert: { status: 'resolved', endsAt: at.plus5h, annotations: { drifted_count: '2' } } });
  });

  it('names every alert once, and knows its own names', () => {
    expect(new Set(ALERT_NAMES).size).toBe(ALERT_NAMES.length);
    expect(ALERT_NAMES).toEqual(expect.arrayContaining(['live_recall_below_threshold', 'data_drift']));
    expect(ALERT_NAMES.every(isAlertName)).toBe(true);
    expect(isAlertName('drift')).toBe(false);
  });
});

describe('reviewFiring', () => {
  const options = { repeatIntervalMs: REPEAT, eventTtlMs: 24 * HOUR };
  const rejection = modelRejectedCondition({ modelVersion: 5, reason: 'recall too low', activeVersion: 3 });

  it('repeats a firing condition once its interval has passed, and an event never', () => {
    const recall = run([], [low], T0);
    const both = run(recall.states, [rejection], T0, ['model_rejected']);
    expect(reviewFiring(both.states, at.plus3h59m, options).notifications).toEqual([]);
    const review = reviewFiring(both.states, at.plus4h, options);
    expect(review.notifications.map((n) => [n.alert.name, n.reason])).toEqual([['recall_below_threshold', 'repeat']]);
    expect(review.states[1]).toEqual(both.states[1]);
  });

  it('closes an event once alerts.eventTtl has passed since it fired, keeping what it said', () => {
    const fired = run([], [rejection], T0, ['model_rejected']);
    expect(reviewFiring(fired.states, '2024-05-02T11:59:59.999Z', options).notifications).toEqual([]);
    const expired = reviewFiring(fired.states, '2024-05-02T12:00:00.000Z', options);
    expect(expired.notifications).toHaveLength(1);
    expect(expired.notifications[0]).toMatchObject({ reason: 'resolved', alert: { status: 'resolved', endsAt: '2024-05-02T12:00:00.000Z', annotations: { model_version: '5', reason: 'recall too low', resolution: 'expired' } } });
    expect(reviewFiring(expired.states, '2024-05-03T12:00:00.000Z', options).notifications).toEqual([]);
  });

  it('refuses a TTL that is not a positive duration', () => {
    expect(() => reviewFiring([], T0, { ...options, eventTtlMs: 0 })).toThrow(AlertLifecycleError);
  });
});

describe('silences in the lifecycle', () => {
  const silence = (matchers: Silence['matchers'], endsAt = at.plus5h): Silence => ({ id: 7, matchers, startsAt: T0, endsAt, createdBy: 'admin', createdAt: T0, reason: 'maintenance' });
  const recallMuted = silence([{ name: 'alertname', value: 'recall_below_threshold', isRegex: false, isEqual: true }]);
  const mute = (previous: readonly AlertState[], conditions: readonly AlertCondition[], now: string, silences: readonly Silence[], rules: Parameters<typeof evaluateAlerts>[4] = ['recall_below_threshold']) =>
    evaluateAlerts(previous, conditions, now, REPEAT, rules, silences);

  it('fires a matching alert without notifying it, and notifies it once the silence has ended', () => {
    const fired = mute([], [low], T0, [recallMuted]);
    expect(fired.notifications).toEqual([]);
    expect(fired.states[0]).toMatchObject({ status: 'firing', startsAt: T0, lastNotifiedAt: null });
    // Still silenced: every evaluation finds it due, and mutes it again.
    const during = mute(fired.states, [low], at.plus4h, [recallMuted]);
    expect(during.notifications).toEqual([]);
    expect(during.states[0].lastNotifiedAt).toBeNull();
    const after = mute(during.states, [low], at.plus5h, [recallMuted]);
    expect(after.notifications.map((n) => n.reason)).toEqual(['repeat']);
    expect(after.states[0].lastNotifiedAt).toBe(at.plus5h);
  });

  it('mutes a repeat and a resolution, keeping the time of the last notice really sent', () => {
    const fired = run([], [low], T0);
    const repeat = mute(fired.states, [low], at.plus4h, [silence(recallMuted.matchers, at.plus9h)]);
    expect(repeat.notifications).toEqual([]);
    expect(repeat.states[0].lastNotifiedAt).toBe(T0);
    const resolved = mute(repeat.states, [ok], at.plus5h, [silence(recallMuted.matchers, at.plus9h)]);
    expect(resolved.notifications).toEqual([]);
    expect(resolved.states[0]).toMatchObject({ status: 'resolved', endsAt: at.plus5h, lastNotifiedAt: T0 });
  });

  it('leaves alerts that no matcher selects alone, and never sends a muted event later', () => {
    const rejection = modelRejectedCondition({ modelVersion: 5, reason: 'recall too low' });
    const onlyV6 = silence([
      { name: 'alertname', value: 'model_rejected', isRegex: false, isEqual: true },
      { name: 'model_version', value: '6', isRegex: false, isEqual: true },
    ]);
    expect(mute([], [rejection], T0, [onlyV6], ['model_rejected']).notifications).toHaveLength(1);
    const muted = mute([], [rejection], T0, [silence([{ name: 'alertname', value: 'model_.*', isRegex: true, isEqual: true }])], ['model_rejected']);
    expect(muted.notifications).toEqual([]);
    expect(mute(muted.states, [rejection], at.plus9h, [], ['model_rejected']).notifications).toEqual([]);
  });

  it('ignores a silence that has expired', () => {
    expect(mute([], [low], at.plus5h, [recallMuted]).notifications.map((n) => n.reason)).toEqual(['new']);
  });
});

describe('fingerprint', () => {
  it('is FNV-1a 64 (published test vectors)', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(fnv1a64Hex(bytes(''))).toBe('cbf29ce484222325');
    expect(fnv1a64Hex(bytes('a'))).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex(bytes('foobar'))).toBe('85944171f73967e8');
  });

  it('depends on the label set, not on its order', () => {
    const fp = fingerprint({ alertname: 'recall_below_threshold', metric: 'recall' });
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint({ metric: 'recall', alertname: 'recall_below_threshold' })).toBe(fp);
    expect(fingerprint({ alertname: 'recall_below_threshold', metric: 'recall_macro' })).not.toBe(fp);
  });

  it('is pinned, so stored fingerprints stay valid across releases', () => {
    // Changing the hash would re-notify every stored alert as new: this value must not change.
    expect(fingerprint({ alertname: 'recall_below_threshold', metric: 'recall' })).toBe(PINNED_RECALL_FINGERPRINT);
  });

  it('cannot be confused by separators inside names or values', () => {
    expect(fingerprint({ a: 'b,c=d' })).not.toBe(fingerprint({ a: 'b', c: 'd' }));
    expect(fingerprint({ ab: 'c' })).not.toBe(fingerprint({ a: 'bc' }));
  });
});

/** Computed independently (Python, FNV-1a 64 over b'alertname\xffrecall_below_threshold\xffmetric\xffrecall\xff'). */
const PINNED_RECALL_FINGERPRINT = '9b65ca11833018a4';
