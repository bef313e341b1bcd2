import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import { tempDir } from '../helpers/fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

it('opens a store whose schema is current without the write lock: a start does not wait behind another process writing', async () => {
  const dataDir = tempDir('mloop-current-schema-');
  dirs.push(dataDir);
  await (await openDatabase({ dataDir })).close();
  // Another process in the middle of a write transaction (a training, the prediction log's writer).
  const other = new SqliteDatabase(path.join(dataDir, 'mloop.sqlite'));
  other.exec('begin immediate');
  try {
    const opening = openDatabase({ dataDir });
    // busy_timeout is 5 s: an opening that needs the write lock is still waiting at 4 s.
    const first = await Promise.race([opening.then(() => 'opened' as const), sleep(4_000).then(() => 'waiting for the lock' as const)]);
    expect(first).toBe('opened');
    const store = await opening;
    const ran = await sql<{ name: string }>`select name from kysely_migration`.execute(store.db);
    expect(ran.rows.map((row) => row.name).sort()).toEqual(Object.keys(migrations('sqlite')).sort());
    await store.close();
  } finally {
    other.exec('rollback');
    other.close();
  }
});
