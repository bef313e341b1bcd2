import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir, writeFile } from '../helpers/fixtures.js';

/** The built command, run the way a user runs it (npm test builds before testing). */
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const run = promisify(execFile);

async function mloop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('mloop rollout', () => {
  it('shows the shadow rollout a training started, refuses a promotion without a reason, and aborts it', async () => {
    const dir = tempDir();
    const config = writeFile(dir, 'mloop.json', JSON.stringify({ rollout: { strategy: 'shadow' } }));
    const at = ['--data-dir', dir, '--config', config];
    expect((await mloop(['rollout', ...at])).stdout).toBe('no rollout yet (rollout.strategy shadow)\n');
    expect((await mloop(['train', ...at])).code).toBe(0);
    const second = await mloop(['train', '--mode', 'gridsearch', ...at]);
    expect(second.stdout).toMatch(/v2 not activated: recall of M .* passed the promotion gate, it becomes the challenger of v1 \(shadow rollout\)/);

    const status = await mloop(['rollout', 'status', ...at]);
    expect(status.stdout.split('\n').slice(0, 2)).toEqual([expect.stringMatching(/^rollout 1 \(shadow\): v2 challenges v1, under way since \S+, ends without promotion by \S+$/), 'shared confirmed cases: 0, positives 0 of 30 needed']);
    const json = JSON.parse((await mloop(['rollout', '--json', ...at])).stdout) as { rollout: { rollout: { championVersion: number; challengerVersion: number } } };
    expect(json.rollout.rollout).toMatchObject({ championVersion: 1, challengerVersion: 2 });

    const noReason = await mloop(['rollout', 'promote', ...at]);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
    const aborted = await mloop(['rollout', 'abort', '--reason', 'wrong scanner', ...at]);
    expect(aborted.stdout).toBe('rollout 1 aborted: v2 retired, v1 keeps serving\n');
    const again = await mloop(['rollout', 'abort', ...at]);
    expect(again).toMatchObject({ code: 1, stderr: 'mloop: no rollout is under way\n' });
    const audit = JSON.parse((await mloop(['models', 'audit', '--json', ...at])).stdout) as { action: string; actor: string; reason: string }[];
    expect(audit[0]).toMatchObject({ action: 'rollout_abort', actor: 'cli', reason: 'wrong scanner' });
  }, 300_000);
});
