import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';

const problemOf = (settings: unknown) => {
  try {
    parseConfig(settings);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no problem';
};

describe('configuration messages name what is accepted', () => {
  it('a value outside a list names the choices', () => {
    expect(problemOf({ training: { mode: 'xgboost' } })).toContain('training.mode: expected one of basic, normalized, gridsearch, got "xgboost"');
    expect(problemOf({ schedule: { missed: 'all' } })).toContain('schedule.missed: expected one of skip, run-once, got "all"');
    expect(problemOf({ training: { gamma: 'big' } })).toContain('training.gamma: expected one of scale, auto, or a number, got "big"');
  });

  it('a cron expression of the wrong number of parts says 5 or 6, as the README does', () => {
    expect(problemOf({ schedule: { train: '1 2 3' } })).toContain(
      'schedule.train: invalid cron expression "1 2 3": expected 5 parts (minute hour day-of-month month day-of-week) or 6 (seconds first), got 3',
    );
    expect(problemOf({ schedule: { train: '0 0 5 8 * * 2030' } })).toContain('got 7');
    expect(problemOf({ schedule: { train: '0 5 8 * * *', update: '@daily' } })).toBe('no problem');
    expect(problemOf({ schedule: { check: '99 8 * * *' } })).toMatch(/^invalid configuration:\n {2}schedule\.check: invalid cron expression "99 8 \* \* \*" \(/);
  });
});
