import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { ConflictError } from '../../src/app/errors.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { sqliteFileName } from '../../src/store/database.js';
import { tempDir, tutorialLayoutCsv, writeFile } from '../helpers/fixtures.js';

const log = pino({ level: 'silent' });

/**
 * The test split behind a what-if and a save is rebuilt from the version's snapshot: with the split
 * it recorded, or for a version trained before splits were recorded with `split.*` as configured
 * now, and then only if the rows give its recorded confusion matrix.
 */
describe("a version's test split, rebuilt", () => {
  const dataDir = tempDir();
  const source = writeFile(tempDir('mloop-source-'), 'data.csv', tutorialLayoutCsv());
  let app: Application | undefined;
  const open = async (split: object = {}) => {
    await app?.close();
    app = await openApplication({ config: parseConfig({ dataset: { source }, split }), dataDir, log, threads: 2 });
    return app;
  };
  afterAll(() => app?.close());

  it('uses the recorded split whatever split.* says now, and split.* for an older version only while it gives its matrix', async () => {
    let opened = await open();
    await opened.bootstrap();
    expect(((await opened.registry.get(1)).metrics as { testSplit: unknown }).testSplit).toEqual({ testSize: 0.2, randomState: 20, stratify: false });
    const before = await opened.operatingPoints.whatIf(1, -0.5);
    expect(before.testSplit.rows).toBe(114);

    // Another split configured since: the recorded one still finds the version's rows.
    opened = await open({ randomState: 7 });
    expect((await opened.operatingPoints.whatIf(1, -0.5)).testSplit).toEqual(before.testSplit);
    await opened.close();
    app = undefined;

    // As a version trained before splits were recorded: no testSplit in its metrics.
    const db = new SqliteDatabase(join(dataDir, sqliteFileName));
    const { metrics_json } = db.prepare('select metrics_json from models where version = 1').get() as { metrics_json: string };
    const { testSplit: _recorded, ...older } = JSON.parse(metrics_json) as Record<string, unknown>;
    db.prepare('update models set metrics_json = ? where version = 1').run(JSON.stringify(older));
    db.close();

    opened = await open();
    expect((await opened.operatingPoints.whatIf(1, -0.5)).testSplit).toEqual(before.testSplit);
    opened = await open({ randomState: 7 });
    await expect(opened.operatingPoints.whatIf(1, -0.5)).rejects.toThrow(ConflictError);
    await expect(opened.operatingPoints.whatIf(1, -0.5)).rejects.toThrow(/^v1's test split cannot be rebuilt: on snapshot 1, split\.\* as configured now \(testSize 0\.2, randomState 7, stratify false\) selects rows that do not give its recorded confusion matrix \(the split may have changed since v1 was trained\)$/);
    await expect(opened.trainings.retune(1, -0.5, { actor: 'cli', reason: 'try' })).rejects.toThrow(ConflictError);
    expect((await opened.registry.list()).map((m) => m.version)).toEqual([1]);
  });
});
