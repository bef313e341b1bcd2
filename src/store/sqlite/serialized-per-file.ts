const openings = new Map<string, Promise<unknown>>();

/**
 * better-sqlite3 waits for a lock synchronously, blocking the event loop. If two handles in one
 * process opened the same file at once, the second could block inside BEGIN IMMEDIATE while the
 * first, which holds the lock, cannot run: a deadlock ending in SQLITE_BUSY after busy_timeout.
 * So openings of one file in one process take turns; separate processes wait on SQLite's lock.
 */
export async function serializedPerFile<T>(file: string, open: () => Promise<T>): Promise<T> {
  const before = openings.get(file) ?? Promise.resolve();
  // The earlier opening's failure belongs to its own caller; here it only means "my turn".
  const opening = before.then(open, open);
  const settled = opening.then(
    () => undefined,
    () => undefined,
  );
  openings.set(file, settled);
  try {
    return await opening;
  } finally {
    if (openings.get(file) === settled) openings.delete(file);
  }
}
