import { expect, it } from 'vitest';
import { isUniqueViolation, RecordNotFoundError, RunStatusError } from '../../src/store/errors.js';
import type { Run } from '../../src/store/run-repository.js';
import { describeDialects, raceInChildren, useStoreFixture } from './dialects.js';

const tick = (hour: number) => new Date(Date.UTC(2025, 0, 1, hour)).toISOString();

describeDialects('scheduled runs', (dialect) => {
  const fixture = useStoreFixture(dialect);

  it('claims each (kind, tick) once and tells the later claimers no', async () => {
    const { store } = fixture;
    const claimed = await store.runs.claimScheduled({
      kind: 'update',
      trigger: 'schedule',
      params: { mode: 'gridsearch' },
      scheduledFor: '2025-01-01T03:00:00Z',
      now: '2025-01-01T03:00:00.250Z',
    });
    expect(claimed).toEqual({
      id: claimed?.id,
      kind: 'update',
      trigger: 'schedule',
      status: 'queued',
      params: { mode: 'gridsearch' },
      scheduledFor: '2025-01-01T03:00:00.000Z',
      queuedAt: '2025-01-01T03:00:00.250Z',
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
    // The same tick again, even written another way, is refused; another kind or another tick is not.
    const again = { kind: 'update', trigger: 'schedule', params: {}, now: tick(4) } as const;
    expect(await store.runs.claimScheduled({ ...again, scheduledFor: '2025-01-01T05:00:00+02:00' })).toBeUndefined();
    expect(await store.runs.claimScheduled({ ...again, scheduledFor: tick(3) })).toBeUndefined();
    expect(await store.runs.claimScheduled({ ...again, scheduledFor: tick(3), kind: 'check' })).toMatchObject({ kind: 'check' });
    expect(await store.runs.claimScheduled({ ...again, scheduledFor: tick(4) })).toMatchObject({ scheduledFor: tick(4) });
    // Runs that no schedule made have no tick, and any number of them may exist.
    await store.runs.create({ kind: 'update', trigger: 'api', params: {}, now: tick(5) });
    await store.runs.create({ kind: 'update', trigger: 'api', params: {}, now: tick(5) });
    expect(await store.runs.list({ kind: 'update', limit: 10 })).toHaveLength(4);
  });

  it('hands a tick to exactly one of two stores claiming it at once', async () => {
    const ticks = Array.from({ length: 20 }, (_, i) => tick(i));
    if (dialect === 'postgres') {
      const [a, b] = [fixture.store, await fixture.open()];
      for (const scheduledFor of ticks) {
        const input = { kind: 'update', trigger: 'schedule', params: {}, scheduledFor, now: scheduledFor } as const;
        const results = await Promise.all([a.runs.claimScheduled(input), b.runs.claimScheduled(input)]);
        expect(results.filter((run) => run !== undefined)).toHaveLength(1);
      }
    } else {
      // One SQLite store per process (see openDatabase), so the racers are two processes.
      const claims = (await raceInChildren(
        2,
        fixture.database.options,
        `const won = [];
        for (const scheduledFor of ${JSON.stringify(ticks)}) {
          const input = { kind: 'update', trigger: 'schedule', params: { index }, scheduledFor, now: scheduledFor };
          const run = await store.runs.claimScheduled(input);
          if (run) won.push(run.scheduledFor);
        }
        return won;`,
      )) as string[][];
      expect([...claims[0], ...claims[1]].sort()).toEqual(ticks);
    }
    const runs = await fixture.store.runs.list({ kind: 'update', limit: 100 });
    expect(runs.map((run) => run.scheduledFor).sort()).toEqual(ticks);
  });

  it('finds the latest tick claimed per kind, whatever the order of the claims', async () => {
    const { store } = fixture;
    expect(await store.runs.lastScheduled('update')).toBeUndefined();
    const claim = (kind: 'update' | 'check', hour: number) =>
      store.runs.claimScheduled({ kind, trigger: 'schedule', params: {}, scheduledFor: tick(hour), now: tick(12) });
    const late = await claim('update', 10);
    await claim('update', 9); // a missed tick claimed afterwards
    await claim('check', 11);
    await store.runs.create({ kind: 'update', trigger: 'api', params: {}, now: tick(12) });
    expect(await store.runs.lastScheduled('update')).toEqual(late);
    expect((await store.runs.lastScheduled('check'))?.scheduledFor).toBe(tick(11));
    expect(await store.runs.lastScheduled('train')).toBeUndefined();
  });

  it('tells when a kind of run was first queued and when the latest success ended, whoever started the runs', async () => {
    const { store } = fixture;
    expect(await store.runs.history('update')).toEqual({ firstQueuedAt: null, lastSucceededAt: null });
    const first = await store.runs.create({ kind: 'update', trigger: 'cli', params: {}, now: tick(1) });
    await store.runs.start(first.id, tick(1));
    await store.runs.fail(first.id, 'HTTP 503', tick(2));
    expect(await store.runs.history('update')).toEqual({ firstQueuedAt: tick(1), lastSucceededAt: null });

    const scheduled = await store.runs.claimScheduled({ kind: 'update', trigger: 'schedule', params: {}, scheduledFor: tick(3), now: tick(3) });
    await store.runs.start(scheduled!.id, tick(3));
    await store.runs.succeed(scheduled!.id, {}, tick(5));
    const byHand = await store.runs.create({ kind: 'update', trigger: 'api', params: {}, now: tick(4) });
    await store.runs.start(byHand.id, tick(4));
    await store.runs.succeed(byHand.id, {}, tick(4));
    const later = await store.runs.create({ kind: 'update', trigger: 'api', params: {}, now: tick(6) });
    await store.runs.start(later.id, tick(6));
    await store.runs.fail(later.id, 'timeout', tick(7));
    const training = await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick(0) });
    await store.runs.start(training.id, tick(8));
    await store.runs.succeed(training.id, {}, tick(9));

    // The latest end of a success, not the latest run: the scheduled one ended after the one by hand.
    expect(await store.runs.history('update')).toEqual({ firstQueuedAt: tick(1), lastSucceededAt: tick(5) });
    expect(await store.runs.history('train')).toEqual({ firstQueuedAt: tick(0), lastSucceededAt: tick(9) });
    expect(await store.runs.history('check')).toEqual({ firstQueuedAt: null, lastSucceededAt: null });
  });

  it('keeps one run per tick through its retries, counting the attempts', async () => {
    const { store } = fixture;
    const run = (await store.runs.claimScheduled({
      kind: 'update',
      trigger: 'schedule',
      params: {},
      scheduledFor: tick(1),
      now: tick(1),
    })) as Run;
    await expect(store.runs.retry(run.id, 'not started', tick(1))).rejects.toThrow(new RunStatusError(run.id, 'queued', 'retry'));

    expect(await store.runs.start(run.id, '2025-01-01T01:00:01Z')).toMatchObject({ status: 'running', attempts: 1 });
    const waiting = await store.runs.retry(run.id, 'data source answered 503', '2025-01-01T01:00:02Z');
    expect(waiting).toMatchObject({
      status: 'queued',
      attempts: 1,
      error: 'data source answered 503',
      startedAt: '2025-01-01T01:00:01.000Z',
      finishedAt: null,
    });
    // During the backoff the run is still the one in the way of another of its kind.
    expect(await store.runs.running('update')).toEqual(waiting);

    expect(await store.runs.start(run.id, '2025-01-01T01:00:04Z')).toMatchObject({ status: 'running', attempts: 2, error: null });
    await store.runs.retry(run.id, 'timeout', '2025-01-01T01:00:05Z');
    await store.runs.start(run.id, '2025-01-01T01:00:09Z');
    const failed = await store.runs.fail(run.id, 'timeout again', '2025-01-01T01:00:10Z');
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, error: 'timeout again', scheduledFor: tick(1) });
    expect(await store.runs.list({ kind: 'update', limit: 10 })).toEqual([failed]);

    await expect(store.runs.retry(999, 'x', tick(2))).rejects.toThrow(new RecordNotFoundError('run', 999));
    expect(await store.runs.get(run.id)).toEqual(failed);
    // An attempt that recorded its own failure can be queued again for one more try.
    expect(await store.runs.retry(run.id, 'timeout again', tick(2))).toMatchObject({ status: 'queued', attempts: 3, error: 'timeout again' });
    const done = await store.runs.start(run.id, tick(3));
    await store.runs.succeed(done.id, {}, tick(3));
    await expect(store.runs.retry(run.id, 'x', tick(4))).rejects.toThrow(new RunStatusError(run.id, 'succeeded', 'retry'));
  });

  it('allows one queued or running training in the whole database', async () => {
    const { store } = fixture;
    const first = await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick(1) });
    const refused = await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick(1) }).catch((e: unknown) => e);
    expect(isUniqueViolation(refused)).toBe(true);
    expect(await store.runs.create({ kind: 'update', trigger: 'api', params: {}, now: tick(1) })).toMatchObject({ kind: 'update' });
    await store.runs.start(first.id, tick(1));
    await store.runs.succeed(first.id, {}, tick(2));
    expect(await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick(2) })).toMatchObject({ kind: 'train', status: 'queued' });
  });

  it('fails the runs whose process stopped beating, and only those', async () => {
    const { store } = fixture;
    const alive = await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: tick(1) });
    const dead = await store.runs.create({ kind: 'update', trigger: 'api', params: {}, now: tick(1) });
    await store.runs.start(alive.id, tick(1));
    await store.runs.start(dead.id, tick(1));
    await store.runs.heartbeat([alive.id], tick(5));
    expect((await store.runs.abandonStale(tick(3), tick(6))).map((r) => r.id)).toEqual([dead.id]);
    expect(await store.runs.get(dead.id)).toMatchObject({ status: 'failed', error: 'abandoned: the process running it stopped' });
    expect(await store.runs.get(alive.id)).toMatchObject({ status: 'running' });
    expect(await store.runs.abandonStale(tick(3), tick(6))).toEqual([]);
  });
});
