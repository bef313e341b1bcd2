/** How each server of the comparison is started: mloop, its ceiling, and the Python peers. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Server } from './processes.js';
import { startServer } from './processes.js';
import { pythonBin, pythonDir } from './python.js';
import { cliPath, repoRoot, startNodeOptions } from './mloop.js';

export interface Launch {
  readonly cpu: string | null;
  readonly logDir: string;
  readonly port: number;
}

/** Request logs off on every server (mloop at warn, uvicorn --no-access-log, gunicorn's default). */
const quietNode: NodeJS.ProcessEnv = { ...process.env, MLOOP_LOG_LEVEL: 'warn', NODE_ENV: 'production' };
// The bench's own store and defaults, open to anyone: none of the caller's settings or tokens.
for (const name of ['MLOOP_CONFIG', 'MLOOP_DATA_DIR', 'DATABASE_URL', 'MLOOP_ADMIN_TOKEN', 'MLOOP_PREDICT_TOKEN', 'MLOOP_FEEDBACK_TOKEN']) delete quietNode[name];
const serverScript = (name: string) => fileURLToPath(new URL(`../servers/${name}`, import.meta.url));

/** A configuration file for mloop (MLOOP_CONFIG), or none for the defaults. */
const withConfig = (config: string | null) => (config ? { ...quietNode, MLOOP_CONFIG: config } : quietNode);

/** `mloop serve` as `npm start` runs it, on the defaults or on a configuration file (MLOOP_CONFIG). */
export function mloopServe(launch: Launch, dataDir: string, name = 'mloop', config: string | null = null): Server {
  return mloopServeWith(cliPath, repoRoot, launch, dataDir, name, config);
}

/** `mloop serve` of another checkout's build (bench/startup.ts compares builds). */
export function mloopServeWith(bin: string, checkout: string, launch: Launch, dataDir: string, name: string, config: string | null = null): Server {
  return startServer({
    name,
    command: process.execPath,
    args: [...startNodeOptions(checkout), bin, 'serve', '--port', String(launch.port), '--data-dir', dataDir],
    env: withConfig(config),
    cwd: checkout,
    cpu: launch.cpu,
    logFile: join(launch.logDir, `${name}-${launch.port}.log`),
  });
}

/** mloop's server with the metrics on or off and, through `config`, prediction logging on or off. */
export function mloopVariant(launch: Launch, dataDir: string, metrics: 'on' | 'off', config: string | null, name: string): Server {
  return startServer({
    name,
    command: process.execPath,
    args: [...startNodeOptions(), '--import', 'tsx', serverScript('mloop-variant.ts'), '--port', String(launch.port), '--data-dir', dataDir, '--metrics', metrics],
    env: withConfig(config),
    cwd: repoRoot,
    cpu: launch.cpu,
    logFile: join(launch.logDir, `${name}-${launch.port}.log`),
  });
}

export function nodeHttp(launch: Launch): Server {
  return startServer({
    name: 'node:http',
    command: process.execPath,
    args: ['--import', 'tsx', serverScript('node-http.ts'), String(launch.port)],
    env: quietNode,
    cwd: repoRoot,
    cpu: launch.cpu,
    logFile: join(launch.logDir, `node-http-${launch.port}.log`),
  });
}

export function fastifyBare(launch: Launch): Server {
  return startServer({
    name: 'fastify',
    command: process.execPath,
    args: ['--import', 'tsx', serverScript('fastify-bare.ts'), String(launch.port)],
    env: quietNode,
    cwd: repoRoot,
    cpu: launch.cpu,
    logFile: join(launch.logDir, `fastify-${launch.port}.log`),
  });
}

/** The batch-HTTP reference: bare node:http calling ONNX Runtime on the model mloop exported. */
export function onnxHttp(launch: Launch, model: string): Server {
  return startServer({
    name: 'onnx-http',
    command: process.execPath,
    args: ['--import', 'tsx', serverScript('onnx-http.ts'), String(launch.port), model],
    env: quietNode,
    cwd: repoRoot,
    cpu: launch.cpu,
    logFile: join(launch.logDir, `onnx-http-${launch.port}.log`),
  });
}

const pythonEnv = (model: string) => ({ ...process.env, MLOOP_BENCH_MODEL: model });

/** FastAPI on uvicorn, one worker (uvloop and httptools when installed: uvicorn's "auto"). */
export function fastapiServer(launch: Launch, model: string): Server {
  return startServer({
    name: 'fastapi',
    command: pythonBin,
    args: ['-m', 'uvicorn', 'fastapi_app:app', '--app-dir', pythonDir, '--host', '127.0.0.1', '--port', String(launch.port), '--workers', '1', '--no-access-log', '--log-level', 'warning'],
    env: pythonEnv(model),
    cwd: pythonDir,
    cpu: launch.cpu,
    logFile: join(launch.logDir, `fastapi-${launch.port}.log`),
  });
}

/** Flask on gunicorn, two sync workers. */
export function flaskServer(launch: Launch, model: string): Server {
  return startServer({
    name: 'flask',
    command: pythonBin,
    args: ['-m', 'gunicorn', '--workers', '2', '--bind', `127.0.0.1:${launch.port}`, '--chdir', pythonDir, '--log-level', 'warning', 'flask_app:app'],
    env: pythonEnv(model),
    cwd: pythonDir,
    cpu: launch.cpu,
    logFile: join(launch.logDir, `flask-${launch.port}.log`),
  });
}
