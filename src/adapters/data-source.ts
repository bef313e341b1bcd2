import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isPostgresSource } from '../core/data-source-url.js';
import { PostgresSourceError, queryCsv } from './postgres-source.js';

/** The bundled data set (UCI WDBC, CC BY 4.0; see data/README.md). */
export const bundledDatasetPath = fileURLToPath(new URL('../../data/wdbc.csv', import.meta.url));

export interface SourceText {
  readonly source: string;
  readonly text: string;
  /** sha256 of the bytes, hex: snapshots with the same hash are the same data. */
  readonly contentHash: string;
}

export class DataSourceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DataSourceError';
  }
}

export interface ReadLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface SourceQuery {
  /** The SELECT to run when `source` is a PostgreSQL URL (dataset.query). */
  readonly query?: string;
  /** Where the database password comes from (MLOOP_DATASET_PASSWORD, else PGPASSWORD). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Reads the CSV behind `source`, within a time and size limit: a PostgreSQL URL (the result of
 * `query`, written as CSV), an http(s) URL or a file path.
 */
export async function readSource(source: string, limits: ReadLimits, options: SourceQuery = {}): Promise<SourceText> {
  const bytes = isPostgresSource(source)
    ? await queryBytes(source, options, limits)
    : /^https?:\/\//i.test(source)
      ? await fetchBytes(source, limits)
      : await readFileBytes(source, limits.maxBytes);
  return { source, text: new TextDecoder('utf-8').decode(bytes), contentHash: sha256(bytes) };
}

async function queryBytes(source: string, options: SourceQuery, limits: ReadLimits): Promise<Uint8Array> {
  if (!options.query) throw new DataSourceError('dataset.query is required for a PostgreSQL dataset.source: the SELECT whose columns are the table');
  try {
    return new TextEncoder().encode(await queryCsv(source, options.query, limits, options.env));
  } catch (cause) {
    if (cause instanceof PostgresSourceError) throw new DataSourceError(cause.message, { cause });
    throw cause;
  }
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

async function fetchBytes(url: string, limits: ReadLimits): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow' });
  } catch (cause) {
    const reason = (cause as Error).name === 'TimeoutError' ? `no answer within ${limits.timeoutMs} ms` : ((cause as Error).cause as Error | undefined)?.message ?? (cause as Error).message;
    throw new DataSourceError(`cannot fetch ${url}: ${reason}`, { cause });
  }
  if (!response.ok || !response.body) throw new DataSourceError(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limits.maxBytes) throw new DataSourceError(`${url} is ${declared} bytes, over the ${limits.maxBytes}-byte limit (dataset.maxBytes)`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += chunk.byteLength;
      if (total > limits.maxBytes) throw new DataSourceError(`${url} is over the ${limits.maxBytes}-byte limit (dataset.maxBytes)`);
      chunks.push(chunk);
    }
  } catch (cause) {
    if (cause instanceof DataSourceError) throw cause;
    throw new DataSourceError(`cannot fetch ${url}: ${(cause as Error).message}`, { cause });
  }
  return Buffer.concat(chunks);
}
