/*
 * A PostgreSQL query as a data source. Its result becomes the snapshot's text as an RFC 4180 CSV
 * with a header, so the content hash, the snapshot and the reader are the same as for a file.
 */

import { sourceUrlProblem } from '../core/data-source-url.js';
import type { ReadLimits } from './data-source-error.js';
import { DataSourceError } from './data-source-error.js';


const FETCH_ROWS = 1000;
const BOOL_OID = 16;

/** RFC 4180: a cell with a quote, comma or line break is quoted, its quotes doubled; SQL NULL is an empty cell. */
function csvCell(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Runs `query` (a SELECT) in a read-only transaction and returns its result as CSV text. Every value
 * arrives as PostgreSQL's own text: with extra_float_digits = 3 a double prints its shortest
 * round-trip digits, so the reader's Number() gets the very same double; numeric and bigint keep
 * every digit. Booleans become True/False, as pandas.read_sql would give them.
 */
export async function queryCsv(source: string, query: string, limits: ReadLimits, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const problem = sourceUrlProblem(source);
  if (problem) throw new DataSourceError(`dataset.source: ${problem}`);
  const url = new URL(source);
  const where = `${url.host}${url.pathname}`;
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({
    connectionString: source,
    password: env.MLOOP_DATASET_PASSWORD ?? env.PGPASSWORD,
    connectionTimeoutMillis: limits.timeoutMs,
    statement_timeout: limits.timeoutMs,
    query_timeout: limits.timeoutMs,
    application_name: 'mloop',
  });
  const deadline = performance.now() + limits.timeoutMs;
  try {
    await client.connect();
    await client.query('BEGIN TRANSACTION READ ONLY');
    // Fixed session settings, so the same rows give the same text (and content hash) on any server.
    await client.query("SET LOCAL extra_float_digits = 3; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'iso_8601'");
    // A cursor reads the result in pieces, to stop at the size limit; it also takes only a query
    // (SELECT, VALUES, TABLE), and the extended protocol refuses a second statement.
    // (queryMode is pg's, not yet in @types/pg.)
    const declare = { text: `DECLARE mloop_source NO SCROLL CURSOR FOR ${query.trim().replace(/;+$/, '')}`, queryMode: 'extended' };
    await client.query(declare);
    const lines: string[] = [];
    let bytes = 0;
    for (;;) {
      if (performance.now() > deadline) throw new DataSourceError(`${where}: no complete answer within ${limits.timeoutMs} ms (dataset.timeoutMs)`);
      const result = await client.query<string[]>({ text: `FETCH FORWARD ${FETCH_ROWS} FROM mloop_source`, rowMode: 'array', types: { getTypeParser: () => (text: string) => text } });
      const bools = result.fields.map((f) => f.dataTypeID === BOOL_OID);
      const rows = result.rows.map((row) => row.map((v, c) => csvCell(bools[c] && v !== null ? (v === 't' ? 'True' : 'False') : v)).join(','));
      for (const line of lines.length === 0 ? [result.fields.map((f) => csvCell(f.name)).join(','), ...rows] : rows) {
        bytes += Buffer.byteLength(line) + 2;
        if (bytes > limits.maxBytes) throw new DataSourceError(`${where}: the query's result is over the ${limits.maxBytes}-byte limit (dataset.maxBytes)`);
        lines.push(line);
      }
      if (result.rows.length < FETCH_ROWS) break;
    }
    await client.query('COMMIT');
    return `${lines.join('\r\n')}\r\n`;
  } catch (cause) {
    if (cause instanceof DataSourceError) throw cause;
    throw new DataSourceError(`cannot query ${where}: ${describe(cause as Error & { code?: string }, limits.timeoutMs)}`, { cause });
  } finally {
    await client.end();
  }
}

function describe(error: Error & { code?: string }, timeoutMs: number): string {
  // 57014: query_canceled, which is what statement_timeout raises.
  if (error.code === '57014' || /timeout/i.test(error.message)) return `no answer within ${timeoutMs} ms (dataset.timeoutMs)`;
  return error.message;
}
