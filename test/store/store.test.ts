import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { openDatabase } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import {
  ActiveModelStatusError,
  MigrationError,
  RecordNotFoundError,
  RunStatusError,
  UnsupportedDatabaseUrlError,
} from '../../src/store/errors.js';
import type { CreateModelInput, InactiveServingStatus } from '../../src/store/model-repository.js';
import type { GateVerdict } from '../../src/core/promotion-gate.js';
import { createTestDatabase, describeDialects, useStoreFixture } from './dialects.js';

const databaseTs = fileURLToPath(new URL('../../src/store/database.ts', import.meta.url));

let seconds = 0;
/** A test clock: each call is one second after the last. */
function tick(): string {
  seconds += 1;
  return new Date(Date.UTC(2025, 0, 1, 0, 0, seconds)).toISOString();
}

function snapshotInput(text = 'a,b,target\n1,2,M\n') {
  return {
    source: 'file:data/wdbc.csv',
    contentHash: `sha256:${text.length}:${Buffer.from(text).toString('base64')}`,
    text,
    rowCount: text.trim().split('\n').length - 1,
    classCounts: { B: 0, M: 1 },
    featureNames: ['a', 'b'],
    reading: { label: 'target', header: true },
    readingKey: 'key-1',
    unlabelledRows: 2,
    now: tick(),
  };
}

function modelInput(snapshotId: number, extra: Partial<CreateModelInput> = {}): CreateModelInput {
  return {
    mode: 'normalized',
    params: { C: 1, gamma: 'scale' },
    pipeline: { kind: 'mloop-pipeline', svc: { dualCoef: [0.5, -0.25] } },
    gridSearch: null,
    snapshotId,
    metrics: { recall: { B: 0.9, M: 0.95 } },
    reportText: '              precision    recall\n',
    monitoredMetric: 'recall:M',
    monitoredValue: 0.95,
    threshold: 0.9,
    trainingMs: 12.5,
    gateVerdict: 'passed',
    now: tick(),
    ...extra,
  };
}

async function tableCount(store: Store, table: 'snapshot_contents' | 'activations' | 'models'): Promise<number> {
  return (await store.db.selectFrom(table).selectAll().execute()).length;
}

describeDialects('store', (dialect) => {
  const fixture = useStoreFixture(dialect);
  const open = fixture.open;
  let store: Store;
  beforeEach(() => {
    store = fixture.store;
  });

  it('applies each migration once, on the chosen dialect', async () => {
    expect(store.dialect).toBe(dialect);
    const again = await open();
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(again.db);
    // Every migration of the list, once, in order: the list itself is the expectation (a migration is never removed).
    expect(rows.map((row) => row.name)).toEqual(Object.keys(migrations(dialect)).sort());
    expect(rows.map((row) => row.name).slice(0, 5)).toEqual(['0001_initial', '0002_alerts_outbox_schedule', '0003_run_heartbeats', '0004_prediction_log', '0005_prediction_log_binary_inputs']);
    const tables = (await again.db.introspection.getTables()).map((table) => table.name).sort();
    expect(tables).toEqual(['activations', 'alerts', 'checks', 'drift_reports', 'models', 'outbox', 'predictions', 'registry_audit', 'rollout_answers', 'rollouts', 'runs', 'silences', 'snapshot_contents', 'snapshots']);
  });

  it('migrates once when several openings of a new database race', async () => {
    const fresh = await createTestDatabase(dialect);
    fixture.defer(() => fresh.drop());
    const racers = await Promise.all([1, 2, 3, 4].map(() => open(fresh.options)));
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(racers[0].db);
    expect(rows).toHaveLength(Object.keys(migrations(dialect)).length);
  });

  it('stores snapshots, newest first, and their text once per content', async () => {
    expect(await store.snapshots.latest()).toBeUndefined();
    const first = await store.snapshots.create({ ...snapshotInput('x,target\n1,B\n'), now: '2025-03-01T12:00:00+02:00' });
    expect(first).toEqual({
      id: first.id,
      createdAt: '2025-03-01T10:00:00.000Z',
      source: 'file:data/wdbc.csv',
      contentHash: first.contentHash,
      rowCount: 1,
      classCounts: { B: 0, M: 1 },
      featureNames: ['a', 'b'],
      reading: { label: 'target', header: true },
      readingKey: 'key-1',
      unlabelledRows: 2,
    });
    const second = await store.snapshots.create(snapshotInput('x,target\n1,B\n'));
    const third = await store.snapshots.create({ ...snapshotInput('x,target\n2,M\n'), now: new Date(Date.UTC(2025, 5, 1)) });
    expect(third.createdAt).toBe('2025-06-01T00:00:00.000Z');

    expect(await tableCount(store, 'snapshot_contents')).toBe(2);
    expect(await store.snapshots.text(first.id)).toBe('x,target\n1,B\n');
    expect(await store.snapshots.text(second.id)).toBe('x,target\n1,B\n');
    expect(await store.snapshots.text(third.id)).toBe('x,target\n2,M\n');
    expect(await store.snapshots.get(second.id)).toEqual(second);
    expect(await store.snapshots.latest()).toEqual(third);
    expect((await store.snapshots.list({ limit: 10 })).map((s) => s.id)).toEqual([third.id, second.id, first.id]);
    expect((await store.snapshots.list({ limit: 1, offset: 1 })).map((s) => s.id)).toEqual([second.id]);

    expect(await store.snapshots.get(999)).toBeUndefined();
    await expect(store.snapshots.text(999)).rejects.toThrow(new RecordNotFoundError('snapshot', 999));
    await expect(store.snapshots.create({ ...snapshotInput(), now: 'yesterday' })).rejects.toThrow(RangeError);
  });

  it('registers models, lists them without pipelines, and reports a missing one', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const run = await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick() });
    const one = await store.models.create(modelInput(snapshot.id, { gridSearch: { best: { C: 10 } }, runId: run.id }));
    const two = await store.models.create(
      modelInput(snapshot.id, { mode: 'gridsearch', gateVerdict: 'rejected', gateReason: 'recall fell' }),
    );
    expect(two.version).toBe(one.version + 1);
    expect(one).toMatchObject({
      status: 'candidate',
      gateVerdict: 'passed',
      servingStatus: 'candidate',
      gateReason: null,
      runId: run.id,
      gridSearch: { best: { C: 10 } },
      trainingMs: 12.5,
    });
    expect(two).toMatchObject({
      mode: 'gridsearch',
      status: 'rejected',
      gateVerdict: 'rejected',
      servingStatus: 'candidate',
      gateReason: 'recall fell',
      runId: null,
      gridSearch: null,
    });
    expect(await store.models.get(one.version)).toEqual(one);
    expect(await store.models.get(999)).toBeUndefined();

    const listed = await store.models.list({ limit: 10 });
    expect(listed.map((m) => m.version)).toEqual([two.version, one.version]);
    expect(listed[1]).not.toHaveProperty('pipeline');
    expect(listed[1]).not.toHaveProperty('reference');
    expect(one.reference).toBeNull();
    const { pipeline: _pipeline, reference: _reference, ...summary } = one;
    expect(listed[1]).toEqual(summary);
    expect((await store.models.list({ limit: 1, offset: 1 })).map((m) => m.version)).toEqual([one.version]);

    await expect(store.models.create(modelInput(999))).rejects.toThrow(); // foreign key to snapshots
  });

  it('activates one model at a time, logs each change, and rolls back by the log', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const one = (await store.models.create(modelInput(snapshot.id))).version;
    const two = (await store.models.create(modelInput(snapshot.id))).version;
    expect(await store.models.active()).toBeUndefined();
    expect(await store.models.previousActive()).toBeUndefined();

    const first = await store.models.activate(one, { reason: 'first', now: '2025-02-01T00:00:00Z' });
    expect(first.status).toBe('active');
    expect(await store.models.previousActive()).toBeUndefined();

    await store.models.activate(two, { reason: 'gate', now: '2025-02-02T00:00:00Z' });
    expect((await store.models.active())?.version).toBe(two);
    expect((await store.models.get(one))?.status).toBe('retired');
    expect(await store.models.previousActive()).toBe(one);

    await store.models.activate(one, { reason: 'rollback', now: '2025-02-03T00:00:00Z' });
    expect(await store.models.previousActive()).toBe(two);
    await store.models.activate(two, { reason: 'rollback', now: '2025-02-04T00:00:00Z' });
    expect((await store.models.active())?.pipeline).toEqual(modelInput(0).pipeline);

    // Activating the active model again changes nothing and logs nothing.
    await store.models.activate(two, { reason: 'promote', now: '2025-02-05T00:00:00Z' });
    const entry = (modelVersion: number, previousVersion: number | null, reason: string, day: string) => ({
      id: expect.any(Number),
      modelVersion,
      previousVersion,
      reason,
      activatedAt: `2025-02-${day}T00:00:00.000Z`,
    });
    expect(await store.models.activations({ limit: 10 })).toEqual([
      entry(two, one, 'rollback', '04'),
      entry(one, two, 'rollback', '03'),
      entry(two, one, 'gate', '02'),
      entry(one, null, 'first', '01'),
    ]);
    expect((await store.models.activations({ limit: 1, offset: 3 }))[0].reason).toBe('first');
  });

  it('changes nothing when activating a version that does not exist', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const one = (await store.models.create(modelInput(snapshot.id))).version;
    await store.models.activate(one, { reason: 'first', now: tick() });

    await expect(store.models.activate(999, { reason: 'promote', now: tick() })).rejects.toThrow(
      new RecordNotFoundError('model', 999),
    );
    expect((await store.models.active())?.version).toBe(one);
    expect(await tableCount(store, 'activations')).toBe(1);
  });

  it('rejects a second active model even when activate is bypassed', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const one = (await store.models.create(modelInput(snapshot.id))).version;
    const two = (await store.models.create(modelInput(snapshot.id))).version;
    await store.models.activate(one, { reason: 'first', now: tick() });

    await expect(store.db.updateTable('models').set({ status: 'active' }).where('version', '=', two).execute()).rejects.toThrow(
      /unique/i,
    );
    const { version: _version, ...row } = await store.db
      .selectFrom('models')
      .selectAll()
      .where('version', '=', one)
      .executeTakeFirstOrThrow();
    await expect(store.db.insertInto('models').values(row).execute()).rejects.toThrow(/unique/i);
    await expect(store.db.updateTable('models').set({ serving_status: 'active' }).where('version', '=', two).execute()).rejects.toThrow(/unique/i);
    await expect(store.models.create(modelInput(snapshot.id, { gateVerdict: 'active' as GateVerdict }))).rejects.toThrow(TypeError);
    expect((await store.models.list({ limit: 10 })).filter((m) => m.status === 'active')).toHaveLength(1);
  });

  it('keeps exactly one active model when activations run concurrently', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const versions: number[] = [];
    for (let i = 0; i < 4; i += 1) versions.push((await store.models.create(modelInput(snapshot.id))).version);
    await store.models.activate(versions[0], { reason: 'first', now: tick() });
    // On PostgreSQL a second pool makes the transactions truly overlap.
    const other = dialect === 'postgres' ? await open() : store;
    await Promise.all(
      versions.slice(1).map((v, i) => (i % 2 ? other : store).models.activate(v, { reason: 'promote', now: tick() })),
    );

    const models = await store.models.list({ limit: 10 });
    expect(models.filter((m) => m.status === 'active')).toHaveLength(1);
    const log = (await store.models.activations({ limit: 10 })).reverse();
    expect(log).toHaveLength(4);
    // Each activation retired the one logged just before it: the log is one unbroken chain.
    log.slice(1).forEach((entry, i) => expect(entry.previousVersion).toBe(log[i].modelVersion));
    expect((await store.models.active())?.version).toBe(log[3].modelVersion);
  });

  it('moves a version that does not serve between serving statuses, never the active one, and never its verdict', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const one = (await store.models.create(modelInput(snapshot.id))).version;
    const two = (await store.models.create(modelInput(snapshot.id, { gateVerdict: 'rejected', gateReason: 'recall:M 0.85 < 0.9' }))).version;
    await store.models.activate(one, { reason: 'first', now: tick() });

    expect(await store.models.setServingStatus(two, 'challenger')).toMatchObject({ version: two, servingStatus: 'challenger', gateVerdict: 'rejected', status: 'rejected', gateReason: 'recall:M 0.85 < 0.9' });
    expect(await store.models.setServingStatus(two, 'retired')).toMatchObject({ servingStatus: 'retired', gateVerdict: 'rejected', status: 'rejected' });
    await expect(store.models.setServingStatus(one, 'retired')).rejects.toThrow(ActiveModelStatusError);
    await expect(store.models.setServingStatus(two, 'active' as InactiveServingStatus)).rejects.toThrow(ActiveModelStatusError);
    await expect(store.models.setServingStatus(999, 'retired')).rejects.toThrow(new RecordNotFoundError('model', 999));
    expect((await store.models.active())?.version).toBe(one);
  });

  it('keeps the gate verdict through promotion and retirement, and writes the old status from both', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const one = (await store.models.create(modelInput(snapshot.id))).version;
    const two = (await store.models.create(modelInput(snapshot.id, { gateVerdict: 'rejected', gateReason: 'recall fell' }))).version;
    await store.models.activate(one, { reason: 'first', now: tick() });
    const forced = await store.models.activate(two, { reason: 'promote', now: tick(), audit: { action: 'forced_promotion', actor: 'admin', reason: 'pathologist asked' } });
    expect(forced).toMatchObject({ servingStatus: 'active', gateVerdict: 'rejected', status: 'active', gateReason: 'recall fell' });
    expect(await store.models.get(one)).toMatchObject({ servingStatus: 'retired', gateVerdict: 'passed', status: 'retired' });
    await store.models.activate(one, { reason: 'rollback', now: tick(), audit: { action: 'rollback', actor: 'cli', reason: null } });
    // Before the split, this version read 'retired' here and its rejection was lost.
    expect(await store.models.get(two)).toMatchObject({ servingStatus: 'retired', gateVerdict: 'rejected', status: 'rejected' });

    const audit = await store.audit.list({ limit: 10 });
    expect(audit.map((e) => [e.action, e.fromVersion, e.toVersion, e.actor, e.reason])).toEqual([
      ['rollback', two, one, 'cli', null],
      ['forced_promotion', one, two, 'admin', 'pathologist asked'],
    ]);
    // Activating the active version changes nothing: no audit entry either.
    await store.models.activate(one, { reason: 'promote', now: tick(), audit: { action: 'promotion', actor: 'admin', reason: null } });
    expect(await store.audit.list({ limit: 10 })).toHaveLength(2);
  });

  it('round-trips doubles exactly through the pipeline JSON and the number columns', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const doubles = [0.1 + 0.2, 1e-300, 5e-324, -5e-324, 1 / 3, Number.MAX_VALUE, -Number.MIN_VALUE, 2 ** 53 + 2, 123456.789e-20];
    const pipeline = { kind: 'mloop-pipeline', svc: { dualCoef: doubles, intercept: -0, nested: [{ gamma: 0.1 + 0.2 }] } };
    const created = await store.models.create(
      modelInput(snapshot.id, { pipeline, monitoredValue: 0.1 + 0.2, threshold: 5e-324, trainingMs: 1 / 3 }),
    );
    const read = await store.models.get(created.version);
    const svc = (read?.pipeline as typeof pipeline).svc;
    svc.dualCoef.forEach((value, i) => expect(Object.is(value, doubles[i])).toBe(true));
    expect(Object.is(svc.nested[0].gamma, 0.1 + 0.2)).toBe(true);
    // JSON has no negative zero: -0 is written as 0 and reads back as +0 (see CreateModelInput.pipeline).
    expect(Object.is(svc.intercept, 0)).toBe(true);
    expect(Object.is(read?.monitoredValue, 0.1 + 0.2)).toBe(true);
    expect(Object.is(read?.threshold, 5e-324)).toBe(true);
    expect(Object.is(read?.trainingMs, 1 / 3)).toBe(true);

    const stored = await store.db
      .selectFrom('models')
      .select('pipeline_json')
      .where('version', '=', created.version)
      .executeTakeFirstOrThrow();
    expect(stored.pipeline_json).toBe(JSON.stringify(pipeline));

    const check = await store.checks.create({
      modelVersion: created.version,
      snapshotId: snapshot.id,
      metric: 'recall:M',
      value: 0.1 + 0.2,
      threshold: 1e-300,
      passed: true,
      source: 'check',
      now: tick(),
    });
    expect(Object.is(check.value, 0.1 + 0.2)).toBe(true);
    expect(Object.is((await store.checks.list({ limit: 1 }))[0].threshold, 1e-300)).toBe(true);
  });

  it('tracks runs from queued to finished', async () => {
    const train = await store.runs.create({
      kind: 'train',
      trigger: 'schedule',
      params: { mode: 'gridsearch' },
      scheduledFor: '2025-01-01T03:00:00Z',
      now: '2025-01-01T03:00:01Z',
    });
    expect(train).toEqual({
      id: train.id,
      kind: 'train',
      trigger: 'schedule',
      status: 'queued',
      params: { mode: 'gridsearch' },
      scheduledFor: '2025-01-01T03:00:00.000Z',
      queuedAt: '2025-01-01T03:00:01.000Z',
      startedAt: null,
      finishedAt: null,
      attempts: 0,
      progressDone: null,
      progressTotal: null,
      result: null,
      error: null,
      owner: null,
      cancelRequestedAt: null,
    });
    expect((await store.runs.running('train'))?.id).toBe(train.id);
    expect(await store.runs.running('check')).toBeUndefined();

    expect(await store.runs.start(train.id, '2025-01-01T03:00:02Z')).toMatchObject({
      status: 'running',
      attempts: 1,
      startedAt: '2025-01-01T03:00:02.000Z',
    });
    expect(await store.runs.progress(train.id, 30, 120)).toMatchObject({ progressDone: 30, progressTotal: 120 });
    expect((await store.runs.running('train'))?.status).toBe('running');
    const done = await store.runs.succeed(train.id, { modelVersion: 3, recall: 0.97 }, '2025-01-01T03:01:00Z');
    expect(done).toMatchObject({
      status: 'succeeded',
      finishedAt: '2025-01-01T03:01:00.000Z',
      result: { modelVersion: 3, recall: 0.97 },
      progressDone: 30,
    });
    expect(await store.runs.running('train')).toBeUndefined();

    const update = await store.runs.create({ kind: 'update', trigger: 'cli', params: null, now: tick() });
    await store.runs.start(update.id, tick());
    const failed = await store.runs.fail(update.id, 'data source answered 503', '2025-01-01T04:00:00Z');
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'data source answered 503',
      finishedAt: '2025-01-01T04:00:00.000Z',
      scheduledFor: null,
      params: null,
    });
    // A failed run starts again only once queued again for another attempt.
    await expect(store.runs.start(update.id, tick())).rejects.toThrow(new RunStatusError(update.id, 'failed', 'start'));
    await store.runs.retry(update.id, 'data source answered 503', tick());
    const retried = await store.runs.start(update.id, tick());
    expect(retried).toMatchObject({ status: 'running', attempts: 2, error: null, finishedAt: null });
    const check = await store.runs.create({ kind: 'check', trigger: 'startup', params: {}, now: tick() });

    expect(await store.runs.get(update.id)).toEqual(retried);
    expect(await store.runs.get(999)).toBeUndefined();
    expect((await store.runs.list({ limit: 10 })).map((r) => r.id)).toEqual([check.id, update.id, train.id]);
    expect((await store.runs.list({ limit: 10, offset: 1 })).map((r) => r.id)).toEqual([update.id, train.id]);
    expect((await store.runs.list({ kind: 'train', limit: 10 })).map((r) => r.id)).toEqual([train.id]);
    await expect(store.runs.start(999, tick())).rejects.toThrow(new RecordNotFoundError('run', 999));
    await expect(store.runs.progress(999, 1, 2)).rejects.toThrow(new RecordNotFoundError('run', 999));
    await expect(store.runs.succeed(999, {}, tick())).rejects.toThrow(new RecordNotFoundError('run', 999));
    await expect(store.runs.fail(999, 'x', tick())).rejects.toThrow(new RecordNotFoundError('run', 999));
  });

  it('keeps the performance history oldest first, per model or for all', async () => {
    const snapshot = await store.snapshots.create(snapshotInput());
    const one = (await store.models.create(modelInput(snapshot.id))).version;
    const two = (await store.models.create(modelInput(snapshot.id))).version;
    const check = (modelVersion: number, value: number, source: 'training' | 'check', now = tick()) =>
      store.checks.create({
        ...{ snapshotId: snapshot.id, metric: 'recall:M', threshold: 0.9 },
        ...{ modelVersion, value, passed: value >= 0.9, source, now },
      });
    const a = await check(one, 0.95, 'training', '2025-01-02T00:00:00Z');
    const b = await check(one, 0.85, 'check');
    const c = await check(two, 0.93, 'training');
    const d = await check(one, 0.91, 'check');
    expect(a).toEqual({
      id: a.id,
      createdAt: '2025-01-02T00:00:00.000Z',
      modelVersion: one,
      snapshotId: snapshot.id,
      metric: 'recall:M',
      value: 0.95,
      threshold: 0.9,
      passed: true,
      source: 'training',
    });
    expect(b.passed).toBe(false);

    expect((await store.checks.list({ limit: 10 })).map((x) => x.id)).toEqual([a.id, b.id, c.id, d.id]);
    expect((await store.checks.list({ modelVersion: one, limit: 10 })).map((x) => x.id)).toEqual([a.id, b.id, d.id]);
    // A limit keeps the most recent checks, still oldest first.
    expect((await store.checks.list({ modelVersion: one, limit: 2 })).map((x) => x.id)).toEqual([b.id, d.id]);
    expect(await store.checks.list({ modelVersion: 999, limit: 10 })).toEqual([]);
  });
});

describe('store on one SQLite file shared by two handles (CLI and server)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mloop-shared-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('opens twice at once, and each handle sees what the other wrote', async () => {
    const [cli, server] = await Promise.all([openDatabase({ dataDir }), openDatabase({ dataDir })]);
    try {
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(cli.db);
      expect(rows[0].journal_mode).toBe('wal');
      const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(server.db);
      expect(timeout.rows[0].timeout).toBe(5000);
      const keys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(server.db);
      expect(keys.rows[0].foreign_keys).toBe(1);
      expect(fs.existsSync(path.join(dataDir, 'mloop.sqlite'))).toBe(true);

      const snapshot = await cli.snapshots.create(snapshotInput());
      const model = await cli.models.create(modelInput(snapshot.id));
      await server.models.activate(model.version, { reason: 'first', now: tick() });
      expect((await cli.models.active())?.version).toBe(model.version);
      expect(await server.snapshots.text(snapshot.id)).toBe(snapshotInput().text);
    } finally {
      await Promise.all([cli.close(), server.close()]);
    }
  });

  it('migrates a new file once when separate processes open it at the same moment', async () => {
    // Each child loads the store, says "ready", and opens the file when told "go" on stdin, so that
    // the three openings (and their migrations) really overlap.
    const script = [
      `import { openDatabase } from ${JSON.stringify(databaseTs)};`,
      `import { once } from 'node:events';`,
      `process.stdout.write('ready\\n');`,
      `await once(process.stdin, 'data');`,
      `const store = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });`,
      `await store.runs.create({ kind: 'check', trigger: 'cli', params: { pid: process.pid }, now: '2025-01-01T00:00:00Z' });`,
      'await store.close();',
      'process.stdin.destroy();',
    ].join('\n');
    const children = [1, 2, 3].map(() =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    const exits = children.map((child) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise<void>((resolve, reject) =>
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`)))),
      );
    });
    await Promise.all(children.map((child) => once(child.stdout, 'data')));
    for (const child of children) child.stdin.write('go\n');
    await Promise.all(exits);

    const store = await openDatabase({ dataDir });
    try {
      expect(await store.runs.list({ limit: 10 })).toHaveLength(3);
      const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
      expect(rows).toHaveLength(Object.keys(migrations('sqlite')).length);
    } finally {
      await store.close();
    }
  });
});

describe('openDatabase', () => {
  it('refuses a URL it cannot serve, naming only the scheme', async () => {
    await expect(openDatabase({ url: 'mysql://root:secret@localhost/mloop', dataDir: os.tmpdir() })).rejects.toThrow(
      new UnsupportedDatabaseUrlError('mysql'),
    );
  });

  it('fails, and says why, when PostgreSQL cannot be reached', async () => {
    const url = 'postgres://mloop:pw@127.0.0.1:1/mloop';
    const error = await openDatabase({ url, dataDir: os.tmpdir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).message).toMatch(/ECONNREFUSED/);
  });
});
