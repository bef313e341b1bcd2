import { domainToASCII } from 'node:url';
import { createTransport } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Logger } from 'pino';
import type { Notification } from '../../core/alerts/alert.js';
import { emailMessage } from '../../core/alerts/alert-messages.js';
import type { Delivery, Notifier } from './notifier.js';
import { NotifierError } from './notifier.js';

/** `notify.email` from the configuration. The password is not here: it comes from MLOOP_SMTP_PASSWORD. */
export interface EmailSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise plain SMTP, upgraded by STARTTLS when offered. */
  readonly secure: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS. */
  readonly requireTLS: boolean;
  /** SMTP login; no authentication when absent. */
  readonly user?: string;
  readonly from: string;
  readonly to: readonly string[];
}

export interface EmailNotifierOptions {
  readonly serviceName: string;
  /** `server.publicUrl`, linked from every e-mail when set. */
  readonly publicUrl?: string;
  readonly connectionTimeoutMs?: number;
  readonly greetingTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
  /** Told about recipients the server refused while it accepted others. */
  readonly logger?: Pick<Logger, 'warn'>;
}

export class EmailNotifier implements Notifier {
  readonly channel = 'email';
  // Private fields stay out of JSON and of pino's serialisation, so the password in the
  // transport's options cannot end up in a log line if someone logs the notifier.
  readonly #transport: Transporter<SMTPTransport.SentMessageInfo, SMTPTransport.Options>;
  readonly #settings: EmailSettings;
  readonly #options: EmailNotifierOptions;
  readonly #messageIdDomain: string;

  constructor(settings: EmailSettings, options: EmailNotifierOptions, env: NodeJS.ProcessEnv = process.env) {
    if (settings.to.length === 0) throw new NotifierError('email', 'notify.email.to lists no recipient');
    const password = env.MLOOP_SMTP_PASSWORD;
    const login = settings.user === undefined || settings.user === '' ? undefined : settings.user;
    if (login !== undefined && (password === undefined || password === '')) {
      throw new NotifierError('email', 'notify.email.user is set but MLOOP_SMTP_PASSWORD is empty: set the SMTP password in the environment');
    }
    this.#settings = settings;
    this.#options = options;
    this.#messageIdDomain = messageIdDomain(settings.from);
    this.#transport = createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTLS,
      auth: login === undefined ? undefined : { user: login, pass: password },
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 30_000,
      // The message is our own text; nothing in it should make nodemailer read files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  /**
   * Every attempt of one delivery sends the same message: the same Message-ID (from the outbox
   * item's key) and Date (when it was queued). A receiver that saw the first copy, say when the
   * server took the message but its answer was lost, can recognise the second and drop it.
   */
  async send(notification: Notification, delivery: Delivery): Promise<void> {
    const { subject, text } = emailMessage(notification, { serviceName: this.#options.serviceName, publicUrl: this.#options.publicUrl });
    const { host, port, from, to } = this.#settings;
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.#transport.sendMail({
        from,
        to: [...to],
        subject,
        text,
        messageId: `<${delivery.idempotencyKey}@${this.#messageIdDomain}>`,
        date: new Date(delivery.queuedAt),
        headers: { 'X-Mloop-Alert': `${notification.alert.name}; status=${notification.status}; fingerprint=${notification.fingerprint}` },
      });
    } catch (cause) {
      throw new NotifierError('email', `could not send the alert e-mail through ${host}:${port}: ${(cause as Error).message}`, { cause });
    }
    // Refused addresses are almost always permanent (no such mailbox); retrying the whole message
    // would only send duplicates to the recipients that did get it. When all are refused
    // nodemailer rejects above, and the outbox retries.
    if (info.rejected.length > 0) {
      this.#options.logger?.warn({ rejected: info.rejected, fingerprint: notification.fingerprint }, 'the SMTP server refused some alert e-mail recipients');
    }
  }

  /** Closes idle connections; the transport opens a new one per message, so this is only tidying. */
  close(): void {
    this.#transport.close();
  }
}

/**
 * The right side of mloop's Message-IDs: the sender's domain, which every replica shares (a host
 * name would give another ID when another replica sends the retry). In ASCII, as header text must be.
 */
function messageIdDomain(from: string): string {
  const address = addressparser(from, { flatten: true })[0]?.address ?? '';
  const at = address.lastIndexOf('@');
  const domain = at < 0 ? '' : domainToASCII(address.slice(at + 1));
  if (domain === '') throw new NotifierError('email', `notify.email.from must be an address with a domain, such as alerts@example.org; got ${JSON.stringify(from)}`);
  return domain;
}
