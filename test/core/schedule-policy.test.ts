import { describe, expect, it } from 'vitest';
import { dueTick, retryDelay } from '../../src/core/schedule-policy.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
/** Every day at 08:00 (epoch day boundaries are UTC midnights). */
const daily8 = (t: number) => Math.floor((t - 8 * hour) / day) * day + day + 8 * hour;
const at = (d: number, h: number, m = 0, s = 0) => d * day + h * hour + m * minute + s * 1000;
const base = { nextAfter: daily8, missed: 'skip' as const, graceMs: minute };

describe('dueTick', () => {
  it('is not due before the first tick after start', () => {
    expect(dueTick({ ...base, lastScheduled: null, startedAt: at(10, 7), now: at(10, 7, 59) })).toBeNull();
  });
  it('is due at the tick and within the grace period', () => {
    expect(dueTick({ ...base, lastScheduled: null, startedAt: at(10, 7), now: at(10, 8) })).toBe(at(10, 8));
    expect(dueTick({ ...base, lastScheduled: null, startedAt: at(10, 7), now: at(10, 8, 0, 59) })).toBe(at(10, 8));
  });
  it('does not run a tick twice', () => {
    expect(dueTick({ ...base, lastScheduled: at(10, 8), startedAt: at(10, 7), now: at(10, 8, 0, 5) })).toBeNull();
    expect(dueTick({ ...base, lastScheduled: at(10, 8), startedAt: at(10, 7), now: at(11, 7) })).toBeNull();
    expect(dueTick({ ...base, lastScheduled: at(10, 8), startedAt: at(10, 7), now: at(11, 8) })).toBe(at(11, 8));
  });
  it('owes nothing for ticks before a first start', () => {
    expect(dueTick({ ...base, lastScheduled: null, startedAt: at(10, 9), now: at(10, 9, 0, 1) })).toBeNull();
  });
  it('skips ticks missed while down, by default', () => {
    // Down from day 10 09:00 to day 13 12:00: ticks of days 11, 12 and 13 were missed.
    expect(dueTick({ ...base, lastScheduled: at(10, 8), startedAt: at(13, 12), now: at(13, 12) })).toBeNull();
    expect(dueTick({ ...base, lastScheduled: at(10, 8), startedAt: at(13, 12), now: at(14, 8) })).toBe(at(14, 8));
  });
  it('runs the latest missed tick once with run-once', () => {
    expect(dueTick({ ...base, missed: 'run-once', lastScheduled: at(10, 8), startedAt: at(13, 12), now: at(13, 12) })).toBe(at(13, 8));
    expect(dueTick({ ...base, missed: 'run-once', lastScheduled: at(13, 8), startedAt: at(13, 12), now: at(13, 12, 0, 1) })).toBeNull();
  });
  it('stops at the end of a finite schedule', () => {
    expect(dueTick({ ...base, nextAfter: () => null, lastScheduled: null, startedAt: 0, now: at(99, 0) })).toBeNull();
  });
});

describe('retryDelay', () => {
  it('doubles from the base', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(30_000, n))).toEqual([30_000, 60_000, 120_000, 240_000]);
  });
});
