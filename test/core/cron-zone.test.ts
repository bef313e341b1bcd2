import { Cron } from 'croner';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';
import { cronZone } from '../../src/core/cron-zone.js';

const realDateTimeFormat = Intl.DateTimeFormat;
afterEach(() => {
  Intl.DateTimeFormat = realDateTimeFormat;
});

/** Counts the `Intl.DateTimeFormat`s constructed while `body` runs. */
function dateTimeFormatsDuring(body: () => void): number {
  let constructed = 0;
  Intl.DateTimeFormat = new Proxy(realDateTimeFormat, {
    construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      constructed++;
      return new target(...args);
    },
    apply(target, _this, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      constructed++;
      return target(...args);
    },
  });
  try {
    body();
  } finally {
    Intl.DateTimeFormat = realDateTimeFormat;
  }
  return constructed;
}

describe('the schedule in UTC, without ICU time zone data', () => {
  it('fires at the same instants as croner given timezone UTC', () => {
    const patterns = ['0 8 * * *', '5 8 * * *', '*/15 * * * *', '0 0 1 * *', '30 2 * * 0', '0 0 29 2 *', '15 10 * * 1-5'];
    fc.assert(
      fc.property(fc.constantFrom(...patterns), fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }), (pattern, t) => {
        const byOffset = new Cron(pattern, { ...cronZone('UTC'), paused: true }).nextRuns(3, new Date(t));
        const byZone = new Cron(pattern, { timezone: 'UTC', paused: true }).nextRuns(3, new Date(t));
        expect(byOffset.map((d) => d.toISOString())).toEqual(byZone.map((d) => d.toISOString()));
      }),
      { numRuns: 300 },
    );
  });

  it('reading the default configuration and computing next runs constructs no Intl.DateTimeFormat', () => {
    const made = dateTimeFormatsDuring(() => {
      const { schedule } = parseConfig({});
      new Cron(schedule.update ?? '', { ...cronZone(schedule.timezone), paused: true }).nextRun(new Date(Date.UTC(2026, 0, 1)));
    });
    expect(made).toBe(0);
  });

  it('another zone is still checked, and is croner’s timezone', () => {
    expect(dateTimeFormatsDuring(() => parseConfig({ schedule: { timezone: 'Europe/Paris' } }))).toBeGreaterThan(0);
    expect(() => parseConfig({ schedule: { timezone: 'Mars/Olympus' } })).toThrow(/schedule.timezone: unknown IANA time zone "Mars\/Olympus"/);
    expect(cronZone('Europe/Paris')).toEqual({ timezone: 'Europe/Paris' });
  });
});
