import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';

/** How long an opening or a writer waits for another process's lock before giving up. */
const busyTimeoutMs = 5000;

/** Between attempts to switch a new file to WAL: about as long as the process ahead needs to do it. */
const walRetryMs = 10;

/** Opens the store's SQLite file (creating it if need be) with the settings every connection to it uses. */
export async function openSqliteFile(file: string): Promise<SqliteDatabase.Database> {
  const database = new SqliteDatabase(file);
  try {
    // Set before anything else that may wait for a lock: the CLI and the server share this file,
    // and a writer waits up to 5 s for the other instead of failing with SQLITE_BUSY at once.
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // WAL lets readers go on while one process writes.
    await switchToWal(database);
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

/**
 * The page cache of the prediction log's writer connection, in KiB: SQLite's own default. The
 * writer only appends, so the pages it uses again are the right edges of the table and its
 * indexes. better-sqlite3 builds SQLite with 16 MB a connection instead, which the writer filled
 * within seconds of load: 16 MiB of the server's memory, for the same CPU per row as with 2 MB.
 */
export const logWriterCacheKiB = 2000;

/** Opens the store's file (it exists: the store made it) for the prediction log's writer thread, with the settings of every connection and a small page cache. */
export function openLogWriterConnection(file: string): SqliteDatabase.Database {
  const database = new SqliteDatabase(file, { fileMustExist: true });
  try {
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    database.pragma('synchronous = NORMAL');
    database.pragma(`cache_size = -${logWriterCacheKiB}`);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

/**
 * Switching a file to WAL is a transaction that reads the file's header under a read lock and then
 * asks for the write lock to rewrite it. When processes open a new file together (replicas, or the
 * CLI beside the server), one of them holds the write lock and waits for the others' read locks to
 * go, while another, holding its read lock, asks for the write lock. Waiting there would deadlock,
 * so SQLite does not call the busy handler: it fails the second at once with SQLITE_BUSY, whatever
 * busy_timeout says, for it to let go of its read lock and try again (see sqlite3_busy_handler).
 * The failed statement has let go already; a later attempt finds the file in WAL mode, with
 * nothing left to do. A file already in WAL mode (every opening but the first) never retries.
 */
async function switchToWal(database: SqliteDatabase.Database): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const busy = error instanceof SqliteDatabase.SqliteError && error.code === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
    }
    await sleep(walRetryMs);
  }
}
