import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';
import { ManualClock } from '../helpers/manual-clock.js';

/*
 * The data source's freshness, judged from the update runs whatever started them, on a clock the
 * test moves: a failed update by hand pages nobody, but a source broken for longer than the
 * configuration expects raises `data_source_stale`, by hand or on the schedule.
 */

const broken = 'not,a data set\n1,2\n';
let app: Application | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function firing(a: Application): Promise<string[]> {
  return (await a.alerting.list({ status: 'firing', limit: 10 })).map((alert) => alert.name).sort();
}

describe('a data source updated by hand (schedule off, monitor.sourceStaleAfter: 2d)', () => {
  it('alerts once no update has succeeded for 2 days, and resolves with the next success', async () => {
    const sourceDir = tempDir('mloop-source-');
    const source = writeFile(sourceDir, 'data.csv', tutorialLayoutCsv());
    const clock = new ManualClock(Date.parse('2026-03-02T09:00:00.000Z'));
    const config = parseConfig({ dataset: { source }, schedule: { enabled: false }, monitor: { sourceStaleAfter: '2d' } });
    const a = (app = await openApplication({ config, dataDir: tempDir(), log: pino({ level: 'silent' }), clock }));
    await a.jobs.update('cli');

    writeFile(sourceDir, 'data.csv', broken);
    clock.set('2026-03-03T09:00:00.000Z');
    await expect(a.jobs.update('api')).rejects.toThrow(/data\.csv: /);
    // The caller saw the error; a day-old snapshot is what the configuration allows.
    expect(await firing(a)).toEqual([]);

    clock.set('2026-03-04T09:00:00.000Z');
    await expect(a.jobs.update('tutorial')).rejects.toThrow(/data\.csv: /);
    expect(await firing(a)).toEqual([]);
    clock.set('2026-03-04T09:00:00.001Z');
    await expect(a.jobs.update('cli')).rejects.toThrow(/data\.csv: /);
    const [alert] = await a.alerting.list({ status: 'firing', limit: 10 });
    expect(alert).toMatchObject({
      name: 'data_source_stale',
      labels: { alertname: 'data_source_stale' },
      startsAt: '2026-03-04T09:00:00.001Z',
      annotations: {
        last_success_at: '2026-03-02T09:00:00.000Z',
        stale_after: '2026-03-04T09:00:00.000Z',
        expected: 'a successful update at least every 2d (monitor.sourceStaleAfter)',
      },
    });
    expect(alert.annotations.last_error).toMatch(/data\.csv: /);
    expect((await a.alerting.list({ limit: 10 })).map((s) => s.name)).toEqual(['data_source_stale']);

    writeFile(sourceDir, 'data.csv', tutorialLayoutCsv(400));
    clock.set('2026-03-04T10:00:00.000Z');
    await a.jobs.update('api');
    expect(await firing(a)).toEqual([]);
    const [resolved] = await a.alerting.list({ status: 'resolved', limit: 10 });
    expect(resolved).toMatchObject({ name: 'data_source_stale', endsAt: '2026-03-04T10:00:00.000Z', annotations: { last_success_at: '2026-03-04T10:00:00.000Z' } });
  });

  it('refuses a monitor.sourceStaleAfter that is not a duration, naming the key', () => {
    expect(() => parseConfig({ monitor: { sourceStaleAfter: 'two days' } })).toThrow('monitor.sourceStaleAfter: expected a duration such as 30s, 5m, 4h or 1h30m, got "two days"');
    expect(() => parseConfig({ monitor: { sourceStaleAfter: '0' } })).toThrow('monitor.sourceStaleAfter: must be longer than 0');
  });

  it('expects nothing without monitor.sourceStaleAfter when the schedule is off', async () => {
    const source = writeFile(tempDir('mloop-source-'), 'data.csv', broken);
    const clock = new ManualClock(Date.parse('2026-03-02T09:00:00.000Z'));
    const a = (app = await openApplication({ config: parseConfig({ dataset: { source }, schedule: { enabled: false } }), dataDir: tempDir(), log: pino({ level: 'silent' }), clock }));
    await expect(a.jobs.update('cli')).rejects.toThrow(/data\.csv: /);
    clock.set('2027-03-02T09:00:00.000Z');
    await expect(a.jobs.update('cli')).rejects.toThrow(/data\.csv: /);
    await a.scheduler.tick();
    expect(await a.alerting.list({ limit: 10 })).toEqual([]);
  });
});

describe('a data source updated on the schedule (0 8 * * *, 1 attempt)', () => {
  it('alerts when the second daily update in a row has failed, on the scheduler’s timer, and resolves with a success by hand', async () => {
    const sourceDir = tempDir('mloop-source-');
    const source = writeFile(sourceDir, 'data.csv', tutorialLayoutCsv());
    const clock = new ManualClock(Date.parse('2026-03-02T07:59:00.000Z'));
    // One attempt of at most 30 s (dataset.timeoutMs): the second tick has decided by 08:00:30.
    const config = parseConfig({ dataset: { source }, schedule: { update: '0 8 * * *', train: null, check: null, attempts: 1 } });
    const a = (app = await openApplication({ config, dataDir: tempDir(), log: pino({ level: 'silent' }), clock, sleep: async () => undefined }));
    const tickAt = async (iso: string) => {
      clock.set(iso);
      await a.scheduler.tick();
      await a.scheduler.stop(); // waits for the jobs the tick started
    };

    await tickAt('2026-03-02T08:00:01.000Z');
    expect((await a.runs.list({ kind: 'update', limit: 1 }))[0]).toMatchObject({ status: 'succeeded', finishedAt: '2026-03-02T08:00:01.000Z' });

    writeFile(sourceDir, 'data.csv', broken);
    await tickAt('2026-03-03T08:00:01.000Z');
    expect(await firing(a)).toEqual(['job_failed']);

    await tickAt('2026-03-04T08:00:01.000Z');
    expect(await firing(a)).toEqual(['job_failed']);
    // No job runs now; the scheduler's timer sees the deadline pass.
    await tickAt('2026-03-04T08:00:30.000Z');
    expect(await firing(a)).toEqual(['job_failed']);
    await tickAt('2026-03-04T08:00:30.002Z');
    expect(await firing(a)).toEqual(['data_source_stale', 'job_failed']);
    const [stale] = await a.alerting.list({ status: 'firing', name: 'data_source_stale', limit: 1 });
    expect(stale.annotations).toMatchObject({
      last_success_at: '2026-03-02T08:00:01.000Z',
      stale_after: '2026-03-04T08:00:30.000Z',
      expected: 'a successful update before 2 scheduled updates in a row have failed (schedule.update 0 8 * * *, UTC)',
    });

    writeFile(sourceDir, 'data.csv', tutorialLayoutCsv());
    clock.set('2026-03-04T11:00:00.000Z');
    await a.jobs.update('api');
    // The data are current again; the scheduled job's own alert waits for the schedule to succeed.
    expect(await firing(a)).toEqual(['job_failed']);
  });
});
