/** Figures, ratios and targets of one run: the printed table and the JSON file. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Figure {
  readonly workload: string;
  readonly subject: string;
  readonly metric: string;
  /** The median of `runs`; null when it was not measured (`note` says why). */
  readonly value: number | null;
  readonly unit: string;
  readonly runs: readonly number[];
  readonly note?: string;
}

export interface Target {
  readonly id: string;
  readonly description: string;
  /** Median of the per-round ratios (each measured in the same round), or null. */
  readonly ratio: number | null;
  readonly goal: string;
  readonly met: boolean | null;
  readonly note?: string;
}

export class Report {
  readonly figures: Figure[] = [];
  readonly targets: Target[] = [];
  readonly notes: string[] = [];

  figure(workload: string, subject: string, metric: string, unit: string, runs: readonly number[], note?: string): number {
    const value = median(runs);
    this.figures.push({ workload, subject, metric, unit, runs, value: Number.isFinite(value) ? value : null, ...(note ? { note } : {}) });
    return value;
  }

  missing(workload: string, subject: string, metric: string, unit: string, note: string): void {
    this.figures.push({ workload, subject, metric, unit, runs: [], value: null, note });
  }

  /** `ratios` per round; `atLeast` true means ratio ≥ goal passes, false means ratio ≤ goal passes. */
  target(id: string, description: string, ratios: readonly number[] | null, goal: number, atLeast: boolean, note?: string): void {
    const ratio = ratios && ratios.length > 0 ? median(ratios) : null;
    const met = ratio === null || !Number.isFinite(ratio) ? null : atLeast ? ratio >= goal : ratio <= goal;
    this.targets.push({ id, description, ratio, goal: `${atLeast ? '≥' : '≤'} ${goal}`, met, ...(note ? { note } : {}) });
  }

  pending(id: string, description: string, goal: string, note: string): void {
    this.targets.push({ id, description, ratio: null, goal, met: null, note });
  }
}

function formatValue(value: number | null, unit: string): string {
  if (value === null) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderReport(report: Report): string {
  const out: string[] = [];
  let workload = '';
  const rows: string[][] = [];
  for (const f of report.figures) {
    rows.push([f.workload === workload ? '' : f.workload, f.subject, f.metric, formatValue(f.value, f.unit), f.runs.length > 0 ? `n=${f.runs.length}` : '', f.note ?? '']);
    workload = f.workload;
  }
  out.push(table(['workload', 'subject', 'metric', 'median', 'runs', 'note'], rows));
  out.push('');
  out.push(
    table(
      ['target', 'measured', 'goal', 'verdict', 'note'],
      report.targets.map((t) => [t.description, t.ratio === null ? '—' : `${t.ratio.toFixed(2)}×`, t.goal, t.met === null ? 'n/a' : t.met ? 'MET' : 'NOT MET', t.note ?? '']),
    ),
  );
  if (report.notes.length > 0) out.push('', ...report.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}
