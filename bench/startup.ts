/**
 * Start and memory only, without the rest of `npm run bench`: for each build of mloop given (its
 * checkout directory, built), and FastAPI, alternating run by run with the same method as the
 * bench's cold-start and memory rows:
 *   - launch → first successful prediction on a store trained once by `mloop train`, and the
 *     server's CPU until then;
 *   - RSS (VmRSS, and /proc/PID/smaps_rollup's anonymous / file-backed split) after a wrk burst of
 *     single-row predictions (32 connections);
 *   - `mloop --version` (process start alone), and bare `node -e 0` for reference.
 *
 *   npm run build && npx tsx bench/startup.ts [--runs=5] [--burst=3] [--no-python] [--build=label:dir ...]
 *
 * Without --build, the checkout this script lives in. Each run starts every contender once, in turn.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBenchData, split, writeMatrix } from './lib/data.js';
import { cliPath, loadCore, repoRoot, wdbcCsv } from './lib/mloop.js';
import type { Server } from './lib/processes.js';
import { choosePinning, cpuSeconds, freePort, pinned, processTree, rssMiB, stopAll, waitForPrediction } from './lib/processes.js';
import { PythonPeer, pythonBin } from './lib/python.js';
import { median } from './lib/report.js';
import type { Launch } from './lib/servers.js';
import { fastapiServer, mloopServeWith } from './lib/servers.js';
import { runWrk, writeLuaScript } from './lib/wrk.js';

interface Options {
  readonly runs: number;
  readonly burstSeconds: number;
  readonly python: boolean;
  readonly builds: readonly { readonly label: string; readonly dir: string }[];
}

function parse(argv: readonly string[]): Options {
  let runs = 5;
  let burstSeconds = 3;
  let python = true;
  const builds: { label: string; dir: string }[] = [];
  for (const arg of argv) {
    if (arg.startsWith('--runs=')) runs = Number(arg.slice(7));
    else if (arg.startsWith('--burst=')) burstSeconds = Number(arg.slice(8));
    else if (arg === '--no-python') python = false;
    else if (arg.startsWith('--build=')) {
      const [label, dir] = arg.slice(8).split(':');
      builds.push({ label, dir });
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (builds.length === 0) builds.push({ label: 'this checkout', dir: repoRoot });
  return { runs, burstSeconds, python, builds };
}

/** Anonymous and file-backed resident memory (kB → MiB) from smaps_rollup. */
function smaps(pid: number): { anon: number; file: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024;
  return { anon: kb('Anonymous'), file: kb('Rss') - kb('Anonymous') };
}

/** Wall and CPU (user + system, from /usr/bin/time) seconds of one short command, pinned like the servers. */
function timeOf(cpu: string | null, command: string, args: readonly string[], cwd: string): { wall: number; cpu: number } {
  const [c, a] = pinned(cpu, command, args);
  const started = performance.now();
  const result = execFileSync('sh', ['-c', '/usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -n 1', 'sh', c, ...a], { cwd, encoding: 'utf8' });
  const wall = (performance.now() - started) / 1000;
  const [user, system] = result.trim().split(' ').map(Number);
  return { wall, cpu: user + system };
}

/** Only FastAPI and uvicorn are needed here (the bench's check wants Flask and gunicorn too). */
function fastapiMissing(): string | null {
  try {
    execFileSync(pythonBin, ['-c', 'import sklearn, fastapi, uvicorn'], { stdio: 'ignore' });
    return null;
  } catch {
    return `FastAPI missing for ${pythonBin} (apt-get install -y python3-sklearn python3-fastapi python3-uvicorn python3-uvloop python3-httptools)`;
  }
}

interface Contender {
  readonly name: string;
  readonly start: (launch: Launch) => Server;
  readonly version: (() => { wall: number; cpu: number }) | null;
  readonly rows: Record<string, number[]>;
}

const fmt = (values: readonly number[], digits = 0) =>
  values.length === 0 ? '—' : `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const pinning = choosePinning();
  const tmp = mkdtempSync(join(tmpdir(), 'mloop-startup-'));
  let peer: PythonPeer | null = null;
  try {
    const core = await loadCore();
    const data = loadBenchData(core);
    const row = Array.from(data.all.data.subarray(0, data.all.cols));
    const body = JSON.stringify({ row });
    const script = join(tmp, 'predict.lua');
    writeLuaScript(script, body);
    const store = join(tmp, 'store');
    execFileSync(process.execPath, [cliPath, 'train', '--data-dir', store, '--json'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MLOOP_LOG_LEVEL: 'warn' } });

    const contenders: Contender[] = options.builds.map(({ label, dir }) => {
      const bin = join(dir, (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin: { mloop: string } }).bin.mloop);
      const dataDir = join(tmp, `store-${label}`);
      cpSync(store, dataDir, { recursive: true });
      return {
        name: `mloop ${label}`,
        start: (launch) => mloopServeWith(bin, dir, launch, dataDir, `mloop-${label}`),
        version: () => timeOf(pinning.server, process.execPath, [bin, '--version'], dir),
        rows: {},
      };
    });
    const missing = options.python ? fastapiMissing() : 'skipped';
    if (missing === null) {
      peer = new PythonPeer();
      const model = join(tmp, 'sklearn-model.pickle');
      await peer.call({ cmd: 'train', csv: wdbcCsv, testSize: split.testSize, randomState: split.randomState, trainMatrix: writeMatrix(tmp, 'train', data.trainX), out: model });
      contenders.push({ name: 'FastAPI/uvicorn', start: (launch) => fastapiServer(launch, model), version: null, rows: {} });
    } else process.stderr.write(`Python: ${missing}\n`);
    contenders.push({ name: 'node -e 0', start: () => undefined as never, version: () => timeOf(pinning.server, process.execPath, ['-e', '0'], repoRoot), rows: {} });

    const push = (c: Contender, key: string, value: number) => (c.rows[key] ??= []).push(value);
    for (let run = 0; run < options.runs; run++) {
      for (const c of contenders) {
        if (c.version) {
          const v = c.version();
          push(c, '--version wall ms', v.wall * 1000);
          push(c, '--version CPU ms', v.cpu * 1000);
        }
        if (c.name === 'node -e 0') continue;
        const port = await freePort();
        const startedAt = performance.now();
        const server = c.start({ cpu: pinning.server, logDir: tmp, port });
        try {
          const url = `http://127.0.0.1:${port}/api/v1/predict`;
          push(c, 'launch → first prediction ms', await waitForPrediction(server, url, body, startedAt, 120_000));
          push(c, 'CPU until then ms', cpuSeconds(processTree(server.pid)) * 1000);
          push(c, 'RSS after first prediction MiB', rssMiB(server.pid));
          const load = await runWrk({ url, script, connections: 32, seconds: options.burstSeconds, cpu: pinning.load });
          if (load.non2xx > 0) throw new Error(`${c.name}: ${load.non2xx} answers other than 200 under load`);
          push(c, 'req/s in the burst', load.requestsPerSecond);
          push(c, 'RSS after the burst MiB', rssMiB(server.pid));
          const m = smaps(server.pid);
          push(c, '  of which anonymous MiB', m.anon);
          push(c, '  of which file-backed MiB', m.file);
        } finally {
          await server.stop();
        }
      }
      process.stderr.write(`run ${run + 1}/${options.runs} done\n`);
    }
    const keys = [...new Set(contenders.flatMap((c) => Object.keys(c.rows)))];
    const lines = [`| figure (median, min–max of ${options.runs}) | ${contenders.map((c) => c.name).join(' | ')} |`, `|---|${contenders.map(() => '---|').join('')}`];
    for (const key of keys) lines.push(`| ${key} | ${contenders.map((c) => fmt(c.rows[key] ?? [], key.includes('req/s') ? 0 : key.includes('MiB') ? 1 : 0)).join(' | ')} |`);
    const fastapi = contenders.find((c) => c.name === 'FastAPI/uvicorn');
    if (fastapi) {
      for (const c of contenders.filter((x) => x.name.startsWith('mloop'))) {
        for (const key of ['launch → first prediction ms', 'RSS after the burst MiB']) {
          const ratios = (c.rows[key] ?? []).map((v, i) => v / (fastapi.rows[key]?.[i] ?? Number.NaN));
          lines.push(`| ${c.name} / FastAPI: ${key.replace(/ ms| MiB/, '')} | ${fmt(ratios, 2)} |`);
        }
      }
    }
    process.stdout.write(`${pinning.description}\n${lines.join('\n')}\n`);
  } finally {
    await stopAll();
    await peer?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch(async (error: unknown) => {
  await stopAll();
  process.stderr.write(`\nFAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
