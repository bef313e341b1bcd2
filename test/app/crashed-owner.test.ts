import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { ConflictError } from '../../src/app/errors.js';
import { openDatabase } from '../../src/store/database.js';
import { abandonedDeadError, abandonedError } from '../../src/store/run-repository.js';
import { largerCsv, slowGrid } from '../helpers/slow-training.js';
import { tempDir, writeFile } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

/** The built command, run the way a user runs it (npm test builds before testing). */
const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/**
 * A training whose process is killed (kill -9: no chance to record anything) blocked every other
 * training for the heartbeat's stale limit, 60 s. On the same machine its owner is known dead at once.
 */
describe('a training whose process was killed', () => {
  const dataDir = tempDir();
  const settings = { dataset: { source: writeFile(dataDir, 'data.csv', largerCsv(12)) }, training: { cv: 3, grid: slowGrid }, schedule: { enabled: false } };
  const configFile = writeFile(dataDir, 'mloop.json', JSON.stringify(settings));
  let app: Application | undefined;
  afterAll(() => app?.close());

  it('does not block the next training: it is failed as abandoned at once', async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    const child = spawn(process.execPath, [cli, 'train', '--mode', 'gridsearch', '--json', '--config', configFile, '--data-dir', dataDir], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    app = await openApplication({ config: parseConfig(settings), dataDir, log: pino({ level: 'silent' }), threads: 2 });
    const opened = app;
    const victim = await waitFor('the CLI to be training', async () => {
      const run = (await opened.runs.list({ kind: 'train', limit: 1 }))[0];
      return run?.status === 'running' && (run.progressDone ?? 0) > 0 ? run : undefined;
    }, 60_000, 20);
    expect(victim.owner).toMatchObject({ pid: child.pid });
    child.kill('SIGKILL');
    await exited;

    const before = Date.now();
    const { run, done } = await app.trainings.start({ mode: 'basic' }, 'test');
    expect(Date.now() - before).toBeLessThan(2_000);
    expect(await app.runs.get(victim.id)).toMatchObject({ status: 'failed', error: abandonedDeadError });
    expect((await done).runId).toBe(run.id);
    expect(await app.runs.get(run.id)).toMatchObject({ status: 'succeeded' });
  });
});

/** A scheduled tick claimed and started by a replica that is then killed, as it leaves the store. */
async function tickOfKilledProcess(dataDir: string, scheduledFor: string): Promise<number> {
  const script = [
    `import { openDatabase } from ${JSON.stringify(fileURLToPath(new URL('../../src/store/database.ts', import.meta.url)))};`,
    `import { currentProcessOwner } from ${JSON.stringify(fileURLToPath(new URL('../../src/adapters/process-probe.ts', import.meta.url)))};`,
    `const store = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });`,
    `const owner = currentProcessOwner();`,
    `const run = await store.runs.claimScheduled({ kind: 'update', trigger: 'schedule', params: {}, scheduledFor: ${JSON.stringify(scheduledFor)}, now: ${JSON.stringify(scheduledFor)}, owner });`,
    `await store.runs.start(run.id, ${JSON.stringify(scheduledFor)}, owner);`,
    `process.stdout.write(String(run.id) + '\\n');`,
    `setInterval(() => {}, 1000);`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  return Number(line.toString());
}

describe('a scheduled tick whose process was killed', () => {
  it('is taken over by the next tick here, without waiting for the stale limit', async () => {
    const dataDir = tempDir();
    const clock = { now: () => new Date('2026-03-02T08:00:10.000Z') };
    const config = parseConfig({ schedule: { update: '0 8 * * *', train: null, check: null, attempts: 3 } });
    const app = await openApplication({ config, dataDir, log: pino({ level: 'silent' }), clock, sleep: async () => undefined });
    try {
      const id = await tickOfKilledProcess(dataDir, '2026-03-02T08:00:00.000Z');
      // Left for the scheduler, which retries it; a tick failed anywhere else would not be.
      expect(await app.runs.reap()).toEqual([]);
      // Seconds after the crash, far within the 60 s stale limit: the owner is known dead.
      expect(await app.scheduler.tick()).toEqual([]);
      await app.scheduler.stop();
      expect(await app.runs.get(id)).toMatchObject({ status: 'succeeded', attempts: 2, owner: app.runs.owner });
    } finally {
      await app.close();
    }
  });
});

describe('a run of a process on another machine', () => {
  it('is failed as abandoned only once silent for server.heartbeatTimeout', async () => {
    const dataDir = tempDir();
    let now = Date.parse('2026-03-02T08:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const app = await openApplication({ config: parseConfig({ server: { heartbeatTimeout: '20s' } }), dataDir, log: pino({ level: 'silent' }), clock });
    try {
      const store = await openDatabase({ dataDir });
      const elsewhere = { ...app.runs.owner, host: 'replica-2', pid: 1, pidScope: 'another-boot pid:[1]' };
      const run = await store.runs.create({ kind: 'train', trigger: 'api', params: {}, now: clock.now(), owner: elsewhere });
      await store.runs.start(run.id, clock.now());
      await store.close();
      now += 19_000;
      expect(await app.runs.reap()).toEqual([]);
      await expect(app.trainings.start({ mode: 'basic' }, 'test')).rejects.toThrow(ConflictError);
      now += 2_000;
      expect((await app.runs.reap()).map((r) => [r.id, r.status, r.error])).toEqual([[run.id, 'failed', abandonedError]]);
    } finally {
      await app.close();
    }
  });
});
