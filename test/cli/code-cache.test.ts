import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startNodeOptions } from '../../bench/lib/mloop.js';
import { tempDir } from '../helpers/fixtures.js';
import { serveOnce } from '../helpers/serve-once.js';

/**
 * The package's bin runs the bundle from the V8 code caches the build made (scripts/launcher.cjs,
 * scripts/code-cache.mjs): one per way the package launches the server, and one for the other
 * commands. NODE_DEBUG=mloop makes the launcher say what it did with the cache.
 */
const run = promisify(execFile);
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bin: { mloop: string } };
const bin = fileURLToPath(new URL(`../../${packageJson.bin.mloop}`, import.meta.url));
// The node options of `npm start`, read as the bench reads them.
const startOptions = startNodeOptions();
// Node options in the environment would change V8's flags, hence which cache V8 takes.
const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
const env = { ...inherited, NODE_DEBUG: 'mloop', MLOOP_LOG_LEVEL: 'warn' };

interface Outcome {
  readonly outcome: string;
  readonly file: string;
}
const outcomeOf = (stderr: string): Outcome | undefined => {
  const match = /code cache (absent|accepted|rejected): (\S+)/.exec(stderr);
  return match ? { outcome: match[1], file: match[2] } : undefined;
};

async function version(nodeOptions: readonly string[], launcher = bin): Promise<Outcome> {
  const { stdout, stderr } = await run(process.execPath, [...nodeOptions, launcher, '--version'], { env });
  expect(stdout).toBe(`${packageJson.version}\n`);
  const outcome = outcomeOf(stderr);
  if (outcome === undefined) throw new Error(`the launcher did not report its code cache: ${stderr}`);
  return outcome;
}

/** Starts the server, has it answer a prediction, stops it: what the launcher did with the cache. */
async function serve(nodeOptions: readonly string[], dataDir: string): Promise<Outcome | undefined> {
  const { stderr } = await serveOnce(process.execPath, [...nodeOptions, bin, 'serve', '--port', '0', '--data-dir', dataDir], { ...env, MLOOP_LOG_LEVEL: 'info', MLOOP_LOG_FORMAT: 'json' });
  return outcomeOf(stderr);
}

describe('the bin runs the bundle from V8 code caches the build made', () => {
  it('exists, with the node options of npm start known', () => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
    expect(startOptions).not.toEqual([]);
  });

  it('for mloop --version and the other commands', async () => {
    const { outcome, file } = await version([]);
    expect(outcome).toBe('accepted');
    expect(file).toMatch(/\.cli\.[0-9a-f]{16}\.cache$/);
  });

  it('for the server, launched as the bin and as npm start launch it (with its node options): each has its own', async () => {
    const dataDir = tempDir();
    await run(process.execPath, [bin, 'train', '--data-dir', dataDir], { env });
    const asBin = await serve([], dataDir);
    const asNpmStart = await serve(startOptions, dataDir);
    expect(asBin?.outcome).toBe('accepted');
    expect(asNpmStart?.outcome).toBe('accepted');
    expect(asBin?.file).toMatch(/\.serve\.[0-9a-f]{16}\.cache$/);
    expect(asNpmStart?.file).toMatch(/\.serve\.[0-9a-f]{16}\.cache$/);
    expect(asNpmStart?.file).not.toBe(asBin?.file);
  });

  it('runs without one under node options the build did not launch with, and ignores a cache V8 refuses (damaged, or made under other V8 flags)', async () => {
    const other = ['--max-old-space-size=3000'];
    const { outcome, file } = await version(other);
    expect(outcome).toBe('absent');
    try {
      writeFileSync(file, Buffer.alloc(4096, 0x5a));
      expect(await version(other)).toEqual({ outcome: 'rejected', file });
      // A sound cache of the same bundle, made without the flag: V8 checks its flags.
      copyFileSync((await version([])).file, file);
      expect(await version(other)).toEqual({ outcome: 'rejected', file });
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('never runs a cache with a bundle changed where it lies, even to text of the same length (V8 compares only the length)', async () => {
    // A copy of the bundle, its launcher and its caches beside the original (dist/ holds what the
    // bundle finds by relative path): the copy takes the caches, as an installed package does.
    const copy = mkdtempSync(join(dirname(bin), '..', 'bundle-copy-'));
    try {
      for (const file of readdirSync(dirname(bin))) copyFileSync(join(dirname(bin), file), join(copy, file));
      const launcher = join(copy, basename(bin));
      expect((await version([], launcher)).outcome).toBe('accepted');
      const bundle = readdirSync(copy).find((file) => /^mloop-[^.]+\.cjs$/.test(file)) as string;
      const text = readFileSync(join(copy, bundle), 'utf8');
      expect(text).toContain('"print the version"');
      writeFileSync(join(copy, bundle), text.replace('"print the version"', '"print the VERSION"'));
      const { stdout, stderr } = await run(process.execPath, [launcher, '--help'], { env });
      expect(stdout).toContain('print the VERSION');
      expect(outcomeOf(stderr)?.outcome).toBe('absent');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
