import { parse } from 'csv-parse/sync';
import { DatasetError } from './dataset-error.js';

/** How to split a text into named columns (the dataset.header, .columns and .delimiter keys). */
export interface CsvTableOptions {
  /** Whether the first line names the columns (pandas' header=0); default true. */
  readonly header?: boolean;
  /** The column names; required without a header, and replacing the header's when both are given (pandas' names=). */
  readonly columns?: readonly string[];
  /** ',' (default), ';' or '\t'. */
  readonly delimiter?: string;
}

export interface CsvRow {
  readonly cells: readonly string[];
  /** The file's line number, 1-based (a header is line 1). */
  readonly line: number;
}

/** Named columns; every row has one cell per name. A '' name is an empty column to ignore. */
export interface CsvTable {
  readonly names: readonly string[];
  readonly rows: readonly CsvRow[];
  /** Where the names come from, as messages say it. */
  readonly namedBy: 'the header' | 'dataset.columns';
}

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

function readRecords(text: string, delimiter: string): CsvRecord[] {
  try {
    // relax_quotes: a quote inside an unquoted cell is a character, as pandas reads it (5"3).
    const records = parse(text, { bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }) as unknown as CsvRecord[];
    // pandas also skips lines of blanks only (a table has at least two columns, so no row is lost).
    return records.filter(({ record }) => !(record.length === 1 && /^[ \t]*$/.test(record[0])));
  } catch (cause) {
    throw new DatasetError(`not a readable CSV: ${(cause as Error).message}`);
  }
}

export function readCsvTable(text: string, options: CsvTableOptions): CsvTable {
  const header = options.header ?? true;
  if (!header && !options.columns) throw new DatasetError('dataset.columns is required when dataset.header is false: the file does not name its columns');
  const records = readRecords(text, options.delimiter ?? ',');
  if (records.length === 0) throw new DatasetError(`the CSV is empty: expected ${header ? 'a header line and ' : ''}data rows`);
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) throw new DatasetError('the CSV has a header but no data rows', 2);
  const namedBy = options.columns ? 'dataset.columns' : 'the header';
  const headerLine = header ? 1 : undefined;
  const names = options.columns ? [...options.columns] : records[0].record.map((name) => name.trim());

  // An unnamed column whose cells are all empty is what a trailing delimiter produces (pandas' "Unnamed: 32"):
  // it keeps its '' name and is ignored.
  names.forEach((name, c) => {
    if (name === '' && !rows.every(({ record }) => (record[c] ?? '').trim() === '')) {
      throw new DatasetError(`column ${c + 1} has no name in ${namedBy} but holds values`, headerLine);
    }
  });
  const seen = new Map<string, number>();
  names.forEach((name, c) => {
    if (name === '') return;
    if (seen.has(name)) throw new DatasetError(`duplicate column '${name}' (columns ${(seen.get(name) ?? 0) + 1} and ${c + 1})`, headerLine, name);
    seen.set(name, c);
  });

  const width = names.length;
  const trailingUnnamed = names[width - 1] === '';
  return {
    names,
    namedBy,
    rows: rows.map(({ record, info }) => {
      // A trailing delimiter on the header only (the tutorial's file) or on the rows only.
      const fits =
        record.length === width || (trailingUnnamed && record.length === width - 1) || (record.length === width + 1 && record[width].trim() === '');
      if (!fits) {
        throw new DatasetError(`line ${info.lines}: ${record.length} cells, but ${namedBy} ${namedBy === 'the header' ? 'has' : 'names'} ${trailingUnnamed ? width - 1 : width} columns`, info.lines);
      }
      return { cells: record.length === width ? record : record.length > width ? record.slice(0, width) : [...record, ''], line: info.lines };
    }),
  };
}
