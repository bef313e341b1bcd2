import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordFeedback } from '../../src/app/feedback.js';
import { PredictionLog } from '../../src/app/prediction-log.js';
import type { Store } from '../../src/store/database.js';
import type { BatchWritten, PredictionLogWriter, SealedBatch } from '../../src/store/prediction-log-batch.js';
import { SealedBatchReader } from '../../src/store/prediction-log-batch.js';
import type { NewPrediction } from '../../src/store/prediction-repository.js';
import { ManualClock } from '../helpers/manual-clock.js';
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

describeDialects('the prediction log stores each row as it was answered', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('every column, with rows of several models, routes, labels and class sets in one batch', async () => {
    const predictionLog = new PredictionLog(fixture.store, pino({ level: 'silent' }), true, { flushAfterMs: 60_000 });
    const later = new Date('2026-01-01T00:00:01.250Z');
    const kinds: NewPrediction[] = [
      { ...rowsOf(1, 'binary')[0], probabilities: { B: 0.25, M: 0.75 }, outOfRange: ['radius_mean', 'area_worst'] },
      { ...rowsOf(1, 'plain')[0], externalId: null, route: 'tutorial', label: 'B' },
      // Class names that are integers (the Wisconsin file's 2 and 4), and three classes.
      { ...rowsOf(1, 'wisconsin')[0], createdAt: later, modelVersion: 7, input: [1, 2, 3, 4, 5], label: '4', probabilities: { '4': 0.9, '2': 0.1 }, externalId: 'case-ü "quoted"' },
      { ...rowsOf(1, 'three')[0], modelVersion: 3, route: 'oip', label: 'c', decision: -2.5, latencyMs: 12.5, probabilities: { a: 0.2, b: 0.3, c: 0.5 }, outOfRange: [] },
    ];
    // Enough rows for the writer's several-row statements and the single-row ones after them.
    const rows = Array.from({ length: 21 }, (_, i) => ({ ...kinds[i % kinds.length], id: `${kinds[i % kinds.length].id}-${i}`, decision: i - 10 }));
    predictionLog.record(rows);
    await predictionLog.flush();
    for (const row of rows) {
      expect(await fixture.store.predictions.get(row.id), row.id).toEqual({
        id: row.id,
        createdAt: (row.createdAt as Date).toISOString(),
        modelVersion: row.modelVersion,
        route: row.route,
        input: Array.from(row.input),
        label: row.label,
        decision: row.decision,
        latencyMs: row.latencyMs,
        externalId: row.externalId ?? null,
        actual: null,
        confirmedAt: null,
        probabilities: row.probabilities ?? null,
        outOfRange: row.outOfRange ?? [],
      });
    }
  });
  it('ids and external ids of any length and script, longer than a batch has room for, exactly', async () => {
    // Four rows a batch: room for four UUIDs and 64 bytes of external ids, so these overflow both.
    const predictionLog = new PredictionLog(fixture.store, pino({ level: 'silent' }), true, { flushAfterMs: 60_000, batchRows: 4 });
    const texts = ['a', 'é'.repeat(40), `case-${'9'.repeat(190)}`, '🩺 Überweisung 42', 'x'.repeat(37), '表'.repeat(70), 'plain-7'];
    const rows = texts.map((text, i) => ({ ...rowsOf(1, 'text')[0], id: `${text}-${i}`, externalId: i % 3 === 2 ? null : `${text}/${i}` }));
    predictionLog.record(rows);
    await predictionLog.flush();
    for (const row of rows) expect(await fixture.store.predictions.get(row.id), row.id).toMatchObject({ id: row.id, externalId: row.externalId });
    expect(predictionLog.droppedRows).toBe(0);
  });
});

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

/** A writer that holds each batch until the test lets it go, and says what it was given. */
function heldWriter() {
  const given: string[][] = [];
  const waiting: (() => void)[] = [];
  const writer: PredictionLogWriter = {
    write: (batch: SealedBatch) => {
      const reader = new SealedBatchReader(batch);
      given.push(Array.from({ length: batch.rows }, (_, i) => reader.id(i)));
      return new Promise<BatchWritten>((resolve) => waiting.push(() => resolve({ columns: batch.columns, refused: [] })));
    },
    close: async () => {},
  };
  // The log hands a batch over in a callback, the next once the previous one is written.
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  const releaseAll = async () => {
    await settle();
    while (waiting.length > 0) {
      waiting.shift()?.();
      await settle();
    }
  };
  return { writer, given, releaseAll };
}

const storeWith = (writer: PredictionLogWriter) => ({ predictions: {} as Store['predictions'], predictionLogWriter: writer });

describe('the prediction log hands rows to its writer', () => {
  afterEach(() => void vi.useRealTimers());

  it('within monitor.logFlushMs of the first row (what kill -9 can lose)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { writer, given } = heldWriter();
    const predictionLog = new PredictionLog(storeWith(writer), pino({ level: 'silent' }), true, { flushAfterMs: 50, batchRows: 4 });
    predictionLog.record(rowsOf(1, 'first'));
    await vi.advanceTimersByTimeAsync(49);
    expect(given).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(given).toEqual([['first-0000']]);
  });

  it('a full batch at once, without waiting for the timer', async () => {
    const { writer, given, releaseAll } = heldWriter();
    const predictionLog = new PredictionLog(storeWith(writer), pino({ level: 'silent' }), true, { flushAfterMs: 60_000, batchRows: 4 });
    predictionLog.record(rowsOf(5, 'full'));
    await releaseAll();
    expect(given).toEqual([['full-0000', 'full-0001', 'full-0002', 'full-0003']]);
  });

  it('drops rows, counted and said once, when the writer falls behind, then takes rows again once it catches up', async () => {
    const { log, lines } = capturedLog();
    const { writer, given, releaseAll } = heldWriter();
    const predictionLog = new PredictionLog(storeWith(writer), log, true, { batchRows: 2, maxQueuedBatches: 2 });
    // Two full batches queue; the third and fourth find the queue full.
    predictionLog.record(rowsOf(8, 'burst'));
    expect(predictionLog.droppedRows).toBe(4);
    const warnings = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('prediction log rows dropped: the writer is behind'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, queuedBatches: 2 });
    await releaseAll();
    const flushed = predictionLog.flush();
    await releaseAll();
    await flushed;
    expect(given).toEqual([['burst-0000', 'burst-0001'], ['burst-0002', 'burst-0003']]);
    predictionLog.record(rowsOf(2, 'later'));
    const later = predictionLog.flush();
    await releaseAll();
    await later;
    expect(given.at(-1)).toEqual(['later-0000', 'later-0001']);
    expect(predictionLog.droppedRows).toBe(4);
  });
});

describe('the prediction log keeps no text object per row while a batch waits', () => {
  const predictionLogTs = fileURLToPath(new URL('../../src/app/prediction-log.ts', import.meta.url));

  /** Runs `append` in a process of its own and counts, in its heap snapshot, the ids, external ids and out-of-range feature names given to the log. */
  async function heldStrings(): Promise<{ ids: number; externalIds: number; outOfRange: number; rows: number }> {
    // The ids are made at run time and flat (as the served ones are once their answer is written),
    // so that what the snapshot finds is the log's doing and not this script's source.
    const script = [
      `import { getHeapSnapshot } from 'node:v8';`,
      `import { PredictionLog } from ${JSON.stringify(predictionLogTs)};`,
      `const silent = { warn() {}, error() {} };`,
      `const writer = { write: () => new Promise(() => {}), close: async () => {} };`,
      `const log = new PredictionLog({ predictions: {}, predictionLogWriter: writer }, silent, true, { flushAfterMs: 600000, batchRows: 64 });`,
      `const flat = (parts) => Buffer.from(parts.join('')).toString();`,
      // In a function of its own: the module's frame, still running, would otherwise hold the last answer.
      `const fill = () => { for (let i = 0; i < 40; i++) {`,
      `  const answer = { createdAtMs: Date.now(), modelVersion: 1, route: 'api', latencyMs: 1, inputs: [i, 1], cols: 2, decisions: [0.5], classes: ['B', 'M'], probabilities: [0.25, 0.75],`,
      `    predictions: [{ predictionId: flat(['held', 'id-', i, '-', Math.random()]), label: 'B', outOfRange: i % 4 === 0 ? [{ feature: flat(['held', 'range-', i, '-']) }] : [] }],`,
      `    externalIds: [i % 2 === 0 ? flat(['held', 'ext-', i, '-ü']) : null] };`,
      `  log.append(answer, 0);`,
      `} };`,
      `fill();`,
      `let text = '';`,
      `for await (const chunk of getHeapSnapshot()) text += chunk;`,
      `const count = (re) => text.match(re)?.length ?? 0;`,
      `process.stdout.write(JSON.stringify({ ids: count(/heldid-\\d+-/g), externalIds: count(/heldext-\\d+-/g), outOfRange: count(/heldrange-\\d+-/g), rows: 40 }), () => process.exit(0));`,
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, errors }).toEqual({ code: 0, errors: '' });
    return JSON.parse(output) as { ids: number; externalIds: number; outOfRange: number; rows: number };
  }

  it('ids, external ids and out-of-range features are bytes in the batch, not strings: a waiting row keeps nothing alive past the first scavenges', async () => {
    // Strings kept until the batch is written outlive a young-generation collection or two, are
    // promoted, and pile up in the old generation until a full collection: tens of MiB of RSS under load.
    // (The features' names are the model's, shared by every row; here each row has its own, to be found if kept.)
    expect(await heldStrings()).toEqual({ ids: 0, externalIds: 0, outOfRange: 0, rows: 40 });
  }, 30_000);
});

describeDialects('feedback on a prediction still on its way to the store', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('waits for its row: recorded, never a 404', async () => {
    const predictionLog = new PredictionLog(fixture.store, pino({ level: 'silent' }), true, { flushAfterMs: 60_000 });
    const [row] = rowsOf(1, 'in-flight');
    predictionLog.record([row]);
    const outcome = await recordFeedback([{ predictionId: row.id, actual: 'M' }], { store: fixture.store, log: predictionLog, clock: new ManualClock(Date.parse('2026-01-02T00:00:00Z')), classes: ['B', 'M'] });
    expect(outcome).toEqual([{ predictionId: row.id, actual: 'M', status: 'recorded', predictions: 1 }]);
    expect(await fixture.store.predictions.get(row.id)).toMatchObject({ actual: 'M' });
  });
});
