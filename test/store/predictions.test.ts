import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrationProvider } from '../../src/store/migrations/index.js';
import type { ConfirmedCasesQuery, InputSample, LiveCounts } from '../../src/store/prediction-log-reads.js';
import { unpackCases } from '../../src/core/metrics/live-curves.js';
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
    const sample = await store.predictionReads.inputSample({ window: { last: 1 }, maxRows: 10, width: input.length });
    const second = Array.from(sample.data);
    expect(Object.is(second[0], Number.NaN) && Object.is(second[1], -0)).toBe(true);
    expect(second).toEqual(input);
  });

  it('keeps the features a prediction had outside the training range', async () => {
    const { store } = fixture;
    await store.predictions.insertMany([prediction(1, { outOfRange: ['radius_mean', 'a "quoted", name'] }), prediction(2, { outOfRange: [] }), prediction(3)]);
    expect((await store.predictions.get('p-0001'))?.outOfRange).toEqual(['radius_mean', 'a "quoted", name']);
    expect((await store.predictions.get('p-0002'))?.outOfRange).toEqual([]);
    expect((await store.predictions.get('p-0003'))?.outOfRange).toEqual([]);
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
    expect(await store.predictions.countByExternalId('case-x', 10)).toBe(1);
    const sample = await store.predictionReads.inputSample({ window: { since: at(0) }, maxRows: 5000, width: 3 });
    expect(Array.from({ length: sample.rows }, (_, i) => sample.data[i * 3]).sort((a, b) => a - b)).toEqual(Array.from({ length: 2500 }, (_, n) => n));
  });

  it("keeps each answer's class probabilities, and none for a model without them", async () => {
    const { store } = fixture;
    const probabilities = { B: 0.1 + 0.2, M: 1 - (0.1 + 0.2) };
    await store.predictions.insertMany([prediction(1, { probabilities }), prediction(2)]);
    expect((await store.predictions.get('p-0001'))?.probabilities).toEqual(probabilities);
    expect((await store.predictions.get('p-0002'))?.probabilities).toBeNull();
  });

  it('writes batches, keeps inputs exactly, and finds predictions by id and case', async () => {
    const { store } = fixture;
    await store.predictions.insertMany(Array.from({ length: 1000 }, (_, n) => prediction(n, { externalId: n === 7 ? 'case-7' : null })));
    expect(await store.predictions.count()).toBe(1000);
    const p = await store.predictions.get('p-0007');
    expect(p).toMatchObject({ modelVersion: 1, label: 'B', decision: -0.25, externalId: 'case-7', actual: null });
    expect(p?.input).toEqual([7, 0.1 + 0.2, 1e-300]);
    expect(await store.predictions.countByExternalId('case-7', 10)).toBe(1);
    expect(await store.predictions.get('nope')).toBeUndefined();
  });

  it('confirms once, counts confirmed cases and pending predictions by window, purges by age', async () => {
    const { store } = fixture;
    await store.predictions.insertMany([0, 1, 2, 3, 4, 5].map((n) => prediction(n)));
    expect(await store.predictions.confirm(['p-0000', 'p-0001'], 'M', at(30))).toBe(2);
    expect(await store.predictions.confirm(['p-0000'], 'B', at(31))).toBe(0); // already confirmed: untouched
    expect(await store.predictions.confirm(['p-0003'], 'M', at(32))).toBe(1);
    const byCell = (counts: LiveCounts) => [...counts.confirmed].sort((a, b) => a.label.localeCompare(b.label));
    const all = await store.predictionReads.liveCounts({ since: at(0) });
    expect(byCell(all)).toEqual([
      { modelVersion: 1, label: 'B', actual: 'M', count: 1 },
      { modelVersion: 1, label: 'M', actual: 'M', count: 2 },
    ]);
    expect(all.pending).toBe(3);
    expect(await store.predictionReads.liveCounts({ last: 1 })).toEqual({ confirmed: [{ modelVersion: 1, label: 'M', actual: 'M', count: 1 }], pending: 3 });
    expect(await store.predictionReads.liveCounts({ since: at(2) })).toEqual({ confirmed: [{ modelVersion: 1, label: 'M', actual: 'M', count: 1 }], pending: 3 });
    expect((await store.predictionReads.liveCounts({ since: at(5) })).pending).toBe(1);
    expect(await store.predictionReads.liveCounts({ since: at(50) })).toEqual({ confirmed: [], pending: 0 });
    expect(await store.predictions.purgeBefore(at(2))).toBe(2);
    expect(await store.predictions.count()).toBe(4);
  });

  it("reads each version's most recently confirmed cases of a window, page by page across equal times, at most maxRows", async () => {
    const { store } = fixture;
    // Version 1: cases 0..11 (11 unconfirmed), version 2: cases 20..27 with probabilities (26 and 27 unconfirmed).
    const decision = (n: number) => (n - 6) / 7;
    const probabilities = (n: number) => (n >= 20 ? { B: n / 100, M: 1 - n / 100 } : null);
    await store.predictions.insertMany([
      ...Array.from({ length: 12 }, (_, n) => prediction(n, { createdAt: at(n), decision: decision(n) })),
      ...Array.from({ length: 8 }, (_, k) => prediction(20 + k, { createdAt: at(20 + k), modelVersion: 2, decision: decision(20 + k), probabilities: probabilities(20 + k) })),
    ]);
    const ids = (ns: readonly number[]) => ns.map((n) => `p-${String(n).padStart(4, '0')}`);
    await store.predictions.confirm(ids([0, 1, 2, 3]), 'M', at(30));
    await store.predictions.confirm(ids([4, 5, 6, 7, 8, 9]), 'B', at(31));
    await store.predictions.confirm(ids([10]), 'M', at(32));
    await store.predictions.confirm(ids([20, 21, 22, 23, 24, 25]), 'B', at(33));
    const actualOf = (n: number) => (n <= 3 || n === 10 ? 'M' : 'B');
    const cases = (modelVersion: number, windowRows: number, ns: readonly number[], from: string, to: string) => ({
      modelVersion,
      windowRows,
      from,
      to,
      decision: ns.map(decision),
      predicted: ns.map((n) => prediction(n).label),
      actual: ns.map(actualOf),
      probabilities: ns.map(probabilities),
    });
    const read = async (query: ConfirmedCasesQuery) =>
      (await store.predictionReads.confirmedCases(query)).map((v) => {
        expect([v.decision, v.predicted, v.actual, v.probabilities].map((a) => a.length)).toEqual([v.rows, v.rows, v.rows, v.rows * v.probabilityLabels.length]);
        return { modelVersion: v.modelVersion, windowRows: v.windowRows, from: v.from, to: v.to, ...unpackCases(v), decision: Array.from(v.decision) };
      });
    const v1 = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
    const v2 = [25, 24, 23, 22, 21, 20];

    expect(await read({ window: { since: at(0) }, maxRows: 100, pageRows: 3 })).toEqual([cases(2, 6, v2, at(33), at(33)), cases(1, 11, v1, at(30), at(32))]);
    expect(await read({ window: { since: at(0) }, maxRows: 5, pageRows: 2 })).toEqual([cases(2, 6, v2.slice(0, 5), at(33), at(33)), cases(1, 11, v1.slice(0, 5), at(31), at(32))]);
    expect(await read({ window: { since: at(5) }, maxRows: 100 })).toEqual([cases(2, 6, v2, at(33), at(33)), cases(1, 6, v1.slice(0, 6), at(31), at(32))]);
    // The last N confirmed cases by prediction time, as the live figures count them.
    expect(await read({ window: { last: 3 }, maxRows: 100 })).toEqual([cases(2, 3, [25, 24, 23], at(33), at(33))]);
    expect(await read({ window: { last: 8 }, maxRows: 100, pageRows: 1 })).toEqual([cases(2, 6, v2, at(33), at(33)), cases(1, 2, [10, 9], at(31), at(32))]);
    expect(await read({ window: { last: 1000 }, maxRows: 100 })).toEqual([cases(2, 6, v2, at(33), at(33)), cases(1, 11, v1, at(30), at(32))]);
    expect(await read({ window: { since: at(40) }, maxRows: 100 })).toEqual([]);
  });

  it('samples the newest inputs of a window, page by page across equal times, leaving out other widths', async () => {
    const { store } = fixture;
    // 30 predictions at minute 1 (one request's rows share their time), 20 at minute 2, one of
    // them of another width (a model with other features), and 10 old ones at minute 0.
    await store.predictions.insertMany([
      ...Array.from({ length: 10 }, (_, n) => prediction(n, { createdAt: at(0) })),
      ...Array.from({ length: 30 }, (_, n) => prediction(100 + n, { createdAt: at(1) })),
      ...Array.from({ length: 20 }, (_, n) => prediction(200 + n, { createdAt: at(2), input: n === 5 ? [205, 1] : [200 + n, 0.1 + 0.2, 1e-300] })),
    ]);
    const firsts = (sample: InputSample) => Array.from({ length: sample.rows }, (_, i) => sample.data[i * sample.cols]);
    const newest = [...Array.from({ length: 20 }, (_, n) => 219 - n).filter((n) => n !== 205), ...Array.from({ length: 30 }, (_, n) => 129 - n)];

    const paged = await store.predictionReads.inputSample({ window: { since: at(1) }, maxRows: 100, width: 3, pageRows: 7 });
    expect(paged).toMatchObject({ rows: 49, cols: 3, windowRows: 50, from: at(1), to: at(2) });
    expect(firsts(paged)).toEqual(newest);
    expect(paged.data.buffer).toBeInstanceOf(SharedArrayBuffer);

    const capped = await store.predictionReads.inputSample({ window: { since: at(0) }, maxRows: 25, width: 3, pageRows: 4 });
    expect(capped).toMatchObject({ rows: 24, windowRows: 60, from: at(1), to: at(2) });
    expect(firsts(capped)).toEqual(newest.slice(0, 24));

    const last = await store.predictionReads.inputSample({ window: { last: 15 }, maxRows: 1000, width: 3 });
    expect(last).toMatchObject({ rows: 14, windowRows: 15 });
    expect(firsts(last)).toEqual(newest.slice(0, 14));

    const empty = await store.predictionReads.inputSample({ window: { since: at(3) }, maxRows: 1000, width: 3 });
    expect(empty).toMatchObject({ rows: 0, windowRows: 0, from: null, to: null });
    expect(empty.data).toHaveLength(0);
  });

  it('checks and confirms a case by its number without reading its predictions', async () => {
    const { store } = fixture;
    await store.predictions.insertMany(Array.from({ length: 8 }, (_, n) => prediction(n, { externalId: n < 5 ? 'case-a' : 'case-b' })));
    expect(await store.predictions.countByExternalId('case-a', 100)).toBe(5);
    expect(await store.predictions.countByExternalId('case-a', 3)).toBe(4);
    expect(await store.predictions.countByExternalId('case-z', 3)).toBe(0);
    expect(await store.predictions.confirm(['p-0001'], 'M', at(30))).toBe(1);
    expect(await store.predictions.otherConfirmedLabel('case-a', 'M')).toBeUndefined();
    expect(await store.predictions.otherConfirmedLabel('case-a', 'B')).toBe('M');
    expect(await store.predictions.confirmCase('case-a', 'M', at(31))).toBe(4);
    expect(await store.predictions.confirmCase('case-a', 'M', at(32))).toBe(0);
    expect((await store.predictions.get('p-0004'))?.actual).toBe('M');
    expect((await store.predictions.get('p-0005'))?.actual).toBeNull();
  });

  it('purges a retention backlog in batches, oldest first', async () => {
    const { store } = fixture;
    const rows = 12_345;
    await store.predictions.insertMany(Array.from({ length: rows }, (_, n) => prediction(n, { id: `p-${String(n).padStart(5, '0')}`, createdAt: new Date(Date.UTC(2025, 0, 1) + n * 1000) })));
    expect(await store.predictions.purgeBefore(new Date(Date.UTC(2025, 0, 1) + 11_000 * 1000))).toBe(11_000);
    expect(await store.predictions.count()).toBe(rows - 11_000);
    expect(await store.predictions.get('p-10999')).toBeUndefined();
    expect(await store.predictions.get('p-11000')).toBeDefined();
  });
});
