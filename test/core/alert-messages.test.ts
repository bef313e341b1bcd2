import { describe, expect, it } from 'vitest';
import type { AlertCondition, AlertName, Notification } from '../../src/core/alerts/alert.js';
import { jobFailedCondition, jobSucceededCondition, modelRejectedCondition, modelRejectionClearedCondition, recallCondition } from '../../src/core/alerts/alert.js';
import { evaluateAlerts } from '../../src/core/alerts/alert-lifecycle.js';
import { ALERTMANAGER_ZERO_TIME, AlertMessageError, alertmanagerWebhookPayload, alertSummary, emailMessage, logLine } from '../../src/core/alerts/alert-messages.js';

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
    const [firing, resolved] = notices(rejected, modelRejectionClearedCondition({ modelVersion: 6, how: 'promoted' }));
    const email = emailMessage(firing, { serviceName: 'mloop' });
    expect(email.subject).toBe('[mloop] FIRING: model v5 rejected by the promotion gate: recall 0.85 is below the threshold 0.9');
    expect(unwrapped(email.text)).toContain('did not pass the promotion gate and was not put into service. Model v3 keeps serving predictions.');
    expect(email.text).toContain('  Reason:        recall 0.85 is below the threshold 0.9\n');
    expect(email.text).toContain('  Data snapshot: #13\n');
    expect(emailMessage(resolved, { serviceName: 'mloop' }).subject).toBe('[mloop] RESOLVED: model v6 promoted by an administrator, the earlier rejection is cleared');
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
