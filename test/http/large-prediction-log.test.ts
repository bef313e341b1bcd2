import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { MAX_PREDICTIONS_PER_CASE } from '../../src/app/feedback.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { buildHttpApp } from '../../src/http/app.js';
import { sqliteFileName } from '../../src/store/database.js';
import { tempDir } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { loadWdbc } from '../helpers/wdbc.js';
import { getJson, postJson } from './server-fixture.js';

/*
 * Issue 13, item 2 and its kind: no request or job may take memory or event-loop time that grows
 * with the prediction log. The log here: a fifth of it older than the retention period, the rest
 * in the last hours, one row in 7 confirmed, one in 10 sent with the same case number. Each read
 * and the retention step must leave the event loop free (no busy stretch over 200 ms) and the
 * process within 150 MB of where it started.
 *
 * 200,000 rows in the suite; `npm run test:large-log` runs it on 1,140,000, the probe's size
 * (about 35 s on a loaded 2-core machine). On 200,000 rows the code before the fix held the event
 * loop for 4.7 s (drift read, +206 MB), 0.55 s (live performance), 0.52 s (feedback for the
 * shared case) and 6.9 s (check job); the probe saw 11.3 s and 1.45 GB for the drift read alone.
 */
const rows = Number(process.env.MLOOP_LOG_ROWS ?? 200_000);
const oldRows = Math.floor(rows / 5);
const recentRows = rows - oldRows;
const perSecond = 100;
/**
 * Longest stretch the event loop may be busy for: what a request waiting behind it would wait. A
 * stretch is counted in the CPU time the main thread spent in it, where the system tells it: on a
 * shared machine a stretch's wall time also holds the time other processes had the CPU (one run
 * under other load saw a 325 ms stretch; the test passed alone). The defect was seconds of CPU.
 */
const maxBusyMs = 200;
/**
 * Ceiling on /healthz's answer time. Higher than maxBusyMs because it includes time the OS gave the
 * CPU to other processes: on the 2-core test machine, shared and loaded, an idle Node process saw
 * event-loop delays of 330 ms. The defect was 8.6-11.3 s.
 */
const maxHealthzMs = 1000;
const maxGrowthMb = 150;

interface Measured<T> {
  readonly value: T;
  /** The longest busy stretch, in the main thread's CPU time where readable, else in wall time. */
  readonly maxBusyMs: number;
  /** The same stretch's wall time. */
  readonly maxBusyWallMs: number;
  readonly healthzMaxMs: number;
  readonly rssGrowthMb: number;
}

const clockTicksPerMs = 100 / 1000; // USER_HZ: 100 on every Linux architecture Node runs on

/**
 * CPU time of the calling thread so far (ms), from /proc/thread-self/stat (utime + stime, in 10 ms
 * ticks), or null where there is no such file.
 */
function threadCpuMs(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'latin1');
  } catch {
    return null;
  }
  // The fields after the command name (which may hold spaces), from field 3: utime is field 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerMs;
}

/**
 * Runs `work` while measuring the event loop's longest busy stretch (between two 5 ms ticks: the
 * wall time from eventLoopUtilization, which counts time spent waiting for the CPU while idle as
 * idle, and the main thread's CPU time in that stretch, which leaves out time spent waiting for the
 * CPU while busy), /healthz's answer time, and the RSS peak.
 */
async function measured<T>(base: string, work: () => Promise<T>): Promise<Measured<T>> {
  const before = process.memoryUsage.rss();
  let peak = before;
  let healthzMaxMs = 0;
  let done = false;
  const probe = (async () => {
    while (!done) {
      const start = performance.now();
      const response = await fetch(`${base}/healthz`);
      await response.arrayBuffer();
      healthzMaxMs = Math.max(healthzMaxMs, performance.now() - start);
      peak = Math.max(peak, process.memoryUsage.rss());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  let busy = performance.eventLoopUtilization();
  let cpu = threadCpuMs();
  let longestBusy = 0;
  let longestBusyWall = 0;
  const ticker = setInterval(() => {
    const wall = performance.eventLoopUtilization(busy).active;
    const cpuNow = threadCpuMs();
    // A tick is 10 ms of CPU: a stretch of CPU time within one tick of its wall time is its wall time.
    const stretch = cpu === null || cpuNow === null ? wall : Math.min(wall, cpuNow - cpu + 10);
    if (stretch > longestBusy) {
      longestBusy = stretch;
      longestBusyWall = wall;
    }
    busy = performance.eventLoopUtilization();
    cpu = cpuNow;
  }, 5);
  let value: T;
  try {
    value = await work();
  } finally {
    clearInterval(ticker);
    done = true;
    await probe;
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return { value, maxBusyMs: longestBusy, maxBusyWallMs: longestBusyWall, healthzMaxMs, rssGrowthMb: (peak - before) / 2 ** 20 };
}

function expectBounded(what: string, m: Measured<unknown>): void {
  expect(m.maxBusyMs, `${what}: longest busy stretch of the event loop (ms of CPU; ${m.maxBusyWallMs.toFixed(0)} ms of wall time)`).toBeLessThan(maxBusyMs);
  expect(m.healthzMaxMs, `${what}: slowest /healthz (ms)`).toBeLessThan(maxHealthzMs);
  expect(m.rssGrowthMb, `${what}: RSS growth (MB)`).toBeLessThan(maxGrowthMb);
}

interface CheckRun {
  readonly status: string;
  readonly result: { readonly retention: { readonly deleted: number }; readonly drift: { readonly computedAt: string; readonly sample: { readonly rows: number } } } | null;
}

/** Starts the check job over HTTP and waits for its run to end. */
async function runCheck(base: string): Promise<CheckRun> {
  const started = await postJson(`${base}/api/v1/jobs/check/run`, {});
  expect(started.status).toBe(202);
  const { runId } = (await started.json()) as { runId: number };
  return waitFor(
    `check run ${runId} to end`,
    async () => {
      const run = await getJson<CheckRun>(`${base}/api/v1/runs/${runId}`);
      return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
    },
    120_000,
  );
}

/** Writes the log straight into the SQLite file: SQLite generates the rows, so a million take seconds. */
function fillLog(file: string, nowSeconds: number): void {
  const wdbc = loadWdbc();
  const db = new SqliteDatabase(file);
  try {
    db.exec('create temp table rows_in (k integer primary key, input blob not null, label text not null)');
    const insert = db.prepare('insert into temp.rows_in values (?, ?, ?)');
    for (let k = 0; k < wdbc.x.rows; k++) insert.run(k, Buffer.from(wdbc.x.data.slice(k * wdbc.x.cols, (k + 1) * wdbc.x.cols).buffer), wdbc.y[k]);
    const oldBase = nowSeconds - 400 * 86_400;
    const recentBase = nowSeconds - Math.ceil(recentRows / perSecond) - 60;
    db.prepare(
      `with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < :rows)
       insert into predictions (id, created_at, model_version, route, input, label, decision, latency_ms, external_id, actual, confirmed_at)
       select printf('bulk-%08d', i),
         strftime('%Y-%m-%dT%H:%M:%fZ', case when i < :old then :oldBase + i / :perSecond else :recentBase + (i - :old) / :perSecond end, 'unixepoch'),
         1, 'bulk', r.input, r.label, ((i * 7919) % 1000003) / 1000003.0 - 0.5, 1,
         case when i >= :old and i % 10 = 0 then 'shared-case' end,
         case when i >= :old and i % 7 = 0 then r.label end,
         case when i >= :old and i % 7 = 0 then strftime('%Y-%m-%dT%H:%M:%fZ', :nowSeconds, 'unixepoch') end
       from n join temp.rows_in r on r.k = n.i % :k`,
    ).run({ rows, old: oldRows, oldBase, recentBase, perSecond, nowSeconds, k: wdbc.x.rows });
    // Copied into the database file now, or the server's first write would do it on the event loop.
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Rows oldRows .. rows - 1 whose number is a multiple of 7. */
const confirmedRecent = Math.floor((rows - 1) / 7) - Math.floor((oldRows - 1) / 7);

describe(`a prediction log of ${rows.toLocaleString('en')} rows`, () => {
  let dataDir: string;
  let app: Application;
  let fastify: FastifyInstance;
  let base: string;

  /** Moved forward past monitor.driftMinInterval once the warm-up below has stored its drift report. */
  let clockOffsetMs = 0;

  beforeAll(async () => {
    dataDir = tempDir('mloop-large-log-');
    const clock = { now: () => new Date(Date.now() + clockOffsetMs) };
    app = await openApplication({ config: parseConfig({}), dataDir, log: pino({ level: 'silent' }), threads: 2, clock, backgroundCheckpoints: true });
    await app.bootstrap();
    fastify = buildHttpApp(app, { logger: false });
    base = await fastify.listen({ host: '127.0.0.1', port: 0 });
    // Each route compiles its response serializer on its first answer (http/app.ts), a one-off
    // 100-400 ms here that has nothing to do with the log: paid before measuring.
    await runCheck(base);
    await getJson(`${base}/api/v1/drift`);
    await getJson(`${base}/api/v1/performance/live`);
    await postJson(`${base}/api/v1/feedback`, { externalId: 'warm-up', actual: 'M' });
    clockOffsetMs = 10 * 60_000;
    fillLog(join(dataDir, sqliteFileName), Math.floor(clock.now().getTime() / 1000));
  }, 180_000);
  afterAll(async () => {
    await fastify?.close();
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('measures a busy stretch of the event loop (the bound below can fail)', async () => {
    // 300 ms of the main thread's CPU (or of wall time where it cannot be read) in one synchronous piece.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    const spin = async () => {
      await pause();
      const cpuStart = threadCpuMs();
      const wallStart = performance.now();
      for (;;) {
        const cpuNow = threadCpuMs();
        if (cpuStart === null || cpuNow === null ? performance.now() - wallStart >= 300 : cpuNow - cpuStart >= 300) break;
      }
      await pause(); // the ticker's next turn measures the stretch
    };
    const m = await measured(base, spin);
    expect(m.maxBusyMs).toBeGreaterThan(maxBusyMs);
  });

  it('computes drift on the newest 50,000 inputs off the event loop, once per interval', async () => {
    const read = await measured(base, () => getJson<{ computedAt: string; runId: number | null; nRecent: number; sample: { kind: string; rows: number; windowRows: number; maxRows: number }; report: { nRecent: number } | null }>(`${base}/api/v1/drift`));
    expectBounded('GET /api/v1/drift', read);
    const drift = read.value;
    expect(drift.sample).toMatchObject({ kind: 'newest', rows: 50_000, maxRows: 50_000, windowRows: recentRows });
    expect(drift.report?.nRecent).toBe(50_000);
    expect(drift.runId).toBeNull();
    // Anyone may ask again, as often as they like: the report is the same one until the interval passes.
    const again = await measured(base, () => Promise.all(Array.from({ length: 20 }, () => getJson<{ computedAt: string }>(`${base}/api/v1/drift`))));
    expectBounded('20 more drift reads', again);
    expect(new Set(again.value.map((d) => d.computedAt))).toEqual(new Set([drift.computedAt]));
  });

  it('counts live performance in the store, and ranks at most 50,000 confirmed cases for its curves, off the event loop', async () => {
    type Live = { confirmed: number; pending: number; versions: { curves: { perClass: { precisionRecall: { thresholds: number[] } }[] } | null; curvesCases: { computedAt: string } }[] };
    // The curves computed at the warm-up are older than monitor.liveCurvesMinInterval (the clock moved 10 minutes): this read ranks the log.
    const read = await measured(base, () => getJson<Live>(`${base}/api/v1/performance/live`));
    expectBounded('GET /api/v1/performance/live', read);
    const live = read.value;
    expect(live.confirmed).toBe(confirmedRecent);
    expect(live.pending).toBe(recentRows - confirmedRecent);
    // Every confirmed case has a score of its own, a point of the precision-recall curve each: the answer keeps 1,000 of them.
    const ranked = Math.min(confirmedRecent, 50_000);
    expect(live.versions[0].curvesCases).toMatchObject({ maxRows: 50_000, rows: ranked, windowRows: confirmedRecent, sampled: confirmedRecent > 50_000, maxCurvePoints: 1000, thinned: true });
    expect(live.versions[0].curves?.perClass[0].precisionRecall.thresholds).toHaveLength(999);
    // Read again within monitor.liveCurvesMinInterval: the same curves, not ranked again.
    const again = await measured(base, () => Promise.all(Array.from({ length: 5 }, () => getJson<Live>(`${base}/api/v1/performance/live`))));
    expectBounded('5 more live performance reads', again);
    expect(new Set(again.value.map((l) => l.versions[0].curvesCases.computedAt))).toEqual(new Set([live.versions[0].curvesCases.computedAt]));
  });

  it('refuses feedback for a case number sent with more predictions than a case has, without reading them', async () => {
    const posted = await measured(base, () => postJson(`${base}/api/v1/feedback`, { externalId: 'shared-case', actual: 'M' }));
    expectBounded('POST /api/v1/feedback', posted);
    const response = posted.value;
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: string }).error).toContain(`more than ${MAX_PREDICTIONS_PER_CASE} predictions`);
  });

  it('purges the retention backlog in batches, with the event loop answering throughout', async () => {
    const purge = await measured(base, () => app.monitoring.applyRetention());
    expectBounded('retention', purge);
    expect(purge.value.deleted).toBe(oldRows);
  });

  it('computes drift in the check job on the same bounded sample, and drift reads return its report', async () => {
    // The job's drift and live steps are the reads measured above. Its event-loop time is not
    // bounded here: it also parses the data snapshot (569 rows; up to 200 ms on a loaded machine),
    // a cost of the data set, not of the log.
    const job = await measured(base, () => runCheck(base));
    expect(job.rssGrowthMb, 'check job: RSS growth (MB)').toBeLessThan(maxGrowthMb);
    const run = job.value;
    expect(run.status).toBe('succeeded');
    expect(run.result?.drift.sample.rows).toBe(50_000);
    expect(run.result?.retention.deleted).toBe(0);
    const drift = await getJson<{ computedAt: string; runId: number | null }>(`${base}/api/v1/drift`);
    expect(drift.computedAt).toBe(run.result?.drift.computedAt);
    expect(drift.runId).not.toBeNull();
  });
});
