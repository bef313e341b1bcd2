import type { Kysely, Selectable } from 'kysely';
import type { Instant } from './column-values.js';
import { isoTime } from './column-values.js';
import type { DatabaseSchema, Page, RegistryAuditTable } from './schema.js';

/**
 * What changed what serves, and what changed the ground truth it is judged by. A forced promotion
 * or rollback puts a version the gate rejected into service; a diagnosis correction replaces a
 * confirmed diagnosis (an admin's `{"correct": true}` feedback). A rollout starts (its challenger
 * named as `to`), and ends by promotion (by the rule, or forced by an admin before the rule
 * decided), rejection, expiry, abort, or replacement by a newer challenger. An admin saves a
 * version's fit at another decision threshold as a new version (`threshold_change`, from → to).
 * The table has no check on these kinds, so a later one needs no rebuild.
 */
export const auditActions = [
  'gate_activation',
  'promotion',
  'forced_promotion',
  'rollback',
  'forced_rollback',
  'diagnosis_correction',
  'rollout_start',
  'rollout_promotion',
  'forced_rollout_promotion',
  'rollout_rejection',
  'rollout_expiry',
  'rollout_abort',
  'rollout_replaced',
  'threshold_change',
] as const;
export type AuditAction = (typeof auditActions)[number];

/**
 * Who made the change: the role of the token that asked (`admin` through the API), the command line
 * (`cli`), the promotion gate after a training (`gate`) or a scheduled job (`scheduler`).
 */
export const auditActors = ['admin', 'cli', 'gate', 'scheduler'] as const;
export type AuditActor = (typeof auditActors)[number];

/** What a change records about itself; when and from which version the store fills in. */
export interface AuditInput {
  readonly action: AuditAction;
  readonly actor: AuditActor;
  readonly reason: string | null;
  /** The training run behind a gate activation. */
  readonly runId?: number | null;
}

export interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly action: AuditAction;
  readonly fromVersion: number | null;
  readonly toVersion: number | null;
  readonly actor: AuditActor;
  readonly reason: string | null;
  readonly runId: number | null;
}

export interface NewAuditEntry extends AuditInput {
  readonly fromVersion: number | null;
  readonly toVersion: number | null;
  readonly now: Instant;
}

/** The registry's audit log: read here, written in the transaction of the change it records. */
export class AuditRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** A change recorded on its own (a version made from another: `threshold_change`). */
  record(entry: NewAuditEntry): Promise<AuditEntry> {
    return insertAuditEntry(this.db, entry);
  }

  /** Newest first. */
  async list(page: Page): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom('registry_audit')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute();
    return rows.map(toAuditEntry);
  }
}

/** Appends one entry; `db` is the transaction that makes the change, so both land or neither. */
export async function insertAuditEntry(db: Kysely<DatabaseSchema>, entry: NewAuditEntry): Promise<AuditEntry> {
  const row = await db
    .insertInto('registry_audit')
    .values({
      at: isoTime(entry.now),
      action: entry.action,
      from_version: entry.fromVersion,
      to_version: entry.toVersion,
      actor: entry.actor,
      reason: entry.reason,
      run_id: entry.runId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAuditEntry(row);
}

function toAuditEntry(row: Selectable<RegistryAuditTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    action: row.action as AuditAction,
    fromVersion: row.from_version,
    toVersion: row.to_version,
    actor: row.actor as AuditActor,
    reason: row.reason,
    runId: row.run_id,
  };
}
