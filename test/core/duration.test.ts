import { describe, expect, it } from 'vitest';
import { DurationError, parseDuration } from '../../src/core/duration.js';

const HOUR = 3_600_000;

describe('parseDuration', () => {
  it.each([
    ['4h', 4 * HOUR],
    ['30m', 30 * 60_000],
    ['90s', 90_000],
    ['1h30m', 90 * 60_000],
    ['2d', 48 * HOUR],
    ['1w', 7 * 24 * HOUR],
    ['1y', 365 * 24 * HOUR],
    ['500ms', 500],
    ['1m30s500ms', 90_500],
    ['0', 0],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '4', 'h', '4 h', ' 4h', '4H', '30m1h', '1h1h', '1.5h', '-1h', '4hours', '1e3s', '99999999999999999999y'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(`invalid duration ${JSON.stringify(text)}: expected numbers with units`);
  });
});
