import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundledCsv, tempDir } from '../helpers/fixtures.js';
import { closedPort, parseMail, startSmtpServer } from '../helpers/smtp.js';
import type { Nginx, Replica, ScaleDatabase } from './cluster.js';
import { waitFor } from '../helpers/wait-for.js';
import { createScaleDatabase, logTails, requireBuiltCli, startNginx, startReplicas, tail, waitUntilReady } from './cluster.js';

/*
 * Scale-out, for real: three `mloop serve` processes share one PostgreSQL database (and, in the
 * last case, sit behind nginx). PostgreSQL alone coordinates them: per-second scheduled checks run
 * once each, a promotion made on one replica is served by all, an alert is e-mailed once, and
 * killing a replica under load costs at most the requests it had in flight.
 */

const adminUrl = process.env.MLOOP_TEST_DATABASE_URL || undefined;

/**
 * Prediction bodies: the bundled data set's rows, taken with a stride so that any run of requests
 * is a spread-out sample of the data the models were trained on. Otherwise the drift rule would
 * rightly see drift in the traffic (a block of similar rows, one row over and over) and e-mail it.
 */
const dataRows = bundledCsv.trimEnd().split('\n').slice(1).map((line) => line.split(',').slice(1).map(Number));
let nextBody = 0;
const predictBody = () => JSON.stringify({ row: dataRows[(nextBody++ * 211) % dataRows.length] });

/** What the test measured, printed as one table at the end. */
const measured: [string, string][] = [];
const note = (what: string, value: string | number) => measured.push([what, String(value)]);

async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function predictVersion(base: string): Promise<number | undefined> {
  const response = await postJson(`${base}/api/v1/predict`, predictBody());
  if (response.status !== 200) return undefined;
  return ((await response.json()) as { modelVersion: number }).modelVersion;
}

interface RunDoc {
  readonly id: number;
  readonly status: string;
  readonly result: { version?: number; activated?: boolean } | null;
  readonly error: string | null;
}

async function followRun(base: string, runId: number, timeoutMs: number): Promise<RunDoc> {
  return waitFor(
    `run ${runId} to end`,
    async () => {
      const run = (await (await fetch(`${base}/api/v1/runs/${runId}`)).json()) as RunDoc;
      return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
    },
    timeoutMs,
    200,
  );
}

async function train(base: string, mode: string): Promise<number> {
  const response = await postJson(`${base}/api/v1/train`, { mode });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: number }).runId;
}

/** Waits `ms` of wall time: a measurement window, not a wait for an event. */
const observe = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('three replicas on one PostgreSQL database', () => {
  if (!adminUrl) {
    it.skip('needs MLOOP_TEST_DATABASE_URL (postgres://user:password@host:port/database of a superuser)', () => {});
    return;
  }

  const root = tempDir('mloop-scale-');
  let database: ScaleDatabase | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined;
  let nginx: Nginx | undefined;
  const replicas: Replica[] = [];
  const byPid = (pid: number) => replicas.find((r) => r.pid === pid)?.name ?? `pid ${pid}`;
  const dumpLogs = () => {
    logTails(replicas);
    const nginxLog = path.join(root, 'nginx', 'error.log');
    if (fs.existsSync(nginxLog)) console.log(`--- nginx ${nginxLog}:\n${tail(nginxLog, 20)}`);
  };

  beforeAll(async () => {
    requireBuiltCli();
    try {
      database = await createScaleDatabase(adminUrl);
      smtp = await startSmtpServer();
      const config = {
        schedule: { update: null, train: null, check: '* * * * * *' },
        notify: { email: { host: '127.0.0.1', port: smtp.port, from: 'mloop <alerts@mloop.example.org>', to: ['data-team@hospital.example.org'] } },
      };
      const started = performance.now();
      // All three at once on an empty database: they race for the migrations and the first training.
      await startReplicas(replicas, { root, databaseUrl: database.url, config, names: ['A', 'B', 'C'] });
      await waitUntilReady(replicas, 100_000);
      note('3 replicas started together, all ready after', `${Math.round(performance.now() - started)} ms`);
      const trainedV1 = replicas.filter((r) => r.logLines().some((line) => line.msg === 'model v1 trained')).map((r) => r.name);
      note('first model trained by (the others got 409, then synced)', trainedV1.join(', '));
    } catch (error) {
      dumpLogs();
      throw error;
    }
    // Three Node processes starting and one training on a busy 2-core machine: allow for it.
  }, 120_000);

  beforeEach(({ onTestFailed }) => onTestFailed(dumpLogs));

  afterAll(async () => {
    if (replicas.length > 0) {
      const checks = replicas.map((r) => r.logLines().filter((line) => line.msg === 'performance check').length);
      note('check ticks run by A / B / C over the whole test', checks.join(' / '));
    }
    if (measured.length > 0) {
      const width = Math.max(...measured.map(([what]) => what.length));
      console.log(['scale-out, measured:', ...measured.map(([what, value]) => `  ${what.padEnd(width)}  ${value}`)].join('\n'));
    }
    await nginx?.stop();
    await Promise.all(replicas.map((r) => r.stop()));
    await smtp?.close();
    await database?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs each per-second check tick exactly once, on whichever replica claims it first', async () => {
    const db = database as ScaleDatabase;
    const from = new Date();
    await observe(8_000);
    const to = new Date();
    const window = [from.toISOString(), to.toISOString()];
    const ticks = await db.query<{ scheduled_for: string; runs: string; ids: number[] }>(
      `select scheduled_for, count(*) as runs, array_agg(id) as ids from runs
        where kind = 'check' and trigger = 'schedule' and scheduled_for >= $1 and scheduled_for < $2
        group by scheduled_for order by scheduled_for`,
      window,
    );
    const duplicates = ticks.filter((t) => Number(t.runs) > 1).length;
    const ids = ticks.flatMap((t) => t.ids);
    // Each claimed tick is executed by the one replica that claimed it: its run id is in one log only.
    const ranBy = await waitFor(
      'every tick of the window to be logged by the replica that ran it',
      () => {
        const seen = new Map<number, string[]>();
        for (const r of replicas) {
          for (const line of r.logLines()) {
            if (line.msg === 'performance check' && ids.includes(line.run as number)) seen.set(line.run as number, [...(seen.get(line.run as number) ?? []), r.name]);
          }
        }
        return seen.size === ids.length ? seen : undefined;
      },
      5_000,
    );
    const perReplica = Object.fromEntries(replicas.map((r) => [r.name, [...ranBy.values()].filter((names) => names.includes(r.name)).length]));
    note('check ticks in window', `${ticks.length} in ${((to.getTime() - from.getTime()) / 1000).toFixed(1)} s`);
    note('ticks claimed twice (same scheduled_for)', duplicates);
    note('ticks executed by more than one replica', [...ranBy.values()].filter((names) => names.length > 1).length);
    note('ticks run by A / B / C', `${perReplica.A} / ${perReplica.B} / ${perReplica.C}`);

    expect(duplicates).toBe(0);
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect([...ranBy.values()].every((names) => names.length === 1)).toBe(true);
  });

  it('serves a version promoted on one replica from all of them within 2 s', async () => {
    const [a, b, c] = replicas;
    const before = await predictVersion(a.base);
    expect(before).toBe(1);
    // Each replica is asked over and over; the first answer with the new version is timed.
    const firstSeen = new Map<string, number>();
    let watching = true;
    const watchers = replicas.map(async (r) => {
      while (watching && !firstSeen.has(r.name)) {
        const version = await predictVersion(r.base).catch(() => undefined);
        if (version !== undefined && version !== before) firstSeen.set(r.name, performance.now());
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    const trainStarted = performance.now();
    const runId = await train(a.base, 'gridsearch');
    try {
      // Any replica can tell how a run went: the run lives in the shared database.
      const run = await followRun(b.base, runId, 50_000);
      expect(run.error).toBeNull();
      expect(run.result).toMatchObject({ version: 2, activated: true });
      note('gridsearch training on A', `${Math.round(performance.now() - trainStarted)} ms`);
      await waitFor('all replicas to serve v2', () => (firstSeen.size === 3 ? true : undefined), 10_000, 20);
    } finally {
      watching = false;
      await Promise.all(watchers);
    }
    const onA = firstSeen.get('A') as number;
    const lag = (r: Replica) => Math.round((firstSeen.get(r.name) as number) - onA);
    note('v2 served by B / C after A served it', `${lag(b)} ms / ${lag(c)} ms`);
    expect(Math.max(lag(b), lag(c))).toBeLessThanOrEqual(2_000);
    for (const r of replicas) expect(await predictVersion(r.base)).toBe(2);
  });

  it('e-mails the gate\'s rejection alert exactly once', async () => {
    const db = database as ScaleDatabase;
    const mails = (smtp as Awaited<ReturnType<typeof startSmtpServer>>).mails;
    const [a, b, c] = replicas;
    const subjects = () => mails.map((m) => parseMail(m.raw).headers.get('subject'));
    expect(subjects(), 'e-mails before the rejection').toEqual([]);
    // basic: recall of M 0.833 < 0.9, so the gate keeps v3 out and the model_rejected alert fires.
    const runId = await train(b.base, 'basic');
    const run = await followRun(c.base, runId, 50_000);
    expect(run.result).toMatchObject({ version: 3, activated: false });
    const sentAfter = performance.now();
    await waitFor('the alert e-mail', () => (mails.length > 0 ? true : undefined), 15_000, 50);
    note('alert e-mail received after the training ended', `${Math.round(performance.now() - sentAfter)} ms`);

    // Grace period: every replica keeps ticking (and so delivering the outbox) meanwhile.
    const ticksBefore = await countScheduledChecks(db);
    await observe(3_000);
    const ticksDuring = (await countScheduledChecks(db)) - ticksBefore;
    const received = mails.map((m) => parseMail(m.raw).headers);
    const rejections = received.filter((h) => h.get('x-mloop-alert')?.startsWith('model_rejected;'));
    const outbox = await db.query<{ state: string; attempts: number; leased_by: string }>(
      `select state, attempts, leased_by from outbox where channel = 'email' and payload_json like '%"model_rejected"%'`,
    );
    const deliveredBy = outbox.map((row) => byPid(Number(row.leased_by.split(':')[1]))).join(', ');
    note('e-mails received (3 s grace, ticks meanwhile)', `${mails.length}, ${rejections.length} of them model_rejected (${ticksDuring} ticks)`);
    note('e-mail subject', subjects().join(' | '));
    note('its outbox rows / delivered by', `${outbox.length} / ${deliveredBy}`);

    expect(ticksDuring).toBeGreaterThanOrEqual(2);
    expect(rejections).toHaveLength(1);
    expect(rejections[0].get('subject')).toMatch(/FIRING/);
    // Nothing else was alerting in this test: the rejection is the only e-mail.
    expect(subjects()).toHaveLength(1);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ state: 'delivered', attempts: 1 });
    // A rejected version changes nothing that serves.
    for (const r of [a, b, c]) expect(await predictVersion(r.base)).toBe(2);
  });

  it('loses at most the in-flight requests when a replica is killed with SIGKILL behind nginx', async () => {
    const [a, b, c] = replicas;
    nginx = await startNginx({ listenPort: await closedPort(), upstreamPorts: replicas.map((r) => r.port), prefix: path.join(root, 'nginx'), upstreamHeader: true });
    const url = `${nginx.base}/api/v1/predict`;
    const upstreamName = new Map(replicas.map((r) => [`127.0.0.1:${r.port}`, r.name]));
    interface Sample {
      readonly start: number;
      readonly end: number;
      readonly ok: boolean;
      /** Replicas nginx tried, in order (the last one answered). */
      readonly tried: readonly string[];
      readonly error?: string;
    }
    const samples: Sample[] = [];
    const concurrency = 16;
    const loadMs = 4_000;
    const started = performance.now();
    let killedAt = Number.POSITIVE_INFINITY;
    let goneAt = Number.POSITIVE_INFINITY;
    let goneAtClock = new Date(8.64e15);
    const loops = Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < loadMs) {
        const start = performance.now();
        try {
          const response = await postJson(url, predictBody());
          const body = await response.text();
          const tried = (response.headers.get('x-upstream') ?? '').split(/,\s*/).map((addr) => upstreamName.get(addr) ?? addr);
          samples.push({ start, end: performance.now(), ok: response.status === 200, tried, error: response.status === 200 ? undefined : `${response.status} ${body.slice(0, 80)}` });
        } catch (error) {
          samples.push({ start, end: performance.now(), ok: false, tried: [], error: (error as Error).message });
        }
      }
    });
    const killer = (async () => {
      await waitFor('half of the load', () => (performance.now() - started >= loadMs / 2 ? true : undefined), loadMs, 5);
      killedAt = performance.now();
      c.process.kill('SIGKILL');
      await c.exited;
      goneAt = performance.now();
      goneAtClock = new Date();
    })();
    await Promise.all([...loops, killer]);

    const inFlightAtKill = samples.filter((s) => s.start < killedAt && s.end > killedAt).length;
    const errors = samples.filter((s) => !s.ok);
    const afterGone = samples.filter((s) => s.start > goneAt);
    const retried = samples.filter((s) => s.tried.length > 1);
    const servedBy = (list: readonly Sample[]) => ['A', 'B', 'C'].map((n) => list.filter((s) => s.ok && s.tried.at(-1) === n).length).join(' / ');
    const latencies = samples.map((s) => s.end - s.start).sort((x, y) => x - y);
    const p99 = latencies[Math.floor(latencies.length * 0.99)];
    note('load through nginx', `${concurrency} loops, ${(loadMs / 1000).toFixed(0)} s, kill -9 C at ${Math.round(killedAt - started)} ms`);
    note('requests / errors', `${samples.length} / ${errors.length}${errors.length > 0 ? ` (${[...new Set(errors.map((e) => e.error))].join('; ')})` : ''}`);
    note('in flight at the kill / retried by nginx', `${inFlightAtKill} / ${retried.length}`);
    note('answered by A / B / C before the kill', servedBy(samples.filter((s) => s.end < killedAt)));
    note('answered by A / B / C after C was gone', servedBy(afterGone));
    note('requests/s, p99 (whole run, 16 loops)', `${Math.round(samples.length / (loadMs / 1000))}, ${p99.toFixed(1)} ms`);

    expect(errors.length).toBeLessThanOrEqual(inFlightAtKill);
    expect(afterGone.length).toBeGreaterThan(0);
    expect(afterGone.filter((s) => !s.ok)).toEqual([]);
    expect(afterGone.filter((s) => s.tried.at(-1) === 'C')).toEqual([]);
    // The survivors carry on as before.
    for (const r of [a, b]) expect(await predictVersion(r.base)).toBe(2);

    // And the ticks go on without C, unless C died in the middle of a check: that run blocks
    // further checks until a survivor fails it as abandoned (60 s without a heartbeat).
    const db = database as ScaleDatabase;
    const unfinished = () => db.query<{ id: number }>(`select id from runs where kind = 'check' and status in ('queued', 'running') and started_at < $1`, [goneAtClock.toISOString()]);
    // A survivor's check that began before the kill ends within moments; C's never does.
    const orphans = await waitFor('checks begun before the kill to end', async () => ((await unfinished()).length === 0 ? [] : undefined), 3_000, 100).catch(unfinished);
    if (orphans.length > 0) {
      note('check ticks after C was gone', `blocked: C died running check run ${orphans[0].id}; it is failed as abandoned after 60 s`);
      return;
    }
    const ticksAfter = await waitFor(
      'two check ticks after C was gone',
      async () => {
        const rows = await db.query<{ id: number }>(`select id from runs where kind = 'check' and trigger = 'schedule' and status = 'succeeded' and scheduled_for > $1`, [goneAtClock.toISOString()]);
        return rows.length >= 2 ? rows.map((row) => row.id) : undefined;
      },
      10_000,
      200,
    );
    note('check ticks after C was gone (first two) run by', ticksAfter.slice(0, 2).map((id) => replicas.find((r) => r.logLines().some((line) => line.msg === 'performance check' && line.run === id))?.name ?? '?').join(', '));
  });
});

async function countScheduledChecks(db: ScaleDatabase): Promise<number> {
  const [row] = await db.query<{ n: string }>(`select count(*) as n from runs where kind = 'check' and trigger = 'schedule'`);
  return Number(row.n);
}
