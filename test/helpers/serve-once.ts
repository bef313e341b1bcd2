import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'vitest';
import { malignantRow } from './fixtures.js';
import { waitFor } from './wait-for.js';

/**
 * Runs `mloop serve` as `command args` (node and the bin, or a shell around them; the arguments
 * include `serve --port 0`), waits for it to listen, has it answer one prediction of a malignant
 * row, and stops it with SIGTERM, which it must answer by exiting with 0. Returns what it wrote.
 */
export async function serveOnce(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ readonly stdout: string; readonly stderr: string }> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const base = await waitFor('mloop to listen', () => /mloop listening on (http:\/\/[^ "]+)/.exec(stdout)?.[1], 60_000, 20);
    const answer = await fetch(`${base}/api/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ row: malignantRow }) });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { predictions: { label: string }[] }).predictions[0].label).toBe('M');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  return { stdout, stderr };
}
