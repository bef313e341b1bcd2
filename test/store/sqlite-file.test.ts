import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { logWriterCacheKiB, openLogWriterConnection, openSqliteFile } from '../../src/store/sqlite/sqlite-file.js';
import { tempDir } from '../helpers/fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function newFile(): string {
  const dir = tempDir('mloop-sqlite-file-');
  dirs.push(dir);
  return path.join(dir, 'mloop.sqlite');
}

it('opens a new file in WAL mode with the store settings', async () => {
  const database = await openSqliteFile(newFile());
  try {
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(database.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
  } finally {
    database.close();
  }
});

it("opens the prediction log writer's connection with the store settings and a 2 MB page cache, not better-sqlite3's 16 MB", async () => {
  const file = newFile();
  (await openSqliteFile(file)).close();
  const database = openLogWriterConnection(file);
  try {
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(database.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    // Negative: KiB rather than pages. The default it replaces:
    expect(database.pragma('cache_size', { simple: true })).toBe(-logWriterCacheKiB);
    expect(logWriterCacheKiB).toBe(2000);
    expect(new SqliteDatabase(':memory:').pragma('cache_size', { simple: true })).toBe(-16000);
  } finally {
    database.close();
  }
  expect(() => openLogWriterConnection(path.join(path.dirname(file), 'missing.sqlite'))).toThrow(/unable to open/);
});

it('opens a new file that another process is switching to WAL at the same moment', async () => {
  const file = newFile();
  // The other process, caught between reserving the new file's write lock and rewriting its header
  // for WAL: the moment at which a second opening met SQLITE_BUSY at once, busy_timeout or not.
  const other = new SqliteDatabase(file);
  other.exec('begin immediate');
  // An async function runs up to its first await at once: the first attempt meets the lock.
  const opening = openSqliteFile(file);
  other.exec('commit');
  other.close();
  const database = await opening;
  try {
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
  } finally {
    database.close();
  }
});
