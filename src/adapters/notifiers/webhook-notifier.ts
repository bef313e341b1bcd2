import type { Notification } from '../../core/alerts/alert.js';
import type { AlertmanagerWebhookPayload } from '../../core/alerts/alert-messages.js';
import { alertmanagerWebhookPayload } from '../../core/alerts/alert-messages.js';
import type { Delivery, Notifier } from './notifier.js';
import { NotifierError } from './notifier.js';

/** `notify.webhook` from the configuration. */
export interface WebhookSettings {
  readonly url: string;
  /** Sent with every request, e.g. `Authorization`; values are never logged or put in errors. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WebhookNotifierOptions {
  /** Alertmanager's `receiver` field. */
  readonly receiver?: string;
  /** `server.publicUrl`, sent as `externalURL` and `generatorURL`. */
  readonly externalUrl?: string;
  readonly timeoutMs?: number;
}

const MAX_ERROR_BODY_CHARS = 200;

/**
 * What is POSTed: Alertmanager's JSON plus one field of mloop's, the delivery's idempotency key.
 * Alertmanager's receivers (Go structs, most JSON libraries) ignore a field they do not know, and a
 * receiver that cannot read headers (a serverless function behind a gateway, say) can read it here.
 */
export interface WebhookBody extends AlertmanagerWebhookPayload {
  readonly idempotencyKey: string;
}

/** POSTs Alertmanager's webhook JSON (version 4), one request per notification. */
export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook';
  readonly #settings: WebhookSettings;
  readonly #options: WebhookNotifierOptions;
  /** Chat webhook URLs carry their secret in the path, so errors name only the origin. */
  readonly #target: string;

  constructor(settings: WebhookSettings, options: WebhookNotifierOptions = {}) {
    let url: URL;
    try {
      url = new URL(settings.url);
    } catch (cause) {
      throw new NotifierError('webhook', 'notify.webhook.url is not a valid URL', { cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new NotifierError('webhook', `notify.webhook.url must be http or https, got ${url.protocol}`);
    }
    this.#settings = settings;
    this.#options = options;
    this.#target = url.origin;
  }

  /**
   * Every attempt of one delivery carries the same key, in the `Idempotency-Key` header (a quoted
   * string, as the IETF httpapi draft defines it) and in the body, so a receiver can drop a repeat.
   */
  async send(notification: Notification, delivery: Delivery): Promise<void> {
    const payload = alertmanagerWebhookPayload([notification], { receiver: this.#options.receiver ?? 'webhook', externalUrl: this.#options.externalUrl });
    const body: WebhookBody = { ...payload, idempotencyKey: delivery.idempotencyKey };
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const headers = new Headers({ 'content-type': 'application/json', 'user-agent': 'mloop', ...this.#settings.headers });
    // Set last, whatever the case of a configured header of that name: a fixed key would make a
    // receiver drop every notification after the first.
    headers.set('idempotency-key', `"${delivery.idempotencyKey}"`);
    let response: Response;
    try {
      response = await fetch(this.#settings.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        // A redirect could carry the configured headers (e.g. a token) to another host.
        redirect: 'error',
      });
    } catch (cause) {
      const error = cause as Error;
      const reason = error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((error.cause as Error | undefined)?.message ?? error.message);
      throw new NotifierError('webhook', `could not POST the alert to the webhook at ${this.#target}: ${reason}`, { cause });
    }
    // Read the body either way: it frees the connection, and a failure's body says why. A body that
    // breaks off after a 2xx does not undo the delivery, so only the status decides.
    const answer = await response.text().catch(() => '');
    if (!response.ok) {
      const excerpt = answer.length > MAX_ERROR_BODY_CHARS ? `${answer.slice(0, MAX_ERROR_BODY_CHARS)}…` : answer;
      throw new NotifierError('webhook', `the webhook at ${this.#target} answered HTTP ${response.status} ${response.statusText}${excerpt === '' ? '' : `: ${excerpt}`}`);
    }
  }
}
