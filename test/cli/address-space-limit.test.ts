import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { serveOnce } from '../helpers/serve-once.js';
import { tempDir } from '../helpers/fixtures.js';

/**
 * A host that limits a process's address space (`ulimit -v`, systemd's LimitAS=) leaves Node room
 * to run, but not for a WebAssembly memory: V8 reserves 8 GiB and more of address space for one,
 * to check its bounds with guard pages. mloop's SIMD kernel and its launcher both use such memory
 * where they can; under the limit they must do without it, with the same results.
 */
const run = promisify(execFile);
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: { mloop: string } };
const bin = fileURLToPath(new URL(`../../${packageJson.bin.mloop}`, import.meta.url));
const wdbcCsv = fileURLToPath(new URL('../../data/wdbc.csv', import.meta.url));
const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
const env = { ...inherited, MLOOP_LOG_LEVEL: 'warn' };

/** 4 GiB of address space, in the KiB `ulimit -v` takes: Node runs, a WebAssembly memory cannot be had. */
const limitKib = 4 * 1024 * 1024;

/** Node with `args` under the address-space limit (sh's ulimit, then exec): the command and its arguments. */
const underLimit = (args: readonly string[]): [string, string[]] => ['/bin/sh', ['-c', `ulimit -v ${limitKib} && exec "$0" "$@"`, process.execPath, ...args]];

/** Runs node with `args`, under the limit or not. */
function node(args: readonly string[], limit: boolean, extraEnv: Record<string, string> = {}) {
  const [command, commandArgs] = limit ? underLimit(args) : [process.execPath, [...args]];
  return run(command, commandArgs, { env: { ...env, ...extraEnv }, maxBuffer: 64 * 2 ** 20 });
}

describe(`mloop under an address-space limit of ${limitKib / 1024 / 1024} GiB`, () => {
  it('is a limit under which V8 cannot allocate a WebAssembly memory (the premise of the tests below)', async () => {
    const probe = await node(['-e', 'try { new WebAssembly.Memory({ initial: 1 }); console.log("allocated") } catch (e) { console.log(`refused: ${e.message}`) }'], true);
    expect(probe.stdout).toMatch(/^refused: /);
  });

  it('trains and predicts without its SIMD kernel: the same model and the same decision values as without the limit', async () => {
    const outcomes = [];
    for (const limit of [false, true]) {
      const dataDir = tempDir('mloop-address-space-');
      const train = await node([bin, 'train', '--data-dir', dataDir], limit);
      const predict = await node([bin, 'predict', '--data-dir', dataDir, '-i', wdbcCsv, '-f', 'json'], limit);
      // The report without the training's duration.
      outcomes.push({ train: train.stdout.replace(/ in \d+ ms\n/, '\n'), predictions: (JSON.parse(predict.stdout) as { predictions: unknown[] }).predictions });
    }
    const [free, limitedRun] = outcomes;
    expect(free.predictions).toHaveLength(569);
    expect(free.train).toMatch(/recall of M: .* PASS/);
    expect(limitedRun.train).toBe(free.train);
    expect(limitedRun.predictions).toEqual(free.predictions);
  });

  it('serves, and says in its log that its model predicts with the JavaScript loops and why', async () => {
    const dataDir = tempDir('mloop-address-space-');
    const { stdout, stderr } = await serveOnce(...underLimit([bin, 'serve', '--port', '0', '--data-dir', dataDir]), { ...env, MLOOP_LOG_LEVEL: 'info', MLOOP_LOG_FORMAT: 'json' });
    const lines = `${stdout}\n${stderr}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; kernel?: string });
    expect(lines.find((line) => line.msg === 'serving model v1')?.kernel).toBe('js');
    const warning = lines.find((line) => line.level === 40 && /JavaScript/.test(line.msg));
    expect(warning?.msg).toMatch(/address space/);
  });

  it('launches from its code cache, read into ordinary buffers (scripts/launcher.cjs)', async () => {
    const { stdout, stderr } = await node([bin, '--version'], true, { NODE_DEBUG: 'mloop' });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(stderr).toMatch(/code cache accepted/);
  });
});
