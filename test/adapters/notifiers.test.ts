import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/core/alerts/alert.js';
import { recallCondition } from '../../src/core/alerts/alert.js';
import { evaluateAlerts } from '../../src/core/alerts/alert-lifecycle.js';
import { closedPort, parseMail, startSmtpServer } from '../helpers/smtp.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { EmailNotifier } from '../../src/adapters/notifiers/email-notifier.js';
import { NotifierError } from '../../src/adapters/notifiers/notifier.js';
import type { WebhookBody } from '../../src/adapters/notifiers/webhook-notifier.js';
import { WebhookNotifier } from '../../src/adapters/notifiers/webhook-notifier.js';

const T0 = '2024-05-01T12:00:00.000Z';
const delivery = { idempotencyKey: '6f1c0c8e-5b7a-4d3e-9a51-0c2b8f4e7d19', queuedAt: '2024-05-01T12:00:01.000Z' };
const PUBLIC_URL = 'https://mloop.example.org/';

const [firing] = evaluateAlerts(
  [],
  [recallCondition({ metric: 'recall', value: 0.8333333333333334, threshold: 0.9, modelVersion: 3, snapshotId: 12, positiveClass: 'M' })],
  T0,
  4 * 3_600_000,
  ['recall_below_threshold'],
).notifications as Notification[];

/** Closes every server a test started, whether it passed or not. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const emailSettings = (port: number, user?: string) => ({
  host: '127.0.0.1',
  port,
  secure: false,
  requireTLS: false,
  user,
  from: 'mloop alerts <alerts@mloop.example.org>',
  to: ['data-team@hospital.example.org', 'oncall@hospital.example.org'],
});

describe('EmailNotifier against a real SMTP server', () => {
  it('delivers the alert e-mail: envelope, subject, recipients and the facts in the body', async () => {
    const smtp = await startSmtpServer({}, cleanups);
    const notifier = new EmailNotifier(emailSettings(smtp.port), { serviceName: 'mloop', publicUrl: PUBLIC_URL }, {});
    await notifier.send(firing, delivery);

    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail.mailFrom).toBe('alerts@mloop.example.org');
    expect(mail.rcptTo).toEqual(['data-team@hospital.example.org', 'oncall@hospital.example.org']);
    expect(smtp.logins).toEqual([]);

    const { headers, body } = parseMail(mail.raw);
    expect(headers.get('subject')).toBe('[mloop] FIRING: recall of M below threshold (0.833 < 0.9), model v3');
    expect(headers.get('from')).toBe('mloop alerts <alerts@mloop.example.org>');
    expect(headers.get('to')).toBe('data-team@hospital.example.org, oncall@hospital.example.org');
    expect(headers.get('x-mloop-alert')).toBe(`recall_below_threshold; status=firing; fingerprint=${firing.fingerprint}`);
    expect(headers.get('message-id')).toBe(`<${delivery.idempotencyKey}@mloop.example.org>`);
    expect(headers.get('date')).toBe('Wed, 01 May 2024 12:00:01 +0000');
    expect(headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8/i);
    expect(body).toContain('  Metric:        recall (share of actual M cases the model detects)\n');
    expect(body).toContain('  Value:         0.833 (83.3%)\n');
    expect(body).toContain('  Threshold:     0.9 (90%)\n');
    expect(body).toContain('  Model version: v3\n');
    expect(body).toContain('  Data snapshot: #12\n');
    expect(body).toContain('  Started:       2024-05-01 12:00:00 UTC\n');
    expect(body).toContain(`  Dashboard:     ${PUBLIC_URL}\n`);
  });

  it('logs in with the password from MLOOP_SMTP_PASSWORD and keeps it out of the notifier’s JSON', async () => {
    const smtp = await startSmtpServer({ password: 's3cret-pass' }, cleanups);
    const notifier = new EmailNotifier(emailSettings(smtp.port, 'alerts'), { serviceName: 'mloop' }, { MLOOP_SMTP_PASSWORD: 's3cret-pass' });
    await notifier.send(firing, delivery);
    expect(smtp.logins).toEqual([{ username: 'alerts', password: 's3cret-pass' }]);
    expect(smtp.mails).toHaveLength(1);
    expect(JSON.stringify(notifier)).not.toContain('s3cret-pass');
  });

  it('rejects when the server refuses the login, without the password in the error', async () => {
    const smtp = await startSmtpServer({ password: 'right' }, cleanups);
    const notifier = new EmailNotifier(emailSettings(smtp.port, 'alerts'), { serviceName: 'mloop' }, { MLOOP_SMTP_PASSWORD: 'wrong-pass' });
    const error = await notifier.send(firing, delivery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifierError);
    expect((error as NotifierError).message).toMatch(/^could not send the alert e-mail through 127\.0\.0\.1:\d+: Invalid login/);
    expect((error as NotifierError).message).not.toContain('wrong-pass');
    expect(smtp.mails).toEqual([]);
  });

  it('rejects with a clear error when no SMTP server is listening', async () => {
    const port = await closedPort();
    const notifier = new EmailNotifier(emailSettings(port), { serviceName: 'mloop' }, {});
    const error = await notifier.send(firing, delivery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifierError);
    expect((error as NotifierError).channel).toBe('email');
    expect((error as NotifierError).message).toMatch(new RegExp(`^could not send the alert e-mail through 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect((error as NotifierError).cause).toBeInstanceOf(Error);
  });

  it('sends the same message again when the answer to DATA was lost: one Message-ID and Date per delivery', async () => {
    // The server keeps the first message but never answers it: the sender times out and retries.
    const smtp = await startSmtpServer({ unansweredMessages: 1 }, cleanups);
    const notifier = new EmailNotifier(emailSettings(smtp.port), { serviceName: 'mloop', socketTimeoutMs: 300 }, {});
    await expect(notifier.send(firing, delivery)).rejects.toThrow(/^could not send the alert e-mail through 127\.0\.0\.1:\d+: .*timeout/i);
    await notifier.send(firing, delivery);
    await notifier.send(firing, { ...delivery, idempotencyKey: 'another-delivery' });

    const [lost, retried, other] = smtp.mails.map((mail) => parseMail(mail.raw).headers);
    expect(smtp.mails).toHaveLength(3);
    expect(lost.get('message-id')).toBe(`<${delivery.idempotencyKey}@mloop.example.org>`);
    expect(retried.get('message-id')).toBe(lost.get('message-id'));
    expect(retried.get('date')).toBe(lost.get('date'));
    expect(other.get('message-id')).toBe('<another-delivery@mloop.example.org>');
  });

  it('takes the Message-ID domain from the sender address, in ASCII, and refuses a sender without one', async () => {
    const smtp = await startSmtpServer({}, cleanups);
    const notifier = new EmailNotifier({ ...emailSettings(smtp.port), from: '"Alerts @ Klinik" <alerts@Bücher.example>' }, { serviceName: 'mloop' }, {});
    await notifier.send(firing, delivery);
    expect(parseMail(smtp.mails[0].raw).headers.get('message-id')).toBe(`<${delivery.idempotencyKey}@xn--bcher-kva.example>`);
    expect(() => new EmailNotifier({ ...emailSettings(25), from: 'mloop alerts' }, { serviceName: 'mloop' }, {})).toThrow(
      'notify.email.from must be an address with a domain, such as alerts@example.org; got "mloop alerts"',
    );
  });

  it('refuses a login without a password, and a list without recipients, when built', () => {
    expect(() => new EmailNotifier(emailSettings(25, 'alerts'), { serviceName: 'mloop' }, {})).toThrow('notify.email.user is set but MLOOP_SMTP_PASSWORD is empty');
    expect(() => new EmailNotifier({ ...emailSettings(25), to: [] }, { serviceName: 'mloop' }, {})).toThrow('notify.email.to lists no recipient');
  });
});

describe('WebhookNotifier against a real HTTP receiver', () => {
  it('POSTs Alertmanager’s webhook JSON with the configured headers', async () => {
    const receiver = await startReceiver({ status: 200, answer: 'ok' }, cleanups);
    const notifier = new WebhookNotifier(
      { url: `${receiver.base}/hooks/alerts?team=data`, headers: { authorization: 'Bearer hook-token', 'x-team': 'data' } },
      { receiver: 'data-team', externalUrl: PUBLIC_URL },
    );
    await notifier.send(firing, delivery);

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/alerts?team=data');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer hook-token');
    expect(request.headers['x-team']).toBe('data');
    expect(request.headers['idempotency-key']).toBe(`"${delivery.idempotencyKey}"`);
    const payload = JSON.parse(request.body) as WebhookBody;
    expect(payload.idempotencyKey).toBe(delivery.idempotencyKey);
    expect(payload).toMatchObject({
      version: '4',
      groupKey: '{}:{alertname="recall_below_threshold"}',
      status: 'firing',
      receiver: 'data-team',
      groupLabels: { alertname: 'recall_below_threshold' },
      commonLabels: { alertname: 'recall_below_threshold', metric: 'recall' },
      externalURL: PUBLIC_URL,
    });
    expect(payload.alerts).toEqual([
      {
        status: 'firing',
        labels: { alertname: 'recall_below_threshold', metric: 'recall' },
        annotations: expect.objectContaining({ value: '0.8333333333333334', threshold: '0.9', model_version: '3', snapshot_id: '12' }) as unknown,
        startsAt: T0,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: PUBLIC_URL,
        fingerprint: firing.fingerprint,
      },
    ]);
  });

  it('rejects on HTTP 500, naming the status and body but not the secret path', async () => {
    const receiver = await startReceiver({ status: 500, answer: 'receiver exploded' }, cleanups);
    const notifier = new WebhookNotifier({ url: `${receiver.base}/T000/B000/secret-token` });
    const error = await notifier.send(firing, delivery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifierError);
    expect((error as NotifierError).message).toBe(`the webhook at ${receiver.base} answered HTTP 500 Internal Server Error: receiver exploded`);
    expect((error as NotifierError).message).not.toContain('secret-token');
    expect(receiver.requests).toHaveLength(1);
  });

  it('sends the same idempotency key again when the answer was lost, whatever the configured headers say', async () => {
    // The receiver reads the first request, then hangs up before answering.
    const receiver = await startReceiver({ status: 200, hangUps: 1 }, cleanups);
    const notifier = new WebhookNotifier({ url: `${receiver.base}/hook`, headers: { 'Idempotency-Key': 'fixed' } });
    await expect(notifier.send(firing, delivery)).rejects.toThrow(`could not POST the alert to the webhook at ${receiver.base}`);
    await notifier.send(firing, delivery);
    await notifier.send(firing, { ...delivery, idempotencyKey: 'another-delivery' });

    expect(receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual([`"${delivery.idempotencyKey}"`, `"${delivery.idempotencyKey}"`, '"another-delivery"']);
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as WebhookBody).idempotencyKey)).toEqual([delivery.idempotencyKey, delivery.idempotencyKey, 'another-delivery']);
    expect(receiver.requests[1].body).toBe(receiver.requests[0].body);
  });

  it('rejects when nothing listens', async () => {
    const port = await closedPort();
    const notifier = new WebhookNotifier({ url: `http://127.0.0.1:${port}/hook` });
    await expect(notifier.send(firing, delivery)).rejects.toThrow(new RegExp(`^could not POST the alert to the webhook at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('rejects when the receiver does not answer within the timeout', async () => {
    const receiver = await startReceiver({ status: null }, cleanups);
    const notifier = new WebhookNotifier({ url: `${receiver.base}/hook` }, { timeoutMs: 200 });
    await expect(notifier.send(firing, delivery)).rejects.toThrow(`could not POST the alert to the webhook at ${receiver.base}: no answer within 200 ms`);
  });

  it('refuses a URL that is not http(s) when built', () => {
    expect(() => new WebhookNotifier({ url: 'not a url' })).toThrow('notify.webhook.url is not a valid URL');
    expect(() => new WebhookNotifier({ url: 'ftp://example.org/' })).toThrow('notify.webhook.url must be http or https, got ftp:');
  });
});
