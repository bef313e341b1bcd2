import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import type { PredictOutcome } from '../../src/app/predictions.js';
import { predictRows } from '../../src/app/predictions.js';
import { parseConfig } from '../../src/config/schema.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { tempDir } from '../helpers/fixtures.js';
import { loadWdbc } from '../helpers/wdbc.js';

const log = pino({ level: 'silent' });
const day = 86_400_000;
const wdbc = loadWdbc();
const rows = Array.from({ length: wdbc.y.length }, (_, i) => Array.from(wdbc.x.data.subarray(i * wdbc.x.cols, (i + 1) * wdbc.x.cols)));

/** The other model's answers are computed after the response: let them run, then write both logs. */
async function settled(app: Application): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await app.rollouts.flush();
}

/** v1 normalized serves (bootstrap); v2 gridsearch passes the gate and becomes the challenger. */
async function withChallenger(strategy: 'shadow' | 'canary', extra: Record<string, unknown> = {}): Promise<{ app: Application; clock: ManualClock }> {
  const clock = new ManualClock(Date.parse('2026-03-02T07:00:00.000Z'));
  const app = await openApplication({ config: parseConfig({ rollout: { strategy, ...extra }, schedule: { enabled: false } }), dataDir: tempDir(), log, clock, threads: 2 });
  await app.bootstrap();
  const result = await app.trainings.train({ mode: 'gridsearch' }, 'test');
  expect(result.activated).toBe(false);
  expect(result.model).toMatchObject({ version: 2, gateVerdict: 'passed', servingStatus: 'challenger' });
  expect(result.gateReason).toMatch(/passed the promotion gate, it becomes the challenger of v1 \((shadow|canary) rollout\)$/);
  return { app, clock };
}

/** Every row of the bundled data, one request each (case numbers `case-<row>`). */
function predictAll(app: Application): PredictOutcome[] {
  return rows.map((row, i) => app.predictions.predict([row], { route: 'test', externalIds: [`case-${i}`] }));
}

describe('a shadow rollout on the bundled data', () => {
  let app: Application;
  beforeAll(async () => {
    ({ app } = await withChallenger('shadow'));
  }, 120_000);
  afterAll(() => app.close());

  it('answers every request with the champion, logs the challenger beside it, and promotes the challenger on the tie 0.9575', async () => {
    const started = await app.rollouts.status();
    expect(started).toMatchObject({ rollout: { id: 1, strategy: 'shadow', championVersion: 1, challengerVersion: 2, endedAt: null }, score: { shared: 0 }, verdict: { decision: 'collecting' } });
    const answers = predictAll(app);
    expect(new Set(answers.map((a) => a.modelVersion))).toEqual(new Set([1]));
    await settled(app);

    const outcomes = await app.monitoring.feedback(answers.map((a, i) => ({ predictionId: a.predictions[0].predictionId, actual: wdbc.y[i] })));
    expect(outcomes.every((o) => o.status === 'recorded')).toBe(true);

    expect(app.registry.serving?.version).toBe(2);
    expect(app.rollouts.current).toBeNull();
    const status = await app.rollouts.status();
    expect(status?.rollout).toMatchObject({ outcome: 'promoted', decidedBy: 'gate', championVersion: 1, challengerVersion: 2 });
    expect(status?.score).toMatchObject({ shared: 569, sharedPositives: 212 });
    // Both find 203 of the 212 malignant tumours: a tie, which promotes the newer model.
    expect(status?.score.champion.recall.toFixed(4)).toBe('0.9575');
    expect(status?.score.challenger.recall.toFixed(4)).toBe('0.9575');
    expect(status?.rollout.reason).toMatch(/^recall of M of v2 0\.9575, of champion v1 0\.9575 on the same 212 confirmed positive of 569 shared cases; exact McNemar p = [0-9.e-]+ \(\d+ cases only v1 got right, \d+ only v2\): v2 is not worse than the champion and reaches the threshold 0\.9, promoted$/);
    expect((await app.registry.audit()).map((e) => [e.action, e.fromVersion, e.toVersion, e.actor])).toEqual([
      ['rollout_promotion', 1, 2, 'gate'],
      ['rollout_start', 1, 2, 'gate'],
      ['gate_activation', null, 1, 'gate'],
    ]);
    expect(await app.registry.get(1)).toMatchObject({ servingStatus: 'retired', gateVerdict: 'passed' });
    expect(app.predictions.predict([rows[0]]).modelVersion).toBe(2);
  });
});

describe('a challenger that does worse on the confirmed cases', () => {
  let app: Application;
  beforeAll(async () => {
    ({ app } = await withChallenger('shadow'));
  }, 120_000);
  afterAll(() => app.close());

  it('is retired as rejected with both figures, the champion keeps serving, and the rejection is alerted', async () => {
    const answers = predictAll(app);
    await settled(app);
    const challenger = app.rollouts.current?.challenger;
    if (!challenger) throw new Error('no challenger');
    // Pathology confirms the champion's answer wherever the two disagree: every malignant case the
    // challenger called benign becomes a miss of the challenger's.
    const champion = answers.map((a) => a.predictions[0].label);
    const theirs = predictRows(challenger, rows, { maxRows: rows.length, classNames: {}, nowMs: 0 }).outcome.predictions.map((p) => p.label);
    const actual = champion.map((label, i) => (label === theirs[i] ? wdbc.y[i] : label));
    const missed = champion.filter((label, i) => label === 'M' && theirs[i] === 'B').length;
    expect(missed).toBeGreaterThan(0);

    await app.monitoring.feedback(answers.map((a, i) => ({ predictionId: a.predictions[0].predictionId, actual: actual[i] })));

    expect(app.registry.serving?.version).toBe(1);
    const status = await app.rollouts.status();
    expect(status?.rollout).toMatchObject({ outcome: 'rejected', challengerVersion: 2 });
    expect(status?.rollout.reason).toMatch(/^recall of M of v2 0\.\d{4}, of champion v1 0\.\d{4} on the same \d+ confirmed positive of 569 shared cases; exact McNemar p = .*: v2 is below the champion, rejected, v1 stays active$/);
    expect(status?.score.challenger.recall).toBeLessThan(status?.score.champion.recall ?? 0);
    expect(status?.score.mcnemar.b).toBeGreaterThanOrEqual(missed);
    expect(await app.registry.get(2)).toMatchObject({ servingStatus: 'retired', gateVerdict: 'passed' });
    expect((await app.registry.audit())[0]).toMatchObject({ action: 'rollout_rejection', fromVersion: 1, toVersion: 2, actor: 'gate' });
    const [alert] = await app.alerting.list({ status: 'firing', name: 'model_rejected', limit: 5 });
    expect(alert).toMatchObject({ labels: { model_version: '2' }, annotations: { rollout_id: '1', active_version: '1', reason: status?.rollout.reason } });
  });
});

describe('a canary rollout at 50 %', () => {
  let app: Application;
  let clock: ManualClock;
  beforeAll(async () => {
    ({ app, clock } = await withChallenger('canary', { canaryPercent: 50, maxDuration: '7d' }));
  }, 120_000);
  afterAll(() => app.close());

  it('sends a binomial share of 1,000 requests to the challenger', async () => {
    const versions = Array.from({ length: 1000 }, (_, i) => app.predictions.predict([rows[i % rows.length]]).modelVersion);
    const byChallenger = versions.filter((v) => v === 2).length;
    // Binomial(1000, 0.5): mean 500, standard deviation 15.8; 4.5 deviations either side fail once in 150,000 runs.
    expect(byChallenger).toBeGreaterThanOrEqual(429);
    expect(byChallenger).toBeLessThanOrEqual(571);
    expect(new Set(versions)).toEqual(new Set([1, 2]));
  });

  it('sends the same case number to the same model every time', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `patient-${i}`);
    const first = ids.map((id) => app.predictions.predict([rows[0]], { route: 'test', externalIds: [id] }).modelVersion);
    for (let repeat = 0; repeat < 5; repeat++) {
      expect(ids.map((id) => app.predictions.predict([rows[1]], { route: 'test', externalIds: [id] }).modelVersion)).toEqual(first);
    }
    expect(new Set(first)).toEqual(new Set([1, 2]));
  });

  it('scores both models on every confirmed case whichever answered, and the check job ends it without promotion once rollout.maxDuration has passed', async () => {
    const answers = rows.slice(0, 20).map((row, i) => app.predictions.predict([row], { route: 'test', externalIds: [`c-${i}`] }));
    await settled(app);
    await app.monitoring.feedback(answers.map((a, i) => ({ predictionId: a.predictions[0].predictionId, actual: wdbc.y[i] })));
    const malignant = wdbc.y.slice(0, 20).filter((y) => y === 'M').length;
    expect(malignant).toBeLessThan(30);
    const status = await app.rollouts.status();
    expect(status?.score).toMatchObject({ shared: 20, sharedPositives: malignant });
    expect(status?.verdict.decision).toBe('collecting');

    clock.advance(7 * day);
    // The check job decides at the latest: here, that the rollout's time is up.
    await app.jobs.check('test');
    expect((await app.rollouts.status())?.rollout).toMatchObject({ outcome: 'expired', decidedBy: 'gate' });
    expect((await app.registry.audit())[0]).toMatchObject({ action: 'rollout_expiry', fromVersion: 1, toVersion: 2 });
    expect(app.registry.serving?.version).toBe(1);
    const [alert] = await app.alerting.list({ status: 'firing', name: 'model_rejected', limit: 5 });
    expect(alert.annotations.reason).toBe(`only ${malignant} confirmed positive of 20 shared cases after 7d (rollout.maxDuration), 30 positives needed (rollout.minCases): v2 is not promoted, v1 stays active`);
    expect(app.predictions.predict([rows[0]], { route: 'test', externalIds: ['patient-0'] }).modelVersion).toBe(1);
  });
});
