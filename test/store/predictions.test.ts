import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrationProvider } from '../../src/store/migrations/index.js';
import type { NewPrediction } from '../../src/store/prediction-repository.js';
import { bareKysely, createTestDatabase, describeDialects, useStoreFixture } from './dialects.js';

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 8, minute)).toISOString();
const prediction = (n: number, extra: Partial<NewPrediction> = {}): NewPrediction => ({
  id: `p-${String(n).padStart(4, '0')}`,
  createdAt: at(n % 60),
  modelVersion: 1,
  route: 'api',
  input: [n, 0.1 + 0.2, 1e-300],
  label: n % 3 === 0 ? 'M' : 'B',
  decision: n % 3 === 0 ? 1.5 : -0.25,
  latencyMs: 0.05,
  ...extra,
});

describeDialects('prediction log', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('keeps every input bit for bit, NaN and -0 included', async () => {
    const { store } = fixture;
    const input = [Number.NaN, -0, Number.MIN_VALUE, -Number.MAX_VALUE, Infinity, 0.1 + 0.2];
    await store.predictions.insertMany([prediction(1, { input: new Float64Array(input).subarray(1) }), prediction(2, { input })]);
    expect((await store.predictions.get('p-0001'))?.input).toEqual(input.slice(1));
    const [second] = await store.predictions.recentInputs({ last: 1 });
    expect(Object.is(second[0], Number.NaN) && Object.is(second[1], -0)).toBe(true);
    expect(second).toEqual(input);
  });

  it('converts the JSON inputs of a log written before migration 0005', async () => {
    const old = await createTestDatabase(dialect);
    fixture.defer(() => old.drop());
    const db = bareKysely(dialect, old);
    try {
      const migrated = await new Migrator({ db, provider: migrationProvider(dialect) }).migrateTo('0004_prediction_log');
      expect(migrated.error).toBeUndefined();
      // One transaction: 2,500 commits of their own wait for 2,500 fsyncs, a minute on a busy disk.
      await db.transaction().execute(async (trx) => {
        for (let n = 0; n < 2500; n++) {
          await sql`insert into predictions (id, created_at, model_version, route, input_json, label, decision, latency_ms, external_id)
            values (${`p-${String(n).padStart(4, '0')}`}, ${at(n % 60)}, 1, 'api', ${JSON.stringify([n, 0.1 + 0.2, 1e-300])}, 'B', -0.25, 0.05, ${n === 2499 ? 'case-x' : null})`.execute(trx);
        }
      });
    } finally {
      await db.destroy();
    }
    const store = await fixture.open(old.options);
    expect(await store.predictions.count()).toBe(2500);
    expect(await store.predictions.get('p-2499')).toMatchObject({ input: [2499, 0.1 + 0.2, 1e-300], externalId: 'case-x', label: 'B' });
    expect((await store.predictions.byExternalId('case-x')).map((r) => r.id)).toEqual(['p-2499']);
    expect((await store.predictions.recentInputs({ since: at(0) })).map((r) => r[0]).sort((a, b) => a - b)).toEqual(Array.from({ length: 2500 }, (_, n) => n));
  });

  it('writes batches, keeps inputs exactly, and finds predictions by id and case', async () => {
    const { store } = fixture;
    await store.predictions.insertMany(Array.from({ length: 1000 }, (_, n) => prediction(n, { externalId: n === 7 ? 'case-7' : null })));
    expect(await store.predictions.count()).toBe(1000);
    const p = await store.predictions.get('p-0007');
    expect(p).toMatchObject({ modelVersion: 1, label: 'B', decision: -0.25, externalId: 'case-7', actual: null });
    expect(p?.input).toEqual([7, 0.1 + 0.2, 1e-300]);
    expect((await store.predictions.byExternalId('case-7')).map((r) => r.id)).toEqual(['p-0007']);
    expect(await store.predictions.get('nope')).toBeUndefined();
  });

  it('confirms once, reads confirmed cases and pending counts by window, purges by age', async () => {
    const { store } = fixture;
    await store.predictions.insertMany([0, 1, 2, 3, 4, 5].map((n) => prediction(n)));
    expect(await store.predictions.confirm(['p-0000', 'p-0001'], 'M', at(30))).toBe(2);
    expect(await store.predictions.confirm(['p-0000'], 'B', at(31))).toBe(0); // already confirmed: untouched
    expect(await store.predictions.confirm(['p-0003'], 'M', at(32))).toBe(1);
    const all = await store.predictions.confirmed({ since: at(0) });
    expect(all).toEqual([
      { modelVersion: 1, label: 'M', actual: 'M' },
      { modelVersion: 1, label: 'B', actual: 'M' },
      { modelVersion: 1, label: 'M', actual: 'M' },
    ]);
    expect(await store.predictions.confirmed({ last: 1 })).toEqual([{ modelVersion: 1, label: 'M', actual: 'M' }]);
    expect(await store.predictions.confirmed({ since: at(2) })).toHaveLength(1);
    expect(await store.predictions.pendingCount(null)).toBe(3);
    expect(await store.predictions.pendingCount(at(5))).toBe(1);
    expect((await store.predictions.recentInputs({ last: 2 })).map((r) => r[0])).toEqual([5, 4]);
    expect(await store.predictions.recentInputs({ since: at(4) })).toHaveLength(2);
    expect(await store.predictions.purgeBefore(at(2))).toBe(2);
    expect(await store.predictions.count()).toBe(4);
  });
});
