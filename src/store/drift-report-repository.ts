import type { Kysely, Selectable } from 'kysely';
import type { Instant } from './column-values.js';
import { fromJson, isoTime, toJson } from './column-values.js';
import type { DatabaseSchema, DriftReportsTable } from './schema.js';

/** One computed drift report: when, for which model version, by which check run (null: a request). */
export interface StoredDriftReport {
  readonly id: number;
  readonly computedAt: string;
  readonly modelVersion: number;
  readonly runId: number | null;
  readonly result: unknown;
}

export interface NewDriftReport {
  readonly computedAt: Instant;
  readonly modelVersion: number;
  readonly runId: number | null;
  readonly result: unknown;
}

/**
 * Reports kept: the newest are what drift reads serve; older ones are history nobody reads yet, and
 * a report carries histograms of patient inputs, so they are not kept for ever.
 */
export const keptDriftReports = 100;

export class DriftReportRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /** Stores a report and deletes those more than `keptDriftReports` ids older. */
  async add(report: NewDriftReport): Promise<StoredDriftReport> {
    const row = await this.db
      .insertInto('drift_reports')
      .values({ computed_at: isoTime(report.computedAt), model_version: report.modelVersion, run_id: report.runId, result_json: toJson(report.result) })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.db.deleteFrom('drift_reports').where('id', '<=', row.id - keptDriftReports).execute();
    return toStored(row);
  }

  /** The newest report for a model version. */
  async latest(modelVersion: number): Promise<StoredDriftReport | undefined> {
    const row = await this.db.selectFrom('drift_reports').selectAll().where('model_version', '=', modelVersion).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row && toStored(row);
  }
}

function toStored(row: Selectable<DriftReportsTable>): StoredDriftReport {
  return { id: row.id, computedAt: row.computed_at, modelVersion: row.model_version, runId: row.run_id, result: fromJson(row.result_json) };
}
