import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { ConflictError, InvalidDataError, UpstreamError } from '../../src/app/errors.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { csvWithCell, malignantRow, tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';

const log = pino({ level: 'silent' });

/** The tutorial's story on the bundled data with the default split, through the application. */
describe('application: registry, promotion gate, snapshots, restart', () => {
  const dir = tempDir();
  const sourceDir = tempDir('mloop-source-');
  const source = writeFile(sourceDir, 'data.csv', tutorialLayoutCsv());
  const config = parseConfig({ dataset: { source } });
  let app: Application;

  beforeAll(async () => {
    app = await openApplication({ config, dataDir: dir, log, threads: 2 });
  });
  afterAll(async () => {
    await app.close();
  });

  it('first start takes a snapshot of the source and trains the configured mode', async () => {
    expect(app.registry.serving).toBeNull();
    await app.bootstrap();
    expect(app.registry.serving?.version).toBe(1);
    expect(app.registry.serving?.summary.mode).toBe('normalized');
    expect(app.registry.serving?.summary.status).toBe('active');
    const [snapshot] = await app.data.snapshots(10, 0);
    expect(snapshot).toMatchObject({ id: 1, rowCount: 569, classCounts: { M: 212, B: 357 } });
    expect(app.predictions.predict([malignantRow]).predictions[0]).toMatchObject({ label: 'M', className: 'Malign' });
  });

  it('keeps a worse model as a rejected candidate: basic has recall of M 0.833 < 0.9', async () => {
    const result = await app.trainings.train({ mode: 'basic' }, 'test');
    expect(result.activated).toBe(false);
    expect(result.model).toMatchObject({ version: 2, status: 'rejected', monitoredMetric: 'recall' });
    expect(result.model.monitoredValue).toBeCloseTo(0.8333333333333334, 15);
    expect(result.gateReason).toBe('recall of M 0.8333 is below the threshold 0.9: rejected by the promotion gate, v1 stays active');
    expect(app.registry.serving?.version).toBe(1);
  });

  it('activates a model that passes the gate, and rolls back and forth', async () => {
    const result = await app.trainings.train({ mode: 'gridsearch' }, 'test');
    expect(result.activated).toBe(true);
    expect(app.registry.serving?.version).toBe(3);
    const run = await app.runs.get(result.runId);
    expect(run).toMatchObject({ status: 'succeeded', progressDone: 80, progressTotal: 80 });
    const admin = { actor: 'admin' } as const;
    expect((await app.registry.rollback(admin)).version).toBe(1);
    expect(app.registry.serving?.version).toBe(1);
    expect((await app.registry.rollback(admin)).version).toBe(3);
    // v2 was rejected by the gate: promoting it takes force and a reason.
    await expect(app.registry.promote(2, admin)).rejects.toThrow(ConflictError);
    expect((await app.registry.promote(2, { ...admin, force: true, reason: 'compare on live cases' })).version).toBe(2);
    expect(app.registry.serving?.version).toBe(2);
    expect((await app.registry.promote(3, admin)).version).toBe(3);
    const statuses = Object.fromEntries((await app.registry.list(10, 0)).map((m) => [m.version, [m.status, m.gateVerdict, m.servingStatus]]));
    expect(statuses).toEqual({ 1: ['retired', 'passed', 'retired'], 2: ['rejected', 'rejected', 'retired'], 3: ['active', 'passed', 'active'] });
  });

  it('refuses a second training while one runs', async () => {
    const first = await app.trainings.start({ mode: 'gridsearch' }, 'test');
    await expect(app.trainings.start({ mode: 'basic' }, 'test')).rejects.toThrow(ConflictError);
    await first.done;
  });

  it('records an unchanged source without a new snapshot', async () => {
    const outcome = await app.jobs.update('test');
    expect(outcome.status).toBe('unchanged');
    expect(outcome.snapshot.id).toBe(1);
  });

  it('keeps the previous snapshot and model when the source turns invalid or unreachable', async () => {
    const before = app.registry.serving?.version;
    writeFile(sourceDir, 'data.csv', csvWithCell(10, 'area_mean', 'inf'));
    await expect(app.jobs.update('test')).rejects.toThrow(InvalidDataError);
    await expect(app.jobs.update('test')).rejects.toThrow("line 12, column 'area_mean': 'inf' is not a finite number");
    const [latest] = await app.data.snapshots(10, 0);
    expect(latest.id).toBe(1);
    expect(app.registry.serving?.version).toBe(before);
    const runs = await app.runs.list({ kind: 'update', limit: 3, offset: 0 });
    expect(runs.map((r) => r.status)).toEqual(['failed', 'failed', 'succeeded']);
  });

  it('keeps a snapshot whose columns changed, says what changed, and serves on with the active model', async () => {
    const before = app.registry.serving?.version;
    writeFile(sourceDir, 'data.csv', tutorialLayoutCsv().replace('"smoothness_mean"', '"smoothness"'));
    const outcome = await app.jobs.update('test');
    expect(outcome).toMatchObject({ status: 'created', snapshot: { id: 2, rowCount: 569 } });
    expect(outcome.featureChange).toMatch(/^new column smoothness; no smoothness_mean: the active model keeps serving/);
    expect(app.registry.serving?.version).toBe(before);
    expect(app.predictions.predict([malignantRow]).predictions[0]).toMatchObject({ label: 'M' });
  });

  it('takes a new snapshot when the source changes (the tutorial grew from 99 rows to 569)', async () => {
    writeFile(sourceDir, 'data.csv', tutorialLayoutCsv(99));
    const outcome = await app.jobs.update('test');
    expect(outcome).toMatchObject({ status: 'created', snapshot: { id: 3, rowCount: 99 } });
  });

  it('comes back after a restart with the same active version, answering identically', async () => {
    const version = app.registry.serving?.version;
    const before = app.predictions.predict([malignantRow]).predictions[0].decision;
    await app.close();
    app = await openApplication({ config, dataDir: dir, log, threads: 2 });
    expect(app.registry.serving?.version).toBe(version);
    expect(Object.is(app.predictions.predict([malignantRow]).predictions[0].decision, before)).toBe(true);
  });
});

describe('application: unreachable source', () => {
  it('fails the update with the reason and keeps no snapshot', async () => {
    const app = await openApplication({ config: parseConfig({ dataset: { source: 'http://127.0.0.1:9/data.csv', timeoutMs: 2000 } }), dataDir: tempDir(), log, threads: 1 });
    try {
      await expect(app.jobs.update('test')).rejects.toThrow(UpstreamError);
      expect(await app.data.snapshots(10, 0)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
