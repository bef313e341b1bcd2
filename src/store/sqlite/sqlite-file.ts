import SqliteDatabase from 'better-sqlite3';

/** Opens the store's SQLite file (creating it if need be) with the settings every connection to it uses. */
export function openSqliteFile(file: string): SqliteDatabase.Database {
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
