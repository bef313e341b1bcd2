import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { currentProcessOwner, isProvablyDead } from '../../src/adapters/process-probe.js';

/** A child that waits until killed; its pid, and a way to end it. */
async function child(): Promise<{ pid: number; exited: Promise<unknown>; kill(): void }> {
  const process = spawn('sleep', ['60'], { stdio: 'ignore' });
  await once(process, 'spawn');
  return { pid: process.pid as number, exited: once(process, 'exit'), kill: () => process.kill('SIGKILL') };
}

describe.runIf(process.platform === 'linux')('process probe (Linux /proc)', () => {
  const self = currentProcessOwner();

  it('describes this process: host, pid, start instant and what tells it from a reused pid', () => {
    expect(self).toMatchObject({ pid: process.pid, pidScope: expect.stringMatching(/^[0-9a-f-]{36} pid:\[\d+\]$/), startTicks: expect.stringMatching(/^\d+$/) });
    expect(Math.abs(Date.parse(self.startedAt) - performance.timeOrigin)).toBeLessThan(1);
    expect(isProvablyDead(self)).toBe(false);
  });

  it('tells a killed process dead, and a live one alive', async () => {
    const other = await child();
    const owner = { ...self, pid: other.pid, startTicks: null };
    expect(isProvablyDead(owner)).toBe(false);
    other.kill();
    await other.exited;
    expect(isProvablyDead(owner)).toBe(true);
  });

  it('tells a pid taken by a process that started at another time dead', async () => {
    const other = await child();
    try {
      expect(isProvablyDead({ ...self, pid: other.pid, startTicks: '1' })).toBe(true);
      expect(isProvablyDead({ ...self, startTicks: '1' })).toBe(true);
    } finally {
      other.kill();
    }
  });

  it('never tells a process of another machine, container or unknown place dead', async () => {
    const other = await child();
    other.kill();
    await other.exited;
    expect(isProvablyDead({ ...self, pid: other.pid, pidScope: 'another-boot pid:[1]' })).toBe(false);
    expect(isProvablyDead({ ...self, pid: other.pid, pidScope: null })).toBe(false);
    expect(isProvablyDead({ ...self, pid: other.pid }, { ...self, pidScope: null })).toBe(false);
  });
});
