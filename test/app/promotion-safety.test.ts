import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { ConflictError, InvalidInputError, NoServingModelError } from '../../src/app/errors.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { malignantRow, tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';

const log = pino({ level: 'silent' });
const hour = 3_600_000;

/** Issue 14's story on the bundled data: a worse model never replaces a better one unnoticed. */
describe('the promotion gate against the champion', () => {
  const clock = new ManualClock(Date.parse('2026-03-02T07:00:00.000Z'));
  const sourceDir = tempDir('mloop-source-');
  const source = writeFile(sourceDir, 'data.csv', tutorialLayoutCsv());
  let app: Application;

  beforeAll(async () => {
    app = await openApplication({ config: parseConfig({ dataset: { source } }), dataDir: tempDir(), log, clock, threads: 2 });
    await app.bootstrap();
  });
  afterAll(() => app.close());

  it('rejects normalized C=0.3 (recall of M 0.9167 passes 0.9) because v1 finds more malignant tumours on the same rows', async () => {
    expect(app.registry.serving?.version).toBe(1);
    const result = await app.trainings.train({ mode: 'normalized', C: 0.3 }, 'test');
    expect(result.activated).toBe(false);
    expect(result.model).toMatchObject({ version: 2, gateVerdict: 'rejected', servingStatus: 'candidate', status: 'rejected' });
    expect(result.gateReason).toBe("recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows: rejected by the promotion gate, v1 stays active");
    expect(app.registry.serving?.version).toBe(1);
    expect(app.predictions.predict([malignantRow]).modelVersion).toBe(1);
    const [alert] = await app.alerting.list({ status: 'firing', limit: 10 });
    expect(alert).toMatchObject({ name: 'model_rejected', labels: { model_version: '2' }, annotations: { reason: "recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows" } });
  });

  it('notifies the rejection once: no reminder after 4 h, and it closes when alerts.eventTtl has passed', async () => {
    clock.advance(4 * hour);
    expect(await app.alerting.repeatDue()).toEqual([]);
    clock.advance(20 * hour);
    const [closed] = await app.alerting.repeatDue();
    expect(closed).toMatchObject({ reason: 'resolved', alert: { labels: { model_version: '2' }, annotations: { resolution: 'expired' } } });
  });

  it('needs force and a reason to promote the rejected version, records it, and keeps the verdict', async () => {
    const refused = app.registry.promote(2, { actor: 'admin' });
    await expect(refused).rejects.toBeInstanceOf(ConflictError);
    await expect(refused).rejects.toMatchObject({
      message:
        "v2 was rejected by the promotion gate (recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows: rejected by the promotion gate, v1 stays active): " +
        'promoting v2 needs force and a reason ({"force": true, "reason": "..."} in the API, --force --reason "..." in the CLI)',
      details: { version: 2, gateVerdict: 'rejected', forceRequired: true },
    });
    await expect(app.registry.promote(2, { actor: 'admin', force: true, reason: '  ' })).rejects.toThrow(InvalidInputError);
    expect(app.registry.serving?.version).toBe(1);
    const promoted = await app.registry.promote(2, { actor: 'admin', force: true, reason: 'a smaller C for the new scanner' });
    expect(promoted).toMatchObject({ version: 2, gateVerdict: 'rejected', servingStatus: 'active', status: 'active' });
    const [entry] = await app.registry.audit();
    expect(entry).toMatchObject({ action: 'forced_promotion', fromVersion: 1, toVersion: 2, actor: 'admin', reason: 'a smaller C for the new scanner', at: clock.now().toISOString() });
  });

  it('rolls back to a version that passed without force, and names the rejected one when rolling back to it', async () => {
    expect((await app.registry.rollback({ actor: 'cli' })).version).toBe(1);
    expect(await app.registry.get(2)).toMatchObject({ gateVerdict: 'rejected', servingStatus: 'retired', status: 'rejected' });
    await expect(app.registry.rollback({ actor: 'cli' })).rejects.toThrow(/^v2 was rejected by the promotion gate .*: rolling back to v2 needs force and a reason/);
    expect((await app.registry.rollback({ actor: 'cli', force: true, reason: 'back to the scanner test' })).version).toBe(2);
    expect((await app.registry.audit()).map((e) => [e.action, e.fromVersion, e.toVersion, e.actor])).toEqual([
      ['forced_rollback', 1, 2, 'cli'],
      ['rollback', 2, 1, 'cli'],
      ['forced_promotion', 1, 2, 'admin'],
      ['gate_activation', null, 1, 'gate'],
    ]);
  });

  it('says the champion may have trained on some of the rows when the snapshot changed', async () => {
    await app.registry.promote(1, { actor: 'admin' });
    writeFile(sourceDir, 'data.csv', tutorialLayoutCsv(400));
    expect((await app.jobs.update('test')).status).toBe('created');
    const result = await app.trainings.train({ mode: 'normalized' }, 'test');
    expect(result.gateReason).toMatch(/ on the same 80 rows; v1 was trained on snapshot 1, which may hold some of these rows, so the comparison favours v1: /);
  });
});

describe('a first model below the threshold', () => {
  const config = (serveBelowThreshold: boolean) => parseConfig({ monitor: { threshold: 0.99, serveBelowThreshold } });

  it('does not serve by default: predictions say why until an admin forces it, and a restart does not train again', async () => {
    const dataDir = tempDir();
    let app = await openApplication({ config: config(false), dataDir, log, threads: 2 });
    try {
      await app.bootstrap();
      expect(app.registry.serving).toBeNull();
      expect(await app.registry.get(1)).toMatchObject({ gateVerdict: 'rejected', servingStatus: 'candidate' });
      expect(() => app.predictions.predict([malignantRow])).toThrow(NoServingModelError);
      expect(() => app.predictions.predict([malignantRow])).toThrow(
        'no model serves: the promotion gate rejected v1 (recall of M 0.9792, threshold 0.99) and monitor.serveBelowThreshold is false. ' +
          'Train a model that passes the gate, or put one into service with force: POST /api/v1/models/1/promote {"force": true, "reason": "..."} (mloop models promote 1 --force --reason "...")',
      );
      const [alert] = await app.alerting.list({ status: 'firing', name: 'model_rejected', limit: 10 });
      expect(alert.annotations).toMatchObject({ model_version: '1' });
      expect(alert.annotations).not.toHaveProperty('active_version');

      await app.close();
      app = await openApplication({ config: config(false), dataDir, log, threads: 2 });
      await app.bootstrap();
      expect(await app.registry.list()).toHaveLength(1);
      expect(() => app.predictions.predict([malignantRow])).toThrow(NoServingModelError);

      await app.registry.promote(1, { actor: 'cli', force: true, reason: 'the only model we have' });
      expect(app.predictions.predict([malignantRow]).modelVersion).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('serves as before with monitor.serveBelowThreshold, its verdict still rejected', async () => {
    const app = await openApplication({ config: config(true), dataDir: tempDir(), log, threads: 2 });
    try {
      await app.bootstrap();
      expect(app.registry.serving?.summary).toMatchObject({ version: 1, gateVerdict: 'rejected', servingStatus: 'active' });
      expect(app.predictions.predict([malignantRow]).modelVersion).toBe(1);
      expect(await app.alerting.list({ status: 'firing', name: 'model_rejected', limit: 10 })).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
