import type { Kysely, Selectable } from 'kysely';
import type { Instant } from './column-values.js';
import { isoTime } from './column-values.js';
import type { ChecksTable, DatabaseSchema } from './schema.js';

export const checkSources = ['training', 'check'] as const;
export type CheckSource = (typeof checkSources)[number];

/** One evaluation of a model on a snapshot: the performance history behind alerts and charts. */
export interface Check {
  readonly id: number;
  readonly createdAt: string;
  readonly modelVersion: number;
  readonly snapshotId: number;
  readonly metric: string;
  readonly value: number;
  readonly threshold: number;
  readonly passed: boolean;
  readonly source: CheckSource;
}

export interface CreateCheckInput extends Omit<Check, 'id' | 'createdAt'> {
  readonly now: Instant;
}

export interface CheckListQuery {
  readonly modelVersion?: number;
  readonly limit: number;
}

export class CheckRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  async create(input: CreateCheckInput): Promise<Check> {
    const row = await this.db
      .insertInto('checks')
      .values({
        created_at: isoTime(input.now),
        model_version: input.modelVersion,
        snapshot_id: input.snapshotId,
        metric: input.metric,
        value: input.value,
        threshold: input.threshold,
        passed: input.passed ? 1 : 0,
        source: input.source,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCheck(row);
  }

  /** The most recent `limit` checks (of one model, or of all), oldest first as a chart draws them. */
  async list(query: CheckListQuery): Promise<Check[]> {
    let select = this.db.selectFrom('checks').selectAll();
    if (query.modelVersion !== undefined) select = select.where('model_version', '=', query.modelVersion);
    const rows = await select.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.reverse().map(toCheck);
  }
}

function toCheck(row: Selectable<ChecksTable>): Check {
  return {
    id: row.id,
    createdAt: row.created_at,
    modelVersion: row.model_version,
    snapshotId: row.snapshot_id,
    metric: row.metric,
    value: row.value,
    threshold: row.threshold,
    passed: row.passed === 1,
    source: row.source as CheckSource,
  };
}
