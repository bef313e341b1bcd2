import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The built command, run the way a user runs it (npm test builds before testing). */
export const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);

const newStoreNotice = /^mloop: creating a new store at (.*)\n/;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The store the command said it creates, or null. */
  readonly newStore: string | null;
}

/** The environment of a run: no NO_COLOR or MLOOP_LOG_FORMAT from the machine's, unless given. */
const cleanEnv = (env: Record<string, string>) => {
  const { NO_COLOR: _noColor, MLOOP_LOG_FORMAT: _format, MLOOP_LOG_LEVEL: _level, ...rest } = process.env;
  return { ...rest, ...env };
};

/**
 * Runs the built CLI with its output piped. A command on a data directory without a store says
 * first that it creates one: that line is taken out of `stderr` into `newStore` (its path), so that
 * the rest is what the command itself said.
 */
export async function mloop(args: string[], env: Record<string, string> = {}, timeoutMs = 0): Promise<CliResult> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  let result: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: cleanEnv(env), timeout: timeoutMs });
    result = { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    result = { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
  const notice = newStoreNotice.exec(result.stderr);
  return { ...result, stderr: result.stderr.replace(newStoreNotice, ''), newStore: notice ? notice[1] : null };
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the built CLI on a pseudo-terminal (util-linux's `script`), as in a person's terminal:
 * stdout and stderr both go to the terminal, whose output comes back with `\r\n` line ends.
 * `until`: stop the command (SIGTERM to its process group) once the output matches it.
 */
export async function mloopOnTerminal(args: string[], env: Record<string, string> = {}, until?: RegExp): Promise<{ code: number | null; output: string }> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const command = [process.execPath, cli, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], { env: cleanEnv({ TERM: 'xterm-256color', ...env }), stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    output += chunk;
    if (until?.test(output) && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  return { code, output: output.replace(/\r\n/g, '\n') };
}
