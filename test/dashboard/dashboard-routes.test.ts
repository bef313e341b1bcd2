import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicDir } from '../../src/http/routes/dashboard/assets.js';
import type { RunningServer } from '../http/server-fixture.js';
import { startServer } from '../http/server-fixture.js';

/** The files the page asks for: its links and scripts, and every module's relative imports. */
async function referencedFiles(): Promise<string[]> {
  const html = await readFile(join(publicDir, 'index.html'), 'utf8');
  const fromPage = [...html.matchAll(/(?:src|href)="(dashboard\/[^"]+)"/g)].map((m) => m[1].slice('dashboard/'.length));
  const seen = new Set<string>();
  const queue = fromPage.filter((f) => f.endsWith('.js') && !f.startsWith('vendor/'));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(join(publicDir, file), 'utf8');
    for (const m of source.matchAll(/from '\.\/([^']+)'/g)) queue.push(m[1]);
  }
  return [...new Set([...fromPage, ...seen])];
}

describe('the dashboard files', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ bootstrap: false });
  });
  afterAll(() => server.close());

  it('serves the page at / with a policy that keeps it to this server', async () => {
    const res = await server.fastify.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<script type="module" src="dashboard/app.js">');
    // Nothing from elsewhere: every URL in the page is relative to the server.
    expect(res.body).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('serves every file the page and its modules refer to', async () => {
    const files = await referencedFiles();
    expect(files).toEqual(expect.arrayContaining(['app.js', 'recall-chart.js', 'dashboard.css', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css']));
    for (const file of files) {
      const res = await server.fastify.inject({ method: 'GET', url: `/dashboard/${file}` });
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['x-content-type-options'], file).toBe('nosniff');
    }
  });

  it('serves uPlot from node_modules, unchanged, and revalidates with its ETag', async () => {
    const uplotDist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
    const res = await server.fastify.inject({ method: 'GET', url: '/dashboard/vendor/uPlot.iife.min.js' });
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.rawPayload.equals(await readFile(join(uplotDist, 'uPlot.iife.min.js')))).toBe(true);
    const etag = res.headers.etag as string;
    const again = await server.fastify.inject({ method: 'GET', url: '/dashboard/vendor/uPlot.iife.min.js', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const css = await server.fastify.inject({ method: 'GET', url: '/dashboard/vendor/uPlot.min.css' });
    expect(css.body).toBe(await readFile(join(uplotDist, 'uPlot.min.css'), 'utf8'));
  });

  it('answers 404 for anything else under /dashboard/, and keeps the files out of the OpenAPI document', async () => {
    for (const url of ['/dashboard/nope.js', '/dashboard/../package.json', '/dashboard/%2e%2e/package.json', '/dashboard/index.html']) {
      const res = await server.fastify.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
    }
    const openapi = (await server.fastify.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(openapi.paths).filter((p) => p === '/' || p.startsWith('/dashboard'))).toEqual([]);
  });
});
