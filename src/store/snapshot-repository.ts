import type { Kysely, Selectable } from 'kysely';
import type { Instant } from './column-values.js';
import { fromJson, fromJsonOrNull, isoTime, toJson } from './column-values.js';
import { RecordNotFoundError } from './errors.js';
import type { DatabaseSchema, Page, SnapshotsTable } from './schema.js';

/** One read of the data source: what was read, when, and a summary of it. */
export interface Snapshot {
  readonly id: number;
  readonly createdAt: string;
  readonly source: string;
  readonly contentHash: string;
  readonly rowCount: number;
  readonly classCounts: Readonly<Record<string, number>>;
  readonly featureNames: readonly string[];
  /** The reading options it was parsed with (null: taken before they were recorded). */
  readonly reading: unknown;
  /** Identifies the source and reading options that made it (null: taken before they were recorded). */
  readonly readingKey: string | null;
  /** Rows of the source left out because their label was missing. */
  readonly unlabelledRows: number;
}

export interface CreateSnapshotInput extends Omit<Snapshot, 'id' | 'createdAt'> {
  /** The caller's hash of `text` (the store trusts it: same hash, same text). */
  readonly contentHash: string;
  readonly text: string;
  readonly readingKey: string;
  readonly now: Instant;
}

export class SnapshotRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Stores the snapshot; its text is stored only if no earlier snapshot had the same hash. */
  async create(input: CreateSnapshotInput): Promise<Snapshot> {
    const row = await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('snapshot_contents')
        .values({ content_hash: input.contentHash, text: input.text })
        .onConflict((oc) => oc.column('content_hash').doNothing())
        .execute();
      return trx
        .insertInto('snapshots')
        .values({
          created_at: isoTime(input.now),
          source: input.source,
          content_hash: input.contentHash,
          row_count: input.rowCount,
          class_counts_json: toJson(input.classCounts),
          feature_names_json: toJson(input.featureNames),
          reading_json: toJson(input.reading),
          reading_key: input.readingKey,
          unlabelled_rows: input.unlabelledRows,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return toSnapshot(row);
  }

  async latest(): Promise<Snapshot | undefined> {
    const row = await this.db.selectFrom('snapshots').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row && toSnapshot(row);
  }

  async get(id: number): Promise<Snapshot | undefined> {
    const row = await this.db.selectFrom('snapshots').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSnapshot(row);
  }

  /** The CSV text the snapshot was made from. */
  async text(id: number): Promise<string> {
    const row = await this.db
      .selectFrom('snapshots')
      .innerJoin('snapshot_contents', 'snapshot_contents.content_hash', 'snapshots.content_hash')
      .select('snapshot_contents.text')
      .where('snapshots.id', '=', id)
      .executeTakeFirst();
    if (!row) throw new RecordNotFoundError('snapshot', id);
    return row.text;
  }

  /** Newest first. */
  async list(page: Page): Promise<Snapshot[]> {
    const rows = await this.db
      .selectFrom('snapshots')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute();
    return rows.map(toSnapshot);
  }
}

function toSnapshot(row: Selectable<SnapshotsTable>): Snapshot {
  return {
    id: row.id,
    createdAt: row.created_at,
    source: row.source,
    contentHash: row.content_hash,
    rowCount: row.row_count,
    classCounts: fromJson(row.class_counts_json) as Record<string, number>,
    featureNames: fromJson(row.feature_names_json) as string[],
    reading: fromJsonOrNull(row.reading_json),
    readingKey: row.reading_key,
    unlabelledRows: row.unlabelled_rows,
  };
}
