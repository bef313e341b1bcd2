/**
 * The alert vocabulary, modelled on Prometheus Alertmanager: labels identify an alert (and give its
 * fingerprint), annotations describe it and may change from one evaluation to the next. Both are
 * string maps, as in Alertmanager, so they pass unchanged into the webhook payload and the store.
 *
 * Times are ISO-8601 UTC strings in `Date#toISOString()` form (`2024-05-01T12:00:00.000Z`), the
 * form the store writes, so that text order is time order.
 */

export type AlertName = 'recall_below_threshold' | 'model_rejected' | 'job_failed';

export const ALERT_NAMES: readonly AlertName[] = ['recall_below_threshold', 'model_rejected', 'job_failed'];

/** Identifying labels. `alertname` is always present in stored states and equals the alert's name. */
export type AlertLabels = Readonly<Record<string, string>>;

/** Descriptive values (metric value, model version, error text): never part of the identity. */
export type AlertAnnotations = Readonly<Record<string, string>>;

export type AlertStatus = 'firing' | 'resolved';

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

export type MonitoredMetric = 'recall' | 'recall_macro';
export type ScheduledJob = 'update' | 'train' | 'check';

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
    active: !(check.value >= check.threshold),
  };
}

export interface ModelRejection {
  readonly modelVersion: number;
  /** The promotion gate's reason, in words (`recall 0.85 is below the threshold 0.9`). */
  readonly reason: string;
  readonly snapshotId?: number;
  /** The version that keeps serving, if any. */
  readonly activeVersion?: number | null;
}

export function modelRejectedCondition(rejection: ModelRejection): AlertCondition {
  return {
    name: 'model_rejected',
    labels: {},
    annotations: {
      model_version: String(rejection.modelVersion),
      reason: rejection.reason,
      ...(rejection.snapshotId === undefined ? {} : { snapshot_id: String(rejection.snapshotId) }),
      ...(rejection.activeVersion === undefined || rejection.activeVersion === null ? {} : { active_version: String(rejection.activeVersion) }),
    },
    active: true,
  };
}

/** A later training passed the gate, or an admin promoted a model by hand. */
export function modelRejectionClearedCondition(cleared: { readonly modelVersion: number; readonly how: 'passed_gate' | 'promoted' }): AlertCondition {
  return {
    name: 'model_rejected',
    labels: {},
    annotations: { model_version: String(cleared.modelVersion), resolution: cleared.how },
    active: false,
  };
}

export interface JobFailure {
  readonly job: ScheduledJob;
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

export function jobSucceededCondition(success: { readonly job: ScheduledJob; readonly runId?: number }): AlertCondition {
  return {
    name: 'job_failed',
    labels: { job: success.job },
    annotations: success.runId === undefined ? {} : { run_id: String(success.runId) },
    active: false,
  };
}
