/**
 * The promotion gate: whether a newly trained version (the candidate) may replace the version that
 * serves (the champion). A pure function of two measurements taken on the same held-out rows, so
 * that "better" means better on the same cases and not on an easier test split.
 */
import type { MonitoredMetric } from './monitored-metric.js';
import type { RolloutStrategy } from './rollout-rule.js';
import { metricName, passesThreshold } from './monitored-metric.js';

/** The gate's verdict on a version, kept with it for good (whatever later serves). */
export const gateVerdicts = ['passed', 'rejected'] as const;
export type GateVerdict = (typeof gateVerdicts)[number];

/** The candidate's monitored metric on its own held-out test rows. */
export interface CandidateMeasure {
  readonly metric: MonitoredMetric;
  readonly value: number;
  readonly threshold: number;
  /** How many held-out rows the value was measured on (the champion is measured on the same). */
  readonly rows: number;
}

/** The champion measured on the candidate's held-out rows, or why it could not be. */
export type ChampionMeasure =
  | {
      readonly version: number;
      readonly value: number;
      /**
       * The champion was trained on other data (an earlier snapshot) than the candidate's, so some
       * of these held-out rows may have been among its training rows: it is then measured on rows
       * it may have seen, which favours it. The gate errs on the safe side and says so.
       */
      readonly trainedOnOtherData: boolean;
      /** The snapshot the champion was trained on, named when `trainedOnOtherData`. */
      readonly snapshotId?: number;
    }
  | {
      readonly version: number;
      /** Why the champion cannot predict these rows (say, a feature it needs is gone). */
      readonly unmeasurable: string;
    };

export interface GateRules {
  /** `monitor.maxRegression`: how far below the champion the candidate may be and still pass. */
  readonly maxRegression: number;
  /** `monitor.serveBelowThreshold`: a first model below the threshold serves anyway. */
  readonly serveBelowThreshold: boolean;
  /** The positive class (`M`), named in the metric's words. */
  readonly positive: string;
  /**
   * `rollout.strategy`: with `shadow` or `canary`, a candidate that passes against a champion does
   * not replace it at once but becomes the rollout's challenger (default `immediate`).
   */
  readonly rollout?: RolloutStrategy;
}

export interface GateDecision {
  readonly verdict: GateVerdict;
  /** The candidate serves from now on. */
  readonly serve: boolean;
  /**
   * Why it serves: it is the first model, or it passed against the champion; `rollout` when it
   * passed against the champion and becomes the challenger of a rollout instead (it does not serve
   * yet); null when it does not serve.
   */
  readonly activation: 'first' | 'gate' | 'rollout' | null;
  /** The decision in words, kept with the version; null when a first model simply passed. */
  readonly reason: string | null;
  /** The measurement alone (`recall of M 0.9167 < champion v1's 0.9792 on the same 114 rows`), for alerts and the audit log. */
  readonly measured: string;
}

/**
 * A candidate passes if its monitored metric reaches the threshold and, when a model serves, is
 * not below the champion's on the same rows by more than `maxRegression`. A tie passes: the newer
 * model learnt from the newer data. With no champion, a candidate that reaches the threshold serves
 * at once; one that does not serves only with `serveBelowThreshold` (and is rejected all the same).
 * A champion that cannot be measured on the candidate's rows gives no evidence that the candidate
 * is not worse, so the candidate is rejected: an admin may still promote it, with force.
 */
export function promotionGate(candidate: CandidateMeasure, champion: ChampionMeasure | null, rules: GateRules): GateDecision {
  const name = metricName(candidate.metric, rules.positive);
  const belowThreshold = `${name} ${fixed(candidate.value)} is below the threshold ${candidate.threshold}`;
  const reachesThreshold = passesThreshold(candidate.value, candidate.threshold);
  if (champion === null) {
    if (reachesThreshold) return { verdict: 'passed', serve: true, activation: 'first', reason: null, measured: `${name} ${fixed(candidate.value)} reaches the threshold ${candidate.threshold}` };
    if (rules.serveBelowThreshold) {
      return { verdict: 'rejected', serve: true, activation: 'first', reason: `${belowThreshold}, but no model was active: it serves until a better one passes the gate (monitor.serveBelowThreshold)`, measured: belowThreshold };
    }
    return {
      verdict: 'rejected',
      serve: false,
      activation: null,
      reason: `${belowThreshold}: rejected by the promotion gate; no model serves until one passes the gate or an admin promotes one with force (monitor.serveBelowThreshold is false)`,
      measured: belowThreshold,
    };
  }
  const stays = `rejected by the promotion gate, v${champion.version} stays active`;
  if (!reachesThreshold) return { verdict: 'rejected', serve: false, activation: null, reason: `${belowThreshold}: ${stays}`, measured: belowThreshold };
  if ('unmeasurable' in champion) {
    const measured = `${name} ${fixed(candidate.value)} reaches the threshold ${candidate.threshold}, but champion v${champion.version} cannot be measured on the same rows (${champion.unmeasurable})`;
    return { verdict: 'rejected', serve: false, activation: null, reason: `${measured}: ${stays}`, measured };
  }
  const drop = champion.value - candidate.value;
  // Written so that a NaN on either side rejects: no comparison, no promotion.
  const notWorse = drop <= rules.maxRegression;
  const measured = `${name} ${comparison(candidate, champion, notWorse, rules.maxRegression)} on the same ${candidate.rows} rows`;
  const caveat = champion.trainedOnOtherData
    ? `; v${champion.version} was trained on ${champion.snapshotId === undefined ? 'other data' : `snapshot ${champion.snapshotId}`}, which may hold some of these rows, so the comparison favours v${champion.version}`
    : '';
  const rollout = rules.rollout ?? 'immediate';
  if (notWorse && rollout !== 'immediate') {
    return { verdict: 'passed', serve: false, activation: 'rollout', reason: `${measured}${caveat}: passed the promotion gate, it becomes the challenger of v${champion.version} (${rollout} rollout)`, measured };
  }
  if (notWorse) return { verdict: 'passed', serve: true, activation: 'gate', reason: `${measured}${caveat}: passed the promotion gate, it replaces v${champion.version}`, measured };
  return { verdict: 'rejected', serve: false, activation: null, reason: `${measured}${caveat}: ${stays}`, measured };
}

/** `0.9167 < champion v1's 0.9792`, or with the allowed drop spelled out when the candidate is below but within it. */
function comparison(candidate: CandidateMeasure, champion: { readonly version: number; readonly value: number }, notWorse: boolean, maxRegression: number): string {
  const [mine, theirs] = distinct(candidate.value, champion.value);
  const of = `champion v${champion.version}'s ${theirs}`;
  if (candidate.value >= champion.value) return `${mine} >= ${of}`;
  const allowed = `${maxRegression} (monitor.maxRegression)`;
  if (notWorse) return `${mine} is within ${allowed} of ${of}`;
  return maxRegression === 0 ? `${mine} < ${of}` : `${mine} is more than ${allowed} below ${of}`;
}

function fixed(value: number): string {
  return value.toFixed(4);
}

/** Both values with four decimals, or as many more as it takes for unequal values not to print alike. */
function distinct(a: number, b: number): readonly [string, string] {
  for (let digits = 4; digits <= 17; digits++) {
    const pair = [a.toFixed(digits), b.toFixed(digits)] as const;
    if (pair[0] !== pair[1] || a === b || Number.isNaN(a) || Number.isNaN(b)) return pair;
  }
  return [String(a), String(b)];
}
