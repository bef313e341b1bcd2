import type { Notification } from '../../core/alerts/alert.js';

/**
 * Where a notification goes: e-mail, webhook. The outbox calls `send` and retries when it rejects,
 * so `send` must throw on any failure and must not retry on its own.
 */
export interface Notifier {
  readonly channel: string;
  send(notification: Notification): Promise<void>;
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
