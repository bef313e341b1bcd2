import { InvalidInputError } from './errors.js';
import type { InputProblem } from '../core/prediction-input.js';

/**
 * An input error said again with the lines of the CSV the rows came from: a person opens the file
 * at a line (the header is line 1), not at a row counted from 0. `where` names the file or body
 * (`rows.csv, line 7`, `CSV line 7`); `lineOf` maps a row of the failed call to its line; `rows`
 * is how many rows that call had. Errors without problems per row are returned as they are.
 */
export function atLines(error: unknown, where: string, lineOf: (row: number) => number, rows: number): unknown {
  const problems = error instanceof InvalidInputError ? (error.details as readonly InputProblem[] | undefined) : undefined;
  const first = Array.isArray(problems) ? problems[0] : undefined;
  if (!problems || first === undefined) return error;
  const at = `${where} ${lineOf(first.row)}${first.feature ? `, feature ${JSON.stringify(first.feature)}` : ''}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} in these ${rows} rows)` : '';
  return new InvalidInputError(`${at}: ${first.problem}${more}`, problems.map((p) => ({ ...p, line: lineOf(p.row) })), { cause: error });
}
