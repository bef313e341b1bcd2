import { describe, expect, it } from 'vitest';
import type { FreshnessExpectation, FreshnessQuery } from '../../src/core/source-freshness.js';
import { MISSED_UPDATES_BEFORE_STALE, retrySpan, sourceFreshness, SourceFreshnessError } from '../../src/core/source-freshness.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const at = (d: number, h: number, m = 0, s = 0) => d * day + h * hour + m * minute + s * 1000;
/** Every day at 08:00 (epoch day boundaries are UTC midnights). */
const daily8 = (t: number) => Math.floor((t - 8 * hour) / day) * day + day + 8 * hour;
/** Monday to Friday at 08:00; epoch day 0 (1970-01-01) was a Thursday, so day d is a weekend when (d + 4) % 7 is 0 or 6. */
function weekdays8(t: number): number {
  let next = daily8(t);
  while ([0, 6].includes((Math.floor(next / day) + 4) % 7)) next += day;
  return next;
}

const daily: FreshnessExpectation = { kind: 'schedule', nextAfter: daily8, graceMs: 3 * minute };
const twoDays: FreshnessExpectation = { kind: 'duration', ms: 2 * day };
const query = (q: Partial<FreshnessQuery>): FreshnessQuery => ({ lastSuccess: at(10, 8), firstAttempt: at(1, 8), now: at(10, 9), expectation: daily, ...q });

describe('sourceFreshness with a duration (monitor.sourceStaleAfter)', () => {
  it('is stale only once the last success is more than the duration ago', () => {
    const q = query({ expectation: twoDays, lastSuccess: at(10, 8) });
    expect(sourceFreshness({ ...q, now: at(12, 7, 59) })).toEqual({ since: at(10, 8), staleAfter: at(12, 8), stale: false });
    expect(sourceFreshness({ ...q, now: at(12, 8) })).toEqual({ since: at(10, 8), staleAfter: at(12, 8), stale: false });
    expect(sourceFreshness({ ...q, now: at(12, 8) + 1 })).toEqual({ since: at(10, 8), staleAfter: at(12, 8), stale: true });
  });

  it('counts from the first attempt when no update has succeeded yet', () => {
    const q = query({ expectation: twoDays, lastSuccess: null, firstAttempt: at(3, 12) });
    expect(sourceFreshness({ ...q, now: at(5, 12) })).toMatchObject({ since: at(3, 12), stale: false });
    expect(sourceFreshness({ ...q, now: at(5, 12) + 1 })).toMatchObject({ since: at(3, 12), stale: true });
  });

  it('is never stale when no update was ever asked for, or nothing is expected', () => {
    expect(sourceFreshness(query({ lastSuccess: null, firstAttempt: null, now: at(99, 0) }))).toEqual({ since: null, staleAfter: null, stale: false });
    expect(sourceFreshness(query({ expectation: null, now: at(99, 0) }))).toEqual({ since: at(10, 8), staleAfter: null, stale: false });
  });

  it('is not stale when the last success lies ahead of a clock that went back', () => {
    expect(sourceFreshness(query({ expectation: twoDays, lastSuccess: at(10, 8), now: at(9, 8) }))).toMatchObject({ stale: false });
  });

  it('refuses a duration that is not a positive number of milliseconds', () => {
    for (const ms of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => sourceFreshness(query({ expectation: { kind: 'duration', ms } }))).toThrow(SourceFreshnessError);
    }
  });
});

describe('sourceFreshness with an update schedule', () => {
  it(`allows ${MISSED_UPDATES_BEFORE_STALE - 1} failed tick, and is stale once tick ${MISSED_UPDATES_BEFORE_STALE} and its retries are over`, () => {
    expect(MISSED_UPDATES_BEFORE_STALE).toBe(2);
    // Last success on day 10 at 08:00:40; the ticks of days 11 and 12 fail.
    const q = query({ lastSuccess: at(10, 8, 0, 40) });
    expect(sourceFreshness({ ...q, now: at(11, 9) })).toEqual({ since: at(10, 8, 0, 40), staleAfter: at(12, 8, 3), stale: false });
    expect(sourceFreshness({ ...q, now: at(12, 8, 1) })).toMatchObject({ stale: false });
    expect(sourceFreshness({ ...q, now: at(12, 8, 3) })).toMatchObject({ stale: false });
    expect(sourceFreshness({ ...q, now: at(12, 8, 3) + 1 })).toMatchObject({ stale: true });
  });

  it('counts ticks strictly after the success: one that succeeds at its own tick time starts afresh', () => {
    expect(sourceFreshness(query({ lastSuccess: at(10, 8), now: at(12, 9) }))).toMatchObject({ staleAfter: at(12, 8, 3), stale: true });
    expect(sourceFreshness(query({ lastSuccess: at(10, 7, 59), now: at(11, 9) }))).toMatchObject({ staleAfter: at(11, 8, 3), stale: true });
  });

  it('follows the schedule’s own gaps: a weekday schedule allows the weekend', () => {
    // Day 1 is a Friday: the next two weekday ticks are Monday (day 4) and Tuesday (day 5).
    const q = query({ expectation: { kind: 'schedule', nextAfter: weekdays8, graceMs: 0 }, lastSuccess: at(1, 8, 1) });
    expect(sourceFreshness({ ...q, now: at(4, 9) })).toEqual({ since: at(1, 8, 1), staleAfter: at(5, 8), stale: false });
    expect(sourceFreshness({ ...q, now: at(5, 8) + 1 })).toMatchObject({ stale: true });
  });

  it('counts from the first attempt when no update has succeeded yet', () => {
    const q = query({ lastSuccess: null, firstAttempt: at(3, 12) });
    expect(sourceFreshness({ ...q, now: at(5, 8, 3) })).toEqual({ since: at(3, 12), staleAfter: at(5, 8, 3), stale: false });
    expect(sourceFreshness({ ...q, now: at(5, 9) })).toMatchObject({ stale: true });
  });

  it('expects nothing of a schedule that ends before the deciding tick', () => {
    const once = (t: number) => (t < at(11, 8) ? at(11, 8) : null);
    expect(sourceFreshness(query({ expectation: { kind: 'schedule', nextAfter: once, graceMs: 0 }, now: at(99, 0) }))).toMatchObject({ staleAfter: null, stale: false });
    expect(sourceFreshness(query({ expectation: { kind: 'schedule', nextAfter: () => null, graceMs: 0 }, now: at(99, 0) }))).toMatchObject({ staleAfter: null, stale: false });
  });

  it('refuses a grace that is not 0 or more milliseconds', () => {
    for (const graceMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => sourceFreshness(query({ expectation: { ...daily, graceMs } }))).toThrow(SourceFreshnessError);
    }
    expect(sourceFreshness(query({ expectation: { ...daily, graceMs: 0 }, lastSuccess: at(10, 8), now: at(12, 8) + 1 }))).toMatchObject({ stale: true });
  });
});

describe('retrySpan', () => {
  it('adds every attempt’s time limit and the doubling backoffs between them', () => {
    // The defaults: 3 attempts of at most 30 s, then 30 s and 60 s of backoff.
    expect(retrySpan(3, 30_000, 30_000)).toBe(3 * 30_000 + 30_000 + 60_000);
    expect(retrySpan(1, 30_000, 30_000)).toBe(30_000);
    expect(retrySpan(4, 1_000, 10_000)).toBe(4 * 1_000 + 10_000 + 20_000 + 40_000);
  });
});
