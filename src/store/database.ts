import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type {
  DatabaseConnection,
  Dialect as KyselyDialect,
  DialectAdapter,
  Driver,
  SqliteDatabase as KyselySqliteDatabase,
  SqliteDialectConfig,
  SqliteStatement,
} from 'kysely';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import { AlertRepository } from './alert-repository.js';
import type { BackgroundCheckpointerOptions } from './background-checkpointer.js';
import { BackgroundCheckpointer } from './background-checkpointer.js';
import { CheckRepository } from './check-repository.js';
import { MigrationError, UnsupportedDatabaseUrlError } from './errors.js';
import { migrationProvider } from './migrations.js';
import { ModelRepository } from './model-repository.js';
import { OutboxRepository } from './outbox-repository.js';
import { PredictionRepository } from './prediction-repository.js';
import { RunRepository } from './run-repository.js';
import type { DatabaseSchema, Dialect } from './schema.js';
import { SnapshotRepository } from './snapshot-repository.js';

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
   * SQLite only: run the WAL checkpoints on a worker thread instead of inside whichever commit
   * crosses the threshold (see BackgroundCheckpointer). For the server, whose prediction log
   * writes all the time; one-off commands do not need it.
   */
  readonly backgroundCheckpoints?: boolean | BackgroundCheckpointerOptions;
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
  close(): Promise<void>;
}

export const sqliteFileName = 'mloop.sqlite';

/**
 * Opens the database named by the options and brings its schema up to date. Open one store per
 * process: on SQLite two handles of one process must not write at the same time, because
 * better-sqlite3 waits for the other's lock synchronously, blocking the event loop that would
 * release it (separate processes, such as the CLI beside the server, are fine).
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Store> {
  if (options.url === undefined || options.url === '') {
    const file = path.resolve(options.dataDir, sqliteFileName);
    await mkdir(path.dirname(file), { recursive: true });
    let connection: SqliteDatabase.Database | undefined;
    const dialect = new MloopSqliteDialect({
      database: async () => {
        connection = openSqliteFile(file);
        return withStatementCache(connection);
      },
    });
    // Within one process, openings of the same file take turns (see serializedPerFile).
    const store = await serializedPerFile(file, () => openAndMigrate('sqlite', dialect));
    if (!options.backgroundCheckpoints || connection === undefined) return store;
    const checkpointer = new BackgroundCheckpointer(file, connection, options.backgroundCheckpoints === true ? {} : options.backgroundCheckpoints);
    return {
      ...store,
      close: async () => {
        await checkpointer.close();
        await store.close();
      },
    };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(options.url)?.[1]?.toLowerCase() ?? '';
  if (scheme !== 'postgres' && scheme !== 'postgresql') throw new UnsupportedDatabaseUrlError(scheme);
  // Loaded only here: a SQLite store (the default) never needs the PostgreSQL client.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: options.url, application_name: 'mloop' });
  const onIdleError = options.onIdleConnectionError ?? ((error: Error) => process.emitWarning(error));
  pool.on('error', onIdleError);
  return openAndMigrate('postgres', new PostgresDialect({ pool }));
}

async function openAndMigrate(dialect: Dialect, kyselyDialect: KyselyDialect): Promise<Store> {
  const db = new Kysely<DatabaseSchema>({ dialect: kyselyDialect });
  try {
    await migrateToLatest(db, dialect);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    db,
    dialect,
    snapshots: new SnapshotRepository(db),
    models: new ModelRepository(db, dialect),
    runs: new RunRepository(db),
    checks: new CheckRepository(db),
    alerts: new AlertRepository(db, dialect),
    outbox: new OutboxRepository(db, dialect),
    predictions: new PredictionRepository(db),
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
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    throw new MigrationError(results?.find((result) => result.status === 'Error')?.migrationName, { cause: error });
  }
}

function openSqliteFile(file: string): SqliteDatabase.Database {
  const database = new SqliteDatabase(file);
  try {
    // Set before anything else that may wait for a lock: the CLI and the server share this file,
    // and a writer waits up to 5 s for the other instead of failing with SQLITE_BUSY at once.
    database.pragma('busy_timeout = 5000');
    // WAL lets readers go on while one process writes.
    database.pragma('journal_mode = WAL');
    // In WAL mode NORMAL never corrupts the file; it fsyncs at checkpoints instead of at every
    // commit, so a power cut may lose the last commits but a crashed process loses nothing. The
    // prediction log commits many small batches, and better-sqlite3 waits for each fsync on the
    // event loop.
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

/** How many prepared statements a SQLite connection keeps (the most recently used ones). */
const cachedStatements = 256;

/**
 * Kysely asks better-sqlite3 to prepare every query it runs, and preparing costs more than running
 * most of mloop's (the prediction log's batch insert binds over a thousand parameters). The
 * queries mloop runs are few and compiled to the same text each time, so their prepared
 * statements are kept and reused. Reuse is safe because nothing here streams a statement's rows
 * (a statement that is being iterated cannot run again until it is done), and SQLite re-prepares
 * a kept statement by itself if a migration changes the schema under it.
 */
function withStatementCache(database: SqliteDatabase.Database): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement !== undefined) {
        statements.delete(sql); // re-inserted below: the map's order is least recently used first
      } else {
        statement = database.prepare(sql);
        if (statements.size >= cachedStatements) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

/**
 * Every write transaction on SQLite starts with BEGIN IMMEDIATE. A deferred BEGIN that reads first
 * and writes later fails with SQLITE_BUSY at once, without waiting, if another connection wrote
 * in between; an immediate one takes the write lock first and so waits its turn (busy_timeout).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SQLite does roll back DDL; saying so makes Kysely run migrations inside one transaction. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class MloopSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

const sqliteOpenings = new Map<string, Promise<unknown>>();

/**
 * better-sqlite3 waits for a lock synchronously, blocking the event loop. If two handles in one
 * process opened the same file at once, the second could block inside BEGIN IMMEDIATE while the
 * first, which holds the lock, cannot run: a deadlock ending in SQLITE_BUSY after busy_timeout.
 * So openings of one file in one process take turns; separate processes wait on SQLite's lock.
 */
async function serializedPerFile<T>(file: string, open: () => Promise<T>): Promise<T> {
  const before = sqliteOpenings.get(file) ?? Promise.resolve();
  // The earlier opening's failure belongs to its own caller; here it only means "my turn".
  const opening = before.then(open, open);
  const settled = opening.then(
    () => undefined,
    () => undefined,
  );
  sqliteOpenings.set(file, settled);
  try {
    return await opening;
  } finally {
    if (sqliteOpenings.get(file) === settled) sqliteOpenings.delete(file);
  }
}
