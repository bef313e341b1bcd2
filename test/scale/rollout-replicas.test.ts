import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundledCsv, tempDir } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import type { Replica, ScaleDatabase } from './cluster.js';
import { createScaleDatabase, logTails, requireBuiltCli, startReplicas, waitUntilReady } from './cluster.js';

/*
 * A shadow rollout served by two `mloop serve` processes on one PostgreSQL database: both serve
 * the same champion and challenger, both log the challenger's answers, feedback sent to both at
 * once decides the rollout once, and both serve the new champion within a second.
 */

const adminUrl = process.env.MLOOP_TEST_DATABASE_URL || undefined;
const lines = bundledCsv.trimEnd().split('\n').slice(1);
const rows = lines.map((line) => line.split(',').slice(1).map(Number));
const labels = lines.map((line) => line.split(',')[0]);

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

async function json<T>(response: Response | Promise<Response>): Promise<T> {
  const r = await response;
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

interface RolloutDoc {
  rollout: { id: number; open: boolean; championVersion: number; challengerVersion: number; outcome: string | null; reason: string | null; shared: { cases: number; positives: number } } | null;
}

describe('a shadow rollout on two replicas sharing PostgreSQL', () => {
  if (!adminUrl) {
    it.skip('needs MLOOP_TEST_DATABASE_URL (postgres://user:password@host:port/database of a superuser)', () => {});
    return;
  }
  const root = tempDir('mloop-rollout-scale-');
  let database: ScaleDatabase | undefined;
  const replicas: Replica[] = [];
  const dumpLogs = () => logTails(replicas);

  beforeAll(async () => {
    requireBuiltCli();
    try {
      database = await createScaleDatabase(adminUrl);
      const config = { schedule: { update: null, train: null, check: null }, rollout: { strategy: 'shadow' } };
      await startReplicas(replicas, { root, databaseUrl: database.url, config, names: ['A', 'B'] });
      await waitUntilReady(replicas, 100_000);
    } catch (error) {
      dumpLogs();
      throw error;
    }
  }, 120_000);
  beforeEach(({ onTestFailed }) => onTestFailed(dumpLogs));
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await database?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('decides once, and both replicas serve the new champion within a second', async () => {
    const [a, b] = replicas;
    const { runId } = await json<{ runId: number }>(post(`${a.base}/api/v1/train`, { mode: 'gridsearch' }));
    const run = await waitFor(
      'the training',
      async () => {
        const r = await json<{ status: string; result: { version: number; activated: boolean } | null }>(fetch(`${a.base}/api/v1/runs/${runId}`));
        return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
      },
      90_000,
      200,
    );
    expect(run.result).toMatchObject({ version: 2, activated: false });
    // B loads the challenger on its next sync.
    await waitFor('B to serve the rollout', async () => b.logLines().some((l) => typeof l.msg === 'string' && l.msg.startsWith('rollout 1: v2 challenges v1')) || undefined, 5_000, 50);

    // Every row once, alternately to A and B: the champion answers all of them.
    const answers = await Promise.all(
      rows.map(async (row, i) => {
        const replica = replicas[i % 2];
        const body = await json<{ modelVersion: number; predictions: { predictionId: string }[] }>(post(`${replica.base}/api/v1/predict`, { row, externalId: `case-${i}` }));
        return { modelVersion: body.modelVersion, predictionId: body.predictions[0].predictionId, actual: labels[i] };
      }),
    );
    expect(new Set(answers.map((x) => x.modelVersion))).toEqual(new Set([1]));
    // Both processes write their logs within 50 ms; feedback flushes only its own process's.
    await waitFor(
      'both logs written',
      async () => {
        const [{ n }] = await (database as ScaleDatabase).query<{ n: string }>('select count(*) as n from rollout_answers');
        return Number(n) === rows.length || undefined;
      },
      5_000,
      50,
    );

    // Half the confirmations to each replica at once (each half holds over 30 positives): both decide, one wins.
    const half = Math.ceil(answers.length / 2);
    const items = (part: typeof answers) => part.map(({ predictionId, actual }) => ({ predictionId, actual }));
    await Promise.all([json(post(`${a.base}/api/v1/feedback`, { items: items(answers.slice(0, half)) })), json(post(`${b.base}/api/v1/feedback`, { items: items(answers.slice(half)) }))]);
    const db = database as ScaleDatabase;
    const audit = await db.query<{ action: string; from_version: number; to_version: number; at: string }>("select action, from_version, to_version, at from registry_audit where action like 'rollout%' order by id");
    // Same machine, same clock: from the decision's commit (its audit entry) to each replica answering with v2.
    const decidedAt = Date.parse(audit[audit.length - 1].at);
    const served = await Promise.all(
      replicas.map((r) =>
        waitFor(
          `${r.name} to serve v2`,
          async () => ((await json<{ modelVersion: number }>(post(`${r.base}/api/v1/predict`, { row: rows[0] }))).modelVersion === 2 ? Date.now() - decidedAt : undefined),
          5_000,
          20,
        ),
      ),
    );
    console.log(`rollout decided; A serves v2 ${served[0]} ms after the decision, B ${served[1]} ms after`);
    expect(Math.max(...served)).toBeLessThan(1_000);

    expect(audit.map((e) => [e.action, e.from_version, e.to_version])).toEqual([
      ['rollout_start', 1, 2],
      ['rollout_promotion', 1, 2],
    ]);
    const status = await json<RolloutDoc>(fetch(`${b.base}/api/v1/rollout`));
    expect(status.rollout).toMatchObject({ id: 1, open: false, outcome: 'promoted', championVersion: 1, challengerVersion: 2 });
    expect(status.rollout?.shared).toEqual({ cases: 569, positives: 212, minCases: 30 });
  }, 180_000);
});
