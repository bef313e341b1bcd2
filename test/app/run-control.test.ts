import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { ConflictError, RunCancelledError, RunTimeoutError } from '../../src/app/errors.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import type { Run } from '../../src/store/run-repository.js';
import { tempDir, writeFile } from '../helpers/fixtures.js';
import { largerCsv, slowGrid } from '../helpers/slow-training.js';
import { waitFor } from '../helpers/wait-for.js';

const log = pino({ level: 'silent' });

/** Waits until the grid search of `runId` has finished some fits: its threads are busy. */
function underWay(app: Application, runId: number): Promise<Run> {
  return waitFor(`run ${runId} to be under way`, async () => {
    const run = await app.runs.get(runId);
    return run.status === 'running' && (run.progressDone ?? 0) > 0 ? run : undefined;
  }, 30_000, 20);
}

describe('cancelling and timing out runs', () => {
  const dataDir = tempDir();
  let app: Application;
  beforeAll(async () => {
    // A grid search takes minutes on this data: a cancel sent through the store, heard within 5 s, finds it still running.
    const source = writeFile(dataDir, 'data.csv', largerCsv(12));
    app = await openApplication({ config: parseConfig({ dataset: { source }, training: { cv: 3 } }), dataDir, log, threads: 2 });
    await app.bootstrap();
  });
  afterAll(() => app.close());

  it('stops a running training: the run cancelled, no model registered, the next training free to start', async () => {
    const versions = (await app.registry.list(10, 0)).length;
    const { run, done } = await app.trainings.start({ mode: 'gridsearch', grid: slowGrid }, 'test');
    await underWay(app, run.id);
    const { run: cancelled, pending } = await app.runs.cancel(run.id, 'requested by the test');
    expect(pending).toBe(false);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'requested by the test' });
    await expect(done).rejects.toThrow(new RunCancelledError(run.id, 'requested by the test'));
    expect(cancelled.progressDone).toBeLessThan(cancelled.progressTotal ?? 0);
    expect(await app.registry.list(10, 0)).toHaveLength(versions);
    expect(app.trainings.current).toBeNull();
    // Nothing is in the way of the next training.
    expect((await app.trainings.train({ mode: 'basic' }, 'test')).model.version).toBe(versions + 1);
  });

  it('cancels a queued run, which its attempt then does not start; a run that is over is a conflict', async () => {
    const queued = await app.runs.create('update', 'test');
    expect((await app.runs.cancel(queued.id, 'not wanted')).run).toMatchObject({ status: 'cancelled', error: 'not wanted', startedAt: null });
    await expect(app.jobs.attempt('update', queued)).rejects.toThrow(RunCancelledError);
    expect(await app.runs.get(queued.id)).toMatchObject({ status: 'cancelled', attempts: 0 });
    const again = await app.runs.cancel(queued.id, 'again').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({ message: `run ${queued.id} is already over (cancelled): nothing to cancel`, details: { runId: queued.id, status: 'cancelled' } });
    const [succeeded] = await app.runs.list({ kind: 'train', limit: 1 });
    await expect(app.runs.cancel(succeeded.id, 'late')).rejects.toThrow(/is already over \(succeeded\)/);
  });

  it('stops a training run by another process (the CLI beside the server) at its next heartbeat', async () => {
    const other = await openApplication({ config: app.config, dataDir, log });
    try {
      const { run, done } = await app.trainings.start({ mode: 'gridsearch', grid: slowGrid }, 'test');
      await underWay(app, run.id);
      const asked = await other.runs.cancel(run.id, 'requested from the command line');
      expect(asked.pending).toBe(true);
      expect(asked.run).toMatchObject({ status: 'running' });
      expect(asked.run.cancelRequestedAt).not.toBeNull();
      await expect(done).rejects.toThrow(RunCancelledError);
      expect(await app.runs.get(run.id)).toMatchObject({ status: 'cancelled', error: 'requested by another process' });
    } finally {
      await other.close();
    }
  });
});

describe('training.timeout', () => {
  const dataDir = tempDir();
  let app: Application;
  beforeAll(async () => {
    const source = writeFile(dataDir, 'data.csv', largerCsv(12));
    app = await openApplication({ config: parseConfig({ dataset: { source }, training: { cv: 3, timeout: '2s' } }), dataDir, log, threads: 2 });
  });
  afterAll(() => app.close());

  it('fails a training that runs longer as timed out', async () => {
    const started = Date.now();
    const { run, done } = await app.trainings.start({ mode: 'gridsearch', grid: slowGrid }, 'test');
    await expect(done).rejects.toThrow(new RunTimeoutError(run.id, '2s'));
    // The whole grid takes minutes on this data.
    expect(Date.now() - started).toBeLessThan(7_000);
    expect(await app.runs.get(run.id)).toMatchObject({ status: 'failed', error: `run ${run.id} timed out after 2s (training.timeout) and was stopped` });
    expect(app.trainings.current).toBeNull();
  });
});
