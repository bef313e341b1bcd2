/**
 * Single-row prediction throughput through nginx with 1, 2 and 3 replicas on one PostgreSQL
 * database; run by hand, not part of `npm test`:
 *
 *   MLOOP_TEST_DATABASE_URL=postgres://... npx tsx test/scale/throughput.ts [--seconds 10] [--connections 32] [--threads 1] [--replicas 1,2,3]
 *
 * Needs the built CLI (npm run build), Debian's nginx and wrk (apt-get install nginx wrk). The
 * load generator (wrk), nginx and the replicas share the machine's cores: on a small machine the
 * numbers say how the replicas share those cores, not how they would scale on separate hosts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { malignantRow, tempDir } from '../helpers/fixtures.js';
import { closedPort } from '../helpers/smtp.js';
import type { Nginx, Replica, ScaleDatabase } from './cluster.js';
import { createScaleDatabase, startNginx, startReplica, waitUntilReady } from './cluster.js';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
    replicas: { type: 'string', default: '1,2,3' },
  },
});

interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
}

/** wrk's time units, in milliseconds. */
function ms(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`cannot read wrk's latency ${JSON.stringify(text)}`);
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * factor;
}

async function wrk(url: string, script: string, seconds: number): Promise<WrkResult> {
  const { stdout } = await run('wrk', ['-t', values.threads as string, '-c', values.connections as string, '-d', `${seconds}s`, '--latency', '-s', script, url], { maxBuffer: 1 << 20 });
  const field = (pattern: RegExp) => {
    const match = pattern.exec(stdout);
    if (!match) throw new Error(`wrk printed no ${pattern}:\n${stdout}`);
    return match[1];
  };
  const nonOk = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: Number(field(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: ms(field(/\n\s+50%\s+(\S+)/)),
    p99Ms: ms(field(/\n\s+99%\s+(\S+)/)),
    requests: Number(field(/(\d+) requests in/)),
    errors: Number(nonOk?.[1] ?? 0) + socketErrors,
  };
}

async function main(): Promise<void> {
  const adminUrl = process.env.MLOOP_TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('set MLOOP_TEST_DATABASE_URL to a PostgreSQL superuser URL');
  await run('wrk', ['--version']).catch((error: { code?: string }) => {
    // wrk --version exits 1 after printing its version; only a missing binary is a problem.
    if (error.code === 'ENOENT') throw new Error('wrk is not installed: apt-get install -y wrk');
  });
  const seconds = Number(values.seconds);
  const loadBefore = os.loadavg()[0];
  const root = tempDir('mloop-throughput-');
  const script = path.join(root, 'predict.lua');
  fs.writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '${JSON.stringify({ row: malignantRow })}'\n`);
  const configFile = path.join(root, 'mloop.json');
  // Nothing scheduled: only predictions use the CPU.
  fs.writeFileSync(configFile, JSON.stringify({ schedule: { enabled: false } }));

  let database: ScaleDatabase | undefined;
  let nginx: Nginx | undefined;
  const replicas: Replica[] = [];
  const rows: string[] = [];
  try {
    database = await createScaleDatabase(adminUrl);
    // One after the other: the first trains the model, the others find it.
    for (const name of ['A', 'B', 'C']) {
      const replica = startReplica({ name, port: await closedPort(), databaseUrl: database.url, configFile, dir: path.join(root, name), logLevel: 'warn' });
      replicas.push(replica);
      await waitUntilReady([replica], 60_000);
    }
    const line = (what: string, r: WrkResult) =>
      `${what.padEnd(24)} ${r.requestsPerSecond.toFixed(0).padStart(7)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${String(r.requests).padStart(9)} ${String(r.errors).padStart(7)}`;
    rows.push(`${'target'.padEnd(24)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'requests'.padStart(9)} ${'errors'.padStart(7)}`);

    const direct = `${replicas[0].base}/api/v1/predict`;
    await wrk(direct, script, 2);
    rows.push(line('1 replica, no nginx', await wrk(direct, script, seconds)));
    for (const count of (values.replicas as string).split(',').map(Number)) {
      nginx = await startNginx({ listenPort: await closedPort(), upstreamPorts: replicas.slice(0, count).map((r) => r.port), prefix: path.join(root, `nginx-${count}`) });
      const url = `${nginx.base}/api/v1/predict`;
      await wrk(url, script, 2); // warm-up: JIT, keep-alive connections
      rows.push(line(`${count} replica${count > 1 ? 's' : ''} behind nginx`, await wrk(url, script, seconds)));
      await nginx.stop();
      nginx = undefined;
    }
    console.log(
      [
        `single-row POST /api/v1/predict, wrk -t${values.threads} -c${values.connections} -d${seconds}s; ${os.availableParallelism()} cores shared by wrk, nginx (1 worker) and the replicas; load average at start: ${loadBefore.toFixed(2)}`,
        ...rows,
      ].join('\n'),
    );
  } finally {
    await nginx?.stop();
    await Promise.all(replicas.map((r) => r.stop()));
    await database?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
