import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { AlertCondition, AlertState } from '../../src/core/alerts/alert.js';
import { jobFailedCondition, jobSucceededCondition, recallCondition } from '../../src/core/alerts/alert.js';
import type { AlertScope } from '../../src/core/alerts/alert-lifecycle.js';
import { evaluateAlerts } from '../../src/core/alerts/alert-lifecycle.js';
import { fingerprint } from '../../src/core/alerts/fingerprint.js';
import type { Store } from '../../src/store/database.js';
import { AlertScopeError } from '../../src/store/errors.js';
import { describeDialects, raceInChildren, useStoreFixture } from './dialects.js';

const hourMs = 3_600_000;
const channels = ['email', 'webhook'];
const lifecycleTs = fileURLToPath(new URL('../../src/core/alerts/alert-lifecycle.ts', import.meta.url));

/** One evaluation of `scopes` through the store, as the application runs it. */
function evaluate(store: Store, scopes: readonly AlertScope[], conditions: readonly AlertCondition[], now: string) {
  const names = [...new Set(scopes.map((scope) => (typeof scope === 'string' ? scope : scope.name)))];
  return store.alerts.transact(names, (states) => evaluateAlerts(states, conditions, now, 4 * hourMs, scopes), { channels, now });
}

const jobScope = (job: 'update' | 'train' | 'check') => ({ name: 'job_failed', labels: { job } }) as const;
const jobFailed = (job: 'update' | 'train' | 'check') => jobFailedCondition({ job, error: `${job} broke`, attempts: 3 });
const recall = (value: number) => recallCondition({ metric: 'recall', value, threshold: 0.9, modelVersion: 3, snapshotId: 7 });
const recallFingerprint = fingerprint({ alertname: 'recall_below_threshold', metric: 'recall' });

describeDialects('alert states', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('stores each evaluation and queues its notifications once per channel', async () => {
    const { store } = fixture;
    const fired = await evaluate(store, ['recall_below_threshold'], [recall(0.85)], '2025-01-01T00:00:00.000Z');
    expect(fired.notifications.map((n) => n.reason)).toEqual(['new']);
    const firing: AlertState = {
      fingerprint: recallFingerprint,
      name: 'recall_below_threshold',
      labels: { alertname: 'recall_below_threshold', metric: 'recall' },
      annotations: { value: '0.85', threshold: '0.9', model_version: '3', snapshot_id: '7' },
      status: 'firing',
      startsAt: '2025-01-01T00:00:00.000Z',
      endsAt: null,
      lastNotifiedAt: '2025-01-01T00:00:00.000Z',
    };
    expect(await store.alerts.get(recallFingerprint)).toEqual(firing);
    const queued = await store.outbox.list({ limit: 10 });
    expect(queued.map((item) => item.channel).sort()).toEqual(channels);
    for (const item of queued) {
      expect(item).toMatchObject({ fingerprint: recallFingerprint, statusLabel: 'firing', state: 'pending', attempts: 0 });
      expect(item.payload).toEqual(fired.notifications[0]);
      expect(item.nextAttemptAt).toBe('2025-01-01T00:00:00.000Z');
    }

    // Within the repeat interval: the value is kept up to date, nothing is sent.
    const quiet = await evaluate(store, ['recall_below_threshold'], [recall(0.8)], '2025-01-01T01:00:00.000Z');
    expect(quiet.notifications).toEqual([]);
    expect((await store.alerts.get(recallFingerprint))?.annotations.value).toBe('0.8');
    const repeated = await evaluate(store, ['recall_below_threshold'], [recall(0.8)], '2025-01-01T04:00:00.000Z');
    expect(repeated.notifications.map((n) => n.reason)).toEqual(['repeat']);
    const resolved = await evaluate(store, ['recall_below_threshold'], [recall(0.95)], '2025-01-01T05:00:00.000Z');
    expect(resolved.notifications.map((n) => n.reason)).toEqual(['resolved']);
    expect(await store.alerts.get(recallFingerprint)).toEqual({
      ...firing,
      annotations: { ...firing.annotations, value: '0.95' },
      status: 'resolved',
      endsAt: '2025-01-01T05:00:00.000Z',
      lastNotifiedAt: '2025-01-01T05:00:00.000Z',
    });
    const labels = (await store.outbox.list({ limit: 10 })).reverse().map((item) => item.statusLabel);
    expect(labels).toEqual(['firing', 'firing', 'firing', 'firing', 'resolved', 'resolved']);
    expect(await store.alerts.list({ limit: 10 })).toHaveLength(1);
  });

  it('rewrites only the states that changed', async () => {
    const { store } = fixture;
    const updatedAt = async () => {
      const rows = await store.db.selectFrom('alerts').select(['fingerprint', 'updated_at']).orderBy('fingerprint').execute();
      return rows.map((row) => row.updated_at);
    };
    await evaluate(store, ['recall_below_threshold'], [recall(0.85)], '2025-01-01T00:00:00.000Z');
    await evaluate(store, [jobScope('train')], [jobFailed('train')], '2025-01-01T00:00:01.000Z');
    const before = await updatedAt();
    // Handing every state back unchanged writes nothing and queues nothing.
    const result = await store.alerts.transact(
      ['recall_below_threshold', 'job_failed', 'model_rejected'],
      (states) => {
        expect(states).toHaveLength(2);
        return { states, notifications: [] };
      },
      { channels, now: '2025-01-01T02:00:00.000Z' },
    );
    expect(result.states).toHaveLength(2);
    expect(await updatedAt()).toEqual(before);
    expect(await store.outbox.pendingCount()).toBe(4);
  });

  it('writes nothing when the evaluation fails or strays outside the alerts it read', async () => {
    const { store } = fixture;
    await evaluate(store, ['recall_below_threshold'], [recall(0.85)], '2025-01-01T00:00:00.000Z');
    const now = '2025-01-01T01:00:00.000Z';
    const failing = store.alerts.transact(
      ['job_failed'],
      () => {
        throw new Error('rule failed');
      },
      { channels, now },
    );
    await expect(failing).rejects.toThrow('rule failed');

    // The job_failed evaluation did not see the recall alert, so it may not rewrite it.
    const straying = store.alerts.transact(
      ['job_failed'],
      (states) => {
        expect(states).toEqual([]);
        return evaluateAlerts(states, [jobFailed('check'), recall(0.5)], now, hourMs, ['job_failed', 'recall_below_threshold']);
      },
      { channels, now },
    );
    await expect(straying).rejects.toThrow(new AlertScopeError('recall_below_threshold', ['job_failed']));

    expect((await store.alerts.list({ limit: 10 })).map((a) => a.name)).toEqual(['recall_below_threshold']);
    expect((await store.alerts.get(recallFingerprint))?.annotations.value).toBe('0.85');
    expect(await store.outbox.pendingCount()).toBe(2);
  });

  it('stores the states without queueing anything when no channel is configured', async () => {
    const { store } = fixture;
    const now = '2025-01-01T00:00:00.000Z';
    const result = await store.alerts.transact(
      ['recall_below_threshold'],
      (states) => evaluateAlerts(states, [recall(0.5)], now, hourMs, ['recall_below_threshold']),
      { channels: [], now },
    );
    expect(result.notifications).toHaveLength(1);
    expect(await store.alerts.get(recallFingerprint)).toMatchObject({ status: 'firing' });
    expect(await store.outbox.pendingCount()).toBe(0);
  });

  it('lists newest first, by status and by name', async () => {
    const { store } = fixture;
    await evaluate(store, [jobScope('update')], [jobFailed('update')], '2025-01-01T01:00:00.000Z');
    await evaluate(store, ['recall_below_threshold'], [recall(0.5)], '2025-01-01T02:00:00.000Z');
    await evaluate(store, [jobScope('train')], [jobFailed('train')], '2025-01-01T03:00:00.000Z');
    await evaluate(store, [jobScope('update')], [jobSucceededCondition({ job: 'update' })], '2025-01-01T04:00:00.000Z');

    const starts = (alerts: readonly AlertState[]) => alerts.map((a) => a.startsAt.slice(11, 13));
    expect(starts(await store.alerts.list({ limit: 10 }))).toEqual(['03', '02', '01']);
    expect(starts(await store.alerts.list({ limit: 1, offset: 1 }))).toEqual(['02']);
    expect(starts(await store.alerts.list({ status: 'firing', limit: 10 }))).toEqual(['03', '02']);
    expect(starts(await store.alerts.list({ status: 'resolved', limit: 10 }))).toEqual(['01']);
    expect(starts(await store.alerts.list({ name: 'job_failed', limit: 10 }))).toEqual(['03', '01']);
    expect(starts(await store.alerts.list({ name: 'job_failed', status: 'firing', limit: 10 }))).toEqual(['03']);
    expect(await store.alerts.get('0000000000000000')).toBeUndefined();
  });

  it('notifies a condition once however many replicas evaluate it at the same moment', async () => {
    // Each round a new label set starts firing, evaluated by every replica at once.
    const rounds = Array.from({ length: 20 }, (_, i) => ({
      job: `job-${i}`,
      now: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    }));
    // Every round notifies at least once (its condition starts firing), so a total of one per
    // round means exactly one in each.
    let notified = 0;
    if (dialect === 'postgres') {
      const replicas = [fixture.store, await fixture.open(), await fixture.open()];
      for (const { job, now } of rounds) {
        const condition: AlertCondition = { name: 'job_failed', labels: { job }, annotations: { error: 'x' }, active: true };
        const scope = { name: 'job_failed', labels: { job } } as const;
        const results = await Promise.all(replicas.map((replica) => evaluate(replica, [scope], [condition], now)));
        notified += results.flatMap((result) => result.notifications).length;
      }
    } else {
      // One SQLite store per process (see openDatabase), so the replicas are processes.
      const counts = (await raceInChildren(
        3,
        fixture.database.options,
        `const { evaluateAlerts } = await import(${JSON.stringify(lifecycleTs)});
        let notified = 0;
        for (const { job, now } of ${JSON.stringify(rounds)}) {
          const scope = { name: 'job_failed', labels: { job } };
          const condition = { name: 'job_failed', labels: { job }, annotations: { error: 'x' }, active: true };
          const result = await store.alerts.transact(
            ['job_failed'],
            (states) => evaluateAlerts(states, [condition], now, ${4 * hourMs}, [scope]),
            { channels: ${JSON.stringify(channels)}, now },
          );
          notified += result.notifications.length;
        }
        return notified;`,
      )) as number[];
      notified = counts.reduce((sum, count) => sum + count, 0);
    }
    expect(notified).toBe(rounds.length);
    const { store } = fixture;
    expect(await store.alerts.list({ status: 'firing', limit: 100 })).toHaveLength(rounds.length);
    const queued = await store.outbox.list({ limit: 100 });
    expect(queued).toHaveLength(rounds.length * channels.length);
    expect(new Set(queued.map((item) => `${item.fingerprint} ${item.channel}`)).size).toBe(queued.length);
  });
});
