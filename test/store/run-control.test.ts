import path from 'node:path';
import Database from 'better-sqlite3';
import type { Dialect as KyselyDialect } from 'kysely';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { ProcessOwner } from '../../src/core/process-owner.js';
import { sqliteFileName } from '../../src/store/database.js';
import { RunStatusError } from '../../src/store/errors.js';
import { migrations } from '../../src/store/migrations/index.js';
import type { Dialect } from '../../src/store/store-dialect.js';
import { createTestDatabase, describeDialects, useStoreFixture } from './dialects.js';
import type { OpenDatabaseOptions } from '../../src/store/database.js';

const tick = (minute: number) => new Date(Date.UTC(2025, 0, 1, 8, minute)).toISOString();
const owner = (pid: number): ProcessOwner => ({ host: 'h', pid, startedAt: tick(0), pidScope: 'boot ns', startTicks: '42' });

/** A database brought up to `last` only, the way an older mloop left it. */
async function migratedTo(dialect: Dialect, options: OpenDatabaseOptions, last: string): Promise<Kysely<Record<string, Record<string, unknown>>>> {
  const kyselyDialect: KyselyDialect =
    dialect === 'sqlite'
      ? new SqliteDialect({ database: new Database(path.join(options.dataDir, sqliteFileName)) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: options.url }) });
  const db = new Kysely<Record<string, Record<string, unknown>>>({ dialect: kyselyDialect });
  const upTo = Object.fromEntries(Object.entries(migrations(dialect)).filter(([name]) => name <= last));
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => upTo } }).migrateToLatest();
  if (error) throw error;
  return db;
}

describeDialects('run control', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('keeps the runs of an older database, their ids and the models that name them, and accepts cancelled', async () => {
    const fresh = await createTestDatabase(dialect);
    fixture.defer(() => fresh.drop());
    const old = await migratedTo(dialect, fresh.options, '0005_prediction_log_binary_inputs');
    try {
      const run = (id: number, status: string) => ({ id, kind: 'train', trigger: 'api', status, params_json: '{}', queued_at: tick(id), attempts: 1, heartbeat_at: tick(id) });
      await old.insertInto('runs').values([run(1, 'succeeded'), run(2, 'failed'), run(3, 'succeeded'), run(4, 'running')]).execute();
      await old.deleteFrom('runs').where('id', '=', 3).execute();
      await old.insertInto('snapshot_contents').values({ content_hash: 'h', text: 'a,b\n' }).execute();
      await old.insertInto('snapshots').values({ id: 1, created_at: tick(0), source: 's', content_hash: 'h', row_count: 1, class_counts_json: '{}', feature_names_json: '[]' }).execute();
      const model = { created_at: tick(1), mode: 'basic', params_json: '{}', pipeline_json: '{}', snapshot_id: 1, metrics_json: '{}', report_text: '', monitored_metric: 'recall', monitored_value: 1, threshold: 0.9, training_ms: 1, status: 'candidate' };
      await old.insertInto('models').values([{ ...model, version: 1, run_id: 1 }, { ...model, version: 2, run_id: 2 }]).execute();
      if (dialect === 'postgres') await sql`select setval('runs_id_seq', 4)`.execute(old);
    } finally {
      await old.destroy();
    }
    const store = await fixture.open(fresh.options);
    const runs = await store.runs.list({ limit: 10 });
    expect(runs.map((r) => [r.id, r.status, r.owner, r.cancelRequestedAt])).toEqual([
      [4, 'running', null, null],
      [2, 'failed', null, null],
      [1, 'succeeded', null, null],
    ]);
    expect((await store.models.get(2))?.runId).toBe(2);
    expect(await store.runs.cancel(4, 'requested through the API', tick(5))).toMatchObject({ status: 'cancelled' });
    // Ids go on after the greatest ever given, the deleted run 3's included.
    expect((await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick(6) })).id).toBe(5);
    // The indexes came back: still one active training at most.
    await expect(store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick(6) })).rejects.toThrow();
    // And the models' reference to runs still holds.
    await expect(store.db.updateTable('models').set({ run_id: 99 }).where('version', '=', 1).execute()).rejects.toThrow();
  });

  it('cancels a queued run for anyone, a running one only for its process, and never a finished one', async () => {
    const { store } = fixture;
    const queued = await store.runs.create({ kind: 'update', trigger: 'api', params: {}, now: tick(1), owner: owner(10) });
    expect(queued.owner).toEqual(owner(10));
    const cancelled = await store.runs.cancel(queued.id, 'requested through the API', tick(2), ['queued']);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'requested through the API', finishedAt: tick(2) });
    // The scheduler's next attempt finds it cancelled and does not start it.
    await expect(store.runs.start(queued.id, tick(3))).rejects.toThrow(new RunStatusError(queued.id, 'cancelled', 'start'));
    await expect(store.runs.retry(queued.id, 'x', tick(3))).rejects.toThrow(new RunStatusError(queued.id, 'cancelled', 'retry'));

    const train = await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick(4) });
    await store.runs.start(train.id, tick(4), owner(11));
    await expect(store.runs.cancel(train.id, 'x', tick(5), ['queued'])).rejects.toThrow(new RunStatusError(train.id, 'running', 'cancel'));
    expect(await store.runs.requestCancel(train.id, tick(5))).toMatchObject({ status: 'running', cancelRequestedAt: tick(5), owner: owner(11) });
    // Its process hears of it with its next heartbeat, stops the work and records the end.
    expect(await store.runs.heartbeat([train.id], tick(6))).toEqual({ gone: [], cancelRequested: [train.id] });
    expect(await store.runs.cancel(train.id, 'requested by another process', tick(7))).toMatchObject({ status: 'cancelled', cancelRequestedAt: tick(5) });
    await expect(store.runs.succeed(train.id, {}, tick(8))).rejects.toThrow(new RunStatusError(train.id, 'cancelled', 'succeed'));
    await expect(store.runs.fail(train.id, 'x', tick(8))).rejects.toThrow(new RunStatusError(train.id, 'cancelled', 'fail'));
    await expect(store.runs.requestCancel(train.id, tick(8))).rejects.toThrow(new RunStatusError(train.id, 'cancelled', 'cancel'));
    // Over: no longer in the way of the next training, and a heartbeat for it says it is gone.
    expect(await store.runs.running('train')).toBeUndefined();
    expect(await store.runs.heartbeat([train.id], tick(9))).toEqual({ gone: [train.id], cancelRequested: [] });
    await expect(store.db.updateTable('runs').set({ status: 'paused' }).where('id', '=', train.id).execute()).rejects.toThrow();
  });

  it('fails a run as abandoned only while it is still in the hands of the owner that was seen', async () => {
    const { store } = fixture;
    const run = await store.runs.claimScheduled({ kind: 'check', trigger: 'schedule', params: {}, scheduledFor: tick(0), now: tick(0), owner: owner(20) });
    if (!run) throw new Error('not claimed');
    await store.runs.start(run.id, tick(1));
    const seen = (await store.runs.active()).find((r) => r.id === run.id);
    expect(seen?.owner).toEqual(owner(20));
    // Another process takes the tick over meanwhile: what was seen no longer holds.
    await store.runs.retry(run.id, 'attempt 1 abandoned', tick(2), owner(21));
    expect(await store.runs.abandon(seen!, 'abandoned: the process running it died', tick(3))).toBeUndefined();
    const current = await store.runs.get(run.id);
    expect(current).toMatchObject({ status: 'queued', owner: owner(21) });
    expect(await store.runs.abandon(current!, 'abandoned: the process running it died', tick(4))).toMatchObject({ status: 'failed', error: 'abandoned: the process running it died' });
    expect(await store.runs.abandon(current!, 'again', tick(5))).toBeUndefined();
    expect(await store.runs.active()).toEqual([]);
  });

  it('fails silent runs as abandoned, the scheduled ticks among them only when asked', async () => {
    const { store } = fixture;
    const tick0 = await store.runs.claimScheduled({ kind: 'update', trigger: 'schedule', params: {}, scheduledFor: tick(0), now: tick(0) });
    const byHand = await store.runs.create({ kind: 'check', trigger: 'api', params: {}, now: tick(0) });
    expect((await store.runs.abandonStale(tick(5), tick(6), { scheduled: false })).map((r) => r.id)).toEqual([byHand.id]);
    expect((await store.runs.abandonStale(tick(5), tick(6))).map((r) => r.id)).toEqual([tick0?.id]);
  });
});
