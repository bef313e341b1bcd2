import { parseDuration } from '../core/duration.js';
import type { Window } from '../store/prediction-log-reads.js';

/** A duration ('30d') means "since now minus it"; a number means "the last N". */
export function resolveWindow(spec: string | number, now: Date): Window {
  return typeof spec === 'number' ? { last: spec } : { since: new Date(now.getTime() - parseDuration(spec)) };
}

export function describeWindow(spec: string | number, what: string): string {
  return typeof spec === 'number' ? `last ${spec} ${what}` : `last ${spec}`;
}
