import { describe, expect, it } from 'vitest';
import type { AlertCondition, AlertName, Notification } from '../../src/core/alerts/alert.js';
import {
  closeRejections,
  driftCondition,
  jobFailedCondition,
  jobSucceededCondition,
  liveRecallCondition,
  modelRejectedCondition,
  recallCondition,
} from '../../src/core/alerts/alert.js';
import type { RejectionResolution } from '../../src/core/alerts/alert.js';
import { evaluateAlerts } from '../../src/core/alerts/alert-lifecycle.js';
import { ALERTMANAGER_ZERO_TIME, AlertMessageError, alertmanagerWebhookPayload, emailMessage, logLine } from '../../src/core/alerts/alert-messages.js';
import { alertSummary } from '../../src/core/alerts/alert-wording.js';

const T0 = '2024-05-01T12:00:00.000Z';
const T1 = '2024-05-01T13:30:00.000Z';
const T2 = '2024-05-01T16:45:00.000Z';
const REPEAT = 60 * 60_000;
const URL = 'https://mloop.example.org/';

const low = recallCondition({ metric: 'recall', value: 0.8333333333333334, threshold: 0.9, modelVersion: 3, snapshotId: 12, positiveClass: 'M' });
const ok = recallCondition({ metric: 'recall', value: 0.95, threshold: 0.9, modelVersion: 4, snapshotId: 13, positiveClass: 'M' });

/** The prose paragraphs with the 78-column wrapping undone. */
function unwrapped(text: string): string {
  return text.replace(/(?<=\S)\n(?=\S)/g, ' ');
}

/** The notifications of firing `first` at T0, then evaluating `then` at T1 (and T2, for a repeat). */
function notices(first: AlertCondition, then: AlertCondition | null = null): Notification[] {
  const rules: AlertName[] = [first.name];
  const fired = evaluateAlerts([], [first], T0, REPEAT, rules);
  if (then === null) return [...fired.notifications];
  const next = evaluateAlerts(fired.states, [then], T1, REPEAT, rules);
  return [...fired.notifications, ...next.notifications];
}

describe('emailMessage', () => {
  it('says what happened to recall in words, with every fact and the dashboard link', () => {
    const [firing] = notices(low);
    const { subject, text } = emailMessage(firing, { serviceName: 'mloop', publicUrl: URL });
    expect(subject).toBe('[mloop] FIRING: recall of M below threshold (0.833 < 0.9), model v3');
    expect(unwrapped(text)).toContain('On data snapshot #12, model v3 detected 83.3% of the actual M cases; the required minimum is 90%.');
    expect(text).toContain('  Metric:        recall (share of actual M cases the model detects)\n');
    expect(text).toContain('  Value:         0.833 (83.3%)\n');
    expect(text).toContain('  Threshold:     0.9 (90%)\n');
    expect(text).toContain('  Model version: v3\n');
    expect(text).toContain('  Data snapshot: #12\n');
    expect(text).toContain('  Started:       2024-05-01 12:00:00 UTC\n');
    expect(text).toContain(`  Dashboard:     ${URL}\n`);
    expect(text).toContain('fingerprint ' + firing.fingerprint);
    expect(text.split('\n').every((line) => line.length <= 78)).toBe(true);
  });

  it('has no dashboard line without a public URL', () => {
    const { text } = emailMessage(notices(low)[0], { serviceName: 'mloop' });
    expect(text).not.toContain('Dashboard');
  });

  it('says a resolved recall alert is back above the threshold, with the current values and both times', () => {
    const [, resolved] = notices(low, ok);
    const { subject, text } = emailMessage(resolved, { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] RESOLVED: recall of M back at or above threshold (0.95 >= 0.9), model v4');
    expect(text).toContain('  Model version: v4\n');
    expect(text).toContain('  Data snapshot: #13\n');
    expect(text).toContain('  Started:       2024-05-01 12:00:00 UTC\n');
    expect(text).toContain('  Resolved:      2024-05-01 13:30:00 UTC\n');
    expect(text).toContain('No action is needed');
  });

  it('marks a repeat as a reminder with the time it started', () => {
    const fired = evaluateAlerts([], [low], T0, REPEAT, ['recall_below_threshold']);
    const [repeat] = evaluateAlerts(fired.states, [low], T2, REPEAT, ['recall_below_threshold']).notifications;
    expect(repeat.reason).toBe('repeat');
    const { subject, text } = emailMessage(repeat, { serviceName: 'mloop' });
    expect(subject).toMatch(/^\[mloop\] FIRING: /);
    expect(text).toContain('Firing since:  2024-05-01 12:00:00 UTC');
    expect(text).toContain('Reminder sent: 2024-05-01 16:45:00 UTC');
    expect(text).toContain('This alert is still firing.');
  });

  it('names macro recall as the average over classes', () => {
    const macro = recallCondition({ metric: 'recall_macro', value: 0.87, threshold: 0.9, modelVersion: 2, snapshotId: 5 });
    const { subject, text } = emailMessage(notices(macro)[0], { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] FIRING: recall_macro below threshold (0.87 < 0.9), model v2');
    expect(unwrapped(text)).toContain('detected on average 87% of the actual cases of each class');
  });

  it('never rounds a value to look equal to its threshold', () => {
    const close = recallCondition({ metric: 'recall', value: 0.8996, threshold: 0.9, modelVersion: 3, snapshotId: 12 });
    expect(emailMessage(notices(close)[0], { serviceName: 'mloop' }).subject).toBe('[mloop] FIRING: recall below threshold (0.8996 < 0.9), model v3');
  });

  it('explains a rejected model and which model keeps serving', () => {
    const rejected = modelRejectedCondition({ modelVersion: 5, reason: 'recall 0.85 is below the threshold 0.9', snapshotId: 13, activeVersion: 3 });
    const [firing] = notices(rejected);
    const email = emailMessage(firing, { serviceName: 'mloop' });
    expect(email.subject).toBe('[mloop] FIRING: model v5 rejected by the promotion gate: recall 0.85 is below the threshold 0.9');
    expect(unwrapped(email.text)).toContain('did not pass the promotion gate and was not put into service. Model v3 keeps serving predictions.');
    expect(email.text).toContain('  Reason:        recall 0.85 is below the threshold 0.9\n');
    expect(email.text).toContain('  Data snapshot: #13\n');
  });

  it('says how a rejection closed, naming the rejected version and the one that closed it', () => {
    const fired = evaluateAlerts([], [modelRejectedCondition({ modelVersion: 5, reason: 'recall 0.85 is below the threshold 0.9', activeVersion: 3 })], T0, REPEAT, ['model_rejected']);
    const closed = (how: RejectionResolution, by?: number) => {
      const [notice] = evaluateAlerts(fired.states, closeRejections(fired.states, how, by), T1, REPEAT, ['model_rejected']).notifications;
      return emailMessage(notice, { serviceName: 'mloop' });
    };
    expect(closed('promoted', 6).subject).toBe('[mloop] RESOLVED: model v6 promoted by an administrator, the rejection of v5 is cleared');
    expect(closed('passed_gate', 6).subject).toBe('[mloop] RESOLVED: model v6 passed the promotion gate, the rejection of v5 is cleared');
    expect(closed('superseded', 6).subject).toBe('[mloop] RESOLVED: the rejection of v5 is closed: the next training (model v6) was rejected too');
    expect(unwrapped(closed('superseded', 6).text)).toContain('The next training produced model v6, which the promotion gate rejected too');
    expect(closed('expired').subject).toBe('[mloop] RESOLVED: the rejection of v5 is closed: alerts.eventTtl has passed');
    expect(unwrapped(closed('expired').text)).toContain('A rejection is an event: its alert closes on its own once alerts.eventTtl has passed. Model v5 was not put into service.');
  });

  it('explains a failed job with its last error', () => {
    const [firing, resolved] = notices(jobFailedCondition({ job: 'update', error: 'cannot fetch https://data.example.org/wdbc.csv: HTTP 503', attempts: 3, runId: 42 }), jobSucceededCondition({ job: 'update', runId: 43 }));
    const email = emailMessage(firing, { serviceName: 'mloop' });
    expect(email.subject).toBe('[mloop] FIRING: scheduled job "update" failed after 3 attempts');
    expect(email.text).toContain('  Last error: cannot fetch https://data.example.org/wdbc.csv: HTTP 503\n');
    expect(email.text).toContain('  Run:        #42\n');
    expect(emailMessage(resolved, { serviceName: 'mloop' }).subject).toBe('[mloop] RESOLVED: scheduled job "update" succeeded again');
  });
});

describe('alertmanagerWebhookPayload', () => {
  it('matches Alertmanager’s webhook format (version 4) field by field for a firing alert', () => {
    const [firing] = notices(low);
    const payload = alertmanagerWebhookPayload([firing], { receiver: 'mloop-webhook', externalUrl: URL });
    const annotations = {
      summary: 'recall of M below threshold (0.833 < 0.9), model v3',
      description: 'The model in service misses more cases than allowed. On data snapshot #12, model v3 detected 83.3% of the actual M cases; the required minimum is 90%.',
      value: '0.8333333333333334',
      threshold: '0.9',
      model_version: '3',
      snapshot_id: '12',
      positive_class: 'M',
    };
    expect(payload).toStrictEqual({
      version: '4',
      groupKey: '{}:{alertname="recall_below_threshold"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'mloop-webhook',
      groupLabels: { alertname: 'recall_below_threshold' },
      commonLabels: { alertname: 'recall_below_threshold', metric: 'recall' },
      commonAnnotations: annotations,
      externalURL: URL,
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'recall_below_threshold', metric: 'recall' },
          annotations,
          startsAt: T0,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: URL,
          fingerprint: firing.fingerprint,
        },
      ],
    });
    // The wire form: what a receiver parses.
    expect(Object.keys(JSON.parse(JSON.stringify(payload)) as object)).toEqual([
      'version', 'groupKey', 'truncatedAlerts', 'status', 'receiver', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'alerts',
    ]);
  });

  it('sends endsAt for a resolved alert and keeps the same group key', () => {
    const [firing, resolved] = notices(low, ok);
    const payload = alertmanagerWebhookPayload([resolved], { receiver: 'r' });
    expect(payload.status).toBe('resolved');
    expect(payload.groupKey).toBe(alertmanagerWebhookPayload([firing], { receiver: 'r' }).groupKey);
    expect(payload.alerts[0]).toMatchObject({ status: 'resolved', startsAt: T0, endsAt: T1, fingerprint: firing.fingerprint, generatorURL: '' });
    expect(payload.externalURL).toBe('');
    expect(ALERTMANAGER_ZERO_TIME).toBe('0001-01-01T00:00:00Z');
  });

  it('groups several notifications: common labels and annotations only where all agree, firing if any fires', () => {
    const [firingRecall, resolvedRecall] = notices(low, ok);
    const [macro] = notices(recallCondition({ metric: 'recall_macro', value: 0.5, threshold: 0.9, modelVersion: 3, snapshotId: 12 }));
    const payload = alertmanagerWebhookPayload([resolvedRecall, macro], { receiver: 'r' });
    expect(payload.status).toBe('firing');
    expect(payload.groupLabels).toEqual({ alertname: 'recall_below_threshold' });
    expect(payload.commonLabels).toEqual({ alertname: 'recall_below_threshold' });
    expect(payload.commonAnnotations).toEqual({ threshold: '0.9' });
    expect(payload.alerts.map((a) => a.status)).toEqual(['resolved', 'firing']);

    const [job] = notices(jobFailedCondition({ job: 'check', error: 'x', attempts: 1 }));
    const mixed = alertmanagerWebhookPayload([firingRecall, job], { receiver: 'r' });
    expect(mixed.groupLabels).toEqual({});
    expect(mixed.groupKey).toBe('{}:{}');
    expect(mixed.commonLabels).toEqual({});
  });

  it('lets an alert’s own summary annotation win', () => {
    const [n] = notices({ name: 'job_failed', labels: { job: 'train' }, annotations: { summary: 'custom' }, active: true });
    expect(alertmanagerWebhookPayload([n], { receiver: 'r' }).alerts[0].annotations.summary).toBe('custom');
  });

  it('refuses an empty group', () => {
    expect(() => alertmanagerWebhookPayload([], { receiver: 'r' })).toThrow(AlertMessageError);
  });
});

describe('logLine and alertSummary', () => {
  it('puts status, reason, summary, labels and fingerprint on one line', () => {
    const [firing, resolved] = notices(low, ok);
    expect(logLine(firing)).toBe(`alert firing (new): recall of M below threshold (0.833 < 0.9), model v3 [alertname="recall_below_threshold" metric="recall" fingerprint=${firing.fingerprint}]`);
    expect(logLine(resolved)).toContain('alert resolved (resolved): recall of M back at or above threshold');
    expect(logLine(firing)).not.toContain('\n');
  });

  it('says a recall alert resolved by absence is no longer monitored', () => {
    const fired = evaluateAlerts([], [low], T0, REPEAT, ['recall_below_threshold']);
    const [gone] = evaluateAlerts(fired.states, [], T1, REPEAT, ['recall_below_threshold']).notifications;
    expect(alertSummary(gone.alert)).toBe('recall of M no longer monitored (last 0.833 < 0.9), model v3');
  });
});

const live = (value: number, confirmedPositives: number, modelVersion = 3) =>
  liveRecallCondition({ metric: 'recall', value, threshold: 0.9, modelVersion, confirmedPositives, minCases: 30, window: 'last 30 days', positiveClass: 'M', positiveClassName: 'malignant' });
const liveLow = live(0.8095238095238095, 42);

const driftedFeatures = ['worst area', 'worst radius', 'mean texture', 'worst perimeter', 'mean area', 'mean radius', 'area error', 'mean perimeter', 'worst texture', 'radius error', 'perimeter error', 'mean concavity'];
const drift = driftCondition({
  driftedShare: 0.4,
  driftShare: 0.3,
  driftedFeatures,
  nFeatures: 30,
  nRecent: 200,
  window: 'last 30 days',
  modelVersion: 3,
  topFeatures: [
    { feature: 'worst area', pAdjusted: 1.2e-7, psi: 0.412 },
    { feature: 'worst radius', pAdjusted: 0.00031, psi: 0.35 },
    { feature: 'mean texture', pAdjusted: 0.012, psi: 0.221 },
  ],
  psiMajor: 0.2,
});
const calm = driftCondition({ driftedShare: 2 / 30, driftShare: 0.3, driftedFeatures: ['worst area', 'mean texture'], nFeatures: 30, nRecent: 240, window: 'last 30 days', modelVersion: 3 });

describe('live recall messages', () => {
  it('says in words how much of the confirmed malignant cases the model found, on how many cases, with every fact', () => {
    const [firing] = notices(liveLow);
    const { subject, text } = emailMessage(firing, { serviceName: 'mloop', publicUrl: URL });
    expect(subject).toBe('[mloop] FIRING: live recall of malignant (M) below threshold (0.81 < 0.9 on 42 confirmed cases, last 30 days), model v3');
    expect(unwrapped(text)).toContain(
      'In live use, the model misses more malignant (M) cases than allowed. Of the 42 cases confirmed as malignant (M) in the window (last 30 days), ' +
        'model v3 had predicted 81% as malignant (M); the required minimum is 90%.',
    );
    expect(text).toContain('  Metric:          live recall of malignant (M) on confirmed diagnoses\n');
    expect(text).toContain('  Value:           0.81 (81%)\n');
    expect(text).toContain('  Threshold:       0.9 (90%)\n');
    expect(text).toContain('  Confirmed cases: 42 malignant (M), at least 30 needed\n');
    expect(text).toContain('  Window:          last 30 days\n');
    expect(text).toContain('  Model version:   v3\n');
    expect(text).toContain('  Started:         2024-05-01 12:00:00 UTC\n');
    expect(text).toContain(`  Dashboard:       ${URL}\n`);
    expect(unwrapped(text)).toContain('Review the confirmed malignant (M) cases the model missed');
    expect(text).toContain('alert live_recall_below_threshold, fingerprint ' + firing.fingerprint);
    expect(text.split('\n').every((line) => line.length <= 78)).toBe(true);
  });

  it('says a resolved live recall alert recovered, with the current values', () => {
    const [, resolved] = notices(liveLow, live(0.9333333333333333, 45));
    const { subject, text } = emailMessage(resolved, { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] RESOLVED: live recall of malignant (M) back at or above threshold (0.933 >= 0.9 on 45 confirmed cases, last 30 days), model v3');
    expect(unwrapped(text)).toContain('In live use, the model meets the threshold again. Of the 45 cases confirmed as malignant (M)');
    expect(text).toContain('  Resolved:        2024-05-01 13:30:00 UTC\n');
    expect(text).toContain('No action is needed for this alert any more.');
  });

  it('says a live recall alert resolved for lack of confirmed cases is not judged, rather than recovered', () => {
    const [, resolved] = notices(liveLow, live(0.75, 12, 4));
    const { subject, text } = emailMessage(resolved, { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] RESOLVED: live recall of malignant (M): not enough confirmed cases to judge (12 of the 30 needed, last 30 days), model v4');
    expect(unwrapped(text)).toContain('the window (last 30 days) holds 12 cases confirmed as malignant (M) for model v4, and at least 30 are needed.');
    expect(unwrapped(text)).toContain('This does not show that the model has improved');
    expect(text).toContain('  Value:           0.75 (75%), not judged: too few confirmed cases\n');
    expect(text).toContain('  Confirmed cases: 12 malignant (M), at least 30 needed\n');
    expect(unwrapped(text)).toContain('live recall is judged again once enough cases are confirmed.');
    expect(text).not.toContain('No action is needed for this alert any more.');
    expect(emailMessage(notices(liveLow, live(NaN, 0, 4))[1], { serviceName: 'mloop' }).text).toContain(
      '  Value:           none (no confirmed case to measure on), not judged: too few confirmed cases\n',
    );
  });

  it('says a live recall alert resolved by absence is no longer monitored', () => {
    const fired = evaluateAlerts([], [liveLow], T0, REPEAT, ['live_recall_below_threshold']);
    const [gone] = evaluateAlerts(fired.states, [], T1, REPEAT, ['live_recall_below_threshold']).notifications;
    expect(alertSummary(gone.alert)).toBe('live recall of malignant (M) no longer monitored (last 0.81 < 0.9), model v3');
  });

  it('names the label alone without a class name, and macro recall as the mean over classes', () => {
    const plain = liveRecallCondition({ metric: 'recall', value: 0.5, threshold: 0.9, modelVersion: 2, confirmedPositives: 31, minCases: 30, window: 'last 200 confirmed cases', positiveClass: 'M' });
    expect(alertSummary(notices(plain)[0].alert)).toBe('live recall of M below threshold (0.5 < 0.9 on 31 confirmed cases, last 200 confirmed cases), model v2');
    const macro = liveRecallCondition({ metric: 'recall_macro', value: 0.87, threshold: 0.9, modelVersion: 2, confirmedPositives: 1, minCases: 1, window: 'last 30 days', positiveClass: 'M' });
    const { subject, text } = emailMessage(notices(macro)[0], { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] FIRING: live recall_macro below threshold (0.87 < 0.9 on 1 confirmed case, last 30 days), model v2');
    expect(unwrapped(text)).toContain('model v2 had predicted on average 87% of each class correctly, with 1 confirmed case of M among them');
    expect(text).toContain('  Metric:          live recall_macro (mean of the per-class recalls)\n');
  });

  it('sends Alertmanager’s payload with the live recall annotations and the summary', () => {
    const [firing] = notices(liveLow);
    const payload = alertmanagerWebhookPayload([firing], { receiver: 'r', externalUrl: URL });
    expect(payload.groupKey).toBe('{}:{alertname="live_recall_below_threshold"}');
    expect(payload.alerts[0]).toStrictEqual({
      status: 'firing',
      labels: { alertname: 'live_recall_below_threshold', metric: 'recall' },
      annotations: {
        summary: 'live recall of malignant (M) below threshold (0.81 < 0.9 on 42 confirmed cases, last 30 days), model v3',
        description:
          'In live use, the model misses more malignant (M) cases than allowed. Of the 42 cases confirmed as malignant (M) in the window (last 30 days), ' +
          'model v3 had predicted 81% as malignant (M); the required minimum is 90%.',
        value: '0.8095238095238095',
        threshold: '0.9',
        model_version: '3',
        confirmed_positives: '42',
        min_cases: '30',
        window: 'last 30 days',
        positive_class: 'M',
        positive_class_name: 'malignant',
      },
      startsAt: T0,
      endsAt: ALERTMANAGER_ZERO_TIME,
      generatorURL: URL,
      fingerprint: firing.fingerprint,
    });
    const [, resolved] = notices(liveLow, live(0.5, 3));
    expect(alertmanagerWebhookPayload([resolved], { receiver: 'r' }).alerts[0]).toMatchObject({ status: 'resolved', endsAt: T1, annotations: { resolution: 'too_few_cases' } });
    expect(logLine(resolved)).toBe(
      `alert resolved (resolved): live recall of malignant (M): not enough confirmed cases to judge (3 of the 30 needed, last 30 days), model v3 [alertname="live_recall_below_threshold" metric="recall" fingerprint=${resolved.fingerprint}]`,
    );
  });
});

describe('drift messages', () => {
  it('says how many features drifted, by which test, against which threshold, and lists the most drifted with PSI', () => {
    const [firing] = notices(drift);
    const { subject, text } = emailMessage(firing, { serviceName: 'mloop', publicUrl: URL });
    expect(subject).toBe('[mloop] FIRING: input data drift: 12 of 30 features (40%) differ from the training data (KS test, Bonferroni-corrected p < 0.05; threshold 30%)');
    expect(unwrapped(text)).toContain(
      'The recent input data no longer look like the data model v3 was trained on: for 12 of the 30 features (40%), the values of the 200 recent cases (last 30 days) ' +
        'differ from the training values (two-sample Kolmogorov-Smirnov test, p < 0.05 after Bonferroni correction); the alert fires above 30%. ' +
        'The most drifted are worst area (PSI 0.41), worst radius (PSI 0.35) and mean texture (PSI 0.22); ' +
        "the population stability index (PSI) measures how far a feature's values have moved, 0 meaning not at all and 0.2 or more a major shift.",
    );
    const { psi_major: _ignored, ...withoutPsiMajor } = drift.annotations;
    expect(unwrapped(emailMessage(notices({ ...drift, annotations: withoutPsiMajor })[0], { serviceName: 'mloop' }).text)).toContain(
      "(PSI 0.22); the population stability index (PSI) measures how far a feature's values have moved, 0 meaning not at all. A model",
    );
    expect(text).toContain('  Drifted features: 12 of 30 (40%)\n');
    expect(text).toContain('  Threshold:        more than 30% of the features\n');
    expect(text).toContain('  Test:             Kolmogorov-Smirnov, p < 0.05 after Bonferroni correction\n');
    expect(text).toContain('  Recent cases:     200 (last 30 days)\n');
    expect(text).toContain('  Model version:    v3 (its training data is the reference)\n');
    expect(text).toContain(
      '  Most drifted:     worst area: PSI 0.41, p = 1.2e-7\n' + '                    worst radius: PSI 0.35, p = 3.1e-4\n' + '                    mean texture: PSI 0.22, p = 0.012\n',
    );
    expect(text).toContain(
      '  All drifted:      worst area, worst radius, mean texture, worst perimeter,\n' +
        '                    mean area, mean radius, area error, mean perimeter, worst\n' +
        '                    texture, radius error and 2 more\n',
    );
    expect(text).toContain(`  Dashboard:        ${URL}\n`);
    expect(unwrapped(text)).toContain('Check whether the way the measurements are taken, or the patients seen, have changed');
    expect(text.split('\n').every((line) => line.length <= 78)).toBe(true);
  });

  it('says a resolved drift alert cleared, with the current share', () => {
    const [, resolved] = notices(drift, calm);
    const { subject, text } = emailMessage(resolved, { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] RESOLVED: input data drift cleared: 2 of 30 features (6.7%) differ from the training data (KS test, Bonferroni-corrected p < 0.05; threshold 30%)');
    expect(unwrapped(text)).toContain('The recent input data look like the training data of model v3 again: 2 of the 30 features (6.7%) differ');
    expect(text).toContain('  All drifted:      worst area, mean texture\n');
    expect(text).not.toContain('Most drifted');
    expect(text).toContain('No action is needed for this alert any more.');
  });

  it('says a drift alert resolved by absence is no longer monitored', () => {
    const fired = evaluateAlerts([], [drift], T0, REPEAT, ['data_drift']);
    const [gone] = evaluateAlerts(fired.states, [], T1, REPEAT, ['data_drift']).notifications;
    expect(alertSummary(gone.alert)).toBe('input data drift no longer monitored (last 12 of 30 features (40%) differed; threshold 30%)');
  });

  it('shows a top_features annotation that is not the builder’s JSON as it is', () => {
    const [n] = notices({ ...drift, annotations: { ...drift.annotations, top_features: 'worst area, high' } });
    expect(emailMessage(n, { serviceName: 'mloop' }).text).toContain('  Most drifted:     worst area, high\n');
  });

  it('sends Alertmanager’s payload with one drift alert and the drift annotations', () => {
    const [firing] = notices(drift);
    const payload = alertmanagerWebhookPayload([firing], { receiver: 'r' });
    expect(payload).toMatchObject({ groupKey: '{}:{alertname="data_drift"}', groupLabels: { alertname: 'data_drift' }, commonLabels: { alertname: 'data_drift' } });
    const [alert] = payload.alerts;
    expect(alert.labels).toStrictEqual({ alertname: 'data_drift' });
    expect(alert.annotations).toMatchObject({
      summary: 'input data drift: 12 of 30 features (40%) differ from the training data (KS test, Bonferroni-corrected p < 0.05; threshold 30%)',
      drifted_share: '0.4',
      drift_share: '0.3',
      drifted_count: '12',
      n_features: '30',
      n_recent: '200',
      window: 'last 30 days',
      model_version: '3',
      drifted_features: 'worst area, worst radius, mean texture, worst perimeter, mean area, mean radius, area error, mean perimeter, worst texture, radius error and 2 more',
      alpha: '0.05',
      psi_major: '0.2',
    });
    expect(alert.annotations.description).toMatch(/^The recent input data no longer look like the data model v3 was trained on/);
    expect(JSON.parse(alert.annotations.top_features)).toEqual([
      { feature: 'worst area', p_adjusted: 1.2e-7, psi: 0.412 },
      { feature: 'worst radius', p_adjusted: 0.00031, psi: 0.35 },
      { feature: 'mean texture', p_adjusted: 0.012, psi: 0.221 },
    ]);
    expect(Object.keys(alert)).toEqual(['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
    expect(logLine(firing)).toBe(
      `alert firing (new): input data drift: 12 of 30 features (40%) differ from the training data (KS test, Bonferroni-corrected p < 0.05; threshold 30%) [alertname="data_drift" fingerprint=${firing.fingerprint}]`,
    );
  });
});
