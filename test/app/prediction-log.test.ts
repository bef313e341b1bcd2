import pino from 'pino';
import { expect, it } from 'vitest';
import { PredictionLog } from '../../src/app/prediction-log.js';
import type { Store } from '../../src/store/database.js';
import type { NewPrediction } from '../../src/store/prediction-repository.js';
import { describeDialects, useStoreFixture } from '../store/dialects.js';

/** A logger whose lines (parsed) the test can read. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

const createdAt = new Date('2026-01-01T00:00:00.000Z');
const rowsOf = (n: number, prefix: string): NewPrediction[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(4, '0')}`,
    createdAt,
    modelVersion: 1,
    route: 'api',
    input: [i, i + 0.5],
    label: i % 2 === 0 ? 'M' : 'B',
    decision: i / 10,
    latencyMs: 0.1,
    externalId: `case-${i}`,
  }));

async function storedIds(store: Store, rows: readonly NewPrediction[]): Promise<string[]> {
  const found: string[] = [];
  for (const row of rows) if (await store.predictions.get(row.id)) found.push(row.id);
  return found;
}

describeDialects('the prediction log keeps the good rows of a batch that fails', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('one row the store refuses (below the schema: a NULL label) costs only that row, counted and logged', async () => {
    const { log, lines } = capturedLog();
    const predictionLog = new PredictionLog(fixture.store, log, true);
    const good = rowsOf(150, 'good');
    const bad = { ...good[0], id: 'bad-null-label', label: null as unknown as string };
    // Two flushes' worth, the bad row in the middle of the first, as other callers' rows around it.
    predictionLog.record(good.slice(0, 70));
    predictionLog.record([bad]);
    predictionLog.record(good.slice(70));
    await predictionLog.flush();
    expect(await storedIds(fixture.store, good)).toEqual(good.map((r) => r.id));
    expect(await fixture.store.predictions.get(bad.id)).toBeUndefined();
    expect(predictionLog.droppedRows).toBe(1);
    const warnings = lines.filter((l) => l.msg === 'prediction log rows dropped: the store refused them');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 50, dropped: 1, kept: 150, ids: ['bad-null-label'] });
  });

  if (dialect === 'postgres') {
    it('a NUL in an externalId (PostgreSQL refuses it in text) loses no other caller\'s row', async () => {
      const { log } = capturedLog();
      const predictionLog = new PredictionLog(fixture.store, log, true);
      const good = rowsOf(100, 'pg');
      predictionLog.record(good.slice(0, 40));
      predictionLog.record([{ ...good[0], id: 'evil', externalId: 'evil\u0000' }]);
      predictionLog.record(good.slice(40));
      await predictionLog.flush();
      expect(await storedIds(fixture.store, good)).toEqual(good.map((r) => r.id));
      expect(predictionLog.droppedRows).toBe(1);
      // Feedback finds the kept cases.
      expect(await fixture.store.predictions.countByExternalId('case-99', 10)).toBe(1);
    });
  }

  it('a write that fails once (a dropped connection) is retried whole: nothing lost, nothing counted', async () => {
    const { log, lines } = capturedLog();
    let failures = 1;
    const real = fixture.store.predictions;
    const flaky = {
      predictions: Object.assign(Object.create(real) as typeof real, {
        insertMany: async (rows: readonly NewPrediction[]) => {
          if (failures-- > 0) throw new Error('connection terminated unexpectedly');
          return real.insertMany(rows);
        },
      }),
    };
    const predictionLog = new PredictionLog(flaky, log, true);
    const rows = rowsOf(30, 'retry');
    predictionLog.record(rows);
    await predictionLog.flush();
    expect(await storedIds(fixture.store, rows)).toEqual(rows.map((r) => r.id));
    expect(predictionLog.droppedRows).toBe(0);
    expect(lines.filter((l) => (l.level as number) >= 40).map((l) => l.msg)).toEqual(['prediction log batch not written, retrying']);
  });

  it('a retry after a commit whose answer was lost writes no row twice and drops none', async () => {
    const { log } = capturedLog();
    let lostAnswers = 1;
    const real = fixture.store.predictions;
    const committedButLost = {
      predictions: Object.assign(Object.create(real) as typeof real, {
        insertMany: async (rows: readonly NewPrediction[]) => {
          await real.insertMany(rows);
          if (lostAnswers-- > 0) throw new Error('connection lost after commit');
        },
      }),
    };
    const predictionLog = new PredictionLog(committedButLost, log, true);
    const rows = rowsOf(20, 'lost');
    predictionLog.record(rows);
    await predictionLog.flush();
    expect(await storedIds(fixture.store, rows)).toEqual(rows.map((r) => r.id));
    expect(predictionLog.droppedRows).toBe(0);
  });
});
