/**
 * How croner is told the schedule's time zone. UTC, the default, is a fixed offset of 0: croner
 * then works on the UTC date fields alone, the same instants as with `timezone: 'UTC'`, without an
 * `Intl.DateTimeFormat`, whose first construction loads ICU's time zone data (80–100 ms of a
 * server's start, on the way to its first answer). Any other zone is croner's `timezone`.
 */
export function cronZone(timezone: string): { readonly timezone: string } | { readonly utcOffset: 0 } {
  return timezone === 'UTC' ? { utcOffset: 0 } : { timezone };
}
