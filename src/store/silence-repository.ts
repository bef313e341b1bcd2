import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Matcher, Silence, SilenceState } from '../core/alerts/silence.js';
import type { Instant } from './column-values.js';
import { fromJson, isoTime, toJson } from './column-values.js';
import type { DatabaseSchema, Page, SilencesTable } from './schema.js';

export interface NewSilence {
  readonly matchers: readonly Matcher[];
  readonly startsAt: Instant;
  readonly endsAt: Instant;
  readonly createdBy: string;
  readonly reason: string;
  readonly now: Instant;
}

export interface SilenceListQuery extends Page {
  /** Only silences in this state at `now`. */
  readonly state?: SilenceState;
  readonly now: Instant;
}

/** Alertmanager-style silences. Expiring one ends it now; silences are kept, as Alertmanager keeps them for a while. */
export class SilenceRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async create(input: NewSilence): Promise<Silence> {
    const row = await this.db
      .insertInto('silences')
      .values({
        created_at: isoTime(input.now),
        created_by: input.createdBy,
        matchers_json: toJson(input.matchers),
        starts_at: isoTime(input.startsAt),
        ends_at: isoTime(input.endsAt),
        reason: input.reason,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSilence(row);
  }

  async get(id: number): Promise<Silence | undefined> {
    const row = await this.db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSilence(row);
  }

  /** Newest first. */
  async list(query: SilenceListQuery): Promise<Silence[]> {
    const now = isoTime(query.now);
    let select = this.db.selectFrom('silences').selectAll();
    if (query.state === 'active') select = select.where('starts_at', '<=', now).where('ends_at', '>', now);
    if (query.state === 'pending') select = select.where('starts_at', '>', now);
    if (query.state === 'expired') select = select.where('ends_at', '<=', now);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(query.limit)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(toSilence);
  }

  /** Every silence active at `now`: what an alert evaluation mutes by. */
  async active(now: Instant): Promise<Silence[]> {
    const at = isoTime(now);
    const rows = await this.db.selectFrom('silences').selectAll().where('starts_at', '<=', at).where('ends_at', '>', at).orderBy('id', 'asc').execute();
    return rows.map(toSilence);
  }

  /** Ends the silence at `now` if it has not ended yet; undefined if there is no such silence. */
  async expire(id: number, now: Instant): Promise<Silence | undefined> {
    const at = isoTime(now);
    // A silence that has not started yet (another replica's clock ahead) ends before it starts.
    await this.db
      .updateTable('silences')
      .set({ ends_at: at, starts_at: sql<string>`case when ${sql.ref('starts_at')} > ${at} then ${at} else ${sql.ref('starts_at')} end` })
      .where('id', '=', id)
      .where('ends_at', '>', at)
      .execute();
    return this.get(id);
  }
}

function toSilence(row: Selectable<SilencesTable>): Silence {
  return {
    id: row.id,
    matchers: fromJson(row.matchers_json) as Matcher[],
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    reason: row.reason,
  };
}
