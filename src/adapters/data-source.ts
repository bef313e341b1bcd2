import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isHttpSource, isPostgresSource, redactSource, redactUrls, sourceUrlProblem } from '../core/data-source-url.js';
import type { ReadLimits } from './data-source-error.js';
import { DataSourceError } from './data-source-error.js';
import { queryCsv } from './postgres-source.js';

export type { ReadLimits } from './data-source-error.js';
export { DataSourceError } from './data-source-error.js';

/** The bundled data set (UCI WDBC, CC BY 4.0; see data/README.md). */
export const bundledDatasetPath = fileURLToPath(new URL('../../data/wdbc.csv', import.meta.url));

export interface SourceText {
  /** The source as it may be shown (`redactSource`): no credentials, no query values. */
  readonly source: string;
  readonly text: string;
  /** sha256 of the bytes, hex: snapshots with the same hash are the same data. */
  readonly contentHash: string;
}


const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface SourceQuery {
  /** The SELECT to run when `source` is a PostgreSQL URL (dataset.query). */
  readonly query?: string;
  /**
   * Where the secrets come from, never the file: MLOOP_DATASET_PASSWORD (else PGPASSWORD) for a
   * PostgreSQL source; MLOOP_DATASET_TOKEN (bearer) or MLOOP_DATASET_PASSWORD (basic, for the user
   * named in the URL) for an http(s) one.
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Told the bytes read so far of an http(s) source, and its size when the server declares it
   * (Content-Length), after every chunk: what a progress bar on a slow download shows.
   */
  readonly onProgress?: ReadProgress;
}

export type ReadProgress = (read: number, total: number | null) => void;

/**
 * Reads the CSV behind `source`, within a time and size limit: a PostgreSQL URL (the result of
 * `query`, written as CSV), an http(s) URL or a file path. Errors name the source as
 * `redactSource` shows it.
 */
export async function readSource(source: string, limits: ReadLimits, options: SourceQuery = {}): Promise<SourceText> {
  const problem = sourceUrlProblem(source);
  if (problem) throw new DataSourceError(`dataset.source: ${problem}`);
  const bytes = isPostgresSource(source)
    ? await queryBytes(source, options, limits)
    : isHttpSource(source)
      ? await fetchBytes(new URL(source), limits, options.env ?? process.env, options.onProgress)
      : await readFileBytes(source, limits.maxBytes);
  return { source: redactSource(source), text: new TextDecoder('utf-8').decode(bytes), contentHash: sha256(bytes) };
}

async function queryBytes(source: string, options: SourceQuery, limits: ReadLimits): Promise<Uint8Array> {
  if (!options.query) throw new DataSourceError('dataset.query is required for a PostgreSQL dataset.source: the SELECT whose columns are the table');
  return new TextEncoder().encode(await queryCsv(source, options.query, limits, options.env));
}

async function readFileBytes(path: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new DataSourceError(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw new DataSourceError(`${path} is ${size} bytes, over the ${maxBytes}-byte limit (dataset.maxBytes)`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * The Authorization header for an http(s) source: basic for the user the URL names (password from
 * MLOOP_DATASET_PASSWORD), else bearer from MLOOP_DATASET_TOKEN. fetch drops it on a redirect to
 * another origin, so a redirect cannot hand the secret to a third party.
 */
function authorization(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const token = env.MLOOP_DATASET_TOKEN || undefined;
  const password = env.MLOOP_DATASET_PASSWORD || undefined;
  if (url.username === '') {
    if (password !== undefined && token === undefined) throw new DataSourceError('MLOOP_DATASET_PASSWORD is set but dataset.source names no user: write the user into the URL (https://USER@host/...) for basic authentication');
    return token === undefined ? undefined : `Bearer ${token}`;
  }
  if (token !== undefined) throw new DataSourceError('dataset.source names a user (basic authentication) and MLOOP_DATASET_TOKEN is set (bearer): keep one of the two');
  if (password === undefined) throw new DataSourceError('dataset.source names a user: give the password in MLOOP_DATASET_PASSWORD');
  return `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${password}`, 'utf8').toString('base64')}`;
}

async function fetchBytes(source: URL, limits: ReadLimits, env: NodeJS.ProcessEnv, onProgress: ReadProgress = () => undefined): Promise<Uint8Array> {
  const shown = redactSource(source.href);
  const header = authorization(source, env);
  // fetch refuses a URL with user information: the user travels in the header instead.
  const url = new URL(source.href);
  url.username = '';
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow', headers: header === undefined ? {} : { authorization: header } });
  } catch (cause) {
    const reason = (cause as Error).name === 'TimeoutError' ? `no answer within ${limits.timeoutMs} ms` : ((cause as Error).cause as Error | undefined)?.message ?? (cause as Error).message;
    throw new DataSourceError(`cannot fetch ${shown}: ${redactUrls(reason)}`, { cause });
  }
  if (!response.ok || !response.body) throw new DataSourceError(`cannot fetch ${shown}: HTTP ${response.status} ${response.statusText}`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limits.maxBytes) throw new DataSourceError(`${shown} is ${declared} bytes, over the ${limits.maxBytes}-byte limit (dataset.maxBytes)`);
  // A compressed answer declares its compressed size, while the body counts decoded bytes: no total then.
  const size = Number.isSafeInteger(declared) && !response.headers.has('content-encoding') ? declared : null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  onProgress(0, size);
  try {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > limits.maxBytes) throw new DataSourceError(`${shown} is over the ${limits.maxBytes}-byte limit (dataset.maxBytes)`);
      chunks.push(chunk);
      onProgress(total, size === null ? null : Math.max(size, total));
    }
  } catch (cause) {
    if (cause instanceof DataSourceError) throw cause;
    throw new DataSourceError(`cannot fetch ${shown}: ${redactUrls((cause as Error).message)}`, { cause });
  }
  return Buffer.concat(chunks);
}
