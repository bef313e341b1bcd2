import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Application } from '../app/application.js';
import { InvalidInputError, NotTrainedError } from '../app/errors.js';

/**
 * Reads rows to predict from a CSV with a header. Columns are matched by name; the label column,
 * `dataset.drop` columns and an unnamed trailing column are ignored, so a data-set file works as is.
 */
export function rowsFromCsv(text: string, ignore: ReadonlySet<string>): Record<string, number | string>[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (cause) {
    throw new InvalidInputError(`not a readable CSV: ${(cause as Error).message}`);
  }
  if (records.length < 2) throw new InvalidInputError('the CSV needs a header line and at least one row');
  const header = records[0].map((h) => h.trim());
  const keep = header.map((name) => name !== '' && !ignore.has(name));
  return records.slice(1).map((cells, r) => {
    const row: Record<string, number | string> = {};
    header.forEach((name, c) => {
      if (!keep[c]) return;
      const cell = (cells[c] ?? '').trim();
      const value = Number(cell);
      // Non-numbers are passed on as strings so the validation names the row and column.
      row[name] = cell !== '' && Number.isFinite(value) ? value : cell;
      if (cell === '') throw new InvalidInputError(`line ${r + 2}, column '${name}': empty cell (expected a number)`);
    });
    return row;
  });
}

export async function predictCommand(app: Application, options: { input?: string; format: 'csv' | 'json' }): Promise<void> {
  const text = readFileSync(options.input && options.input !== '-' ? options.input : 0, 'utf8');
  if (!app.registry.serving) throw new NotTrainedError('no model is active yet: run `mloop train` first');
  const ignore = new Set([app.config.dataset.label, ...app.config.dataset.drop]);
  const outcome = app.predictions.predict(rowsFromCsv(text, ignore), { route: 'cli' });
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    return;
  }
  const lines = ['row,label,class_name,decision,model_version,prediction_id'];
  outcome.predictions.forEach((p, i) => lines.push([i + 1, p.label, p.className, p.decision, outcome.modelVersion, p.predictionId].join(',')));
  process.stdout.write(`${lines.join('\n')}\n`);
}
