import type { Dialect as KyselyDialect, MigrationProvider } from 'kysely';
import { DEFAULT_MIGRATION_TABLE, Kysely, Migrator, sql } from 'kysely';
import { AlertRepository } from './alert-repository.js';
import { AuditRepository } from './audit-repository.js';
import { CheckRepository } from './check-repository.js';
import { DriftReportRepository } from './drift-report-repository.js';
import { MigrationError, UnsupportedDatabaseUrlError } from './errors.js';
import { migrationProvider } from './migrations/index.js';
import { ModelRepository } from './model-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import type { PredictionLogReader } from './prediction-log-reads.js';
import { PredictionLogQueries } from './prediction-log-reads.js';
import { PredictionRepository } from './prediction-repository.js';
import { RolloutRepository } from './rollout-repository.js';
import { RunRepository } from './run-repository.js';
import { SilenceRepository } from './silence-repository.js';
import type { DatabaseSchema } from './schema.js';
import { SnapshotRepository } from './snapshot-repository.js';
import { InThreadLogWriter } from './in-thread-log-writer.js';
import type { PredictionLogWriter } from './prediction-log-batch.js';
import type { BackgroundCheckpointOptions } from './sqlite/log-writer.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import type { Dialect, StoreDialect } from './store-dialect.js';

export { sqliteFileName } from './sqlite/open-sqlite-store.js';

export interface OpenDatabaseOptions {
  /** `postgres://` or `postgresql://`; without it the store is the SQLite file in `dataDir`. */
  readonly url?: string;
  readonly dataDir: string;
  /**
   * Told when an idle PostgreSQL connection breaks (say, the server restarted). The pool drops
   * that connection and the next query opens a new one; by default it becomes a process warning.
   */
  readonly onIdleConnectionError?: (error: Error) => void;
  /**
   * SQLite only: run the WAL checkpoints on the prediction log's writer thread instead of inside
   * whichever commit crosses the threshold (see SqliteLogWriter). For the server, whose prediction
   * log writes all the time; one-off commands do not need it.
   */
  readonly backgroundCheckpoints?: boolean | BackgroundCheckpointOptions;
  /** SQLite only: told when the writer thread fails (the main connection then takes its work back). */
  readonly onWriterError?: (error: Error) => void;
}

export interface Store {
  readonly db: Kysely<DatabaseSchema>;
  readonly dialect: Dialect;
  readonly snapshots: SnapshotRepository;
  readonly models: ModelRepository;
  readonly runs: RunRepository;
  readonly checks: CheckRepository;
  readonly alerts: AlertRepository;
  readonly outbox: OutboxRepository;
  readonly predictions: PredictionRepository;
  /** Writes the prediction log's batches: SQLite on a thread of its own, PostgreSQL through its pool. */
  readonly predictionLogWriter: PredictionLogWriter;
  /** Every change to what serves: promotions, rollbacks, the gate's activations. */
  readonly audit: AuditRepository;
  readonly silences: SilenceRepository;
  /** The prediction log's reads that grow with it (drift's sample, live counts), off the event loop. */
  readonly predictionReads: PredictionLogReader;
  readonly driftReports: DriftReportRepository;
  readonly rollouts: RolloutRepository;
  close(): Promise<void>;
}

/**
 * Opens the database named by the options and brings its schema up to date. Open one store per
 * process: on SQLite two handles of one process must not write at the same time, because
 * better-sqlite3 waits for the other's lock synchronously, blocking the event loop that would
 * release it (separate processes, such as the CLI beside the server, are fine).
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Store> {
  if (options.url === undefined || options.url === '') return openSqliteStore(options, openMigratedStore);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(options.url)?.[1]?.toLowerCase() ?? '';
  if (scheme !== 'postgres' && scheme !== 'postgresql') throw new UnsupportedDatabaseUrlError(scheme);
  return openPostgresStore({ ...options, url: options.url }, openMigratedStore);
}

async function openMigratedStore(kyselyDialect: KyselyDialect, dialect: StoreDialect, offThreadReads?: PredictionLogReader): Promise<Store> {
  const db = new Kysely<DatabaseSchema>({ dialect: kyselyDialect });
  try {
    await migrateToLatest(db, dialect.name);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const predictions = new PredictionRepository(db);
  return {
    db,
    dialect: dialect.name,
    snapshots: new SnapshotRepository(db),
    models: new ModelRepository(db, dialect),
    runs: new RunRepository(db),
    checks: new CheckRepository(db),
    alerts: new AlertRepository(db, dialect),
    outbox: new OutboxRepository(db, dialect),
    predictions,
    predictionLogWriter: new InThreadLogWriter(predictions),
    audit: new AuditRepository(db),
    silences: new SilenceRepository(db),
    predictionReads: offThreadReads ?? new PredictionLogQueries(db),
    driftReports: new DriftReportRepository(db),
    rollouts: new RolloutRepository(db, dialect),
    close: () => db.destroy(),
  };
}

/**
 * Kysely runs all pending migrations in one transaction. On PostgreSQL it first takes a
 * session-level `pg_advisory_lock`, so replicas starting together migrate one after another and
 * the later ones find nothing to do. On SQLite that transaction is a BEGIN IMMEDIATE (see
 * MloopSqliteDialect), which holds the file's write lock for the same effect across processes.
 */
async function migrateToLatest(db: Kysely<DatabaseSchema>, dialect: Dialect): Promise<void> {
  const provider = migrationProvider(dialect);
  // Every start but the first after an upgrade finds the schema current: one read says so, where
  // the migrator would take the write lock (SQLite's BEGIN IMMEDIATE, waiting behind any other
  // process's write) or PostgreSQL's advisory lock, only to find nothing to do.
  if (await ranExactly(db, provider)) return;
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw new MigrationError(results?.find((result) => result.status === 'Error')?.migrationName, { cause: error });
  }
}

/**
 * Whether the store has run exactly the provider's migrations. A store without Kysely's migration
 * table (a new one) has not: that read fails, and the migrator, which creates the table, runs; any
 * other failure happens again there, where it is reported.
 */
async function ranExactly(db: Kysely<DatabaseSchema>, provider: MigrationProvider): Promise<boolean> {
  const expected = Object.keys(await provider.getMigrations()).sort();
  let ran: string[];
  try {
    ran = (await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db)).rows.map((row) => row.name).sort();
  } catch {
    return false;
  }
  return ran.length === expected.length && ran.every((name, i) => name === expected[i]);
}
