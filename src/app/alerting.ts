import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertCondition, AlertName, AlertState, Notification } from '../core/alerts/alert.js';
import type { MonitoredMetric } from '../core/monitored-metric.js';
import type { JobKind } from '../core/schedule-policy.js';
import type { DriftCheck, LiveRecallCheck, SourceFreshnessCheck } from '../core/alerts/alert.js';
import { ALERT_NAMES, dataSourceStaleCondition, driftCondition, jobFailedCondition, liveRecallCondition, jobSucceededCondition, modelRejectedCondition, modelRejectionClearedCondition, recallCondition } from '../core/alerts/alert.js';
import type { AlertScope } from '../core/alerts/alert-lifecycle.js';
import { evaluateAlerts } from '../core/alerts/alert-lifecycle.js';
import { logLine } from '../core/alerts/alert-messages.js';
import type { Delivery, Notifier } from '../adapters/notifiers/notifier.js';
import type { Store } from '../store/database.js';
import type { OutboxItem } from '../store/outbox-repository.js';
import type { Clock } from './clock.js';

/** The log is a channel like the others, always configured, so it goes through the outbox too. */
export class LogNotifier implements Notifier {
  readonly channel = 'log';
  constructor(private readonly log: Logger) {}
  async send(notification: Notification, delivery: Delivery): Promise<void> {
    const fields = { alert: notification.alert.name, fingerprint: notification.fingerprint, reason: notification.reason, idempotencyKey: delivery.idempotencyKey };
    this.log[notification.status === 'firing' ? 'warn' : 'info'](fields, logLine(notification));
  }
}

const leaseMs = 60_000;
/** Items one delivery pass sends at most; the rest wait for the next pass, a second later. */
const maxPerPass = 50;
const firstRetryMs = 10_000;
const maxRetryMs = 60 * 60_000;

/**
 * Alerts with Alertmanager's lifecycle (firing → repeated → resolved) and durable delivery: each
 * evaluation runs in one store transaction that saves the new states and queues one outbox row
 * per channel, so a condition is notified once whatever the number of replicas or restarts; the
 * outbox is then delivered with retries until each channel has taken it.
 */
export class Alerting {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private delivering: Promise<number> | null = null;

  constructor(
    private readonly monitor: { readonly metric: MonitoredMetric; readonly threshold: number; readonly positive: string },
    private readonly store: Store,
    private readonly notifiers: readonly Notifier[],
    private readonly repeatIntervalMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get channels(): string[] {
    return this.notifiers.map((n) => n.channel);
  }

  /** Applies what the rules in `scopes` say now; queues and starts delivering the notifications. */
  async evaluate(scopes: readonly AlertScope[], conditions: readonly AlertCondition[]): Promise<readonly Notification[]> {
    const names = [...new Set(scopes.map((s) => (typeof s === 'string' ? s : s.name)))];
    const now = this.clock.now().toISOString();
    const { notifications } = await this.store.alerts.transact(names, (states) => evaluateAlerts(states, conditions, now, this.repeatIntervalMs, scopes), { channels: this.channels, now });
    if (notifications.length > 0) void this.deliver();
    return notifications;
  }

  /** Rule 1: the monitored recall of the model that serves, against the threshold. */
  recall(modelVersion: number, snapshotId: number, value: number): Promise<readonly Notification[]> {
    const { metric, threshold, positive } = this.monitor;
    return this.evaluate(['recall_below_threshold'], [recallCondition({ metric, value, threshold, modelVersion, snapshotId, positiveClass: positive })]);
  }

  /** Rule 2: the promotion gate kept a new version out; it resolves once a version passes or is promoted. */
  modelRejected(rejection: { modelVersion: number; reason: string; snapshotId: number; activeVersion: number | null }): Promise<readonly Notification[]> {
    return this.evaluate(['model_rejected'], [modelRejectedCondition(rejection)]);
  }

  rejectionCleared(modelVersion: number, how: 'passed_gate' | 'promoted'): Promise<readonly Notification[]> {
    return this.evaluate(['model_rejected'], [modelRejectionClearedCondition({ modelVersion, how })]);
  }

  /** Rule 4: live recall on confirmed cases, judged once `monitor.minCases` positives are confirmed. */
  liveRecall(check: Omit<LiveRecallCheck, 'metric' | 'threshold' | 'positiveClass'>): Promise<readonly Notification[]> {
    const { metric, threshold, positive } = this.monitor;
    return this.evaluate(['live_recall_below_threshold'], [liveRecallCondition({ ...check, metric, threshold, positiveClass: positive })]);
  }

  /** Rule 5: the share of drifted input features above `monitor.driftShare`. */
  drift(check: DriftCheck): Promise<readonly Notification[]> {
    return this.evaluate(['data_drift'], [driftCondition(check)]);
  }

  /** Rule 6: no update has read the data source for longer than the configuration expects. */
  dataSourceStale(check: SourceFreshnessCheck): Promise<readonly Notification[]> {
    return this.evaluate(['data_source_stale'], [dataSourceStaleCondition(check)]);
  }

  /** Rule 3: a scheduled job failed after its retries; it resolves when that job next succeeds. */
  job(job: JobKind, outcome: { ok: true; runId: number } | { ok: false; runId: number; error: string; attempts: number }): Promise<readonly Notification[]> {
    const condition = outcome.ok ? jobSucceededCondition({ job, runId: outcome.runId }) : jobFailedCondition({ job, error: outcome.error, attempts: outcome.attempts, runId: outcome.runId });
    return this.evaluate([{ name: 'job_failed', labels: { job } }], [condition]);
  }

  /** Re-notifies firing alerts whose repeat interval has passed. */
  async repeatDue(): Promise<readonly Notification[]> {
    const now = this.clock.now().toISOString();
    const { notifications } = await this.store.alerts.transact(
      ALERT_NAMES,
      (states) => {
        const firing = states.filter((s) => s.status === 'firing');
        return evaluateAlerts(states, firing.map(stillActive), now, this.repeatIntervalMs, firing.map((s) => ({ name: s.name, labels: withoutAlertname(s) })));
      },
      { channels: this.channels, now },
    );
    if (notifications.length > 0) void this.deliver();
    return notifications;
  }

  list(query: { status?: 'firing' | 'resolved'; name?: AlertName; limit: number; offset?: number }): Promise<AlertState[]> {
    return this.store.alerts.list(query);
  }

  /**
   * Sends what is due in the outbox; concurrent calls share one pass. Returns the number delivered.
   * Never rejects: it runs in the background after every evaluation, where a rejection (the store
   * unreachable for a moment) would end the process; what is not sent stays due for the next pass.
   */
  deliver(): Promise<number> {
    this.delivering ??= this.deliverDue()
      .catch((error: unknown) => {
        this.log.error({ err: error }, `outbox delivery stopped, the next pass resumes it: ${(error as Error).message}`);
        return 0;
      })
      .finally(() => {
        this.delivering = null;
      });
    return this.delivering;
  }

  private async deliverDue(): Promise<number> {
    let delivered = 0;
    // One item per claim, leased just before it is sent. Items claimed together would all start
    // their lease at once, and behind a slow receiver the last ones' leases would run out before
    // their turn: another replica would claim and send them while this one still meant to.
    for (let n = 0; n < maxPerPass; n++) {
      const [item] = await this.store.outbox.claimDue({ now: this.clock.now(), leaseMs, owner: this.owner, limit: 1 });
      if (item === undefined) break;
      if (await this.deliverOne(item)) delivered++;
    }
    return delivered;
  }

  /** Sends one claimed item and records the outcome; true when the channel took it. */
  private async deliverOne(item: OutboxItem): Promise<boolean> {
    const context = { channel: item.channel, fingerprint: item.fingerprint, idempotencyKey: item.idempotencyKey };
    const notifier = this.notifiers.find((n) => n.channel === item.channel);
    try {
      // A channel this replica lacks may be configured on another, which takes the item on a retry.
      if (!notifier) throw new Error(`channel ${item.channel} is not configured here`);
      await notifier.send(item.payload, { idempotencyKey: item.idempotencyKey, queuedAt: item.createdAt });
    } catch (error) {
      const attempts = item.attempts + 1;
      const wait = Math.min(maxRetryMs, firstRetryMs * 2 ** (attempts - 1));
      const next = new Date(this.clock.now().getTime() + wait);
      await this.store.outbox.failed(item.id, this.owner, (error as Error).message, next);
      this.log.warn({ ...context, attempts, retryAt: next.toISOString() }, `notification not delivered, will retry: ${(error as Error).message}`);
      return false;
    }
    const again = 'it may be sent again, with the same idempotency key';
    const recorded = await this.store.outbox.delivered(item.id, this.owner, this.clock.now()).catch((error: unknown) => {
      throw new Error(`notification sent but its delivery not recorded (${again}): ${(error as Error).message}`, { cause: error });
    });
    if (recorded === undefined) this.log.warn(context, `notification sent after its lease ran out and another sender took it over: ${again}`);
    return true;
  }

  async close(): Promise<void> {
    await this.delivering?.catch(() => undefined);
    for (const n of this.notifiers) await (n as { close?: () => Promise<void> | void }).close?.();
  }
}

function withoutAlertname(state: AlertState): Record<string, string> {
  const { alertname: _ignored, ...labels } = state.labels;
  return labels;
}

function stillActive(state: AlertState): AlertCondition {
  return { name: state.name, labels: withoutAlertname(state), annotations: state.annotations, active: true };
}
