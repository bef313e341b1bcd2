import { styleText } from 'node:util';
import Table from 'cli-table3';

/**
 * Colours on a terminal unless NO_COLOR is set to anything but the empty string (no-color.org) or
 * the terminal says it has none (TERM=dumb).
 */
export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}

type Style = Parameters<typeof styleText>[0];

/**
 * How the CLI writes for a person: on a terminal, symbols and (unless NO_COLOR) colours; piped
 * into a file or another program, the same words without either, so that scripts read plain text.
 */
export class Terminal {
  readonly tty: boolean;
  readonly color: boolean;

  constructor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env) {
    this.tty = stream.isTTY === true;
    this.color = colorEnabled(this.tty, env);
  }

  paint(style: Style, text: string): string {
    // The decision is this class's: styleText must not check process.stdout again (a different
    // stream from the one written to, or a TERM it reads otherwise, as on a CI runner).
    return this.color ? styleText(style, text, { validateStream: false }) : text;
  }

  private mark(symbol: string, style: Style, text: string): string {
    return this.tty ? `${this.paint(style, symbol)} ${text}` : text;
  }

  ok(text: string): string {
    return this.mark('✔', 'green', text);
  }

  fail(text: string): string {
    return this.mark('✖', 'red', text);
  }

  warn(text: string): string {
    return this.mark('⚠', 'yellow', text);
  }

  /** Columns aligned by cli-table3, without borders: `grep` and `awk` read it as well as people. */
  table(head: readonly string[], rows: readonly (readonly (string | number)[])[], options: { readonly rightAligned?: readonly number[] } = {}): string {
    const none = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' };
    const table = new Table({
      head: head.map((h) => this.paint('bold', h)),
      chars: none,
      style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
      colAligns: head.map((_, i) => (options.rightAligned?.includes(i) ? 'right' : 'left')),
    });
    for (const row of rows) table.push(row.map(String));
    // cli-table3 pads the last column too: trailing blanks help no reader.
    return `${table
      .toString()
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')}\n`;
  }
}

/** `1m 05s`, `42s`: how long is left, as a person reads it. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** `812 B`, `120.5 KiB`, `3.2 MiB`: a byte count as a person reads it (binary units, as `ls -lh`). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let k = 0;
  while (value >= 1024 && k < units.length - 1) {
    value /= 1024;
    k += 1;
  }
  return `${value.toFixed(1)} ${units[k]}`;
}

/** How a progress line writes its counts: `40/80 fits`, or `120.5 KiB/250.0 KiB` for bytes. */
export interface CountFormat {
  readonly unit: string;
  readonly count?: (n: number) => string;
}

/**
 * One line of a progress bar: `grid search [#####.....] 40/80 fits, 12s elapsed, ETA 18s`. The
 * estimate assumes the remaining steps take as long as the ones done so far, so none before the
 * first. With no known total (a download without Content-Length) there is no bar and no estimate:
 * `update 120.5 KiB read, 3s elapsed`.
 */
export function progressLine(label: string, done: number, total: number | null, elapsedMs: number, format: CountFormat | string, width = 30): string {
  const { unit, count = String } = typeof format === 'string' ? { unit: format } : format;
  const elapsed = `${formatDuration(elapsedMs)} elapsed`;
  const counted = (text: string) => (unit === '' ? text : `${text} ${unit}`);
  if (total === null) return `${label} ${counted(count(done))} read, ${elapsed}`;
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  const eta = done > 0 && done < total ? `, ETA ${formatDuration((elapsedMs / done) * (total - done))}` : '';
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${counted(`${count(done)}/${count(total)}`)}, ${elapsed}${eta}`;
}

export interface Progress {
  /** `total` null: not known (yet). */
  update(done: number, total: number | null): void;
  stop(): void;
}

/**
 * A progress bar redrawn in place on a terminal (stderr), at most every `intervalMs` (the last
 * state is drawn whatever the interval); nothing when the stream is not one.
 */
export function progressBar(stream: NodeJS.WriteStream, label: string, format: CountFormat | string, now: () => number = Date.now, intervalMs = 0): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = now();
  let drawnAt: number | null = null;
  return {
    update(done, total) {
      const at = now();
      if (drawnAt !== null && at - drawnAt < intervalMs && done !== total) return;
      drawnAt = at;
      stream.write(`\r\x1b[K${progressLine(label, done, total, at - started, format)}`);
    },
    stop() {
      if (drawnAt !== null) stream.write('\r\x1b[K');
    },
  };
}

/** What a listing command prints: the items as JSON with `--json`, else a sentence when there are none, else its table. */
export function writeList<T>(items: readonly T[], options: { readonly json?: boolean }, empty: string, table: (term: Terminal) => string, out: NodeJS.WriteStream = process.stdout): void {
  if (options.json) out.write(`${JSON.stringify(items, null, 2)}\n`);
  else if (items.length === 0) out.write(`${empty}\n`);
  else out.write(table(new Terminal(out)));
}
