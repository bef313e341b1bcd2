import type { Clock } from '../../src/app/clock.js';

/** A clock the test moves by hand: schedules, repeats, retries and expiries are tested without waiting. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
