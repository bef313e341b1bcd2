import { expect, it } from 'vitest';
import type { NewPrediction } from '../../src/store/prediction-repository.js';
import { describeDialects, useStoreFixture } from './dialects.js';

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 8, minute));
/** 40 predictions over 40 minutes, two versions, decision values from -2 to 1.9 in steps of 0.1. */
const logged: NewPrediction[] = Array.from({ length: 40 }, (_, n) => ({
  id: `p-${String(n).padStart(4, '0')}`,
  createdAt: at(n).toISOString(),
  modelVersion: n % 4 === 0 ? 2 : 1,
  route: 'api',
  input: [n],
  label: n >= 20 ? 'M' : 'B',
  decision: (n - 20) / 10,
  latencyMs: 0.05,
}));
// What pathology found: every third case is malignant whatever the model said; the last four are unconfirmed.
const actualOf = (n: number) => (n % 3 === 0 ? 'M' : 'B');

describeDialects('a threshold on the live confirmed cases', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('counts one version’s confirmed cases per label beyond a cut, in a window since a time or of the last N', async () => {
    const { store } = fixture;
    await store.predictions.insertMany(logged);
    for (const actual of ['M', 'B']) {
      const ids = logged.filter((_, n) => n < 36 && actualOf(n) === actual).map((p) => p.id);
      await store.predictions.confirm(ids, actual, at(59));
    }
    // Counted here, row by row, for the same windows.
    const expected = (rows: readonly number[], keep: (d: number) => boolean) =>
      ['B', 'M']
        .map((actual) => {
          const mine = rows.filter((n) => logged[n].modelVersion === 1 && actualOf(n) === actual);
          return { actual, rows: mine.length, calledPositive: mine.filter((n) => keep(logged[n].decision)).length };
        })
        .filter((t) => t.rows > 0);
    const byLabel = (tallies: readonly { actual: string }[]) => [...tallies].sort((a, b) => a.actual.localeCompare(b.actual));
    const confirmed = Array.from({ length: 36 }, (_, n) => n);

    expect(byLabel(await store.predictions.confirmedBeyond(1, { since: at(10) }, { op: '>=', value: -0.5 }))).toEqual(expected(confirmed.filter((n) => n >= 10), (d) => d >= -0.5));
    expect(byLabel(await store.predictions.confirmedBeyond(1, { since: at(0) }, { op: '<=', value: 0.3 }))).toEqual(expected(confirmed, (d) => d <= 0.3));
    // The last 12 confirmed cases of any version (created 24..35), of which version 1's.
    expect(byLabel(await store.predictions.confirmedBeyond(1, { last: 12 }, { op: '>=', value: 0.5 }))).toEqual(expected(confirmed.slice(24), (d) => d >= 0.5));
    expect(await store.predictions.confirmedBeyond(3, { last: 12 }, { op: '>=', value: 0 })).toEqual([]);
  });
});
