/** The load generator: wrk with a Lua script for the POST body, its --latency output parsed. */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { pinned } from './processes.js';

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

export class WrkMissingError extends Error {
  constructor() {
    super('wrk is not installed: the HTTP workloads need it (Debian: apt-get install -y wrk)');
    this.name = 'WrkMissingError';
  }
}

export function wrkVersion(): string {
  try {
    // `wrk -v` prints its version and exits with status 1.
    execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new WrkMissingError();
    const line = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n')[0];
    if (/wrk/i.test(line)) return line.trim();
    throw new WrkMissingError();
  }
  return 'wrk';
}

/** A Lua script that sends `body` as a JSON POST on every request. */
export function writeLuaScript(file: string, body: string): void {
  if (body.includes(']==]')) throw new Error('body cannot go in a Lua long string');
  writeFileSync(file, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[${body}]==]\n`);
}

const unitMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function latency(output: string, percentile: string): number {
  const match = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  if (!match) throw new Error(`no ${percentile}% latency in wrk's output:\n${output}`);
  return Number(match[1]) * unitMs[match[2]];
}

export function parseWrk(output: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const total = /^\s+(\d+) requests in/m.exec(output);
  if (!rps || !total) throw new Error(`unexpected wrk output:\n${output}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const sockets = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: Number(rps[1]),
    requests: Number(total[1]),
    p50Ms: latency(output, '50'),
    p99Ms: latency(output, '99'),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sockets ? sockets.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
  };
}

export interface WrkRun {
  readonly url: string;
  readonly script: string;
  readonly connections: number;
  readonly seconds: number;
  readonly cpu: string | null;
}

/** Runs wrk on 127.0.0.1 only, for a bounded time (killed if it overstays by 15 s). */
export function runWrk(run: WrkRun): Promise<WrkResult> {
  const url = new URL(run.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`wrk targets 127.0.0.1 only, not ${url.hostname}`);
  const [command, args] = pinned(run.cpu, 'wrk', ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--timeout', '5s', '--latency', '-s', run.script, run.url]);
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: (run.seconds + 15) * 1000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`wrk failed on ${run.url}: ${error.message}\n${stderr}`));
        return;
      }
      try {
        resolve(parseWrk(stdout));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
