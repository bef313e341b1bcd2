import type * as FsPromises from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';

const reads = vi.hoisted(() => [] as string[]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  const readFile = ((...args: Parameters<typeof fs.readFile>) => {
    reads.push(String(args[0]));
    return fs.readFile(...args);
  }) as typeof fs.readFile;
  return { ...fs, default: { ...fs, readFile }, readFile };
});

const { loadDashboardAssets } = await import('../../src/http/routes/dashboard/assets.js');

describe("the dashboard's files", () => {
  it('are listed at start and each read on its first request, once', async () => {
    const assets = await loadDashboardAssets();
    expect(reads).toEqual([]);
    expect([...assets.files.keys()]).toEqual(expect.arrayContaining(['app.js', 'dashboard.css', 'vendor/uPlot.iife.min.js']));
    const [app, again] = await Promise.all([assets.files.get('app.js')?.(), assets.files.get('app.js')?.()]);
    expect(reads).toHaveLength(1);
    expect(again).toBe(app);
    expect(app?.type).toBe('text/javascript; charset=utf-8');
    expect(app?.etag).toMatch(/^"[\w-]{22}"$/);
    const page = await assets.page();
    expect(page.body.toString('utf8')).toMatch(/<html/i);
    expect(reads).toHaveLength(2);
  });
});
