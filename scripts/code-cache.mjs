// V8 code caches for the bundle (the last step of npm run build, after scripts/bundle.mjs and
// scripts/precompile-serializers.mjs). For each way the package launches the server (`mloop serve`
// as the bin runs it, and `npm start` with its node flags), it starts the built server on a store
// with a trained model, waits for a first answer and stops it; for the other commands, it runs
// `mloop --version`. The launcher (scripts/launcher.cjs) writes V8's cache of what each run compiled,
// beside the bundle, as the process exits.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { startNodeOptions } from './start-options.mjs';

const { fetch } = globalThis;
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const launcher = path.join(root, 'dist', 'bundle', 'mloop.cjs');
const packageJson = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

const serverLaunches = [[], startNodeOptions(packageJson)].filter((flags, i, all) => all.findIndex((f) => f.join(' ') === flags.join(' ')) === i);

// Only what the launch itself says: no configuration, store or node options from the environment.
const { MLOOP_CONFIG: _c, MLOOP_DATA_DIR: _d, DATABASE_URL: _u, PORT: _p, HOST: _h, NODE_OPTIONS: _o, MLOOP_WRITE_CODE_CACHE: _w, ...env } = process.env;

function run(args, extraEnv) {
  const child = spawn(process.execPath, args, { env: { ...env, MLOOP_LOG_LEVEL: 'warn', ...extraEnv }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal, stderr }));
  return { child, exited };
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

const [, firstRow] = (await readFile(path.join(root, 'data', 'wdbc.csv'), 'utf8')).split('\n', 2);
const body = JSON.stringify({ row: firstRow.split(',').slice(1).map(Number) });

/** Starts the server, waits for a first answer (60 s at most), and stops it. */
async function warmUp(flags, dataDir) {
  const port = await freePort();
  const { child, exited } = run([...flags, launcher, 'serve', '-d', dataDir, '--port', String(port)], { MLOOP_WRITE_CODE_CACHE: '1' });
  const deadline = Date.now() + 60_000;
  let answered = false;
  while (!answered && child.exitCode === null && Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      answered = response.ok;
      await response.arrayBuffer();
    } catch {
      // Not listening yet.
    }
    if (!answered) await delay(20);
  }
  if (child.exitCode === null) child.kill('SIGTERM');
  const { code, signal, stderr } = await exited;
  if (!answered || code !== 0) throw new Error(`the code cache warm-up (node ${[...flags, 'mloop.cjs serve'].join(' ')}) ${answered ? `exited with ${code ?? signal}` : 'got no answer'}:\n${stderr}`);
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'mloop-code-cache-'));
try {
  const train = await run([launcher, 'train', '-d', dataDir]).exited;
  if (train.code !== 0) throw new Error(`the code cache warm-up could not train a model:\n${train.stderr}`);
  for (const flags of serverLaunches) await warmUp(flags, dataDir);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
const version = await run([launcher, '--version'], { MLOOP_WRITE_CODE_CACHE: '1' }).exited;
if (version.code !== 0) throw new Error(`the code cache warm-up's mloop --version failed:\n${version.stderr}`);
const caches = (await readdir(path.dirname(launcher))).filter((file) => file.endsWith('.cache'));
if (caches.length !== serverLaunches.length + 1) throw new Error(`expected ${serverLaunches.length + 1} code caches, found ${caches.join(', ') || 'none'}`);
