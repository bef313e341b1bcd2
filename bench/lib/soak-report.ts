/** The soak's samples, their table and the verdict. */
import type { WindowCounts } from './soak-traffic.js';

export interface Sample extends WindowCounts {
  readonly minute: number;
  readonly rssMiB: number;
  readonly heapMiB: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly droppedLogRows: number;
  readonly activeVersion: number;
}

const columns: readonly [string, (s: Sample) => string][] = [
  ['min', (s) => s.minute.toFixed(1)],
  ['RSS MiB', (s) => s.rssMiB.toFixed(1)],
  ['heap MiB', (s) => s.heapMiB.toFixed(1)],
  ['lag p99 ms', (s) => s.lagP99Ms.toFixed(1)],
  ['lag max ms', (s) => s.lagMaxMs.toFixed(1)],
  ['requests', (s) => String(s.requests)],
  ['errors', (s) => String(s.errors)],
  ['predict max ms', (s) => s.predictMaxMs.toFixed(0)],
  ['trainings', (s) => String(s.trainings)],
  ['promotions', (s) => String(s.promotions)],
  ['active v', (s) => String(s.activeVersion)],
  ['log dropped', (s) => String(s.droppedLogRows)],
];

export function renderSoakReport(samples: readonly Sample[], options: { header: boolean }): string {
  const widths = columns.map(([name]) => Math.max(name.length, 8));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padStart(widths[i])).join('  ');
  const lines = samples.map((s) => line(columns.map(([, value]) => value(s))));
  return (options.header ? [line(columns.map(([name]) => name)), ...lines] : lines).join('\n');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

export interface SoakVerdict {
  readonly pass: boolean;
  readonly text: string;
}

export function soakVerdict(
  samples: readonly Sample[],
  limits: { readonly maxRssSlopeMiBPerHour: number; readonly serverExited: boolean; readonly serverErrors: number },
): SoakVerdict {
  if (samples.length < 8) return { pass: false, text: `VERDICT: FAIL — only ${samples.length} samples (run longer than eight sample intervals)` };
  // The first quarter warms up (JIT, worker threads, the allocator's arenas, the log's first pages).
  // RSS jumps by tens of MiB with each training's worker threads, so a line fitted to a few points
  // is noise; the growth is judged on medians: the last quarter's against the second quarter's.
  const quarter = Math.floor(samples.length / 4);
  const second = samples.slice(quarter, 2 * quarter);
  const last = samples.slice(samples.length - quarter);
  const hours = (median(last.map((s) => s.minute)) - median(second.map((s) => s.minute))) / 60;
  const rssGrowth = (median(last.map((s) => s.rssMiB)) - median(second.map((s) => s.rssMiB))) / hours;
  const heapGrowth = (median(last.map((s) => s.heapMiB)) - median(second.map((s) => s.heapMiB))) / hours;
  const secondHalf = samples.slice(Math.floor(samples.length / 2));
  const rssSlope = slope(secondHalf.map((s) => ({ x: s.minute / 60, y: s.rssMiB })));
  const errors = samples.reduce((a, s) => a + s.errors, 0);
  const dropped = samples.at(-1)?.droppedLogRows ?? 0;
  const rss = samples.map((s) => s.rssMiB);
  const lagP99 = samples.map((s) => s.lagP99Ms).sort((a, b) => a - b);
  const problems = [
    rssGrowth > limits.maxRssSlopeMiBPerHour ? `RSS grows ${rssGrowth.toFixed(1)} MiB/h (median of the last quarter against the second; limit ${limits.maxRssSlopeMiBPerHour})` : '',
    errors > 0 ? `${errors} request errors` : '',
    dropped > 0 ? `${dropped} prediction log rows dropped` : '',
    limits.serverErrors > 0 ? `${limits.serverErrors} error lines in the server's log` : '',
    limits.serverExited ? 'the server exited' : '',
  ].filter(Boolean);
  const figures = [
    `RSS ${Math.min(...rss).toFixed(1)}–${Math.max(...rss).toFixed(1)} MiB; median ${median(second.map((s) => s.rssMiB)).toFixed(1)} MiB in the second quarter, ${median(last.map((s) => s.rssMiB)).toFixed(1)} MiB in the last: ${rssGrowth.toFixed(1)} MiB/h (heap ${heapGrowth.toFixed(1)} MiB/h; least-squares slope over the second half ${rssSlope.toFixed(1)} MiB/h)`,
    `event-loop delay p99 per sample: median ${lagP99[Math.floor(lagP99.length / 2)].toFixed(1)} ms, worst ${lagP99.at(-1)!.toFixed(1)} ms; worst max ${Math.max(...samples.map((s) => s.lagMaxMs)).toFixed(1)} ms`,
    `${samples.reduce((a, s) => a + s.requests, 0)} requests, ${errors} errors, ${samples.reduce((a, s) => a + s.trainings, 0)} trainings, ${samples.reduce((a, s) => a + s.promotions, 0)} promotions/rollbacks, ${dropped} log rows dropped`,
  ];
  return problems.length === 0
    ? { pass: true, text: `VERDICT: PASS — RSS flat, 0 errors\n  ${figures.join('\n  ')}` }
    : { pass: false, text: `VERDICT: FAIL — ${problems.join('; ')}\n  ${figures.join('\n  ')}` };
}
