import type { Insertable, Kysely, Selectable } from 'kysely';
import type { AlertAnnotations, AlertLabels, AlertName, AlertState, AlertStatus, Notification } from '../core/alerts/alert.js';
import type { Instant } from './column-values.js';
import { fromJson, isoTime, isoTimeOrNull, toJson } from './column-values.js';
import { AlertScopeError } from './errors.js';
import { insertOutboxRows } from './outbox-repository.js';
import type { AlertsTable, DatabaseSchema, Page } from './schema.js';
import type { StoreDialect } from './store-dialect.js';

export interface AlertListQuery extends Page {
  readonly status?: AlertStatus;
  readonly name?: AlertName;
}

/** What an evaluation decided: the states to store and the notifications to queue. */
export interface AlertTransition {
  readonly states: readonly AlertState[];
  readonly notifications: readonly Notification[];
}

export interface AlertTransactOptions {
  /** Each notification is queued once per channel ('email', 'webhook', 'log', ...). */
  readonly channels: readonly string[];
  readonly now: Instant;
}

export class AlertRepository {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly dialect: StoreDialect,
  ) {}

  /** Newest `startsAt` first. */
  async list(query: AlertListQuery): Promise<AlertState[]> {
    let select = this.db.selectFrom('alerts').selectAll();
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.name !== undefined) select = select.where('name', '=', query.name);
    const rows = await select
      .orderBy('starts_at', 'desc')
      .orderBy('fingerprint', 'asc')
      .limit(query.limit)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(toAlertState);
  }

  async get(fingerprint: string): Promise<AlertState | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('fingerprint', '=', fingerprint).executeTakeFirst();
    return row && toAlertState(row);
  }

  /**
   * One alert evaluation as one transaction: read the current states of the named alerts, let
   * `fn` (the pure lifecycle, e.g. `evaluateAlerts`) decide, store the states it returns and queue
   * one outbox row per notification and channel. Evaluations never overlap, across processes and
   * replicas too: they queue on the dialect's transaction lock, taken before the read. So the second of two evaluations of one condition
   * sees the first one's `lastNotifiedAt` and does not notify again; and the notification is
   * queued if and only if the state that records it is stored.
   *
   * States `fn` leaves out are kept as they are; a returned state that equals the stored one is not
   * rewritten, so `updated_at` says when a state last changed. `fn` may only return states of the
   * alerts it was shown (AlertScopeError otherwise, and nothing is written): it has not seen the
   * others' current states, and would overwrite them blindly.
   */
  async transact(
    names: readonly string[],
    fn: (states: AlertState[]) => AlertTransition | Promise<AlertTransition>,
    options: AlertTransactOptions,
  ): Promise<AlertTransition> {
    const now = isoTime(options.now);
    return this.db.transaction().execute(async (trx) => {
      await this.dialect.acquireTransactionLock(trx, 'mloop.alerts.transact');
      const rows =
        names.length === 0
          ? []
          : await trx.selectFrom('alerts').selectAll().where('name', 'in', names).orderBy('fingerprint', 'asc').execute();
      const result = await fn(rows.map(toAlertState));

      const stored = new Map(rows.map((row) => [row.fingerprint, row]));
      const changed: Insertable<AlertsTable>[] = [];
      for (const state of result.states) {
        if (!names.includes(state.name)) throw new AlertScopeError(state.name, names);
        const row = toRow(state, now);
        const before = stored.get(state.fingerprint);
        if (before === undefined || !sameState(before, row)) changed.push(row);
      }
      for (const row of changed) {
        const { fingerprint: _fingerprint, ...update } = row;
        await trx
          .insertInto('alerts')
          .values(row)
          .onConflict((oc) => oc.column('fingerprint').doUpdateSet(update))
          .execute();
      }
      await insertOutboxRows(trx, result.notifications, options.channels, now);
      return result;
    });
  }
}

function toRow(state: AlertState, updatedAt: string): Insertable<AlertsTable> {
  return {
    fingerprint: state.fingerprint,
    name: state.name,
    labels_json: toJson(state.labels),
    annotations_json: toJson(state.annotations),
    status: state.status,
    starts_at: isoTime(state.startsAt),
    ends_at: isoTimeOrNull(state.endsAt),
    last_notified_at: isoTimeOrNull(state.lastNotifiedAt),
    updated_at: updatedAt,
  };
}

function sameState(stored: Selectable<AlertsTable>, next: Insertable<AlertsTable>): boolean {
  return (
    stored.name === next.name &&
    stored.labels_json === next.labels_json &&
    stored.annotations_json === next.annotations_json &&
    stored.status === next.status &&
    stored.starts_at === next.starts_at &&
    stored.ends_at === next.ends_at &&
    stored.last_notified_at === next.last_notified_at
  );
}

function toAlertState(row: Selectable<AlertsTable>): AlertState {
  return {
    fingerprint: row.fingerprint,
    name: row.name as AlertName,
    labels: fromJson(row.labels_json) as AlertLabels,
    annotations: fromJson(row.annotations_json) as AlertAnnotations,
    status: row.status as AlertStatus,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    lastNotifiedAt: row.last_notified_at,
  };
}
