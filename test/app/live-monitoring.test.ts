import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { parseDataset } from '../../src/core/dataset.js';
import { bundledCsv, tempDir } from '../helpers/fixtures.js';
import { parseMail, startSmtpServer } from '../helpers/smtp.js';

const golden = JSON.parse(readFileSync(new URL('../golden/default.json', import.meta.url), 'utf8')) as {
  test_indices: number[];
  modes: { normalized: { recall_positive: number } };
};
const dataset = parseDataset(bundledCsv, { label: 'diagnosis', positive: 'M', drop: [] });
const rowOf = (i: number, factor = 1) => Array.from(dataset.x.data.subarray(i * 30, (i + 1) * 30), (v) => v * factor);
const cleanups: (() => Promise<void>)[] = [];

/** Issue 8's scenario: predict → confirm → live recall and drift in the API → alerts by e-mail. */
describe('live monitoring end to end', () => {
  let app: Application;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const subjects = () => smtp.mails.map((m) => parseMail(m.raw).headers.get('subject') ?? '');

  beforeAll(async () => {
    smtp = await startSmtpServer({}, cleanups);
    const config = parseConfig({
      notify: { email: { host: '127.0.0.1', port: smtp.port, from: 'mloop <alerts@mloop.example.org>', to: ['data-team@hospital.example.org'] } },
      monitor: { driftWindow: 60 },
    });
    app = await openApplication({ config, dataDir: tempDir(), log: pino({ level: 'silent' }), threads: 2 });
    await app.bootstrap();
  });
  afterAll(async () => {
    await app.close();
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('live recall on the confirmed test rows equals the test-split recall, and nothing fires', async () => {
    app.predictions.predict(golden.test_indices.map((i) => rowOf(i)), { route: 'test', externalIds: golden.test_indices.map((i) => `case-${i}`) });
    await app.monitoring.feedback(golden.test_indices.map((i) => ({ externalId: `case-${i}`, actual: dataset.y[i] })));
    const live = await app.monitoring.live();
    expect(live.versions[0].recall).toBe(golden.modes.normalized.recall_positive);
    await app.jobs.check('test');
    await app.alerting.deliver();
    expect(smtp.mails).toHaveLength(0);
    const drift = await app.monitoring.drift();
    expect(drift.report?.datasetDrift).toBe(false);
  });

  it('inputs scaled by 1.3 raise the drift alert, e-mailed', async () => {
    const shifted = golden.test_indices.slice(0, 60).map((i) => rowOf(i, 1.3));
    app.predictions.predict(shifted, { route: 'test' });
    await app.jobs.check('test');
    // The check computed the report that drift reads now return (a read within
    // monitor.driftMinInterval of it does not compute another).
    const drift = await app.monitoring.drift();
    expect(drift.runId).not.toBeNull();
    expect(drift.nRecent).toBe(60);
    expect(drift.report?.datasetDrift).toBe(true);
    expect(drift.report?.driftedShare).toBeGreaterThan(0.3);
    const outside = (drift.report?.features ?? []).reduce((n, f) => n + (f.kind === 'numeric' ? f.outOfRange.above : 0), 0);
    expect(outside).toBeGreaterThan(0);
    await app.alerting.deliver();
    expect(subjects()).toHaveLength(1);
    expect(subjects()[0]).toMatch(/FIRING/);
    expect(parseMail(smtp.mails[0].raw).body).toMatch(/drift/i);
  });

  it('confirmed misses of malignant cases raise the live recall alert, e-mailed', async () => {
    // Benign-looking rows that pathology confirms as malignant: the model missed them.
    const benign = golden.test_indices.filter((i) => dataset.y[i] === 'B').slice(0, 8);
    const outcome = app.predictions.predict(benign.map((i) => rowOf(i)), { route: 'test' });
    expect(outcome.predictions.every((p) => p.label === 'B')).toBe(true);
    await app.monitoring.feedback(outcome.predictions.map((p) => ({ predictionId: p.predictionId, actual: 'M' })));
    const live = await app.monitoring.live();
    expect(live.versions[0].confirmedPositives).toBe(56);
    expect(live.versions[0].recall).toBeCloseTo(47 / 56, 12);
    await app.jobs.check('test');
    await app.alerting.deliver();
    const fired = subjects().filter((s) => /FIRING/.test(s));
    expect(fired).toHaveLength(2);
    const liveMail = smtp.mails.map((m) => parseMail(m.raw)).find((m) => /live/i.test(m.headers.get('subject') ?? ''));
    expect(liveMail?.body).toMatch(/0\.839|0\.84/);
    const firing = await app.alerting.list({ status: 'firing', limit: 10 });
    expect(firing.map((a) => a.name).sort()).toEqual(['data_drift', 'live_recall_below_threshold']);
  });
});
