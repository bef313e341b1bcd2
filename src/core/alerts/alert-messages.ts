/**
 * What an alert says on each channel: an e-mail a clinician's data team can act on without knowing
 * the code, Alertmanager's webhook JSON (so existing receivers, e.g. a chat bridge, work
 * unchanged), and one log line. The words themselves come from alert-wording.ts.
 */
import type { AlertLabels, AlertStatus, Notification } from './alert.js';
import { alertAdvice, alertExplanation, alertFacts, alertSummary } from './alert-wording.js';
import { readableTime, wrap } from './text-format.js';

export class AlertMessageError extends Error {
  override readonly name = 'AlertMessageError';
}

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
}

export interface EmailMessageOptions {
  /** `server.publicUrl`: the dashboard, linked when set. */
  readonly publicUrl?: string;
  /** The subject's bracketed prefix, e.g. `mloop`. */
  readonly serviceName: string;
}

/** One alert of Alertmanager's webhook payload (version 4). */
export interface AlertmanagerWebhookAlert {
  readonly status: AlertStatus;
  readonly labels: AlertLabels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/** Alertmanager's webhook payload, field for field. */
export interface AlertmanagerWebhookPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: AlertStatus;
  readonly receiver: string;
  readonly groupLabels: AlertLabels;
  readonly commonLabels: AlertLabels;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly AlertmanagerWebhookAlert[];
}

export interface WebhookPayloadOptions {
  /** `server.publicUrl`, or empty when unset. */
  readonly externalUrl?: string;
  readonly receiver: string;
}

/** Alertmanager's Go zero time, which it sends as `endsAt` of an alert that still fires. */
export const ALERTMANAGER_ZERO_TIME = '0001-01-01T00:00:00Z';

export function emailMessage(notification: Notification, options: EmailMessageOptions): EmailMessage {
  const alert = notification.alert;
  const headline = `${alert.status.toUpperCase()}: ${alertSummary(alert)}`;
  const facts = [...alertFacts(alert), ...timeFacts(notification)];
  if (options.publicUrl !== undefined && options.publicUrl !== '') facts.push(['Dashboard', options.publicUrl]);
  const width = Math.max(...facts.map(([label]) => label.length)) + 2;
  const lines = [
    ...wrap(headline),
    '',
    ...wrap(alertExplanation(alert)),
    '',
    ...facts.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value.split(/\r?\n/).join(`\n  ${' '.repeat(width)}`)}`),
    '',
    ...wrap(followUp(notification)),
    '',
    '-- ',
    `${options.serviceName} alert ${alert.name}, fingerprint ${alert.fingerprint}`,
    `labels: ${Object.entries(alert.labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(', ')}`,
  ];
  return { subject: `[${options.serviceName}] ${headline}`, text: `${lines.join('\n')}\n` };
}

/**
 * Alertmanager's webhook JSON for notifications sent together, grouped by `alertname` as a route
 * with `group_by: [alertname]` would, so the group key stays the same for every notice of a rule.
 */
export function alertmanagerWebhookPayload(notifications: readonly Notification[], options: WebhookPayloadOptions): AlertmanagerWebhookPayload {
  if (notifications.length === 0) throw new AlertMessageError('a webhook payload needs at least one notification');
  const externalUrl = options.externalUrl ?? '';
  const alerts = notifications.map((n): AlertmanagerWebhookAlert => {
    const alert = n.alert;
    return {
      status: alert.status,
      labels: alert.labels,
      // Receivers' templates conventionally read `summary` and `description`; the alert's own win.
      annotations: { summary: alertSummary(alert), description: alertExplanation(alert), ...alert.annotations },
      startsAt: alert.startsAt,
      endsAt: alert.status === 'firing' || alert.endsAt === null ? ALERTMANAGER_ZERO_TIME : alert.endsAt,
      generatorURL: externalUrl,
      fingerprint: alert.fingerprint,
    };
  });
  const names = new Set(alerts.map((a) => a.labels.alertname));
  const groupLabels: AlertLabels = names.size === 1 ? { alertname: [...names][0] } : {};
  return {
    version: '4',
    groupKey: `{}:${goLabelSet(groupLabels)}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: options.receiver,
    groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: externalUrl,
    alerts,
  };
}

/** One line for the log channel, which always receives every notification. */
export function logLine(notification: Notification): string {
  const alert = notification.alert;
  const labels = Object.entries(alert.labels)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ');
  return `alert ${alert.status} (${notification.reason}): ${alertSummary(alert)} [${labels} fingerprint=${alert.fingerprint}]`;
}

function timeFacts(notification: Notification): [string, string][] {
  const alert = notification.alert;
  if (notification.reason === 'new') return [['Started', readableTime(alert.startsAt)]];
  if (notification.reason === 'repeat') return [['Firing since', readableTime(alert.startsAt)], ['Reminder sent', readableTime(alert.lastNotifiedAt ?? alert.startsAt)]];
  return [['Started', readableTime(alert.startsAt)], ['Resolved', readableTime(alert.endsAt ?? alert.startsAt)]];
}

/** The e-mail's closing paragraph: what to do now and what further notices will come. */
function followUp(notification: Notification): string {
  const alert = notification.alert;
  if (notification.reason === 'resolved') {
    if (alert.name === 'live_recall_below_threshold' && alert.annotations.resolution === 'too_few_cases') {
      return 'No action is needed for this alert now; live recall is judged again once enough cases are confirmed.';
    }
    return 'No action is needed for this alert any more.';
  }
  const repeat = notification.reason === 'repeat' ? 'This alert is still firing. ' : '';
  return `${repeat}${alertAdvice(alert)}You will be reminded while it lasts and told when it is resolved.`;
}

/** The label/annotation pairs every map shares, as Alertmanager computes commonLabels. */
function common(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  return Object.fromEntries(Object.entries(first).filter(([key, value]) => rest.every((m) => m[key] === value)));
}

/** A label set as Go's `model.LabelSet.String()` prints it: sorted, quoted, `{a="1", b="2"}`. */
function goLabelSet(labels: AlertLabels): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `{${pairs.join(', ')}}`;
}
