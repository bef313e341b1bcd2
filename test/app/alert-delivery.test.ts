import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmailNotifier } from '../../src/adapters/notifiers/email-notifier.js';
import type { Delivery, Notifier } from '../../src/adapters/notifiers/notifier.js';
import { WebhookNotifier } from '../../src/adapters/notifiers/webhook-notifier.js';
import type { WebhookBody } from '../../src/adapters/notifiers/webhook-notifier.js';
import { Alerting } from '../../src/app/alerting.js';
import type { Notification } from '../../src/core/alerts/alert.js';
import type { Store } from '../../src/store/database.js';
import { openDatabase } from '../../src/store/database.js';
import type { OutboxRepository } from '../../src/store/outbox-repository.js';
import { tempDir } from '../helpers/fixtures.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { parseMail, startSmtpServer } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait-for.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

/*
 * At-least-once delivery through the outbox, against a real SMTP server and a real HTTP receiver:
 * whenever a notification reaches its receiver twice, both copies carry the same key, so the
 * receiver can drop the second; and the outbox itself sends nothing twice that it need not.
 */

const T0 = '2026-03-02T08:00:00.000Z';
const monitor = { metric: 'recall', threshold: 0.9, positive: 'M' } as const;
const timing = { repeatIntervalMs: 4 * 3_600_000, eventTtlMs: 24 * 3_600_000 };
const silent = pino({ level: 'silent' });

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore(): Promise<Store> {
  const store = await openDatabase({ dataDir: tempDir() });
  cleanups.push(() => store.close());
  return store;
}

/** The store as a sender sees it that stops dead after its send: it never records the outcome. */
function frozenAfterSend(store: Store): Store {
  const never = () => new Promise<never>(() => undefined);
  const outbox = Object.create(store.outbox) as OutboxRepository;
  Object.assign(outbox, { delivered: never, failed: never });
  return { ...store, outbox };
}

const emailSettings = (port: number) => ({ host: '127.0.0.1', port, secure: false, requireTLS: false, from: 'mloop <alerts@mloop.example.org>', to: ['oncall@hospital.example.org'] });

describe('a notification sent again', () => {
  it('is the same e-mail (Message-ID, Date) when the sender died between the send and its record', async () => {
    const smtp = await startSmtpServer({}, cleanups);
    const store = await openStore();
    const clock = new ManualClock(Date.parse(T0));
    const email = () => new EmailNotifier(emailSettings(smtp.port), { serviceName: 'mloop' }, {});
    const dying = new Alerting({ monitor, store: frozenAfterSend(store), notifiers: [email()], timing, clock, log: silent });
    const survivor = new Alerting({ monitor, store, notifiers: [email()], timing, clock, log: silent });

    void dying.job('update', { ok: false, runId: 7, error: 'HTTP 503', attempts: 3 });
    await waitFor('the first copy', () => (smtp.mails.length === 1 ? true : undefined), 5_000, 10);
    // The first sender is gone; once its lease has run out, the other replica sends the item.
    clock.advance(60_000);
    expect(await survivor.deliver()).toBe(1);

    expect(smtp.mails).toHaveLength(2);
    const [first, second] = smtp.mails.map((mail) => parseMail(mail.raw).headers);
    const [item] = await store.outbox.list({ limit: 10 });
    expect(item).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(first.get('message-id')).toBe(`<${item.idempotencyKey}@mloop.example.org>`);
    expect(second.get('message-id')).toBe(first.get('message-id'));
    expect(second.get('date')).toBe(first.get('date'));
    expect(second.get('subject')).toBe(first.get('subject'));
  });

  it('carries the same idempotency key when the webhook took it but its answer was lost', async () => {
    const receiver = await startReceiver({ status: 200, hangUps: 1 }, cleanups);
    const store = await openStore();
    const clock = new ManualClock(Date.parse(T0));
    const alerting = new Alerting({ monitor, store, notifiers: [new WebhookNotifier({ url: `${receiver.base}/hook` })], timing, clock, log: silent });

    await alerting.job('train', { ok: false, runId: 8, error: 'out of memory', attempts: 3 });
    expect(await alerting.deliver()).toBe(0);
    const [failed] = await store.outbox.list({ limit: 10 });
    expect(failed).toMatchObject({ state: 'pending', attempts: 1 });
    clock.advance(10_000);
    expect(await alerting.deliver()).toBe(1);

    expect(receiver.requests).toHaveLength(2);
    const keys = receiver.requests.map((r) => [r.headers['idempotency-key'], (JSON.parse(r.body) as WebhookBody).idempotencyKey]);
    expect(keys).toEqual([
      [`"${failed.idempotencyKey}"`, failed.idempotencyKey],
      [`"${failed.idempotencyKey}"`, failed.idempotencyKey],
    ]);
  });
});

describe('the outbox', () => {
  it('does not send an item twice because a slow receiver outlasted the leases of a batch', async () => {
    const store = await openStore();
    const clock = new ManualClock(Date.parse(T0));
    const sent: string[] = [];
    const record = (notification: Notification, delivery: Delivery) => sent.push(`${notification.alert.labels.job} ${delivery?.idempotencyKey ?? ''}`);
    let otherDelivered = 0;
    const other = new Alerting({ monitor, store, notifiers: [{ channel: 'webhook', send: async (n, d) => void record(n, d) }], timing, clock, log: silent });
    // Here each send takes 40 s, and during the second the other replica runs its delivery pass.
    const slow: Notifier = {
      channel: 'webhook',
      async send(notification, delivery) {
        record(notification, delivery);
        clock.advance(40_000);
        if (sent.length === 2) otherDelivered = await other.deliver();
      },
    };
    const alerting = new Alerting({ monitor, store, notifiers: [slow], timing, clock, log: silent });
    const failure = { ok: false, runId: 1, error: 'boom', attempts: 3 } as const;
    await alerting.evaluate(
      [{ name: 'job_failed', labels: {} }],
      ['update', 'train', 'check'].map((job) => ({ name: 'job_failed', labels: { job }, annotations: { error: failure.error }, active: true })),
    );
    const delivered = await alerting.deliver();

    expect(delivered + otherDelivered).toBe(3);
    expect(otherDelivered).toBe(1);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent).toHaveLength(3);
    expect(await store.outbox.pendingCount()).toBe(0);
  });

  it('keeps delivering in the background when the store fails for a moment, and says so', async () => {
    const store = await openStore();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _encoding, done) => void (lines.push(chunk.toString()), done()) }));
    const outbox = Object.create(store.outbox) as OutboxRepository;
    Object.assign(outbox, { claimDue: () => Promise.reject(new Error('database is locked')) });
    const alerting = new Alerting({ monitor, store: { ...store, outbox }, notifiers: [], timing, clock: new ManualClock(Date.parse(T0)), log });

    await expect(alerting.deliver()).resolves.toBe(0);
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['outbox delivery stopped, the next pass resumes it: database is locked']);
  });
});
