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

/**
 * One line of a progress bar: `grid search [#####.....] 40/80 fits, 12s elapsed, ETA 18s`. The
 * estimate assumes the remaining steps take as long as the ones done so far, so none before the first.
 */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, unit: string, width = 30): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  const eta = done > 0 && done < total ? `, ETA ${formatDuration((elapsedMs / done) * (total - done))}` : '';
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${unit}, ${formatDuration(elapsedMs)} elapsed${eta}`;
}

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar redrawn in place on a terminal (stderr); nothing when the stream is not one. */
export function progressBar(stream: NodeJS.WriteStream, label: string, unit: string, now: () => number = Date.now): Progress {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = now();
  let drawn = false;
  return {
    update(done, total) {
      drawn = true;
      stream.write(`\r\x1b[K${progressLine(label, done, total, now() - started, unit)}`);
    },
    stop() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
