/** Durations as Prometheus and Alertmanager write them (`4h`, `30m`, `1h30m`), used by every time-valued configuration key. */

export class DurationError extends Error {
  override readonly name = 'DurationError';
  constructor(readonly input: string) {
    super(
      `invalid duration ${JSON.stringify(input)}: expected numbers with units from largest to smallest, ` +
        'each unit at most once, e.g. 4h, 30m, 90s, 1h30m, 2d (units: y w d h m s ms)',
    );
  }
}

const UNIT_MS = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
// Prometheus's duration syntax: units from largest to smallest, each at most once; `y` is 365 days.
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** `4h`, `30m`, `90s`, `1h30m`, `2d`, `500ms`, `0` → milliseconds; a DurationError otherwise. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const match = DURATION.exec(text);
  if (text === '' || match === null) throw new DurationError(text);
  const units = Object.values(UNIT_MS);
  const ms = match.slice(1).reduce((total, digits, i) => (digits === undefined ? total : total + Number(digits) * units[i]), 0);
  if (!Number.isSafeInteger(ms)) throw new DurationError(text);
  return ms;
}
