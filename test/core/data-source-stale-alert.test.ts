import { describe, expect, it } from 'vitest';
import type { SourceFreshnessCheck } from '../../src/core/alerts/alert.js';
import { dataSourceStaleCondition } from '../../src/core/alerts/alert.js';
import { evaluateAlerts } from '../../src/core/alerts/alert-lifecycle.js';
import { alertmanagerWebhookPayload, emailMessage, logLine } from '../../src/core/alerts/alert-messages.js';

const T0 = '2026-03-04T08:03:01.000Z';
const T1 = '2026-03-05T08:00:31.000Z';
const REPEAT = 4 * 3_600_000;
const expected = 'a successful update before 2 scheduled updates in a row have failed (schedule.update 0 8 * * *, UTC)';

const stale: SourceFreshnessCheck = {
  stale: true,
  lastSuccessAt: '2026-03-02T08:00:40.000Z',
  firstAttemptAt: '2026-02-01T09:00:00.000Z',
  staleAfter: '2026-03-04T08:03:00.000Z',
  expected,
  lastError: 'http://data.example.org/wdbc.csv answered HTTP 503 Service Unavailable',
};
const fresh: SourceFreshnessCheck = { ...stale, stale: false, lastSuccessAt: T1, staleAfter: '2026-03-07T08:03:00.000Z', lastError: null };

/** Fires `first` at T0, then evaluates `then` at T1. */
function notices(first: SourceFreshnessCheck, then?: SourceFreshnessCheck) {
  const fired = evaluateAlerts([], [dataSourceStaleCondition(first)], T0, REPEAT, ['data_source_stale']);
  if (then === undefined) return fired.notifications;
  return [...fired.notifications, ...evaluateAlerts(fired.states, [dataSourceStaleCondition(then)], T1, REPEAT, ['data_source_stale']).notifications];
}

const unwrapped = (text: string) => text.replace(/(?<=\S)\n(?=\S)/g, ' ');

describe('dataSourceStaleCondition', () => {
  it('is one alert without labels, active when stale, with the facts as annotations', () => {
    expect(dataSourceStaleCondition(stale)).toEqual({
      name: 'data_source_stale',
      labels: {},
      annotations: {
        last_success_at: '2026-03-02T08:00:40.000Z',
        stale_after: '2026-03-04T08:03:00.000Z',
        expected,
        last_error: 'http://data.example.org/wdbc.csv answered HTTP 503 Service Unavailable',
      },
      active: true,
    });
    expect(dataSourceStaleCondition(fresh)).toEqual({
      name: 'data_source_stale',
      labels: {},
      annotations: { last_success_at: T1, stale_after: '2026-03-07T08:03:00.000Z', expected },
      active: false,
    });
  });

  it('names the first attempt only when nothing has succeeded, and leaves out what is unknown', () => {
    const never = dataSourceStaleCondition({ stale: true, lastSuccessAt: null, firstAttemptAt: '2026-02-01T09:00:00.000Z', staleAfter: '2026-02-03T08:03:00.000Z', expected });
    expect(never.annotations).toEqual({ first_attempt_at: '2026-02-01T09:00:00.000Z', stale_after: '2026-02-03T08:03:00.000Z', expected });
    const unmonitored = dataSourceStaleCondition({ stale: false, lastSuccessAt: T1, staleAfter: null, expected: null });
    expect(unmonitored).toMatchObject({ annotations: { last_success_at: T1 }, active: false });
    expect(Object.keys(unmonitored.annotations)).toEqual(['last_success_at']);
  });
});

describe('data source messages', () => {
  it('says since when no update succeeded, what was expected and the last error, with a way to see it', () => {
    const [firing] = notices(stale);
    expect(firing).toMatchObject({ status: 'firing', reason: 'new' });
    const { subject, text } = emailMessage(firing, { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] FIRING: no data update has succeeded since 2026-03-02 08:00:40 UTC');
    expect(unwrapped(text)).toContain(
      'The data set has not been read from its source for longer than expected: the last successful update was at 2026-03-02 08:00:40 UTC, ' +
        `and the configuration expects ${expected}. Failed updates keep the previous snapshot, so checks and trainings go on with data that are getting old.`,
    );
    expect(text).toContain('  Last success: 2026-03-02 08:00:40 UTC\n');
    expect(text).toContain('  Expected:     a successful update before 2 scheduled updates in a row\n                have failed (schedule.update 0 8 * * *, UTC)\n');
    expect(text).toContain('  Stale since:  2026-03-04 08:03:00 UTC\n');
    expect(text).toContain('  Last error:   http://data.example.org/wdbc.csv answered HTTP 503 Service Unavailable\n');
    expect(unwrapped(text)).toContain('`mloop update` (or POST /api/v1/data/update) shows the error.');
    expect(text).not.toContain('First attempt');
    expect(text.split('\n').filter((line) => !line.startsWith('  Last error:')).every((line) => line.length <= 78)).toBe(true);
    expect(logLine(firing)).toBe(`alert firing (new): no data update has succeeded since 2026-03-02 08:00:40 UTC [alertname="data_source_stale" fingerprint=${firing.fingerprint}]`);
  });

  it('says when nothing has succeeded yet, counting from the first attempt', () => {
    const [firing] = notices({ ...stale, lastSuccessAt: null });
    const { subject, text } = emailMessage(firing, { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] FIRING: no data update has succeeded yet');
    expect(unwrapped(text)).toContain('no update has succeeded since the first attempt (2026-02-01 09:00:00 UTC)');
    expect(text).toContain('  Last success:  none yet\n');
    expect(text).toContain('  First attempt: 2026-02-01 09:00:00 UTC\n');
  });

  it('says a resolved alert was updated again, without the stale facts', () => {
    const [, resolved] = notices(stale, fresh);
    expect(resolved).toMatchObject({ status: 'resolved', reason: 'resolved' });
    const { subject, text } = emailMessage(resolved, { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] RESOLVED: data source updated again (2026-03-05 08:00:31 UTC)');
    expect(text).toContain('An update read the data source successfully again.');
    expect(text).toContain('  Last success: 2026-03-05 08:00:31 UTC\n');
    expect(text).not.toContain('Stale since');
    expect(text).not.toContain('Last error');
    expect(text).toContain('No action is needed for this alert any more.');
  });

  it('says an alert closed because nothing expects updates any more is no longer monitored', () => {
    const [, closed] = notices(stale, { stale: false, lastSuccessAt: stale.lastSuccessAt, staleAfter: null, expected: null });
    const { subject, text } = emailMessage(closed, { serviceName: 'mloop' });
    expect(subject).toBe('[mloop] RESOLVED: data source freshness no longer monitored');
    expect(unwrapped(text)).toContain('Nothing in the configuration expects updates any more (no monitor.sourceStaleAfter, no update schedule), so the alert is closed.');
  });

  it('sends Alertmanager’s payload with the annotations and the summary', () => {
    const [firing] = notices(stale);
    const payload = alertmanagerWebhookPayload([firing], { receiver: 'mloop' });
    expect(payload).toMatchObject({ status: 'firing', groupKey: '{}:{alertname="data_source_stale"}', commonLabels: { alertname: 'data_source_stale' } });
    expect(payload.alerts[0].annotations).toMatchObject({
      summary: 'no data update has succeeded since 2026-03-02 08:00:40 UTC',
      last_success_at: '2026-03-02T08:00:40.000Z',
      stale_after: '2026-03-04T08:03:00.000Z',
      last_error: stale.lastError,
    });
  });
});
