import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { ActiveModelChangedError } from '../../src/store/errors.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { bareKysely, createTestDatabase, describeDialects, useStoreFixture } from './dialects.js';

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 8, minute)).toISOString();

describeDialects('promotion safety in the store', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('splits the old status of models written before migration 0006 into a gate verdict and a serving status', async () => {
    const old = await createTestDatabase(dialect);
    fixture.defer(() => old.drop());
    const db = bareKysely(dialect, old);
    try {
      const migrated = await new Migrator({ db, provider: migrationProvider(dialect) }).migrateTo('0005_prediction_log_binary_inputs');
      expect(migrated.error).toBeUndefined();
      await sql`insert into snapshot_contents (content_hash, text) values ('h', 'a,b\n')`.execute(db);
      await sql`insert into snapshots (id, created_at, source, content_hash, row_count, class_counts_json, feature_names_json) values (1, ${at(0)}, 's', 'h', 1, '{}', '[]')`.execute(db);
      // v1 served first; v2 was rejected, promoted by hand (its status became 'retired') and replaced
      // by v4; v3 was rejected; v5 is a candidate that never served.
      const models: [number, string, number][] = [
        [1, 'retired', 0.9791666666666666],
        [2, 'retired', 0.8333333333333334],
        [3, 'rejected', 0.85],
        [4, 'active', 0.9791666666666666],
        [5, 'candidate', 0.95],
      ];
      for (const [version, status, value] of models) {
        await sql`insert into models (version, created_at, mode, params_json, pipeline_json, snapshot_id, metrics_json, report_text, monitored_metric, monitored_value, threshold, training_ms, status)
          values (${version}, ${at(version)}, 'normalized', '{}', '{}', 1, '{}', '', 'recall', ${value}, 0.9, 1, ${status})`.execute(db);
      }
      for (const [model, previous, reason, minute] of [[1, null, 'first', 10], [2, 1, 'promote', 11], [4, 2, 'gate', 12]] as const) {
        await sql`insert into activations (model_version, previous_version, reason, activated_at) values (${model}, ${previous}, ${reason}, ${at(minute)})`.execute(db);
      }
    } finally {
      await db.destroy();
    }
    const store = await fixture.open(old.options);
    const rows = (await store.models.list({ limit: 10 })).map((m) => [m.version, m.gateVerdict, m.servingStatus, m.status]);
    expect(rows).toEqual([
      [5, 'passed', 'candidate', 'candidate'],
      [4, 'passed', 'active', 'active'],
      [3, 'rejected', 'candidate', 'rejected'],
      [2, 'rejected', 'retired', 'rejected'],
      [1, 'passed', 'retired', 'retired'],
    ]);
    expect(await store.models.activeVersion()).toBe(4);
    await expect(store.db.updateTable('models').set({ serving_status: 'active' }).where('version', '=', 5).execute()).rejects.toThrow(/unique/i);
    await expect(store.db.updateTable('models').set({ gate_verdict: 'maybe' }).where('version', '=', 5).execute()).rejects.toThrow(/check/i);
  });

  it('refuses a gate activation decided against a model that no longer serves, and records nothing', async () => {
    const { store } = fixture;
    await store.snapshots.create({ source: 's', contentHash: 'h', text: 'a,b\n', rowCount: 1, classCounts: {}, featureNames: [], reading: null, readingKey: 'k', unlabelledRows: 0, now: at(0) });
    const model = (minute: number) =>
      store.models.create({ mode: 'normalized', params: {}, pipeline: {}, gridSearch: null, snapshotId: 1, metrics: {}, reportText: '', monitoredMetric: 'recall', monitoredValue: 0.95, threshold: 0.9, trainingMs: 1, gateVerdict: 'passed', now: at(minute) });
    const [one, two, three] = [await model(1), await model(2), await model(3)];
    const gate = { action: 'gate_activation', actor: 'gate', reason: 'passed' } as const;
    await store.models.activate(one.version, { reason: 'first', now: at(4), audit: gate, replacing: null });
    // v3 was judged against v1, but an admin promoted v2 meanwhile.
    await store.models.activate(two.version, { reason: 'promote', now: at(5), audit: { action: 'promotion', actor: 'admin', reason: null } });
    await expect(store.models.activate(three.version, { reason: 'gate', now: at(6), audit: gate, replacing: one.version })).rejects.toThrow(
      new ActiveModelChangedError(three.version, one.version, two.version),
    );
    expect(await store.models.activeVersion()).toBe(two.version);
    expect((await store.audit.list({ limit: 10 })).map((e) => e.toVersion)).toEqual([two.version, one.version]);
    await store.models.activate(three.version, { reason: 'gate', now: at(7), audit: gate, replacing: two.version });
    expect(await store.models.activeVersion()).toBe(three.version);
  });

  it('keeps silences: active ones mute, an expired one stays listed, and expiring twice changes nothing', async () => {
    const { store } = fixture;
    const matchers = [{ name: 'alertname', value: 'data_drift', isRegex: false, isEqual: true }];
    const first = await store.silences.create({ matchers, startsAt: at(0), endsAt: at(30), createdBy: 'admin', reason: 'feature pipeline rebuilt', now: at(0) });
    const second = await store.silences.create({ matchers, startsAt: at(5), endsAt: at(60), createdBy: 'admin', reason: 'r', now: at(5) });
    expect(first).toEqual({ id: first.id, matchers, startsAt: at(0), endsAt: at(30), createdBy: 'admin', createdAt: at(0), reason: 'feature pipeline rebuilt' });
    expect((await store.silences.active(at(10))).map((s) => s.id)).toEqual([first.id, second.id]);
    expect((await store.silences.active(at(30))).map((s) => s.id)).toEqual([second.id]);
    expect((await store.silences.list({ state: 'expired', now: at(30), limit: 10 })).map((s) => s.id)).toEqual([first.id]);
    expect((await store.silences.list({ state: 'pending', now: at(1), limit: 10 })).map((s) => s.id)).toEqual([second.id]);
    expect((await store.silences.list({ now: at(1), limit: 10 })).map((s) => s.id)).toEqual([second.id, first.id]);

    expect(await store.silences.expire(second.id, at(20))).toMatchObject({ startsAt: at(5), endsAt: at(20) });
    expect(await store.silences.expire(second.id, at(25))).toMatchObject({ endsAt: at(20) });
    // Expired before it started (a replica's clock ahead): it ends where it starts, never active.
    const early = await store.silences.create({ matchers, startsAt: at(50), endsAt: at(59), createdBy: 'admin', reason: 'r', now: at(50) });
    expect(await store.silences.expire(early.id, at(40))).toMatchObject({ startsAt: at(40), endsAt: at(40) });
    expect(await store.silences.active(at(52))).toEqual([]);
    expect(await store.silences.expire(999, at(20))).toBeUndefined();
  });
});
