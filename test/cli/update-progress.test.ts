import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes, progressLine } from '../../src/cli/terminal.js';
import { bundledCsv, tempDir, writeFile } from '../helpers/fixtures.js';
import { mloop, mloopOnTerminal } from './run-cli.js';

const bytes = Buffer.from(bundledCsv, 'utf8');

/**
 * A slow data source: the bundled CSV in 24 pieces, one every 100 ms (about 2.4 s in all), with
 * its Content-Length at /sized.csv and without one (chunked) at /unsized.csv.
 */
const server = createServer((request, response) => {
  const sized = request.url === '/sized.csv';
  response.writeHead(200, { 'content-type': 'text/csv', ...(sized ? { 'content-length': String(bytes.length) } : {}) });
  const pieces = 24;
  const size = Math.ceil(bytes.length / pieces);
  let k = 0;
  const timer = setInterval(() => {
    response.write(bytes.subarray(k * size, (k + 1) * size));
    k += 1;
    if (k === pieces) {
      clearInterval(timer);
      response.end();
    }
  }, 100);
  response.on('close', () => clearInterval(timer));
});
let base = '';
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const configFor = (dir: string, path: string) => writeFile(dir, 'c.yaml', `dataset:\n  source: ${base}${path}\n`);

describe('mloop update from a slow URL', () => {
  it('shows on a terminal the bytes read of the declared size, with an ETA', async () => {
    const dir = tempDir();
    const { code, output } = await mloopOnTerminal(['update', '--config', configFor(dir, '/sized.csv'), '--data-dir', dir]);
    expect(code).toBe(0);
    const total = formatBytes(bytes.length);
    expect(output).toMatch(new RegExp(`update \\[#*\\.+\\] \\d+\\.\\d KiB/${total.replace('.', '\\.')}, \\ds elapsed, ETA \\ds`));
    expect(output).toMatch(new RegExp(`new snapshot 1: 569 rows from ${base}/sized\\.csv \\(M 212, B 357\\)\\n$`));
  });

  it('without a Content-Length: the bytes read so far, no estimate', async () => {
    const dir = tempDir();
    const { code, output } = await mloopOnTerminal(['update', '--config', configFor(dir, '/unsized.csv'), '--data-dir', dir]);
    expect(code).toBe(0);
    expect(output).toMatch(/update \d+\.\d KiB read, \ds elapsed/);
    expect(output).not.toContain('ETA');
  });

  it('piped, or with --json, nothing but the result', async () => {
    const dir = tempDir();
    const config = configFor(dir, '/sized.csv');
    const piped = await mloop(['update', '--config', config, '--data-dir', dir]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe(`new snapshot 1: 569 rows from ${base}/sized.csv (M 212, B 357)\n`);
    const json = await mloopOnTerminal(['update', '--json', '--config', config, '--data-dir', dir]);
    expect(json.output).not.toContain('KiB');
    expect(JSON.parse(json.output)).toMatchObject({ status: 'unchanged', runId: 2 });
  });
});

describe('progress lines', () => {
  it('count bytes in binary units, and without a total say what was read', () => {
    expect([formatBytes(812), formatBytes(120_354), formatBytes(3 * 1024 * 1024 + 200_000)]).toEqual(['812 B', '117.5 KiB', '3.2 MiB']);
    expect(progressLine('update', 60_177, 120_354, 2000, { unit: '', count: formatBytes }, 10)).toBe('update [#####.....] 58.8 KiB/117.5 KiB, 2s elapsed, ETA 2s');
    expect(progressLine('update', 60_177, null, 2000, { unit: '', count: formatBytes })).toBe('update 58.8 KiB read, 2s elapsed');
    expect(progressLine('grid search', 40, 80, 12_000, 'fits', 10)).toBe('grid search [#####.....] 40/80 fits, 12s elapsed, ETA 12s');
  });
});
