import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Application } from '../app/application.js';
import { InvalidInputError, NotTrainedError } from '../app/errors.js';
import type { PredictOutcome } from '../app/predictions.js';
import { thresholdUsed } from '../app/predictions.js';
import type { InputProblem } from '../core/prediction-input.js';
import { progressBar, Terminal } from './terminal.js';

export interface CsvRows {
  readonly rows: Record<string, number | string | null>[];
  /** The file's line number of each row (the header is line 1), which every message names. */
  readonly lines: number[];
}

/**
 * Reads rows to predict from a CSV with a header. Columns are matched by name; the label column,
 * `dataset.drop` columns and an unnamed trailing column are ignored, so a data-set file works as is.
 * A cell in `naValues` is a missing value (imputed as at training); a number is a number; any
 * other text is a category (or, for a numeric feature, a problem the row check names).
 */
export function rowsFromCsv(text: string, ignore: ReadonlySet<string>, naValues: readonly string[] = []): CsvRows {
  const missing = new Set(naValues);
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (cause) {
    throw new InvalidInputError(`not a readable CSV: ${(cause as Error).message}`);
  }
  if (parsed.length < 2) throw new InvalidInputError('the CSV needs a header line and at least one row');
  const records = parsed.map((p) => p.record);
  const header = records[0].map((h) => h.trim());
  const keep = header.map((name) => name !== '' && !ignore.has(name));
  const rows = records.slice(1).map((cells) => {
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
  // csv-parse counts the line a record ends on: the record's own line unless a quoted cell spans lines.
  return { rows, lines: parsed.slice(1).map((p) => p.info.lines) };
}

/**
 * Predicts the rows in batches of `server.maxBatchRows` (the limit of one request), so that a
 * file of any length works, with a progress bar and an ETA on a terminal when there are several.
 * A problem names the file's line.
 */
function predictInBatches(app: Application, { rows, lines }: CsvRows, log: boolean, source: string): PredictOutcome {
  const batch = app.config.server.maxBatchRows;
  const bar = rows.length > batch ? progressBar(process.stderr, 'predict', 'rows') : { update: () => undefined, stop: () => undefined };
  const parts: PredictOutcome[] = [];
  try {
    for (let start = 0; start < rows.length; start += batch) {
      try {
        parts.push(app.predictions.predict(rows.slice(start, start + batch), { route: 'cli', log }));
      } catch (error) {
        const problems = error instanceof InvalidInputError ? (error.details as readonly InputProblem[] | undefined) : undefined;
        const first = problems?.[0];
        if (!first) throw error;
        const where = `${source}, line ${lines[start + first.row]}${first.feature ? `, feature ${JSON.stringify(first.feature)}` : ''}`;
        const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} in these ${Math.min(batch, rows.length - start)} rows)` : '';
        throw new InvalidInputError(`${where}: ${first.problem}${more}`, problems.map((p) => ({ ...p, line: lines[start + p.row] })), { cause: error });
      }
      bar.update(Math.min(start + batch, rows.length), rows.length);
    }
  } finally {
    bar.stop();
  }
  const { modelVersion, classes, decisionThreshold } = parts[0];
  return { modelVersion, classes, predictions: parts.flatMap((p) => p.predictions), ...(decisionThreshold ? { decisionThreshold } : {}) };
}

/** The input file's text; a file that cannot be read is the person's mistake, said in one line. */
function readInput(input: string | undefined): string {
  const file = input && input !== '-' ? input : undefined;
  // On a terminal, reading stdin looks like a hang: say what it waits for.
  if (file === undefined && process.stdin.isTTY) process.stderr.write('mloop: reading CSV rows from standard input (a header line, then rows; Ctrl-D ends them); give a file with --input FILE\n');
  let text: string;
  try {
    text = readFileSync(file ?? 0, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
    throw new InvalidInputError(`cannot read ${file === undefined ? 'standard input' : `input file ${file}`}: ${why}`, undefined, { cause });
  }
  if (file === undefined && text.trim() === '') throw new InvalidInputError('standard input held no CSV: give a file with --input FILE, or pipe one in (a header line naming the features, then one row a line)');
  return text;
}

export async function predictCommand(app: Application, options: { input?: string; format: 'csv' | 'json'; log?: boolean }): Promise<void> {
  const text = readInput(options.input);
  if (!app.registry.serving) throw new NotTrainedError('no model is active yet: run `mloop train` first');
  const ignore = new Set([app.config.dataset.label, ...app.config.dataset.drop]);
  const logged = options.log === true;
  const csv = rowsFromCsv(text, ignore, app.config.dataset.naValues);
  const predicted = predictInBatches(app, csv, logged, options.input && options.input !== '-' ? options.input : 'stdin');
  // An id that was not logged would name nothing: feedback could not refer to it.
  const outcome = logged ? predicted : { ...predicted, predictions: predicted.predictions.map(({ predictionId: _unlogged, ...p }) => p) };
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    return;
  }
  // Two classes: one decision column and the threshold the label was decided at (0: libsvm's
  // boundary), a column a script reads as it reads the others; more: one per class (scikit-learn's
  // ovr decision values), which no single threshold decides.
  const { classes } = outcome;
  const used = thresholdUsed(outcome);
  const decisionColumns = used ? ['decision', 'decision_threshold'] : classes.map((c) => `decision_${c}`);
  // One probability column per class when the model has probabilities (training.probability).
  const withProbabilities = outcome.predictions.length > 0 && outcome.predictions.every((p) => p.probabilities);
  const probabilityColumns = withProbabilities ? classes.map((c) => `probability_${c}`) : [];
  const lines = [['line', 'label', 'class_name', ...decisionColumns, ...probabilityColumns, 'imputed', 'unknown_categories', 'model_version', 'prediction_id', 'out_of_range'].map(csvCell).join(',')];
  outcome.predictions.forEach((p, i) => {
    const decisions = used ? [p.decision, used.threshold] : classes.map((c) => p.decisions?.[c]);
    const probabilities = withProbabilities ? classes.map((c) => p.probabilities?.[c]) : [];
    lines.push([csv.lines[i], p.label, p.className, ...decisions, ...probabilities, (p.imputed ?? []).join(';'), (p.unknownCategories ?? []).join(';'), outcome.modelVersion, 'predictionId' in p ? p.predictionId : '', (p.outOfRange ?? []).map((o) => o.feature).join(';')].map(csvCell).join(','));
  });
  process.stdout.write(`${lines.join('\n')}\n`);
  const beyond = outcome.predictions.filter((p) => p.outOfRange?.length).length;
  if (beyond > 0) {
    const term = new Terminal(process.stderr);
    process.stderr.write(`${term.warn(`${beyond} of ${outcome.predictions.length} rows have values far outside the training range (column out_of_range): the model extrapolates there`)}\n`);
  }
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
