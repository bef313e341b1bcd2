import type { Notification } from '../../core/alerts/alert.js';

/**
 * Which delivery a send belongs to: one outbox item, the same on every attempt. A notifier sends
 * the key along (e-mail Message-ID, webhook Idempotency-Key) so that the receiver can drop the copy
 * that at-least-once delivery sends when a sender died between a send and its record.
 */
export interface Delivery {
  /** Unique to this notification on this channel; URL- and Message-ID-safe (letters, digits, `-`). */
  readonly idempotencyKey: string;
  /** When the notification was queued (ISO-8601), the e-mail's Date: every copy is the same message. */
  readonly queuedAt: string;
}

/**
 * Where a notification goes: e-mail, webhook. The outbox calls `send` and retries when it rejects,
 * so `send` must throw on any failure and must not retry on its own.
 */
export interface Notifier {
  readonly channel: string;
  send(notification: Notification, delivery: Delivery): Promise<void>;
}

/** A notification that did not reach its channel; the message names the channel and the cause. */
export class NotifierError extends Error {
  constructor(
    readonly channel: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'NotifierError';
  }
}
