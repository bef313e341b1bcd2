import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { ConfirmedCount } from '../core/live-performance.js';
import type { PackedCases } from '../core/metrics/live-curves.js';
import type { Instant } from './column-values.js';
import { copyFloat64Blob, isoTime } from './column-values.js';
import type { DatabaseSchema } from './schema.js';

/**
 * The window of production data to look at: since a time, or the last N (of confirmed cases for
 * live performance, of predictions for drift).
 */
export type Window = { readonly since: Instant } | { readonly last: number };

/** Which inputs drift compares: the newest of the window, as many as `maxRows`. */
export interface InputSampleQuery {
  readonly window: Window;
  /** At most this many predictions, the newest of the window (`monitor.driftMaxRows`). */
  readonly maxRows: number;
  /** Values per input: inputs of another width (logged for a model with other features) are left out. */
  readonly width: number;
  /** Rows per query, so that one page, not the sample, is what the driver holds at a time. */
  readonly pageRows?: number;
}

/**
 * The newest inputs of a window, row after row (newest first) in one Float64Array on a
 * SharedArrayBuffer, which a worker thread reads without a copy.
 */
export interface InputSample {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
  /** Predictions in the window, of any width: `rows` of them, the newest, are in the sample. */
  readonly windowRows: number;
  /** When the oldest and the newest sampled input were predicted; null for an empty sample. */
  readonly from: string | null;
  readonly to: string | null;
}

/** The prediction log tallied for live performance. */
export interface LiveCounts {
  /** Confirmed cases of the window, per model version, predicted label and confirmed label. */
  readonly confirmed: readonly ConfirmedCount[];
  /** Predictions in the window (all of them, for a window of the last N cases) still unconfirmed. */
  readonly pending: number;
}

/** Which confirmed cases the live curves rank: per model version, the most recently confirmed of the window. */
export interface ConfirmedCasesQuery {
  readonly window: Window;
  /** At most this many cases per model version (`monitor.liveCurvesMaxRows`). */
  readonly maxRows: number;
  /** Rows per query, so that one page, not the sample, is what the driver holds at a time. */
  readonly pageRows?: number;
}

/** One model version's confirmed cases of a window, at most `maxRows` of them (see PackedCases). */
export interface VersionCases extends PackedCases {
  readonly modelVersion: number;
  /** The version's confirmed cases in the window; when more than were read, those read are the most recently confirmed. */
  readonly windowRows: number;
  /** Confirmation times of the earliest and latest case read. */
  readonly from: string;
  readonly to: string;
}

/** Builds a VersionCases row by row, as the pages of a read arrive. */
class CasesBuilder {
  private readonly codes = new Map<string, number>();
  private probabilityLabels: string[] | null = null;
  private rows = 0;
  private readonly decision: Float64Array;
  private readonly predicted: Uint16Array;
  private readonly actual: Uint16Array;
  private probabilities = new Float64Array(0);

  constructor(private readonly capacity: number) {
    this.decision = new Float64Array(capacity);
    this.predicted = new Uint16Array(capacity);
    this.actual = new Uint16Array(capacity);
  }

  private code(label: string): number {
    let code = this.codes.get(label);
    if (code === undefined) this.codes.set(label, (code = this.codes.size));
    return code;
  }

  add(decision: number, predicted: string, actual: string, probabilitiesJson: string | null): void {
    const i = this.rows++;
    this.decision[i] = decision;
    this.predicted[i] = this.code(predicted);
    this.actual[i] = this.code(actual);
    const p = probabilitiesJson === null ? null : (JSON.parse(probabilitiesJson) as Record<string, number>);
    if (p !== null && this.probabilityLabels === null) {
      this.probabilityLabels = Object.keys(p);
      this.probabilities = new Float64Array(this.capacity * this.probabilityLabels.length).fill(Number.NaN);
    }
    const labels = this.probabilityLabels ?? [];
    // A case logged without probabilities keeps its NaN row; a label it lacks, its NaN.
    if (p !== null) labels.forEach((l, j) => (this.probabilities[i * labels.length + j] = p[l] ?? Number.NaN));
  }

  get size(): number {
    return this.rows;
  }

  build(meta: Pick<VersionCases, 'modelVersion' | 'windowRows' | 'from' | 'to'>): VersionCases {
    const n = this.rows;
    const k = this.probabilityLabels?.length ?? 0;
    return {
      ...meta,
      rows: n,
      decision: this.decision.slice(0, n),
      labels: [...this.codes.keys()],
      predicted: this.predicted.slice(0, n),
      actual: this.actual.slice(0, n),
      probabilityLabels: this.probabilityLabels ?? [],
      probabilities: this.probabilities.slice(0, n * k),
    };
  }
}

/**
 * The reads of the prediction log whose cost grows with the log: each is bounded in memory (a
 * sample of at most `maxRows`, or counts), and the store runs them where they do not hold up the
 * event loop. SQLite's driver blocks the thread it runs on, so the SQLite store runs them on a
 * worker thread with its own read-only connection (`sqlite/read-pool.ts`); PostgreSQL's driver
 * waits asynchronously, so there they run in-process (`PredictionLogQueries`).
 */
export interface PredictionLogReader {
  inputSample(query: InputSampleQuery): Promise<InputSample>;
  liveCounts(window: Window): Promise<LiveCounts>;
  /** Per model version with confirmed cases in the window (newest version first), its most recently confirmed ones. */
  confirmedCases(query: ConfirmedCasesQuery): Promise<VersionCases[]>;
}

const defaultPageRows = 5000;

/** The reads themselves, one query code for both dialects. */
export class PredictionLogQueries implements PredictionLogReader {
  constructor(private readonly db: Kysely<DatabaseSchema>) {}

  /**
   * The newest predictions of the window, at most `maxRows`, read a page at a time by the
   * (created_at, id) key, newest first, along the created_at index: the cost depends on the
   * sample's size, not on how many predictions the window holds (but for counting them).
   */
  async inputSample(query: InputSampleQuery): Promise<InputSample> {
    const { window, maxRows, width } = query;
    const pageRows = query.pageRows ?? defaultPageRows;
    const since = 'since' in window ? isoTime(window.since) : null;
    const windowRows = await this.windowCount(window);
    const scanned = Math.min(windowRows, maxRows);
    const data = new Float64Array(new SharedArrayBuffer(scanned * width * Float64Array.BYTES_PER_ELEMENT));
    let rows = 0;
    let seen = 0;
    let to: string | null = null;
    let from: string | null = null;
    let after: { readonly createdAt: string; readonly id: string } | null = null;
    while (seen < scanned) {
      let select = this.db
        .selectFrom('predictions')
        .select(['id', 'created_at', 'input'])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.min(pageRows, scanned - seen));
      if (since !== null) select = select.where('created_at', '>=', since);
      if (after !== null) select = pastKey(select, 'created_at', after.createdAt, after.id);
      const page = await select.execute();
      if (page.length === 0) break;
      for (const row of page) {
        if (row.input.byteLength !== width * Float64Array.BYTES_PER_ELEMENT) continue;
        copyFloat64Blob(row.input, data, rows * width);
        to ??= row.created_at;
        from = row.created_at;
        rows++;
      }
      seen += page.length;
      const last = page[page.length - 1];
      after = { createdAt: last.created_at, id: last.id };
    }
    return { rows, cols: width, data: rows * width === data.length ? data : data.subarray(0, rows * width), windowRows, from, to };
  }

  /**
   * Confirmed cases counted per model version, predicted and confirmed label; the pending count
   * as the window's predictions less its confirmed ones, both counts the indexes answer (a count of
   * "not yet confirmed" rows would read every row of the window).
   */
  async liveCounts(window: Window): Promise<LiveCounts> {
    let confirmed: ConfirmedCount[];
    let pending: number;
    if ('since' in window) {
      const since = isoTime(window.since);
      const rows = await this.db
        .selectFrom('predictions')
        .select((eb) => ['model_version', 'label', 'actual', eb.fn.countAll<string | number>().as('n')])
        .where('actual', 'is not', null)
        .where('created_at', '>=', since)
        .groupBy(['model_version', 'label', 'actual'])
        .execute();
      confirmed = rows.map(toConfirmedCount);
      pending = (await this.windowCount(window)) - confirmed.reduce((sum, c) => sum + c.count, 0);
    } else {
      const recent = this.db
        .selectFrom('predictions')
        .select(['model_version', 'label', 'actual'])
        .where('actual', 'is not', null)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(window.last)
        .as('recent');
      const rows = await this.db
        .selectFrom(recent)
        .select((eb) => ['model_version', 'label', 'actual', eb.fn.countAll<string | number>().as('n')])
        .groupBy(['model_version', 'label', 'actual'])
        .execute();
      confirmed = rows.map(toConfirmedCount);
      const all = await this.db.selectFrom('predictions').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
      const everConfirmed = await this.db.selectFrom('predictions').select((eb) => eb.fn.countAll<string | number>().as('n')).where('actual', 'is not', null).executeTakeFirstOrThrow();
      pending = Number(all.n) - Number(everConfirmed.n);
    }
    // The two counts are two statements: a feedback committed between them must not make it negative.
    return { confirmed, pending: Math.max(0, pending) };
  }

  /**
   * Each version's confirmed cases, newest confirmation first, at most `maxRows`, read a page at a
   * time by the (confirmed_at, id) key along the (model_version, confirmed_at) index of confirmed
   * rows: the cost depends on the sample's size, not on how many cases the window holds (but for
   * counting them). The most recently confirmed, not a random sample: the index gives them without
   * a sort of the whole window, and they are the cases the curves should follow.
   */
  async confirmedCases(query: ConfirmedCasesQuery): Promise<VersionCases[]> {
    const { maxRows } = query;
    const pageRows = query.pageRows ?? defaultPageRows;
    const inWindow = await this.confirmedInWindow(query.window);
    const counts = await this.db
      .selectFrom('predictions')
      .select((eb) => ['model_version', eb.fn.countAll<string | number>().as('n')])
      .where('actual', 'is not', null)
      .$call(inWindow)
      .groupBy('model_version')
      .orderBy('model_version', 'desc')
      .execute();
    const out: VersionCases[] = [];
    for (const { model_version: modelVersion, n } of counts) {
      const windowRows = Number(n);
      const wanted = Math.min(windowRows, maxRows);
      const cases = new CasesBuilder(wanted);
      let after: { readonly confirmedAt: string; readonly id: string } | null = null;
      let from = '';
      let to = '';
      while (cases.size < wanted) {
        let select = this.db
          .selectFrom('predictions')
          .select(['id', 'confirmed_at', 'label', 'decision', 'actual', 'probabilities_json'])
          .where('model_version', '=', modelVersion)
          .where('actual', 'is not', null)
          .$call(inWindow)
          .orderBy('confirmed_at', 'desc')
          .orderBy('id', 'desc')
          .limit(Math.min(pageRows, wanted - cases.size));
        if (after !== null) select = pastKey(select, 'confirmed_at', after.confirmedAt, after.id);
        const page = await select.execute();
        if (page.length === 0) break;
        for (const row of page) cases.add(row.decision, row.label, row.actual as string, row.probabilities_json);
        const [first, last] = [page[0], page[page.length - 1]];
        to ||= first.confirmed_at as string;
        from = last.confirmed_at as string;
        after = { confirmedAt: from, id: last.id };
      }
      if (cases.size > 0) out.push(cases.build({ modelVersion, windowRows, from, to }));
    }
    return out;
  }

  /**
   * The window as a filter of confirmed rows: created since a time, or among the last N confirmed
   * by prediction time (the live figures' window), which the Nth newest confirmed row bounds.
   */
  private async confirmedInWindow(window: Window): Promise<<O>(select: SelectQueryBuilder<DatabaseSchema, 'predictions', O>) => SelectQueryBuilder<DatabaseSchema, 'predictions', O>> {
    if ('since' in window) {
      const since = isoTime(window.since);
      return (select) => select.where('created_at', '>=', since);
    }
    const bound = await this.db
      .selectFrom('predictions')
      .select(['created_at', 'id'])
      .where('actual', 'is not', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .offset(window.last - 1)
      .limit(1)
      .executeTakeFirst();
    if (bound === undefined) return (select) => select;
    return (select) => select.where('created_at', '>=', bound.created_at).where((eb) => eb.or([eb('created_at', '>', bound.created_at), eb('id', '>=', bound.id)]));
  }

  /** Predictions in the window: an index-only count of created_at, or at most N rows. */
  private async windowCount(window: Window): Promise<number> {
    const counted =
      'since' in window
        ? this.db.selectFrom('predictions').select((eb) => eb.fn.countAll<string | number>().as('n')).where('created_at', '>=', isoTime(window.since))
        : this.db.selectFrom(this.db.selectFrom('predictions').select('id').limit(window.last).as('last')).select((eb) => eb.fn.countAll<string | number>().as('n'));
    return Number((await counted.executeTakeFirstOrThrow()).n);
  }
}

/**
 * The rows after (`value`, `id`) in descending (column, id) order: a page's successor. Written as a
 * range on the column and a filter, not as (column, id) < (value, id): SQLite walks the column's
 * index for the first form and sorts the whole table for the second.
 */
function pastKey<O>(select: SelectQueryBuilder<DatabaseSchema, 'predictions', O>, column: 'created_at' | 'confirmed_at', value: string, id: string): SelectQueryBuilder<DatabaseSchema, 'predictions', O> {
  return select.where(column, '<=', value).where((eb) => eb.or([eb(column, '<', value), eb('id', '<', id)]));
}

function toConfirmedCount(row: { model_version: number; label: string; actual: string | null; n: string | number }): ConfirmedCount {
  return { modelVersion: row.model_version, label: row.label, actual: row.actual as string, count: Number(row.n) };
}
