/**
 * Child processes of the bench: servers (pinned to one CPU), their memory and CPU time from
 * /proc, and a registry that stops every one of them however the bench ends.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** Where servers and the load generator run. */
export interface Pinning {
  readonly server: string | null;
  readonly load: string | null;
  readonly description: string;
}

export function choosePinning(): Pinning {
  const hasTaskset = (() => {
    try {
      execFileSync('taskset', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (hasTaskset && cpus().length >= 2) {
    return { server: '0', load: '1', description: 'every server pinned to CPU 0 (taskset -c 0), wrk to CPU 1 (taskset -c 1, one thread)' };
  }
  return { server: null, load: null, description: `no pinning (${hasTaskset ? 'one CPU' : 'taskset missing'}): servers and wrk share the CPUs` };
}

export function pinned(cpu: string | null, command: string, args: readonly string[]): [string, string[]] {
  return cpu === null ? [command, [...args]] : ['taskset', ['-c', cpu, command, ...args]];
}

export interface ServerSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly cpu: string | null;
  readonly logFile: string;
}

export interface Server {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  exited(): boolean;
  logTail(): string;
}

const running = new Set<Server>();

/** Stops whatever is still running: the bench never leaves a server behind. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop(3_000)));
}

export function startServer(spec: ServerSpec): Server {
  const [command, args] = pinned(spec.cpu, spec.command, spec.args);
  const log = createWriteStream(spec.logFile);
  const child = spawn(command, args, { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exitedFlag = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exitedFlag = true;
      resolve();
    }),
  );
  if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${command}`);
  const server: Server = {
    name: spec.name,
    pid: child.pid,
    child,
    exited: () => exitedFlag,
    logTail: () => {
      try {
        return readFileSync(spec.logFile, 'utf8').split('\n').slice(-15).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 5_000) {
      running.delete(server);
      if (!exitedFlag) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      }
      log.end();
    },
  };
  running.add(server);
  return server;
}

/** One POST; resolves with the status code and body, rejects on a connection error. */
export function post(url: string, body: string, timeoutMs = 2_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Polls until the server answers the prediction with 200: the first successful prediction, not
 * the first open port. Returns the milliseconds since `startedAt` (performance.now()).
 */
export async function waitForPrediction(server: Server, url: string, body: string, startedAt: number, timeoutMs: number): Promise<number> {
  const deadline = startedAt + timeoutMs;
  for (;;) {
    if (server.exited()) throw new Error(`${server.name} exited before answering:\n${server.logTail()}`);
    try {
      const res = await post(url, body);
      if (res.status === 200) return performance.now() - startedAt;
      if (res.status !== 503 && res.status !== 409) throw new Error(`${server.name}: ${url} answered ${res.status}: ${res.body.slice(0, 300)}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ECONNREFUSED' && code !== 'ECONNRESET' && (error as Error).message !== 'timeout') throw error;
    }
    if (performance.now() > deadline) throw new Error(`${server.name} gave no successful prediction within ${timeoutMs} ms:\n${server.logTail()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The process and its descendants (gunicorn's workers). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(parents.get(pid) ?? []));
  }
  return out;
}

/** VmRSS in MiB of one process. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

let clockTicks: number | null = null;

/** User + system CPU seconds used so far by the process tree. */
export function cpuSeconds(pids: readonly number[]): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended
    }
  }
  return ticks / clockTicks;
}

/** A free loopback port (closed again at once; the server binds it right after). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
