import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { AlertStatus, Notification } from '../core/alerts/alert.js';
import type { Instant } from './column-values.js';
import { fromJson, isoTime, toJson } from './column-values.js';
import type { DatabaseSchema, OutboxTable, Page } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

export type OutboxState = 'pending' | 'delivered' | 'dead';

/** One notification on its way to one channel. */
export interface OutboxItem {
  readonly id: number;
  readonly createdAt: string;
  readonly channel: string;
  readonly fingerprint: string;
  /** The alert's status in the notification ('firing' or 'resolved'). */
  readonly statusLabel: AlertStatus;
  readonly payload: Notification;
  readonly state: OutboxState;
  /** Delivery attempts that ended, in success or failure. */
  readonly attempts: number;
  readonly nextAttemptAt: string;
  /** While a sender holds the item: until when, and who. */
  readonly leaseUntil: string | null;
  /** The sender that holds the lease, or for a delivered item the one that delivered it. */
  readonly leasedBy: string | null;
  readonly lastError: string | null;
  readonly deliveredAt: string | null;
  /**
   * Random, unique to this item (one notification on one channel), and the same on every attempt:
   * the notifiers send it (Message-ID, Idempotency-Key) so a receiver can drop a repeated copy.
   */
  readonly idempotencyKey: string;
}

export interface ClaimDueOptions {
  readonly now: Instant;
  /** How long the claim holds: a sender that dies leaves its items to others after this. */
  readonly leaseMs: number;
  /** Who claims: unique per sender (replica and worker), since the lease is checked by it. */
  readonly owner: string;
  readonly limit: number;
}

export interface FailedOptions {
  /** Give up: the item becomes 'dead' and is never claimed again. */
  readonly dead?: boolean;
}

export interface OutboxListQuery extends Page {
  readonly state?: OutboxState;
}

/**
 * Durable, at-least-once delivery. Items are queued (by `AlertRepository.transact`, in the
 * transaction that stores the alert states) and then claimed under a lease by whichever sender
 * asks: a claim never hands one item to two senders, and `delivered`/`failed` count only while
 * the caller still holds the lease. A sender that dies mid-send loses its lease when it expires,
 * and another sender sends the item again: that is the one way a notification is sent twice, and
 * the copy carries the item's `idempotencyKey` as the first did.
 */
export class OutboxRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly dialect: StoreDialect,
  ) {}

  /** Queues each notification once per channel, due at once. */
  async enqueue(notifications: readonly Notification[], channels: readonly string[], now: Instant): Promise<OutboxItem[]> {
    return insertOutboxRows(this.db, notifications, channels, isoTime(now));
  }

  /**
   * Leases up to `limit` pending items that are due and not leased (or whose lease expired),
   * oldest due first. Concurrent claims, from other processes too, pass over each other's rows
   * (the dialect's `skipLocked`) instead of waiting for them or taking them too.
   */
  async claimDue(options: ClaimDueOptions): Promise<OutboxItem[]> {
    if (!(Number.isFinite(options.leaseMs) && options.leaseMs > 0)) {
      throw new RangeError(`leaseMs must be a positive number of milliseconds, got ${String(options.leaseMs)}`);
    }
    if (!(Number.isSafeInteger(options.limit) && options.limit > 0)) {
      throw new RangeError(`limit must be a positive integer, got ${String(options.limit)}`);
    }
    const now = isoTime(options.now);
    const leaseUntil = isoTime(new Date(Date.parse(now) + options.leaseMs));
    const rows = await this.db.transaction().execute((trx) => {
      const due = trx
        .selectFrom('outbox')
        .select('id')
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .orderBy('next_attempt_at', 'asc')
        .orderBy('id', 'asc')
        .limit(options.limit)
        .$call((select) => this.dialect.skipLocked(select));
      return trx
        .updateTable('outbox')
        .set({ lease_until: leaseUntil, leased_by: options.owner })
        .where('id', 'in', due)
        .returningAll()
        .execute();
    });
    // RETURNING follows no ORDER BY; hand the items out in the order they fell due.
    return rows.map(toOutboxItem).sort((a, b) => compare(a.nextAttemptAt, b.nextAttemptAt) || a.id - b.id);
  }

  /** Records the delivery; undefined if `owner` no longer holds the item (another sender took it over). */
  async delivered(id: number, owner: string, now: Instant): Promise<OutboxItem | undefined> {
    return this.endAttempt(id, owner, { state: 'delivered', delivered_at: isoTime(now), last_error: null });
  }

  /**
   * Records a failed attempt and releases the lease: the item is due again at `nextAttemptAt`
   * (the caller's backoff), or, with `dead`, is given up. Undefined if `owner` no longer holds it.
   */
  async failed(
    id: number,
    owner: string,
    error: string,
    nextAttemptAt: Instant,
    options: FailedOptions = {},
  ): Promise<OutboxItem | undefined> {
    return this.endAttempt(id, owner, { state: options.dead === true ? 'dead' : 'pending', next_attempt_at: isoTime(nextAttemptAt), leased_by: null, last_error: error });
  }

  /** Counts the attempt `owner` made and releases its lease, if `owner` still holds the pending item. */
  private async endAttempt(id: number, owner: string, outcome: Updateable<OutboxTable>): Promise<OutboxItem | undefined> {
    const row = await this.db
      .updateTable('outbox')
      .set({ ...outcome, attempts: sql<number>`${sql.ref('attempts')} + 1`, lease_until: null })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .where('leased_by', '=', owner)
      .returningAll()
      .executeTakeFirst();
    return row && toOutboxItem(row);
  }

  async get(id: number): Promise<OutboxItem | undefined> {
    const row = await this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOutboxItem(row);
  }

  /** Newest first, in one state or in all. */
  async list(query: OutboxListQuery): Promise<OutboxItem[]> {
    let select = this.db.selectFrom('outbox').selectAll();
    if (query.state !== undefined) select = select.where('state', '=', query.state);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(toOutboxItem);
  }

  /** Items not yet delivered nor given up, leased or not: the delivery backlog. */
  async pendingCount(): Promise<number> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    // PostgreSQL's count is a bigint, which pg hands over as a string.
    return Number(row.count);
  }
}

/** Inserts one pending row per notification and channel; `db` may be a transaction. */
export async function insertOutboxRows(
  db: Kysely<DatabaseSchema>,
  notifications: readonly Notification[],
  channels: readonly string[],
  now: string,
): Promise<OutboxItem[]> {
  const rows: Insertable<OutboxTable>[] = notifications.flatMap((notification) =>
    channels.map((channel) => ({
      created_at: now,
      channel,
      fingerprint: notification.fingerprint,
      status_label: notification.status,
      payload_json: toJson(notification),
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      // Random rather than derived from the id: two installations (staging and production, say)
      // mailing one inbox must not share Message-IDs, or the receiver would drop a real alert.
      idempotency_key: randomUUID(),
    })),
  );
  if (rows.length === 0) return [];
  const inserted = await db.insertInto('outbox').values(rows).returningAll().execute();
  return inserted.map(toOutboxItem).sort((a, b) => a.id - b.id);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toOutboxItem(row: Selectable<OutboxTable>): OutboxItem {
  return {
    id: row.id,
    createdAt: row.created_at,
    channel: row.channel,
    fingerprint: row.fingerprint,
    statusLabel: row.status_label as AlertStatus,
    payload: fromJson(row.payload_json) as Notification,
    state: row.state as OutboxState,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    leasedBy: row.leased_by,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
    idempotencyKey: row.idempotency_key,
  };
}
