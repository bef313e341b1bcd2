import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Application } from '../app/application.js';
import { InvalidInputError, NotTrainedError } from '../app/errors.js';

/**
 * Reads rows to predict from a CSV with a header. Columns are matched by name; the label column,
 * `dataset.drop` columns and an unnamed trailing column are ignored, so a data-set file works as is.
 * A cell in `naValues` is a missing value (imputed as at training); a number is a number; any
 * other text is a category (or, for a numeric feature, a problem the row check names).
 */
export function rowsFromCsv(text: string, ignore: ReadonlySet<string>, naValues: readonly string[] = []): Record<string, number | string | null>[] {
  const missing = new Set(naValues);
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (cause) {
    throw new InvalidInputError(`not a readable CSV: ${(cause as Error).message}`);
  }
  if (records.length < 2) throw new InvalidInputError('the CSV needs a header line and at least one row');
  const header = records[0].map((h) => h.trim());
  const keep = header.map((name) => name !== '' && !ignore.has(name));
  return records.slice(1).map((cells) => {
    const row: Record<string, number | string | null> = {};
    header.forEach((name, c) => {
      if (!keep[c]) return;
      const cell = (cells[c] ?? '').trim();
      const value = Number(cell);
      // Non-numbers are passed on as strings: a category, or a problem the row check names.
      row[name] = missing.has(cell) || cell === '' ? null : Number.isFinite(value) ? value : cell;
    });
    return row;
  });
}

/** The input file's text; a file that cannot be read is the person's mistake, said in one line. */
function readInput(input: string | undefined): string {
  const file = input && input !== '-' ? input : undefined;
  try {
    return readFileSync(file ?? 0, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
    throw new InvalidInputError(`cannot read ${file === undefined ? 'standard input' : `input file ${file}`}: ${why}`, undefined, { cause });
  }
}

export async function predictCommand(app: Application, options: { input?: string; format: 'csv' | 'json'; log?: boolean }): Promise<void> {
  const text = readInput(options.input);
  if (!app.registry.serving) throw new NotTrainedError('no model is active yet: run `mloop train` first');
  const ignore = new Set([app.config.dataset.label, ...app.config.dataset.drop]);
  const logged = options.log === true;
  const predicted = app.predictions.predict(rowsFromCsv(text, ignore, app.config.dataset.naValues), { route: 'cli', log: logged });
  // An id that was not logged would name nothing: feedback could not refer to it.
  const outcome = logged ? predicted : { ...predicted, predictions: predicted.predictions.map(({ predictionId: _unlogged, ...p }) => p) };
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    return;
  }
  // Two classes: one decision column; more: one per class (scikit-learn's ovr decision values).
  const { classes } = outcome;
  const decisionColumns = classes.length === 2 ? ['decision'] : classes.map((c) => `decision_${c}`);
  const lines = [['row', 'label', 'class_name', ...decisionColumns, 'imputed', 'unknown_categories', 'model_version', 'prediction_id'].map(csvCell).join(',')];
  outcome.predictions.forEach((p, i) => {
    const decisions = classes.length === 2 ? [p.decision] : classes.map((c) => p.decisions?.[c]);
    lines.push([i + 1, p.label, p.className, ...decisions, (p.imputed ?? []).join(';'), (p.unknownCategories ?? []).join(';'), outcome.modelVersion, 'predictionId' in p ? p.predictionId : ''].map(csvCell).join(','));
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
