/**
 * A small mloop cluster for the scale-out test and the throughput script: a fresh PostgreSQL
 * database, real `mloop serve` processes (the built CLI, as a user runs it) sharing it, and an
 * nginx in front of them, each started with its own files in a temporary directory.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { withPgClient } from '../helpers/postgres.js';
import { closedPort } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait-for.js';

/** The built command; `npm test` builds it before vitest runs. */
export const mainJs = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export function requireBuiltCli(): void {
  if (!fs.existsSync(mainJs)) throw new Error(`${mainJs} is missing: build it first (npm run build; npm test does it before vitest)`);
}

export interface ScaleDatabase {
  readonly name: string;
  readonly url: string;
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** Creates `mloop_scale_<hex>` on the server of `adminUrl`; `drop` closes the client and drops it with force. */
export async function createScaleDatabase(adminUrl: string): Promise<ScaleDatabase> {
  const name = `mloop_scale_${randomBytes(6).toString('hex')}`;
  await withPgClient(adminUrl, (admin) => admin.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'mloop-scale-test' });
  await client.connect();
  // An idle client whose server goes away must not crash the test process.
  client.on('error', () => undefined);
  return {
    name,
    url: url.toString(),
    query: async (text, values) => (await client.query(text, values)).rows,
    drop: async () => {
      await client.end().catch(() => undefined);
      await withPgClient(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

export interface Replica {
  readonly name: string;
  readonly port: number;
  readonly base: string;
  readonly pid: number;
  readonly logFile: string;
  readonly process: ChildProcess;
  /** Settles with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** The process's JSON log lines so far. */
  logLines(): Record<string, unknown>[];
  /** SIGTERM (graceful shutdown), then SIGKILL if it has not ended within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface ReplicaOptions {
  readonly name: string;
  readonly port: number;
  readonly databaseUrl: string;
  readonly configFile: string;
  /** The replica's own directory: its --data-dir and its log file. */
  readonly dir: string;
  readonly logLevel?: string;
}

/** Starts `node dist/cli/main.js serve` with its output (pino's JSON lines) going to `<dir>/serve.log`. */
export function startReplica(options: ReplicaOptions): Replica {
  requireBuiltCli();
  const { name, port, dir } = options;
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'serve.log');
  const out = fs.openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: options.databaseUrl, MLOOP_LOG_LEVEL: options.logLevel ?? 'info' };
  // The replicas are configured by the test alone, whatever the caller's shell exports.
  for (const key of ['MLOOP_CONFIG', 'MLOOP_DATA_DIR', 'MLOOP_ADMIN_TOKEN', 'MLOOP_PREDICT_TOKEN', 'PORT', 'HOST']) delete env[key];
  const child = spawn(process.execPath, [mainJs, 'serve', '--port', String(port), '--data-dir', path.join(dir, 'data'), '--config', options.configFile], {
    env,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    name,
    port,
    base: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    logFile,
    process: child,
    exited,
    logLines: () => readJsonLines(logFile),
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function readJsonLines(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  const lines: Record<string, unknown>[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // The last line may be half written.
    }
  }
  return lines;
}

/** The last `lines` lines of a file, for failure reports. */
export function tail(file: string, lines = 40): string {
  if (!fs.existsSync(file)) return `(${file} does not exist)`;
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Writes `config` to `root/mloop.json` and starts one replica per name on `databaseUrl`, each with
 * its files in `root/NAME`, all at once. They go into `replicas` as they start, so that a failure
 * report (`logTails`) has the ones that did.
 */
export async function startReplicas(replicas: Replica[], { root, databaseUrl, config, names }: { readonly root: string; readonly databaseUrl: string; readonly config: unknown; readonly names: readonly string[] }): Promise<void> {
  const configFile = path.join(root, 'mloop.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  for (const name of names) replicas.push(startReplica({ name, port: await closedPort(), databaseUrl, configFile, dir: path.join(root, name) }));
}

/** Prints the end of each replica's log: what a failed test shows. */
export function logTails(replicas: readonly Replica[]): void {
  for (const r of replicas) console.log(`--- ${r.name} (pid ${r.pid}, ${r.base}) ${r.logFile}:\n${tail(r.logFile, 30)}`);
}

/** Waits until every replica answers 200 on /readyz (a model serves); a replica that exits fails at once. */
export async function waitUntilReady(replicas: readonly Replica[], timeoutMs: number): Promise<void> {
  await Promise.all(
    replicas.map((replica) => {
      let exit: number | string | undefined;
      void replica.exited.then((code) => (exit = code));
      return waitFor(
        `${replica.name} (${replica.base}) to be ready`,
        async () => {
          if (exit !== undefined) throw new Error(`${replica.name} exited (${exit}) before it was ready:\n${tail(replica.logFile)}`);
          const response = await fetch(`${replica.base}/readyz`).catch(() => undefined);
          return response?.status === 200 ? true : undefined;
        },
        timeoutMs,
      ).catch((error: unknown) => {
        // A replica that died says so at once; the poll's own timeout message is less helpful.
        if (exit !== undefined) throw new Error(`${replica.name} exited (${exit}) before it was ready:\n${tail(replica.logFile)}`);
        throw error;
      });
    }),
  );
}

/** nginx from PATH or Debian's /usr/sbin (not on a normal user's PATH). */
export function findNginx(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'nginx');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const exampleNginxConf = fileURLToPath(new URL('../../examples/nginx.conf', import.meta.url));

export interface NginxOptions {
  readonly listenPort: number;
  readonly upstreamPorts: readonly number[];
  /** Directory for nginx's pid, logs and temporary files. */
  readonly prefix: string;
  readonly workerProcesses?: number | 'auto';
  /** Adds `X-Upstream: $upstream_addr` to every answer (which replica answered, and any it tried first). */
  readonly upstreamHeader?: boolean;
}

/**
 * examples/nginx.conf as documented, pointed at loopback replicas and given paths of its own (so
 * that it runs without root and beside a system nginx). Fails if the example no longer has the
 * directives this relies on: the test then says the example changed shape.
 */
export function nginxConfig(options: NginxOptions): string {
  const { prefix } = options;
  let conf = fs.readFileSync(exampleNginxConf, 'utf8');
  const replace = (pattern: RegExp, by: (match: string, ...groups: string[]) => string) => {
    if (!pattern.test(conf)) throw new Error(`${exampleNginxConf} no longer matches ${pattern}`);
    conf = conf.replace(pattern, by);
  };
  replace(/^worker_processes .*;$/m, () => `worker_processes ${options.workerProcesses ?? 1};\nerror_log ${prefix}/error.log warn;\npid ${prefix}/nginx.pid;`);
  replace(/^http \{$/m, () => ['http {', 'access_log off;', ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${prefix}/${kind};`)].join('\n    '));
  // The example's replicas, one line each: the first line is the model for the test's ports.
  const servers = /^( *)server [\d.]+:\d+( [^;]*)?;\n/gm;
  const [first] = conf.match(servers) ?? [];
  if (!first) throw new Error(`${exampleNginxConf} lists no upstream server (server ADDRESS:PORT ...;)`);
  const [, indent, params] = /^( *)server [\d.]+:\d+( [^;]*)?;/.exec(first) as RegExpExecArray;
  conf = conf.replace(servers, '').replace(/^( *)upstream mloop \{\n/m, (line) => line + options.upstreamPorts.map((port) => `${indent}server 127.0.0.1:${port}${params ?? ''};\n`).join(''));
  replace(/^( *)listen 80;$/m, (_line, indent) => `${indent}listen 127.0.0.1:${options.listenPort};${options.upstreamHeader ? `\n${indent}add_header X-Upstream $upstream_addr always;` : ''}`);
  return conf;
}

export interface Nginx {
  readonly base: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts nginx in the foreground on a generated configuration; fails clearly if nginx is not installed. */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const binary = findNginx();
  if (!binary) throw new Error('nginx is not installed: install Debian\'s nginx package (apt-get install -y nginx); CI installs it for this test');
  fs.mkdirSync(options.prefix, { recursive: true });
  const conf = path.join(options.prefix, 'nginx.conf');
  fs.writeFileSync(conf, nginxConfig(options));
  const errorLog = path.join(options.prefix, 'error.log');
  // -e: the log for errors before the configuration is read (the default, /var/log/nginx, may not be writable).
  const child = spawn(binary, ['-e', errorLog, '-c', conf, '-p', options.prefix, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exit: number | string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
      resolve();
    }),
  );
  const base = `http://127.0.0.1:${options.listenPort}`;
  const stop = async () => {
    if (exit !== undefined) return;
    child.kill('SIGQUIT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      `nginx on ${base}`,
      async () => {
        if (exit !== undefined) throw new Error(`nginx exited (${exit}): ${stderr.trim()}\n${tail(errorLog)}`);
        const response = await fetch(`${base}/healthz`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      },
      10_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, process: child, stop };
}
