import { describe, expect, it } from 'vitest';
import { postJson, useServer } from './server-fixture.js';

const values = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

/** What the probe sent (C = 1e308 kept a core busy for minutes) is refused before any fit starts. */
describe('POST /api/v1/train bounds its parameters', () => {
  const fixture = useServer({ bootstrap: false });

  it.each([
    [{ mode: 'basic', C: 1e308 }, /body\/C must be <= 10000/],
    [{ mode: 'basic', C: 0 }, /body\/C must be >= 0\.000001/],
    [{ mode: 'basic', gamma: 1e6 }, /body\/gamma must be <= 100/],
    [{ mode: 'basic', gamma: 1e-10 }, /body\/gamma must be >= 1e-9/],
    [{ mode: 'gridsearch', grid: { C: values(21), gamma: [1] } }, /body\/grid\/C must NOT have more than 20 items/],
    [{ mode: 'gridsearch', grid: { C: [1], gamma: ['scale', 1e308] } }, /body\/grid\/gamma\/1 must be <= 100/],
    [{ mode: 'gridsearch', grid: { C: values(20), gamma: values(20).map((g) => g / 100) } }, /grid: 20 C values × 20 gamma values × 5 folds \(training\.cv\) = 2000 fits, more than the limit of 1000/],
    [{ mode: 'gridsearch', cv: 1 }, /body\/cv must be >= 2/],
    [{ mode: 'gridsearch', grid: { C: values(10), gamma: values(10).map((g) => g / 100) }, cv: 20 }, /grid: 10 C values × 10 gamma values × 20 folds \(training\.cv\) = 2000 fits, more than the limit of 1000/],
  ])('%j: 400 naming the field and its limit', async (body, message) => {
    const res = await postJson(`${fixture.base}/api/v1/train`, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
    expect(await fixture.server.app.runs.list({ limit: 10 })).toEqual([]);
  });
});
