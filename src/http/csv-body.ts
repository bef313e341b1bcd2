import type { FastifyRequest } from 'fastify';
import { parse } from 'csv-parse/sync';
import { HttpError } from './error-handler.js';
import { encodingProblem } from './json-body.js';

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * A `text/csv` body as MLflow's scoring server reads it (pandas' read_csv): a header line naming
 * the columns, then one line per row. It becomes the `dataframe_split` it is equivalent to, so the
 * route checks columns and values as for JSON. A cell in `naValues` (or an empty one) is a missing
 * value, a number a number, other text a category (or a problem the row check names). What is not
 * a table is a 400 naming the line.
 */
export function csvBodyParser(naValues: readonly string[]) {
  const missing = new Set(['', ...naValues]);
  return (request: FastifyRequest, text: string, done: (error: Error | null, body?: unknown) => void): void => {
    const encoded = encodingProblem(request);
    if (encoded) {
      done(encoded);
      return;
    }
    let records: CsvRecord[];
    try {
      records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as CsvRecord[];
    } catch (cause) {
      done(new HttpError(400, `the request body is not readable CSV: ${(cause as Error).message}`));
      return;
    }
    if (records.length === 0) {
      done(new HttpError(400, 'the request body is empty: send a header line naming the columns, then one line per row'));
      return;
    }
    if (records.length === 1) {
      done(new HttpError(400, 'the CSV has a header line but no rows: send one line per row after it'));
      return;
    }
    const columns = records[0].record.map((name) => name.trim());
    const data: (number | string | null)[][] = [];
    for (const { record, info } of records.slice(1)) {
      if (record.length !== columns.length) {
        done(new HttpError(400, `CSV line ${info.lines}: ${record.length} cells, but the header line names ${columns.length} columns`, {}, { line: info.lines, expected: columns.length, got: record.length }));
        return;
      }
      data.push(
        record.map((raw) => {
          const cell = raw.trim();
          if (missing.has(cell)) return null;
          const value = Number(cell);
          return Number.isFinite(value) ? value : cell;
        }),
      );
    }
    done(null, { dataframe_split: { columns, data } });
  };
}
