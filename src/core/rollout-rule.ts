/**
 * Rollouts: a model that passed the promotion gate (the challenger) proves itself on live cases
 * beside the model that serves (the champion) before it replaces it. Both answer every case (one
 * of them off the response path), so once pathology confirms the diagnoses both are scored on the
 * same cases. This file is the rule, over tallies the store made: pure, no clock but the instants
 * it is given.
 */
import { metricsFromConfusionMatrix } from './classification-metrics.js';
import type { McNemarResult } from './stats/mcnemar.js';
import { mcnemarExact } from './stats/mcnemar.js';
import type { MonitoredMetric } from './monitored-metric.js';
import { metricName, monitoredValue, passesThreshold } from './monitored-metric.js';

/**
 * `immediate`: a model that passes the gate serves at once. `shadow`: the champion answers every
 * request, the challenger's answers are only logged. `canary`: the challenger answers
 * `rollout.canaryPercent` % of requests, the other model's answer is logged.
 */
export const rolloutStrategies = ['immediate', 'shadow', 'canary'] as const;
export type RolloutStrategy = (typeof rolloutStrategies)[number];

/** How a rollout ended: by the rule (promoted, rejected, expired), by a newer challenger, or by an admin. */
export const rolloutOutcomes = ['promoted', 'rejected', 'expired', 'replaced', 'aborted', 'forced'] as const;
export type RolloutOutcome = (typeof rolloutOutcomes)[number];

/** Shared confirmed cases with the same three labels, as the store tallies them. */
export interface PairedCount {
  readonly championLabel: string;
  readonly challengerLabel: string;
  readonly actual: string;
  readonly count: number;
}

/** One model on the shared cases. */
export interface SharedPerformance {
  readonly version: number;
  /** Rows are confirmed labels, columns the model's answers, both in `labels` order. */
  readonly confusionMatrix: readonly (readonly number[])[];
  /** The monitored metric (`monitor.metric`) on the shared cases; NaN before any is shared. */
  readonly value: number;
  readonly recall: number;
  readonly accuracy: number;
}

export interface RolloutScore {
  readonly labels: readonly string[];
  /** Confirmed cases both models answered. */
  readonly shared: number;
  /** Of them, those whose confirmed label is the positive class: the evidence behind recall. */
  readonly sharedPositives: number;
  readonly champion: SharedPerformance;
  readonly challenger: SharedPerformance;
  /**
   * The exact McNemar test of the paired outcomes on all shared cases: b cases only the champion
   * got right, c only the challenger. A small p says the two models' error rates differ.
   */
  readonly mcnemar: McNemarResult;
}

/** Both models' confusion matrices on the shared cases, and the McNemar test of their paired outcomes. */
export function scoreRollout(counts: readonly PairedCount[], labels: readonly string[], positive: string, metric: MonitoredMetric, versions: { readonly champion: number; readonly challenger: number }): RolloutScore {
  const index = new Map(labels.map((label, k) => [label, k]));
  const champion = labels.map(() => labels.map(() => 0));
  const challenger = labels.map(() => labels.map(() => 0));
  let shared = 0;
  let sharedPositives = 0;
  let onlyChampion = 0;
  let onlyChallenger = 0;
  for (const c of counts) {
    const actual = index.get(c.actual);
    const a = index.get(c.championLabel);
    const b = index.get(c.challengerLabel);
    // A label outside the models' classes cannot be scored; the feedback route refuses them anyway.
    if (actual === undefined || a === undefined || b === undefined || c.count === 0) continue;
    champion[actual][a] += c.count;
    challenger[actual][b] += c.count;
    shared += c.count;
    if (c.actual === positive) sharedPositives += c.count;
    if (a === actual && b !== actual) onlyChampion += c.count;
    else if (b === actual && a !== actual) onlyChallenger += c.count;
  }
  return {
    labels,
    shared,
    sharedPositives,
    champion: performance(versions.champion, champion, labels, positive, metric, shared),
    challenger: performance(versions.challenger, challenger, labels, positive, metric, shared),
    mcnemar: mcnemarExact(onlyChampion, onlyChallenger),
  };
}

function performance(version: number, cm: number[][], labels: readonly string[], positive: string, metric: MonitoredMetric, shared: number): SharedPerformance {
  if (shared === 0) return { version, confusionMatrix: cm, value: Number.NaN, recall: Number.NaN, accuracy: Number.NaN };
  const metrics = metricsFromConfusionMatrix(cm, labels, positive);
  return { version, confusionMatrix: cm, value: monitoredValue(metrics, metric), recall: metrics.recallPositive, accuracy: metrics.accuracy };
}

export interface RolloutRules {
  readonly metric: MonitoredMetric;
  readonly positive: string;
  /** `monitor.threshold`: the challenger must reach it on the shared cases. */
  readonly threshold: number;
  /** `monitor.maxRegression`: how far below the champion the challenger may be and still be promoted. */
  readonly maxRegression: number;
  /** `rollout.minCases`: shared confirmed positives needed before deciding. */
  readonly minCases: number;
  /** `rollout.maxDuration` in milliseconds, and as configured (for the words). */
  readonly maxDurationMs: number;
  readonly maxDuration: string;
}

export const rolloutDecisions = ['collecting', 'promote', 'reject', 'expire'] as const;
export type RolloutDecision = (typeof rolloutDecisions)[number];

export interface RolloutVerdict {
  /** `collecting` until enough shared positives (or until it expires). */
  readonly decision: RolloutDecision;
  /** The verdict in words, with both figures and the McNemar p-value. */
  readonly reason: string;
}

/**
 * Once `minCases` confirmed positives are shared, the challenger is promoted if its value reaches
 * the threshold and is not below the champion's by more than `maxRegression` (a tie promotes, as at
 * the gate: the newer model learnt from the newer data); otherwise it is rejected. Before that, a
 * rollout older than `maxDuration` expires without promotion.
 */
export function rolloutVerdict(score: RolloutScore, rules: RolloutRules, elapsedMs: number): RolloutVerdict {
  const name = metricName(rules.metric, rules.positive);
  const { champion, challenger } = score;
  const p = `exact McNemar p = ${formatP(score.mcnemar.pValue)} (${score.mcnemar.b} cases only v${champion.version} got right, ${score.mcnemar.c} only v${challenger.version})`;
  const cases = `${score.sharedPositives} confirmed positive of ${score.shared} shared cases`;
  if (score.sharedPositives < rules.minCases) {
    if (elapsedMs >= rules.maxDurationMs) {
      return { decision: 'expire', reason: `only ${cases} after ${rules.maxDuration} (rollout.maxDuration), ${rules.minCases} positives needed (rollout.minCases): v${challenger.version} is not promoted, v${champion.version} stays active` };
    }
    return { decision: 'collecting', reason: `${cases} so far, ${rules.minCases} positives needed (rollout.minCases)` };
  }
  const figures = `${name} of v${challenger.version} ${fixed(challenger.value)}, of champion v${champion.version} ${fixed(champion.value)} on the same ${cases}; ${p}`;
  if (!passesThreshold(challenger.value, rules.threshold)) {
    return { decision: 'reject', reason: `${figures}: v${challenger.version} is below the threshold ${rules.threshold}, rejected, v${champion.version} stays active` };
  }
  // Written so that a NaN on either side rejects.
  const notWorse = champion.value - challenger.value <= rules.maxRegression;
  if (!notWorse) {
    const by = rules.maxRegression === 0 ? 'below the champion' : `more than ${rules.maxRegression} (monitor.maxRegression) below the champion`;
    return { decision: 'reject', reason: `${figures}: v${challenger.version} is ${by}, rejected, v${champion.version} stays active` };
  }
  return { decision: 'promote', reason: `${figures}: v${challenger.version} is not worse than the champion and reaches the threshold ${rules.threshold}, promoted` };
}

/**
 * Whether a canary request goes to the challenger: `unit` is a uniform draw in [0, 1) (a random
 * number per request, or a stable hash of the case number), `percent` the share of requests.
 */
export function routesToChallenger(unit: number, percent: number): boolean {
  return unit * 100 < percent;
}

/**
 * A stable number in [0, 1) from a case number (FNV-1a, 32 bits): every replica and every restart
 * sends the same case to the same model.
 */
export function stableUnit(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche (murmur3's fmix32), so that ids differing in one digit spread over [0, 1).
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 2 ** 32;
}

function fixed(value: number): string {
  return value.toFixed(4);
}

function formatP(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(2);
}
