/**
 * `npm run soak -- --minutes N`: the built server (`mloop serve`) on a temporary data directory under
 * mixed traffic for N minutes, sampled over time: its RSS (/proc), its event-loop delay (the
 * server's own /metrics: nodejs_eventloop_lag_p99_seconds and _max), requests and errors. Prints a
 * table and a verdict: RSS flat (the median RSS of the last quarter of the samples against the
 * second quarter's, per hour, within --max-rss-slope MiB/h) and
 * no error (no 5xx, no failed connection, no log row dropped, no error in the server's log, the
 * server still up). Exits 1 when the verdict is FAIL.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, repoRoot, startNodeOptions, wdbcCsv } from './lib/mloop.js';
import type { Server } from './lib/processes.js';
import { freePort, rssMiB, startServer, stopAll } from './lib/processes.js';
import { parseSoakOptions } from './lib/soak-options.js';
import type { Sample } from './lib/soak-report.js';
import { renderSoakReport, soakVerdict } from './lib/soak-report.js';
import { SoakTraffic } from './lib/soak-traffic.js';

const options = parseSoakOptions(process.argv.slice(2));
const dir = mkdtempSync(join(tmpdir(), 'mloop-soak-'));
const configFile = join(dir, 'mloop.yaml');
// Basic and normalized trainings take about a second; the check job reads the drift window every minute.
writeFileSync(configFile, ['training:', '  mode: normalized', 'schedule:', '  update: null', '  train: null', '  check: "* * * * *"', ''].join('\n'));

const env: NodeJS.ProcessEnv = { ...process.env, MLOOP_LOG_LEVEL: 'warn', NODE_ENV: 'production' };
// The soak's own store and defaults, open on loopback: none of the caller's settings or tokens.
for (const name of ['MLOOP_CONFIG', 'MLOOP_DATA_DIR', 'DATABASE_URL', 'MLOOP_ADMIN_TOKEN', 'MLOOP_PREDICT_TOKEN', 'MLOOP_FEEDBACK_TOKEN', 'MLOOP_READ_TOKEN']) delete env[name];

const port = await freePort();
const logFile = join(dir, 'serve.log');
const server = startServer({
  name: 'mloop',
  command: process.execPath,
  args: [...startNodeOptions(), cliPath, 'serve', '--port', String(port), '--data-dir', join(dir, 'data'), '--config', configFile],
  env,
  cwd: repoRoot,
  cpu: null,
  logFile,
});
const base = `http://127.0.0.1:${port}`;

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  await waitUntilReady(server, base, 120_000);
  const traffic = new SoakTraffic(base, readRows(wdbcCsv), options.seed);
  const samples: Sample[] = [];
  const startedAt = Date.now();
  const endsAt = startedAt + options.minutes * 60_000;
  console.log(`soak: ${options.minutes} min on ${base} (data ${dir}), a sample every ${options.sampleSeconds} s, seed ${options.seed}`);
  const running = traffic.run(() => Date.now() >= endsAt || server.exited());
  while (Date.now() < endsAt && !server.exited()) {
    await sleep(Math.min(options.sampleSeconds * 1000, endsAt - Date.now()));
    if (server.exited()) break;
    const sample = await takeSample(server, base, traffic, (Date.now() - startedAt) / 60_000);
    samples.push(sample);
    console.log(renderSoakReport([sample], { header: samples.length === 1 }));
  }
  await running;
  const serverErrors = errorLines(logFile);
  const verdict = soakVerdict(samples, { maxRssSlopeMiBPerHour: options.maxRssSlope, serverExited: server.exited(), serverErrors: serverErrors.length });
  console.log('');
  console.log(renderSoakReport(samples, { header: true }));
  console.log('');
  console.log(traffic.summary());
  for (const line of serverErrors.slice(0, 5)) console.log(`server error: ${line}`);
  console.log(verdict.text);
  process.exitCode = verdict.pass ? 0 : 1;
} catch (error) {
  console.error(`SOAK FAILED: ${(error as Error).message}\n${server.logTail()}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  if (options.keepTemp) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

async function waitUntilReady(s: Server, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (s.exited()) throw new Error('the server exited before it was ready');
    const response = await fetch(`${url}/readyz`).catch(() => undefined);
    if (response?.status === 200) return;
    await sleep(250);
  }
  throw new Error(`the server was not ready within ${timeoutMs / 1000} s`);
}

async function takeSample(s: Server, url: string, t: SoakTraffic, minute: number): Promise<Sample> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const counts = t.takeWindow();
  return {
    minute,
    rssMiB: rssMiB(s.pid),
    heapMiB: metricValue(metrics, 'nodejs_heap_size_used_bytes') / 2 ** 20,
    lagP99Ms: metricValue(metrics, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMaxMs: metricValue(metrics, 'nodejs_eventloop_lag_max_seconds') * 1000,
    droppedLogRows: metricValue(metrics, 'mloop_prediction_log_dropped_total'),
    activeVersion: metricValue(metrics, 'mloop_active_model_version'),
    ...counts,
  };
}

/** The value of an unlabelled series in Prometheus' text format (NaN when absent). */
function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/** pino lines at error level (50) or above: the server's own account of what went wrong. */
function errorLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => {
      if (!line.startsWith('{')) return line.trim() !== '';
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return false;
      }
    });
}

/** The data set's rows as arrays of numbers in feature order, with their diagnosis. */
function readRows(file: string): { readonly row: number[]; readonly label: string }[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const labelAt = header.split(',').indexOf('diagnosis');
  return lines.map((line) => {
    const cells = line.split(',');
    return { label: cells[labelAt], row: cells.filter((_, i) => i !== labelAt).map(Number) };
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
