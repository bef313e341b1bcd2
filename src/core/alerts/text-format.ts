/**
 * Numbers, times and prose laid out for people reading an alert: shared by the wording and by each
 * channel's layout.
 */

const MAX_ERROR_CHARS = 1000;

/**
 * Value and threshold with three decimals, or more when three would show them equal: `0.900 <
 * 0.9` would read as a contradiction to the person deciding whether to act.
 */
export function shownPair(value: number, threshold: number): readonly [string, string] {
  if (!Number.isFinite(value) || !Number.isFinite(threshold)) return [String(value), String(threshold)];
  for (let digits = 3; digits <= 17; digits++) {
    const pair = [trimZeros(value.toFixed(digits)), trimZeros(threshold.toFixed(digits))] as const;
    if (pair[0] !== pair[1] || value === threshold) return pair;
  }
  return [String(value), String(threshold)];
}

export function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

export function percent(text: string | undefined): string {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) return 'an unknown share';
  return `${trimZeros((value * 100).toFixed(1))}%`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function truncate(text: string): string {
  return text.length <= MAX_ERROR_CHARS ? text : `${text.slice(0, MAX_ERROR_CHARS)}…`;
}

/** Plain text wrapped at 78 columns, the width mail clients show without reflowing. */
export function wrap(text: string, columns = 78): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `a`, `a and b`, `a, b and c`. */
export function andList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `2024-05-01T12:00:00.000Z` → `2024-05-01 12:00:00 UTC`; any other text is shown as it is. */
export function readableTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match === null ? iso : `${match[1]} ${match[2]} UTC`;
}
