/**
 * scikit-learn 1.2.1's `classification_report`: the text, byte for byte, and the
 * `output_dict=True` form, from metrics computed by classification-metrics.ts.
 */
import type { ClassificationMetrics, ClassScores } from './classification-metrics.js';

export interface ClassificationReportOptions {
  /** Decimal places of precision, recall and F1 (scikit-learn's `digits`, default 2). */
  readonly digits?: number;
  /** Row names in `metrics.labels` order; the labels themselves when absent. */
  readonly targetNames?: readonly string[];
}

export interface ReportScores {
  readonly precision: number;
  readonly recall: number;
  readonly 'f1-score': number;
  readonly support: number;
}

/** `classification_report(..., output_dict=True)`: keys are row names plus the average names. */
export type ClassificationReportDict = Readonly<Record<string, ReportScores | number>>;

export class ClassificationReportError extends Error {
  override readonly name = 'ClassificationReportError';
}

const HEADERS = ['precision', 'recall', 'f1-score', 'support'] as const;
const LONGEST_LAST_LINE_HEADING = 'weighted avg';

export function formatClassificationReport(
  metrics: ClassificationMetrics,
  options: ClassificationReportOptions = {},
): string {
  const digits = options.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new ClassificationReportError(`digits must be an integer from 0 to 20, got ${String(digits)}`);
  }
  const names = rowNames(metrics, options.targetNames);
  const width = Math.max(...names.map(textLength), LONGEST_LAST_LINE_HEADING.length, digits);

  const scoreRow = (name: string, s: ClassScores): string =>
    padStart(name, width) +
    ' ' +
    [s.precision, s.recall, s.f1].map((v) => ' ' + padStart(formatFixed(v, digits), 9)).join('') +
    ' ' +
    padStart(String(s.support), 9) +
    '\n';

  let report = padStart('', width) + ' ' + HEADERS.map((h) => ' ' + padStart(h, 9)).join('') + '\n\n';
  metrics.perClass.forEach((scores, k) => {
    report += scoreRow(names[k], scores);
  });
  report += '\n';
  if (metrics.microIsAccuracy) {
    // scikit-learn prints the micro F1 here, not the micro precision it stores as "accuracy".
    report +=
      padStart('accuracy', width) +
      ' ' +
      ' ' + padStart('', 9) +
      ' ' + padStart('', 9) +
      ' ' + padStart(formatFixed(metrics.microAvg.f1, digits), 9) +
      ' ' + padStart(String(metrics.microAvg.support), 9) +
      '\n';
  } else {
    report += scoreRow('micro avg', metrics.microAvg);
  }
  report += scoreRow('macro avg', metrics.macroAvg);
  report += scoreRow('weighted avg', metrics.weightedAvg);
  return report;
}

export function classificationReportDict(
  metrics: ClassificationMetrics,
  options: Pick<ClassificationReportOptions, 'targetNames'> = {},
): ClassificationReportDict {
  const names = rowNames(metrics, options.targetNames);
  const entry = (s: ClassScores): ReportScores => ({
    precision: s.precision,
    recall: s.recall,
    'f1-score': s.f1,
    support: s.support,
  });
  const out: Record<string, ReportScores | number> = {};
  metrics.perClass.forEach((scores, k) => {
    out[names[k]] = entry(scores);
  });
  if (metrics.microIsAccuracy) out.accuracy = metrics.accuracy;
  else out['micro avg'] = entry(metrics.microAvg);
  out['macro avg'] = entry(metrics.macroAvg);
  out['weighted avg'] = entry(metrics.weightedAvg);
  return out;
}

function rowNames(metrics: ClassificationMetrics, targetNames: readonly string[] | undefined): readonly string[] {
  if (targetNames === undefined) return metrics.labels;
  if (targetNames.length !== metrics.labels.length) {
    throw new ClassificationReportError(
      `Number of classes, ${metrics.labels.length}, does not match size of targetNames, ${targetNames.length}`,
    );
  }
  return targetNames;
}

/**
 * Python's `format(x, '.{digits}f')`. It rounds the exact binary value correctly, and an exact
 * tie (0.125 to 2 places) goes to the even digit ("0.12"); JavaScript's toFixed rounds such ties
 * away from zero ("0.13"), so ties are detected from the exact expansion and fixed.
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  if (abs >= 1e21) {
    throw new ClassificationReportError(`formatFixed supports |x| < 1e21, got ${x}`);
  }
  let text = abs.toFixed(digits);
  // toFixed(100) is exact for every double that can sit on a tie at <= 20 places.
  const exact = abs.toFixed(100);
  const point = exact.indexOf('.');
  const tail = exact.slice(point + 1 + digits);
  if (/^50*$/.test(tail)) {
    const truncated = exact.slice(0, digits === 0 ? point : point + 1 + digits);
    const lastDigit = Number(truncated[truncated.length - 1]);
    if (lastDigit % 2 === 0) text = truncated;
  }
  return sign + text;
}

/** Python pads by code points, not UTF-16 units. */
function textLength(s: string): number {
  return [...s].length;
}

function padStart(s: string, width: number): string {
  const missing = width - textLength(s);
  return missing > 0 ? ' '.repeat(missing) + s : s;
}
