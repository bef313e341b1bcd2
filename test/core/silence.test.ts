import { describe, expect, it } from 'vitest';
import type { Matcher, Silence } from '../../src/core/alerts/silence.js';
import { matcherProblems, silencedBy, silenceMatchersFor, silenceMatches, silenceState } from '../../src/core/alerts/silence.js';

const eq = (name: string, value: string): Matcher => ({ name, value, isRegex: false, isEqual: true });
const ne = (name: string, value: string): Matcher => ({ name, value, isRegex: false, isEqual: false });
const re = (name: string, value: string): Matcher => ({ name, value, isRegex: true, isEqual: true });
const nre = (name: string, value: string): Matcher => ({ name, value, isRegex: true, isEqual: false });

const jobAlert = { alertname: 'job_failed', job: 'update' };

describe('silenceMatches', () => {
  it('needs every matcher to hold, as Alertmanager does', () => {
    expect(silenceMatches({ matchers: [eq('alertname', 'job_failed'), eq('job', 'update')] }, jobAlert)).toBe(true);
    expect(silenceMatches({ matchers: [eq('alertname', 'job_failed'), eq('job', 'train')] }, jobAlert)).toBe(false);
    expect(silenceMatches({ matchers: [ne('job', 'train')] }, jobAlert)).toBe(true);
    expect(silenceMatches({ matchers: [ne('job', 'update')] }, jobAlert)).toBe(false);
  });

  it('anchors regular expressions at both ends', () => {
    expect(silenceMatches({ matchers: [re('alertname', 'job_.*')] }, jobAlert)).toBe(true);
    expect(silenceMatches({ matchers: [re('alertname', 'job')] }, jobAlert)).toBe(false);
    expect(silenceMatches({ matchers: [re('job', 'update|train')] }, jobAlert)).toBe(true);
    expect(silenceMatches({ matchers: [nre('job', 'up.*')] }, jobAlert)).toBe(false);
  });

  it('reads a label the alert lacks as the empty string', () => {
    expect(silenceMatches({ matchers: [eq('metric', '')] }, jobAlert)).toBe(true);
    expect(silenceMatches({ matchers: [eq('metric', 'recall')] }, jobAlert)).toBe(false);
    expect(silenceMatches({ matchers: [ne('metric', 'recall')] }, jobAlert)).toBe(true);
  });
});

describe('matcherProblems', () => {
  it('accepts a matcher that selects something', () => {
    expect(matcherProblems([eq('alertname', 'data_drift')])).toEqual([]);
    expect(matcherProblems([re('alertname', '.*'), eq('job', 'update')])).toEqual([]);
  });

  it('refuses no matchers, or only matchers that also match an absent label (they would mute everything)', () => {
    expect(matcherProblems([])).toEqual(['a silence needs at least one matcher (e.g. {"name": "alertname", "value": "data_drift"})']);
    expect(matcherProblems([re('alertname', '.*'), ne('job', 'update')])).toEqual(['at least one matcher must not match the empty string, or the silence would mute every alert']);
  });

  it('names a bad label name and a bad regular expression', () => {
    expect(matcherProblems([eq('9lives', 'x'), re('job', '(')])).toEqual([
      'matchers[0].name: "9lives" is not a label name (letters, digits and _, not starting with a digit)',
      expect.stringMatching(/^matchers\[1\]\.value: "\(" is not a regular expression \(/) as unknown as string,
    ]);
  });
});

describe('silence state and silencedBy', () => {
  const silence = (id: number, matchers: Matcher[], startsAt: string, endsAt: string): Silence => ({ id, matchers, startsAt, endsAt, createdBy: 'admin', createdAt: startsAt, reason: 'r' });
  const s1 = silence(1, [eq('alertname', 'job_failed')], '2025-01-01T00:00:00.000Z', '2025-01-01T02:00:00.000Z');
  const s2 = silence(2, [eq('job', 'update')], '2025-01-01T01:00:00.000Z', '2025-01-01T03:00:00.000Z');
  const s3 = silence(3, [eq('job', 'train')], '2025-01-01T00:00:00.000Z', '2025-01-01T03:00:00.000Z');

  it('is pending before it starts, active from its start and expired from its end', () => {
    expect(silenceState(s2, '2025-01-01T00:59:59.999Z')).toBe('pending');
    expect(silenceState(s2, '2025-01-01T01:00:00.000Z')).toBe('active');
    expect(silenceState(s2, '2025-01-01T02:59:59.999Z')).toBe('active');
    expect(silenceState(s2, '2025-01-01T03:00:00.000Z')).toBe('expired');
  });

  it('lists the active silences that match, by id', () => {
    expect(silencedBy(jobAlert, [s1, s2, s3], '2025-01-01T00:30:00.000Z')).toEqual([1]);
    expect(silencedBy(jobAlert, [s1, s2, s3], '2025-01-01T01:30:00.000Z')).toEqual([1, 2]);
    expect(silencedBy(jobAlert, [s1, s2, s3], '2025-01-01T02:30:00.000Z')).toEqual([2]);
    expect(silencedBy(jobAlert, [s1, s2, s3], '2025-01-01T03:00:00.000Z')).toEqual([]);
  });
});

describe('silenceMatchersFor', () => {
  it('silences exactly a condition alert, by all its labels', () => {
    expect(silenceMatchersFor({ name: 'job_failed', labels: { job: 'update', alertname: 'job_failed' } })).toEqual([eq('alertname', 'job_failed'), eq('job', 'update')]);
  });

  it('silences the later events of an event alert, which was notified once already', () => {
    expect(silenceMatchersFor({ name: 'model_rejected', labels: { alertname: 'model_rejected', model_version: '5' } })).toEqual([eq('alertname', 'model_rejected')]);
  });
});
