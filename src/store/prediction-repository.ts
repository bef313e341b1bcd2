import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { CompiledQuery } from 'kysely';
import type { Instant } from './column-values.js';
import { float64Blob, fromFloat64Blob, isoTime, outOfRangeText } from './column-values.js';
import type { AuditInput } from './audit-repository.js';
import { insertAuditEntry } from './audit-repository.js';
import type { ThresholdTally } from '../core/threshold-what-if.js';
import type { Window } from './prediction-log-reads.js';
import type { DatabaseSchema, PredictionsTable } from './schema.js';
import { predictionInsertColumns } from './schema.js';

/** One logged prediction; `actual` is the confirmed diagnosis once feedback arrives. */
export interface PredictionRecord {
  readonly id: string;
  readonly createdAt: string;
  readonly modelVersion: number;
  readonly route: string;
  readonly input: readonly number[];
  readonly label: string;
  readonly decision: number;
  readonly latencyMs: number;
  readonly externalId: string | null;
  readonly actual: string | null;
  readonly confirmedAt: string | null;
  /** The answer's class probabilities by label; null when the model had none. */
  readonly probabilities: Readonly<Record<string, number>> | null;
  /** The features whose value was outside the model's training range (empty when none was). */
  readonly outOfRange: readonly string[];
}

export interface NewPrediction {
  readonly id: string;
  readonly createdAt: Instant;
  readonly modelVersion: number;
  readonly route: string;
  /** The validated row as the model saw it, in feature order (a view into the request's matrix is fine). */
  readonly input: ArrayLike<number>;
  readonly label: string;
  readonly decision: number;
  readonly latencyMs: number;
  readonly externalId?: string | null;
  readonly probabilities?: Readonly<Record<string, number>> | null;
  /** The features whose value was outside the model's training range; null or empty when none was. */
  readonly outOfRange?: readonly string[] | null;
}

const chunk = 100;

/**
 * Rows one retention statement deletes: on SQLite a statement holds the event loop and the write
 * lock from start to end. Deleting 228,000 rows at once held both for seconds; 200 at a time take
 * a few milliseconds each (up to ~100 ms on a loaded 2-core machine whose disk was busy).
 */
const purgeBatch = 200;

/**
 * The parameters of a multi-row insert, row after row in `predictionInsertColumns` order: built straight
 * into one array, because objects per row (then flattened) cost more than the insert's binding.
 */
function insertParameters(rows: readonly NewPrediction[]): unknown[] {
  const parameters = new Array<unknown>(rows.length * predictionInsertColumns.length);
  let at = 0;
  let lastInstant: Instant | undefined;
  let lastTime = '';
  for (const r of rows) {
    // The rows of one request share their instant: format it once.
    if (r.createdAt !== lastInstant) {
      lastInstant = r.createdAt;
      lastTime = isoTime(r.createdAt);
    }
    parameters[at++] = r.id;
    parameters[at++] = lastTime;
    parameters[at++] = r.modelVersion;
    parameters[at++] = r.route;
    parameters[at++] = float64Blob(r.input);
    parameters[at++] = r.label;
    parameters[at++] = r.decision;
    parameters[at++] = r.latencyMs;
    parameters[at++] = r.externalId ?? null;
    parameters[at++] = r.probabilities ? JSON.stringify(r.probabilities) : null;
    parameters[at++] = outOfRangeText(r.outOfRange);
  }
  return parameters;
}

/** The prediction log: written in batches, read for live performance, drift and feedback. */
export class PredictionRepository {
  /** The insert statement for n rows, compiled by Kysely for this dialect once per n. */
  private readonly inserts = new Map<number, string>();

  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  private insertSql(rows: number): string {
    let text = this.inserts.get(rows);
    if (text === undefined) {
      const placeholder = Object.fromEntries(predictionInsertColumns.map((column) => [column, null])) as unknown as Insertable<PredictionsTable>;
      text = this.db
        .insertInto('predictions')
        .values(new Array(rows).fill(placeholder))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .compile().sql;
      this.inserts.set(rows, text);
    }
    return text;
  }

  /**
   * Inserts a batch in one transaction, `chunk` rows per statement. This is on every prediction's
   * path, so the statements are compiled once per size (building and compiling Kysely's query tree
   * for each batch cost several times the insert itself). A row whose id is stored already is
   * skipped: ids are unique, so it is the same row, and writing a batch again after a commit whose
   * answer was lost (the prediction log retries) must neither fail nor duplicate it.
   */
  async insertMany(rows: readonly NewPrediction[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        await trx.executeQuery(CompiledQuery.raw(this.insertSql(part.length), insertParameters(part)));
      }
    });
  }

  async get(id: string): Promise<PredictionRecord | undefined> {
    const row = await this.db.selectFrom('predictions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /**
   * Predictions logged with this case number, counted up to `atMost + 1` along the external_id
   * index: enough to tell "too many" without counting however many there are.
   */
  async countByExternalId(externalId: string, atMost: number): Promise<number> {
    const matches = this.db.selectFrom('predictions').select('id').where('external_id', '=', externalId).limit(atMost + 1).as('matches');
    const row = await this.db.selectFrom(matches).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** A label confirmed before for this case number other than `actual`, if there is one. */
  async otherConfirmedLabel(externalId: string, actual: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('predictions').select('actual').where('external_id', '=', externalId).where('actual', 'is not', null).where('actual', '<>', actual).limit(1).executeTakeFirst();
    return row?.actual ?? undefined;
  }

  /** Records the confirmed label on the case's predictions that have none yet; returns how many changed. */
  async confirmCase(externalId: string, actual: string, now: Instant): Promise<number> {
    const result = await this.db.updateTable('predictions').set({ actual, confirmed_at: isoTime(now) }).where('external_id', '=', externalId).where('actual', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Records the confirmed label on predictions that have none yet; returns how many changed. */
  async confirm(ids: readonly string[], actual: string, now: Instant): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db
      .updateTable('predictions')
      .set({ actual, confirmed_at: isoTime(now) })
      .where('id', 'in', [...ids])
      .where('actual', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Replaces the confirmed label of a prediction (`id`) or of a case's predictions (`externalId`)
   * with `actual`, and records the correction in the audit log, in one transaction; returns how
   * many predictions changed (no audit entry when none did).
   */
  async correct(target: { readonly id: string } | { readonly externalId: string }, actual: string, now: Instant, audit: AuditInput): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      let update = trx.updateTable('predictions').set({ actual, confirmed_at: isoTime(now) });
      update = 'id' in target ? update.where('id', '=', target.id) : update.where('external_id', '=', target.externalId);
      const result = await update.where((eb) => eb.or([eb('actual', 'is', null), eb('actual', '<>', actual)])).executeTakeFirst();
      const changed = Number(result.numUpdatedRows);
      if (changed > 0) await insertAuditEntry(trx, { ...audit, fromVersion: null, toVersion: null, now });
      return changed;
    });
  }

  /**
   * Deletes what is older than the retention period, `purgeBatch` rows per statement (the oldest
   * first, along the created_at index), letting the event loop run between statements; returns
   * how many rows went.
   */
  async purgeBefore(before: Instant): Promise<number> {
    const cutoff = isoTime(before);
    let deleted = 0;
    for (;;) {
      const oldest = this.db.selectFrom('predictions').select('id').where('created_at', '<', cutoff).orderBy('created_at').limit(purgeBatch);
      const result = await this.db.deleteFrom('predictions').where('id', 'in', oldest).executeTakeFirst();
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < purgeBatch) return deleted;
      // Kysely's promises resolve as microtasks: without this the loop would never let a request in.
      await yieldToEventLoop();
    }
  }

  /**
   * One version's confirmed cases of the window counted per confirmed label: all of them, and
   * those whose logged decision value is beyond `cut` (`>=` or `<=` its value), as a threshold on
   * the positive class's score calls them positive. The window is live performance's: since a
   * time, or the last N confirmed cases of any version.
   */
  async confirmedBeyond(version: number, window: Window, cut: { readonly op: '>=' | '<='; readonly value: number }): Promise<ThresholdTally[]> {
    const confirmed =
      'since' in window
        ? this.db.selectFrom('predictions').select(['model_version', 'actual', 'decision']).where('actual', 'is not', null).where('created_at', '>=', isoTime(window.since))
        : this.db.selectFrom('predictions').select(['model_version', 'actual', 'decision']).where('actual', 'is not', null).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(window.last);
    const rows = await this.db
      .selectFrom(confirmed.as('confirmed'))
      .select((eb) => [
        'actual',
        eb.fn.countAll<string | number>().as('n'),
        eb.fn.sum<string | number | null>(eb.case().when('decision', cut.op, cut.value).then(1).else(0).end()).as('beyond'),
      ])
      .where('model_version', '=', version)
      .groupBy('actual')
      .execute();
    return rows.map((r) => ({ actual: r.actual as string, rows: Number(r.n), calledPositive: Number(r.beyond ?? 0) }));
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('predictions').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function toRecord(row: Selectable<PredictionsTable>): PredictionRecord {
  return {
    id: row.id,
    createdAt: row.created_at,
    modelVersion: row.model_version,
    route: row.route,
    input: fromFloat64Blob(row.input),
    label: row.label,
    decision: row.decision,
    latencyMs: row.latency_ms,
    externalId: row.external_id,
    actual: row.actual,
    confirmedAt: row.confirmed_at,
    probabilities: row.probabilities_json ? (JSON.parse(row.probabilities_json) as Record<string, number>) : null,
    outOfRange: row.out_of_range === null ? [] : (JSON.parse(row.out_of_range) as string[]),
  };
}
