import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { openDatabase } from '../../src/store/database.js';
import { abandonedError } from '../../src/store/run-repository.js';
import { tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';
import { ManualClock } from '../helpers/manual-clock.js';

/** Lets the event loop run (I/O callbacks, then microtasks) until `ready` holds; setImmediate is not faked. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (ready()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a scheduled job waiting to retry', () => {
  let app: Application | undefined;
  let wake: (() => void) | null = null;
  afterEach(async () => {
    vi.useRealTimers();
    wake?.();
    await app?.close();
  });

  it('keeps its run alive through a backoff longer than the stale limit, and succeeds on the retry', async () => {
    // Timers and Date are fake: the heartbeat's interval fires as the test moves time, and the run's
    // heartbeat_at follows. setImmediate stays real so that the store's work can complete.
    vi.useFakeTimers({ now: Date.parse('2026-03-02T07:59:00.000Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const sourceDir = tempDir('mloop-source-');
    const source = writeFile(sourceDir, 'data.csv', 'not,a data set\n1,2\n');
    const config = parseConfig({ dataset: { source }, schedule: { update: '0 8 * * *', train: null, check: null, attempts: 3, backoff: '90s' } });
    let waitedMs = 0;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        waitedMs = ms;
        wake = resolve;
      });
    app = await openApplication({ config, dataDir: tempDir(), log: pino({ level: 'silent' }), sleep });

    vi.setSystemTime(Date.parse('2026-03-02T08:00:01.000Z'));
    const [claimed] = await app.scheduler.tick();
    expect(claimed).toMatchObject({ kind: 'update', scheduledFor: '2026-03-02T08:00:00.000Z' });
    await until(() => wake !== null, 'the first attempt to fail');
    expect(waitedMs).toBe(90_000);
    expect(await app.runs.get(claimed.id)).toMatchObject({ status: 'queued', attempts: 1 });

    // 70 s into the 90 s backoff: past the 60 s after which a silent run counts as abandoned.
    writeFile(sourceDir, 'data.csv', tutorialLayoutCsv());
    await vi.advanceTimersByTimeAsync(70_000);
    expect(await app.scheduler.tick()).toEqual([]); // a tick also reaps abandoned runs
    expect(await app.runs.get(claimed.id)).toMatchObject({ status: 'queued', attempts: 1 });

    await vi.advanceTimersByTimeAsync(20_000);
    (wake as unknown as () => void)();
    await app.scheduler.stop();
    expect(await app.runs.get(claimed.id)).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
  });
});

describe('a scheduled job whose replica died', () => {
  const dataDir = tempDir();
  const source = writeFile(tempDir('mloop-source-'), 'data.csv', tutorialLayoutCsv());
  const config = parseConfig({ dataset: { source }, schedule: { update: '0 8 * * *', train: null, check: null, attempts: 3, backoff: '30s' } });
  const clock = new ManualClock(Date.parse('2026-03-02T07:00:00.000Z'));
  let app: Application;
  beforeAll(async () => {
    app = await openApplication({ config, dataDir, log: pino({ level: 'silent' }), clock, sleep: async () => undefined });
  });
  afterAll(() => app.close());

  /** What the dead replica left behind: the tick claimed, `attempts` attempts started, then silence. */
  async function abandonedTick(scheduledFor: string, attempts: number): Promise<number> {
    const other = await openDatabase({ dataDir });
    try {
      const run = await other.runs.claimScheduled({ kind: 'update', trigger: 'schedule', params: {}, scheduledFor, now: scheduledFor });
      if (!run) throw new Error('tick already claimed');
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await other.runs.retry(run.id, `attempt ${attempt - 1} failed`, scheduledFor);
        await other.runs.start(run.id, scheduledFor);
      }
      return run.id;
    } finally {
      await other.close();
    }
  }

  it('counts the lost attempt and retries the tick here', async () => {
    const id = await abandonedTick('2026-03-02T08:00:00.000Z', 1);
    clock.set('2026-03-02T08:00:30.000Z');
    await app.scheduler.tick();
    expect(await app.runs.get(id)).toMatchObject({ status: 'running', attempts: 1 }); // still within the stale limit
    clock.set('2026-03-02T08:01:01.000Z');
    expect(await app.scheduler.tick()).toEqual([]); // nothing new claimed: the 08:00 tick is taken over
    await app.scheduler.stop();
    expect(await app.runs.get(id)).toMatchObject({ status: 'succeeded', attempts: 2, result: { status: 'created' } });
    expect(await app.alerting.list({ status: 'firing', limit: 10 })).toEqual([]);
  });

  it('alerts when the lost attempt was the last one', async () => {
    const id = await abandonedTick('2026-03-03T08:00:00.000Z', 3);
    clock.set('2026-03-03T08:01:01.000Z');
    await app.scheduler.tick();
    await app.scheduler.stop();
    expect(await app.runs.get(id)).toMatchObject({ status: 'failed', attempts: 3, error: abandonedError });
    const [alert] = await app.alerting.list({ status: 'firing', limit: 10 });
    expect(alert).toMatchObject({ name: 'job_failed', labels: { job: 'update' }, annotations: { attempts: '3', run_id: String(id), error: abandonedError } });
  });
});
