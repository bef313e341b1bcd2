import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/schema.js';

function problem(values: Record<string, unknown>, section = 'training'): string {
  try {
    parseConfig({ [section]: values });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected a ConfigError for ${section} ${JSON.stringify(values)}`);
}

const values = (n: number, from = 1) => Array.from({ length: n }, (_, k) => from + k);

/** A training whose parameters make the solver run for hours is refused when the file is read. */
describe('the training keys are bounded', () => {
  it('C and numeric gamma within their limits, each named with its limit', () => {
    expect(problem({ C: 1e308 })).toMatch(/training\.C: expected number to be less or equal to 10000, got 1e\+308/);
    expect(problem({ C: 1e-7 })).toMatch(/training\.C: expected number to be greater or equal to 0\.000001, got 1e-7/);
    expect(problem({ gamma: 1e6 })).toMatch(/training\.gamma: expected number to be less or equal to 100, got 1000000/);
    expect(problem({ gamma: 1e-12 })).toMatch(/training\.gamma: expected number to be greater or equal to 1e-9, got 1e-12/);
    expect(parseConfig({ training: { C: 1e4, gamma: 1e-9 } }).training).toMatchObject({ C: 1e4, gamma: 1e-9 });
  });

  it('the grid: values per axis, folds, and fits in all', () => {
    expect(problem({ grid: { C: values(21), gamma: [1] } })).toMatch(/training\.grid\.C: expected array length to be less or equal to 20/);
    expect(problem({ grid: { C: [1], gamma: [1, 1e9] } })).toMatch(/training\.grid\.gamma\.1: expected number to be less or equal to 100/);
    expect(problem({ cv: 21 })).toMatch(/training\.cv: expected integer to be less or equal to 20/);
    expect(problem({ cv: 1 })).toMatch(/training\.cv: expected integer to be greater or equal to 2/);
    expect(problem({ grid: { C: values(20), gamma: values(20, 0).map((g) => (g + 1) / 100) }, cv: 5 })).toMatch(
      /training\.grid: 20 C values × 20 gamma values × 5 folds \(training\.cv\) = 2000 fits, more than the limit of 1000/,
    );
    expect(parseConfig({ training: { grid: { C: values(20), gamma: values(10) }, cv: 5 } }).training.cv).toBe(5);
  });

  it('training.timeout is a duration, 10 minutes by default', () => {
    expect(parseConfig({}).training.timeout).toBe('10m');
    expect(problem({ timeout: 'soon' })).toMatch(/training\.timeout: expected a duration/);
  });
});

describe('the server keys of run control', () => {
  const serverProblem = (server: Record<string, unknown>) => problem(server, 'server');

  it('default to a 30 s shutdown grace and a 60 s heartbeat timeout', () => {
    expect(parseConfig({}).server).toMatchObject({ shutdownGraceMs: 30_000, heartbeatTimeout: '60s' });
  });

  it('refuse a heartbeat timeout shorter than three heartbeats, and a grace under a second', () => {
    expect(serverProblem({ heartbeatTimeout: '10s' })).toMatch(/server\.heartbeatTimeout: must be at least 15s \(three heartbeats, or a slow process would pass for a dead one\), got "10s"/);
    expect(serverProblem({ heartbeatTimeout: 'a minute' })).toMatch(/server\.heartbeatTimeout: expected a duration/);
    expect(serverProblem({ shutdownGraceMs: 500 })).toMatch(/server\.shutdownGraceMs: expected integer to be greater or equal to 1000/);
    expect(parseConfig({ server: { heartbeatTimeout: '15s' } }).server.heartbeatTimeout).toBe('15s');
  });
});
