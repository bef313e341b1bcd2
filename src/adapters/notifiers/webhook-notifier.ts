import type { Notification } from '../../core/alerts/alert.js';
import { alertmanagerWebhookPayload } from '../../core/alerts/alert-messages.js';
import type { Notifier } from './notifier.js';
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

  async send(notification: Notification): Promise<void> {
    const payload = alertmanagerWebhookPayload([notification], { receiver: this.#options.receiver ?? 'webhook', externalUrl: this.#options.externalUrl });
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    let response: Response;
    try {
      response = await fetch(this.#settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'mloop', ...this.#settings.headers },
        body: JSON.stringify(payload),
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
    const body = await response.text().catch(() => '');
    if (!response.ok) {
      const excerpt = body.length > MAX_ERROR_BODY_CHARS ? `${body.slice(0, MAX_ERROR_BODY_CHARS)}…` : body;
      throw new NotifierError('webhook', `the webhook at ${this.#target} answered HTTP ${response.status} ${response.statusText}${excerpt === '' ? '' : `: ${excerpt}`}`);
    }
  }
}
