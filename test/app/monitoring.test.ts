import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import type { DriftMonitor } from '../../src/app/drift-monitor.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../src/app/errors.js';
import { MAX_PREDICTIONS_PER_CASE } from '../../src/app/feedback.js';
import type { ModelRegistry } from '../../src/app/model-registry.js';
import { Monitoring } from '../../src/app/monitoring.js';
import { openApplication } from '../../src/app/open-application.js';
import type { Rollouts } from '../../src/app/rollouts.js';
import type { PredictionLog } from '../../src/app/prediction-log.js';
import { parseConfig } from '../../src/config/schema.js';
import { parseDataset } from '../../src/core/dataset.js';
import type { Store } from '../../src/store/database.js';
import type { LiveCounts } from '../../src/store/prediction-log-reads.js';
import { bundledCsv, tempDir } from '../helpers/fixtures.js';

const golden = JSON.parse(readFileSync(new URL('../golden/default.json', import.meta.url), 'utf8')) as {
  test_indices: number[];
  modes: { normalized: { recall_positive: number; recall_macro: number; confusion_matrix: number[][] } };
};
const dataset = parseDataset(bundledCsv, { label: 'diagnosis', positive: 'M', drop: [] });
const rowOf = (i: number) => Array.from(dataset.x.data.subarray(i * 30, (i + 1) * 30));

describe('prediction log, feedback and live performance', () => {
  let app: Application;
  beforeAll(async () => {
    app = await openApplication({ config: parseConfig({}), dataDir: tempDir(), log: pino({ level: 'silent' }), threads: 2 });
    await app.bootstrap();
  });
  afterAll(async () => {
    await app.close();
  });

  it('confirmed test rows give a live recall equal to the test-split recall', async () => {
    const rows = golden.test_indices.map(rowOf);
    const ids = golden.test_indices.map((i) => `case-${i}`);
    const outcome = app.predictions.predict(rows, { route: 'test', externalIds: ids });
    const before = await app.monitoring.live();
    expect(before).toMatchObject({ confirmed: 0, pending: 114, versions: [] });
    const results = await app.monitoring.feedback(golden.test_indices.map((i) => ({ externalId: `case-${i}`, actual: dataset.y[i] })));
    expect(results.every((r) => r.status === 'recorded' && r.predictions === 1)).toBe(true);
    const live = await app.monitoring.live();
    expect(live).toMatchObject({ window: 'last 30d', confirmed: 114, pending: 0 });
    const [v1] = live.versions;
    expect(v1.modelVersion).toBe(outcome.modelVersion);
    expect(v1.recall).toBe(golden.modes.normalized.recall_positive);
    expect(v1.recallMacro).toBe(golden.modes.normalized.recall_macro);
    expect(v1.confusionMatrix).toEqual(golden.modes.normalized.confusion_matrix);
    expect(v1.confirmedPositives).toBe(48);
  });

  it('accepts an identical repeat and refuses conflicts, unknown ids and foreign labels, atomically', async () => {
    const [p] = app.predictions.predict([rowOf(0)], { route: 'test' }).predictions;
    expect(await app.monitoring.feedback([{ predictionId: p.predictionId, actual: 'M' }])).toMatchObject([{ status: 'recorded' }]);
    expect(await app.monitoring.feedback([{ predictionId: p.predictionId, actual: 'M' }])).toMatchObject([{ status: 'unchanged' }]);
    await expect(app.monitoring.feedback([{ predictionId: p.predictionId, actual: 'B' }])).rejects.toThrow(ConflictError);
    await expect(app.monitoring.feedback([{ predictionId: 'no-such-id', actual: 'B' }])).rejects.toThrow(NotFoundError);
    await expect(app.monitoring.feedback([{ externalId: 'case-0', actual: 'malignant' }])).rejects.toThrow(InvalidInputError);
    await expect(app.monitoring.feedback([{ actual: 'M' }])).rejects.toThrow(/either "predictionId" or "externalId"/);
    const [q] = app.predictions.predict([rowOf(1)], { route: 'test' }).predictions;
    // The second item is unknown: the first is not recorded either.
    await expect(app.monitoring.feedback([{ predictionId: q.predictionId, actual: 'M' }, { predictionId: 'missing', actual: 'M' }])).rejects.toThrow(/item 1: no prediction "missing"/);
    expect(await app.monitoring.feedback([{ predictionId: q.predictionId, actual: 'M' }])).toMatchObject([{ status: 'recorded' }]);
  });

  it('refuses two labels for one prediction named by its id and by its case in one batch', async () => {
    const [p] = app.predictions.predict([rowOf(4)], { route: 'test', externalIds: ['case-both'] }).predictions;
    await expect(app.monitoring.feedback([{ predictionId: p.predictionId, actual: 'M' }, { externalId: 'case-both', actual: 'B' }])).rejects.toThrow(/item 1: externalId "case-both" gets two different labels in this batch/);
    expect(await app.monitoring.feedback([{ predictionId: p.predictionId, actual: 'B' }, { externalId: 'case-both', actual: 'B' }])).toMatchObject([
      { status: 'recorded', predictions: 1 },
      { status: 'unchanged', predictions: 1 },
    ]);
  });

  it(`confirms a case number on up to ${MAX_PREDICTIONS_PER_CASE} predictions, and refuses one sent with more`, async () => {
    const many = Array.from({ length: MAX_PREDICTIONS_PER_CASE }, () => rowOf(5));
    app.predictions.predict(many, { route: 'test', externalIds: many.map(() => 'busy-case') });
    expect(await app.monitoring.feedback([{ externalId: 'busy-case', actual: 'M' }])).toEqual([{ externalId: 'busy-case', actual: 'M', status: 'recorded', predictions: MAX_PREDICTIONS_PER_CASE }]);
    app.predictions.predict([rowOf(5)], { route: 'test', externalIds: ['busy-case'] });
    await expect(app.monitoring.feedback([{ externalId: 'busy-case', actual: 'M' }])).rejects.toThrow(ConflictError);
    await expect(app.monitoring.feedback([{ externalId: 'busy-case', actual: 'M' }])).rejects.toThrow(`externalId "busy-case" was sent with more than ${MAX_PREDICTIONS_PER_CASE} predictions`);
  });
});

/** The live report's counts take store time that grows with the window: requests meanwhile share them. */
describe('live performance under concurrent requests', () => {
  function monitoringWith(liveCounts: () => Promise<LiveCounts>): Monitoring {
    return new Monitoring({
      config: parseConfig({}),
      store: { predictionReads: { liveCounts } } as unknown as Store,
      predictionLog: { flush: async () => {} } as unknown as PredictionLog,
      registry: { serving: null } as unknown as ModelRegistry,
      clock: { now: () => new Date(Date.UTC(2025, 0, 1)) },
      drift: {} as DriftMonitor,
      rollouts: {} as Rollouts,
      log: pino({ level: 'silent' }),
    });
  }

  it('counts once for the requests that arrive while counting, and again for a request after a feedback', async () => {
    let counted = 0;
    const monitoring = monitoringWith(async () => {
      const count = ++counted;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { confirmed: [{ modelVersion: 1, label: 'M', actual: 'M', count }], pending: 3 };
    });
    const shared = await Promise.all(Array.from({ length: 5 }, () => monitoring.live()));
    expect(counted).toBe(1);
    expect(shared.every((r) => r === shared[0] && r.confirmed === 1)).toBe(true);

    const during = monitoring.live();
    await expect(monitoring.feedback([])).rejects.toThrow(InvalidInputError);
    const afterFeedback = monitoring.live();
    expect((await during).confirmed).toBe(2);
    expect((await afterFeedback).confirmed).toBe(3);
    expect((await monitoring.live()).confirmed).toBe(4);
  });
});
