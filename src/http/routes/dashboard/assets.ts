import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file the dashboard serves, read once, on its first request. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** A file's body, type and ETag, read when first asked for and kept from then on. */
export type LazyAsset = () => Promise<Asset>;

export interface DashboardAssets {
  /** index.html, served at `/`. */
  readonly page: LazyAsset;
  /** Everything else, by its path under `/dashboard/`. */
  readonly files: ReadonlyMap<string, LazyAsset>;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The client files stay plain `.js`, `.css` and `.html` in `src/dashboard/public`: tsc copies none
 * of them to dist/, so they are read from the package's `src/` both when running from
 * dist/http/routes/dashboard (`npm start`) and from the TypeScript sources (vitest, tsx): four
 * levels up is the package root from either.
 */
export const publicDir = fileURLToPath(new URL('../../../../src/dashboard/public/', import.meta.url));

/** uPlot's browser build and stylesheet, straight from node_modules: nothing vendored into git. */
function uplotFiles(): Readonly<Record<string, string>> {
  const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  return { 'vendor/uPlot.iife.min.js': join(dist, 'uPlot.iife.min.js'), 'vendor/uPlot.min.css': join(dist, 'uPlot.min.css') };
}

async function readAsset(file: string): Promise<Asset> {
  const body = await readFile(file);
  const type = contentTypes[extname(file)] ?? 'application/octet-stream';
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/**
 * The dashboard's files, by name: the directory is listed at start (its routes are the files there)
 * and each file read and hashed on its first request, not before the server's first answer.
 */
export async function loadDashboardAssets(): Promise<DashboardAssets> {
  let names: string[];
  try {
    names = (await readdir(publicDir, { withFileTypes: true })).filter((e) => e.isFile() && extname(e.name) in contentTypes).map((e) => e.name);
  } catch (error) {
    throw new Error(`the dashboard's files are missing: ${publicDir} cannot be read (the package must ship src/dashboard/public)`, { cause: error });
  }
  if (!names.includes('index.html')) throw new Error(`the dashboard's page is missing: ${join(publicDir, 'index.html')}`);
  const sources: Record<string, string> = { ...uplotFiles() };
  for (const name of names) sources[name] = join(publicDir, name);
  const files = new Map<string, LazyAsset>();
  for (const [path, file] of Object.entries(sources)) {
    let read: Promise<Asset> | undefined;
    files.set(path, () => (read ??= readAsset(file)));
  }
  const page = files.get('index.html') as LazyAsset;
  files.delete('index.html');
  return { page, files };
}
