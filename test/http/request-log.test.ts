import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/app/application.js';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { buildHttpApp } from '../../src/http/app.js';

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly req?: { method: string; url: string };
  readonly res?: { statusCode: number };
}

const levels = pino.levels.values;

describe('request logging', () => {
  let dataDir: string;
  let app: Application;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mloop-log-'));
    app = await openApplication({ config: parseConfig({ schedule: { enabled: false } }), dataDir, log: pino({ level: 'silent' }), threads: 1 });
  });
  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The lines an HTTP app logs at `level` for the requests `send` makes. */
  async function linesFor(level: string, send: (inject: ReturnType<typeof buildHttpApp>['inject']) => Promise<unknown>): Promise<Line[]> {
    const lines: Line[] = [];
    const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
    const http = buildHttpApp(app, { logger, host: '127.0.0.1' });
    await http.ready();
    await send(http.inject.bind(http));
    await http.close();
    return lines;
  }

  const completed = (lines: Line[]) => lines.filter((l) => l.msg === 'request completed').map((l) => ({ level: l.level, status: l.res?.statusCode }));

  it("logs the dashboard's successful polls at debug, and writes, failures and a GET that changes state at info", async () => {
    const polls = async (inject: ReturnType<typeof buildHttpApp>['inject']) => {
      for (const url of ['/api/v1/models?limit=10', '/api/v1/runs?limit=8', '/api/v1/performance/live', '/api/v1/alerts?limit=10', '/healthz']) {
        expect((await inject({ method: 'GET', url })).statusCode).toBe(200);
      }
    };
    expect(await linesFor('info', polls)).toEqual([]);
    const debug = await linesFor('debug', polls);
    expect(completed(debug)).toEqual(Array.from({ length: 5 }, () => ({ level: levels.debug, status: 200 })));
    expect(debug.filter((l) => l.msg === 'incoming request').every((l) => l.level === levels.debug)).toBe(true);

    const others = await linesFor('info', async (inject) => {
      // No model yet: a failed read (404), a write with a bad body (400), and the tutorial's GET that updates.
      expect((await inject({ method: 'GET', url: '/api/v1/models/7' })).statusCode).toBe(404);
      expect((await inject({ method: 'POST', url: '/api/v1/predict', payload: { rows: 'x' } })).statusCode).toBe(400);
      expect((await inject({ method: 'GET', url: '/update_data' })).statusCode).toBe(200);
    });
    expect(completed(others)).toEqual([
      { level: levels.info, status: 404 },
      { level: levels.info, status: 400 },
      { level: levels.info, status: 200 },
    ]);
  });
});
