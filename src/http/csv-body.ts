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
 * a table is a 400 naming the line. Columns named in `ignore` (the label, dataset.drop) and unnamed
 * ones (a trailing comma) are left out, as `mloop predict` leaves them, so that a file of the data
 * set goes as it is. `index` holds each row's line in the body (the header is line 1), which the
 * route's messages name.
 */
export function csvBodyParser(naValues: readonly string[], ignore: ReadonlySet<string>) {
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
    const header = records[0].record.map((name) => name.trim());
    const kept = header.flatMap((name, c) => (name === '' || ignore.has(name) ? [] : [c]));
    // A row may leave out trailing unnamed columns (the Kaggle file's header ends with a comma, its rows do not).
    const named = header.findLastIndex((name) => name !== '') + 1;
    const data: (number | string | null)[][] = [];
    const index: number[] = [];
    for (const { record, info } of records.slice(1)) {
      if (record.length < named || record.length > header.length) {
        done(new HttpError(400, `CSV line ${info.lines}: ${record.length} cells, but the header line names ${header.length} columns`, {}, { line: info.lines, expected: header.length, got: record.length }));
        return;
      }
      data.push(
        kept.map((c) => {
          const cell = (record[c] ?? '').trim();
          if (missing.has(cell)) return null;
          const value = Number(cell);
          return Number.isFinite(value) ? value : cell;
        }),
      );
      index.push(info.lines);
    }
    done(null, { dataframe_split: { columns: kept.map((c) => header[c]), data, index } });
  };
}
