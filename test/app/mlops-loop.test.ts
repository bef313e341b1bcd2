import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { closedPort, parseMail, startSmtpServer } from '../helpers/smtp.js';
import { tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';
import { ManualClock } from '../helpers/manual-clock.js';

const hour = 3_600_000;
const cleanups: (() => Promise<void>)[] = [];

describe('the MLOps loop: gate alerts by e-mail, scheduled jobs, repeats, durable delivery', () => {
  const clock = new ManualClock(Date.parse('2026-03-02T07:00:00.000Z'));
  const sourceDir = tempDir('mloop-source-');
  const source = writeFile(sourceDir, 'data.csv', tutorialLayoutCsv());
  let smtpPort: number;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let app: Application;
  const subjects = () => smtp.mails.map((m) => parseMail(m.raw).headers.get('subject'));

  beforeAll(async () => {
    smtpPort = await closedPort();
    smtp = await startSmtpServer({ port: smtpPort }, cleanups);
    const config = parseConfig({
      dataset: { source },
      notify: { email: { host: '127.0.0.1', port: smtpPort, from: 'mloop <alerts@mloop.example.org>', to: ['data-team@hospital.example.org'] } },
      server: { publicUrl: 'https://mloop.hospital.example.org/' },
      schedule: { backoff: '1m', attempts: 3 },
    });
    // Retries wait on the manual clock: the test decides when time passes.
    app = await openApplication({ config, dataDir: tempDir(), log: pino({ level: 'silent' }), clock, threads: 2, sleep: async (ms) => clock.advance(ms) });
    await app.bootstrap();
  });
  afterAll(async () => {
    await app.close();
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('training basic (recall of M 0.833 < 0.9) e-mails a firing alert and keeps the active model', async () => {
    expect(app.registry.serving?.version).toBe(1);
    expect(smtp.mails).toHaveLength(0);
    const result = await app.trainings.train({ mode: 'basic' }, 'test');
    expect(result.activated).toBe(false);
    expect(app.registry.serving?.version).toBe(1);
    await app.alerting.deliver();
    expect(smtp.mails).toHaveLength(1);
    const mail = parseMail(smtp.mails[0].raw);
    expect(smtp.mails[0].rcptTo).toEqual(['data-team@hospital.example.org']);
    expect(mail.headers.get('subject')).toMatch(/FIRING/);
    expect(mail.headers.get('subject')).toMatch(/v2/);
    expect(mail.body).toContain('0.833');
    expect(mail.body).toContain('0.9');
    expect(mail.body).toContain('https://mloop.hospital.example.org/');
    expect(mail.body).toContain('2026-03-02');
    const [alert] = await app.alerting.list({ status: 'firing', limit: 10 });
    expect(alert).toMatchObject({ name: 'model_rejected', status: 'firing' });
  });

  it('training normalized then passes: the resolved e-mail arrives', async () => {
    const result = await app.trainings.train({ mode: 'normalized' }, 'test');
    expect(result.activated).toBe(true);
    await app.alerting.deliver();
    expect(subjects()).toHaveLength(2);
    expect(subjects()[1]).toMatch(/RESOLVED/);
    expect(await app.alerting.list({ status: 'firing', limit: 10 })).toEqual([]);
  });

  it('runs update at 08:00, train at 08:05 and check at 08:06, each tick once', async () => {
    clock.set('2026-03-02T08:00:00.000Z');
    const [update] = await app.scheduler.tick();
    expect(update).toMatchObject({ kind: 'update', trigger: 'schedule', scheduledFor: '2026-03-02T08:00:00.000Z' });
    expect(await app.scheduler.tick()).toEqual([]);
    clock.set('2026-03-02T08:05:00.500Z');
    const [train] = await app.scheduler.tick();
    expect(train).toMatchObject({ kind: 'train', scheduledFor: '2026-03-02T08:05:00.000Z' });
    clock.set('2026-03-02T08:06:01.000Z');
    await app.scheduler.stop();
    const [check] = await app.scheduler.tick();
    expect(check).toMatchObject({ kind: 'check', scheduledFor: '2026-03-02T08:06:00.000Z' });
    await app.scheduler.stop();
    const runs = await app.runs.list({ limit: 3, offset: 0 });
    expect(runs.map((r) => [r.kind, r.status, r.attempts])).toEqual([
      ['check', 'succeeded', 1],
      ['train', 'succeeded', 1],
      ['update', 'succeeded', 1],
    ]);
    const history = await app.checks.history(100);
    expect(history.at(-1)).toMatchObject({ source: 'check', metric: 'recall', passed: true });
  });

  it('retries a failing scheduled job with backoff, alerts once, repeats after 4h, resolves on success', async () => {
    writeFile(sourceDir, 'data.csv', 'this is not,a data set\n1,2\n');
    clock.set('2026-03-03T08:00:00.000Z');
    await app.scheduler.tick();
    await app.scheduler.stop();
    const [failed] = await app.runs.list({ kind: 'update', limit: 1, offset: 0 });
    expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failed.error).toMatch(/missing label column 'diagnosis'/);
    // 1 min then 2 min of backoff went by on the manual clock.
    expect(clock.now().toISOString()).toBe('2026-03-03T08:03:00.000Z');
    await app.alerting.deliver();
    expect(subjects()).toHaveLength(3);
    expect(subjects()[2]).toMatch(/FIRING/);
    expect(smtp.mails[2].raw).toMatch(/update/);

    clock.advance(hour);
    expect(await app.alerting.repeatDue()).toEqual([]);
    clock.advance(3 * hour);
    expect(await app.alerting.repeatDue()).toHaveLength(1);
    await app.alerting.deliver();
    expect(subjects()).toHaveLength(4);

    writeFile(sourceDir, 'data.csv', tutorialLayoutCsv());
    clock.set('2026-03-04T08:00:00.000Z');
    await app.scheduler.tick();
    await app.scheduler.stop();
    await app.alerting.deliver();
    // The alert was still firing when the tick came (20 h after the last notice): one more repeat,
    // then the job succeeded and resolved it.
    expect(subjects()).toHaveLength(6);
    expect(subjects()[4]).toMatch(/FIRING/);
    expect(subjects()[5]).toMatch(/RESOLVED/);
  });

  it('keeps an e-mail while the SMTP server is down and sends it exactly once when it is back', async () => {
    await smtp.close();
    const before = smtp.mails.length;
    await app.trainings.train({ mode: 'basic' }, 'test'); // rejected again: a new firing alert
    expect(await app.alerting.deliver()).toBe(1); // the log channel takes it; e-mail fails
    clock.advance(5_000);
    expect(await app.alerting.deliver()).toBe(0); // not yet due for a retry: nothing attempted
    clock.advance(10_000);
    expect(await app.alerting.deliver()).toBe(0); // retried, still down
    smtp = await startSmtpServer({ port: smtpPort }, cleanups);
    clock.advance(60_000);
    expect(await app.alerting.deliver()).toBe(1);
    clock.advance(hour);
    expect(await app.alerting.deliver()).toBe(0);
    expect(smtp.mails).toHaveLength(1);
    expect(before).toBe(6);
    expect(parseMail(smtp.mails[0].raw).headers.get('subject')).toMatch(/FIRING/);
  });
});
