/**
 * The alert vocabulary, modelled on Prometheus Alertmanager: labels identify an alert (and give its
 * fingerprint), annotations describe it and may change from one evaluation to the next. Both are
 * string maps, as in Alertmanager, so they pass unchanged into the webhook payload and the store.
 *
 * Times are ISO-8601 UTC strings in `Date#toISOString()` form (`2024-05-01T12:00:00.000Z`), the
 * form the store writes, so that text order is time order.
 */

import type { MonitoredMetric } from '../monitored-metric.js';
import { liveJudged, passesThreshold } from '../monitored-metric.js';
import type { JobKind } from '../schedule-policy.js';

/** Every alert name, for code that iterates them (a store query, a repeat pass); the type follows it. */
export const ALERT_NAMES = ['recall_below_threshold', 'model_rejected', 'job_failed', 'live_recall_below_threshold', 'data_drift', 'data_source_stale', 'prediction_log_dropped'] as const;

export type AlertName = (typeof ALERT_NAMES)[number];

export function isAlertName(text: string): text is AlertName {
  return (ALERT_NAMES as readonly string[]).includes(text);
}

/**
 * Alerts that report an event rather than a condition: each fires once (it is notified when it
 * starts and never repeated) and resolves by its own rule, as Alertmanager users model events.
 */
export const EVENT_ALERT_NAMES = ['model_rejected', 'prediction_log_dropped'] as const satisfies readonly AlertName[];

export function isEventAlert(name: AlertName): boolean {
  return (EVENT_ALERT_NAMES as readonly AlertName[]).includes(name);
}

/** Identifying labels. `alertname` is always present in stored states and equals the alert's name. */
export type AlertLabels = Readonly<Record<string, string>>;

/** Descriptive values (metric value, model version, error text): never part of the identity. */
export type AlertAnnotations = Readonly<Record<string, string>>;

export const alertStatuses = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

/** What one rule evaluation says about one label set. */
export interface AlertCondition {
  readonly name: AlertName;
  /** Labels besides `alertname`, which the lifecycle adds from `name`. */
  readonly labels: AlertLabels;
  readonly annotations: AlertAnnotations;
  readonly active: boolean;
}

/** The stored state of one alert, one per fingerprint. */
export interface AlertState {
  readonly fingerprint: string;
  readonly name: AlertName;
  readonly labels: AlertLabels;
  readonly annotations: AlertAnnotations;
  readonly status: AlertStatus;
  readonly startsAt: string;
  /** When it resolved; null while firing. */
  readonly endsAt: string | null;
  /** When a notification was last queued for it; null if never. */
  readonly lastNotifiedAt: string | null;
}

export type NotificationReason = 'new' | 'repeat' | 'resolved';

/** One notice to send on every channel; `alert` is the state right after the evaluation. */
export interface Notification {
  readonly fingerprint: string;
  readonly status: AlertStatus;
  readonly alert: AlertState;
  readonly reason: NotificationReason;
}

/*
 * Condition builders. They fix each alert's label set and annotation keys in one place, because the
 * messages read those keys back and the fingerprint depends on the labels: a value put in a label
 * by mistake would turn every new value into a new alert.
 */


export interface RecallCheck {
  readonly metric: MonitoredMetric;
  readonly value: number;
  readonly threshold: number;
  readonly modelVersion: number;
  readonly snapshotId: number;
  /** The positive class label (`M`), named in messages about plain recall. */
  readonly positiveClass?: string;
}

/**
 * Active unless the value reaches the threshold. A NaN value fires: it cannot show that the model
 * still finds the positive cases.
 */
export function recallCondition(check: RecallCheck): AlertCondition {
  return {
    name: 'recall_below_threshold',
    labels: { metric: check.metric },
    annotations: {
      value: String(check.value),
      threshold: String(check.threshold),
      model_version: String(check.modelVersion),
      snapshot_id: String(check.snapshotId),
      ...(check.positiveClass === undefined ? {} : { positive_class: check.positiveClass }),
    },
    active: !passesThreshold(check.value, check.threshold),
  };
}

export interface ModelRejection {
  readonly modelVersion: number;
  /** The promotion gate's reason, in words (`recall 0.85 is below the threshold 0.9`). */
  readonly reason: string;
  readonly snapshotId?: number;
  /** The version that keeps serving, if any. */
  readonly activeVersion?: number | null;
  /** The rollout whose live cases rejected it (or that ran out of time); absent for the gate's rejections. */
  readonly rolloutId?: number;
}

/**
 * A rejection is an event: one alert per rejected version (the version is a label), so a second
 * rejection is notified as such and not folded into the first. It fires once, is never repeated,
 * and resolves by `closeRejections`.
 */
export function modelRejectedCondition(rejection: ModelRejection): AlertCondition {
  return {
    name: 'model_rejected',
    labels: { model_version: String(rejection.modelVersion) },
    annotations: {
      model_version: String(rejection.modelVersion),
      reason: rejection.reason,
      ...(rejection.snapshotId === undefined ? {} : { snapshot_id: String(rejection.snapshotId) }),
      ...(rejection.activeVersion === undefined || rejection.activeVersion === null ? {} : { active_version: String(rejection.activeVersion) }),
      ...(rejection.rolloutId === undefined ? {} : { rollout_id: String(rejection.rolloutId) }),
    },
    active: true,
  };
}

/**
 * How a rejection closes: a later training passed the gate (`passed_gate`) or was rejected too
 * (`superseded`: that one is its own alert now), an admin promoted a version (`promoted`), or it
 * fired `alerts.eventTtl` ago (`expired`).
 */
export const rejectionResolutions = ['passed_gate', 'superseded', 'promoted', 'expired'] as const;
export type RejectionResolution = (typeof rejectionResolutions)[number];

/**
 * Inactive conditions that close every firing rejection among `states`, saying how and, but for
 * `expired`, because of which version. Their annotations keep the rejection's own (which version,
 * why) so that the resolved notice still names it.
 */
export function closeRejections(states: readonly AlertState[], how: RejectionResolution, byVersion?: number): AlertCondition[] {
  return states
    .filter((s) => s.name === 'model_rejected' && s.status === 'firing')
    .map((s): AlertCondition => {
      const { alertname: _name, ...labels } = s.labels;
      const by: AlertAnnotations = byVersion === undefined ? {} : { resolved_by_version: String(byVersion) };
      return { name: 'model_rejected', labels, annotations: { ...s.annotations, resolution: how, ...by }, active: false };
    });
}

export interface JobFailure {
  readonly job: JobKind;
  readonly error: string;
  readonly attempts: number;
  readonly runId?: number;
}

export function jobFailedCondition(failure: JobFailure): AlertCondition {
  return {
    name: 'job_failed',
    labels: { job: failure.job },
    annotations: {
      error: failure.error,
      attempts: String(failure.attempts),
      ...(failure.runId === undefined ? {} : { run_id: String(failure.runId) }),
    },
    active: true,
  };
}

export function jobSucceededCondition(success: { readonly job: JobKind; readonly runId?: number }): AlertCondition {
  return {
    name: 'job_failed',
    labels: { job: success.job },
    annotations: success.runId === undefined ? {} : { run_id: String(success.runId) },
    active: false,
  };
}

/** How current the data source is: see `sourceFreshness` (core/source-freshness.ts). */
export interface SourceFreshnessCheck {
  readonly stale: boolean;
  /** When the last successful update ended, or null if none has succeeded yet. */
  readonly lastSuccessAt: string | null;
  /** With no success yet: when the first update was asked for, which staleness counts from. */
  readonly firstAttemptAt?: string | null;
  /** From when the source counts as stale; null when nothing is expected of it. */
  readonly staleAfter: string | null;
  /** What is expected, in words: `at least one success every 2d (monitor.sourceStaleAfter)`. */
  readonly expected: string | null;
  /** The error of the latest update attempt, when that attempt failed. */
  readonly lastError?: string | null;
}

/**
 * One alert for the data source (no labels), whatever triggers the updates: a failed update by
 * hand raises nothing of its own (its caller saw the error), but a source that stays broken for
 * longer than the configuration expects fires this. The source's address is deliberately not in
 * it: a URL may carry a token.
 */
export function dataSourceStaleCondition(check: SourceFreshnessCheck): AlertCondition {
  const optional = (key: string, value: string | null | undefined) => (value === null || value === undefined ? {} : { [key]: value });
  return {
    name: 'data_source_stale',
    labels: {},
    annotations: {
      ...optional('last_success_at', check.lastSuccessAt),
      ...optional('first_attempt_at', check.lastSuccessAt === null ? check.firstAttemptAt : null),
      ...optional('stale_after', check.staleAfter),
      ...optional('expected', check.expected),
      ...optional('last_error', check.lastError),
    },
    active: check.stale,
  };
}

/** Prediction log rows the store refused, even retried and alone (app/prediction-log.ts). */
export interface PredictionLogDrop {
  /** Rows dropped by this write. */
  readonly dropped: number;
  /** Rows dropped by this process since it started (the metric mloop_prediction_log_dropped_total). */
  readonly totalDropped: number;
  /** Rows of the same batch that were written. */
  readonly kept: number;
  /** Prediction ids of some of the dropped rows. */
  readonly ids: readonly string[];
  /** Why the store refused the first of them. */
  readonly error: string;
  /** The process that answered them (host:pid): the counter is per process. */
  readonly process: string;
}

/**
 * An event, one alert whatever the process: predictions were answered whose log rows are lost, so
 * feedback, live performance and drift will miss them. It fires once, keeps its latest figures
 * while firing, and closes after `alerts.eventTtl`; a drop after that fires it again.
 */
export function predictionLogDroppedCondition(drop: PredictionLogDrop): AlertCondition {
  return {
    name: 'prediction_log_dropped',
    labels: {},
    annotations: {
      dropped: String(drop.dropped),
      total_dropped: String(drop.totalDropped),
      kept: String(drop.kept),
      ids: drop.ids.join(' '),
      error: drop.error,
      process: drop.process,
    },
    active: true,
  };
}

/**
 * Recall in production: measured on the predictions whose true diagnosis was confirmed later (by
 * pathology), for the model version in service, over a rolling window.
 */
export interface LiveRecallCheck {
  readonly metric: MonitoredMetric;
  /** NaN when the window holds no confirmed case to measure on. */
  readonly value: number;
  readonly threshold: number;
  readonly modelVersion: number;
  /** Confirmed cases of the positive class in the window: the evidence recall rests on. */
  readonly confirmedPositives: number;
  /** `monitor.minCases`: below this many confirmed positive cases the value is not judged. */
  readonly minCases: number;
  /** The window in words, as the check counted it: `last 30 days`, `last 200 confirmed cases`. */
  readonly window: string;
  /** The positive class label (`M`). */
  readonly positiveClass?: string;
  /** Its name in words (`malignant`), for readers who do not know the labels. */
  readonly positiveClassName?: string;
}

/** Why a live recall check is clear: recall reaches the threshold, or too few cases to judge. */
export type LiveRecallResolution = 'recovered' | 'too_few_cases';

/**
 * Active when there are at least `minCases` confirmed positive cases and the value does not reach
 * the threshold (a NaN value fires, as in `recallCondition`). With fewer cases the condition is
 * inactive, because a handful of cases cannot tell a weak model from bad luck; so a firing alert
 * then resolves, with `resolution: too_few_cases`, as "not enough confirmed cases to judge". That
 * is what happens when a new version starts serving: its window starts empty. The version is an
 * annotation, not a label, so that a new version continues (or resolves) the same alert rather than
 * firing a second one next to a stale one.
 */
export function liveRecallCondition(check: LiveRecallCheck): AlertCondition {
  const enoughCases = liveJudged(check.confirmedPositives, check.minCases);
  const active = enoughCases && !passesThreshold(check.value, check.threshold);
  const resolution: LiveRecallResolution = enoughCases ? 'recovered' : 'too_few_cases';
  return {
    name: 'live_recall_below_threshold',
    labels: { metric: check.metric },
    annotations: {
      value: String(check.value),
      threshold: String(check.threshold),
      model_version: String(check.modelVersion),
      confirmed_positives: String(check.confirmedPositives),
      min_cases: String(check.minCases),
      window: check.window,
      ...(check.positiveClass === undefined ? {} : { positive_class: check.positiveClass }),
      ...(check.positiveClassName === undefined ? {} : { positive_class_name: check.positiveClassName }),
      // Only a clear condition says how it cleared: the resolved notice reads it.
      ...(active ? {} : { resolution }),
    },
    active,
  };
}

/** One feature whose recent values differ from the training data. */
export interface DriftedFeature {
  readonly feature: string;
  /** The two-sample KS test's p-value after the Bonferroni correction for the number of features. */
  readonly pAdjusted: number;
  /** Population stability index of the recent values against the training values. */
  readonly psi: number;
}

export interface DriftCheck {
  /** Drifted features over all features, 0 to 1. */
  readonly driftedShare: number;
  /** `monitor.driftShare`: the share of drifted features above which the alert fires. */
  readonly driftShare: number;
  readonly driftedFeatures: readonly string[];
  readonly nFeatures: number;
  /** Recent rows compared with the training data. */
  readonly nRecent: number;
  /** The recent rows in words, as the check chose them: `last 30 days`, `last 200 predictions`. */
  readonly window: string;
  /** The model whose training data is the reference. */
  readonly modelVersion: number;
  /** The most drifted features, most drifted first; the first five are kept. */
  readonly topFeatures?: readonly DriftedFeature[];
  /** The KS test's significance level after correction; 0.05 unless the check used another. */
  readonly alpha?: number;
  /** The PSI from which the check calls a shift major, so the messages can say what a PSI means. */
  readonly psiMajor?: number;
}

/** Drifted feature names kept in the `drifted_features` annotation before "and N more". */
export const MAX_LISTED_FEATURES = 10;
/** Entries kept in the `top_features` annotation. */
export const MAX_TOP_FEATURES = 5;

/**
 * One alert for the whole input (no labels): which features drift changes from one check to the
 * next, and a label per feature would turn a slowly spreading drift into a storm of alerts. Active
 * when the drifted share exceeds `driftShare`; a NaN share (no features or no recent rows) does
 * not fire, as there is nothing to compare.
 *
 * `top_features` is JSON (`[{"feature":…,"p_adjusted":…,"psi":…}]`): a webhook receiver can read
 * it, and the messages word it.
 */
export function driftCondition(check: DriftCheck): AlertCondition {
  const top = (check.topFeatures ?? []).slice(0, MAX_TOP_FEATURES).map((f) => ({ feature: f.feature, p_adjusted: f.pAdjusted, psi: f.psi }));
  return {
    name: 'data_drift',
    labels: {},
    annotations: {
      drifted_share: String(check.driftedShare),
      drift_share: String(check.driftShare),
      drifted_count: String(check.driftedFeatures.length),
      n_features: String(check.nFeatures),
      n_recent: String(check.nRecent),
      window: check.window,
      model_version: String(check.modelVersion),
      drifted_features: featureList(check.driftedFeatures),
      alpha: String(check.alpha ?? 0.05),
      ...(check.psiMajor === undefined ? {} : { psi_major: String(check.psiMajor) }),
      ...(top.length === 0 ? {} : { top_features: JSON.stringify(top) }),
    },
    active: check.driftedShare > check.driftShare,
  };
}

/** `a, b, c`, or the first MAX_LISTED_FEATURES names and `and N more`: an annotation is read, not parsed. */
function featureList(features: readonly string[]): string {
  if (features.length <= MAX_LISTED_FEATURES) return features.join(', ');
  return `${features.slice(0, MAX_LISTED_FEATURES).join(', ')} and ${features.length - MAX_LISTED_FEATURES} more`;
}
