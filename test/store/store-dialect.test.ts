import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { Store } from '../../src/store/database.js';
import { sqliteFileName } from '../../src/store/database.js';
import { postgresStoreDialect } from '../../src/store/postgres/postgres-store-dialect.js';
import type { DatabaseSchema } from '../../src/store/schema.js';
import { sqliteStoreDialect } from '../../src/store/sqlite/sqlite-store-dialect.js';
import type { StoreDialect } from '../../src/store/store-dialect.js';
import { waitFor } from '../helpers/wait-for.js';
import type { StoreFixture } from './dialects.js';
import { describeDialects, useStoreFixture } from './dialects.js';

type Trx = Transaction<DatabaseSchema>;

/** A transaction that stays open, after `enter`, until released. */
function heldTransaction<T>(store: Store, enter: (trx: Trx) => Promise<T>) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered!: (value: T) => void;
  const inside = new Promise<T>((resolve) => (entered = resolve));
  const done = store.db.transaction().execute(async (trx) => {
    entered(await enter(trx));
    await released;
  });
  // If `enter` fails, `inside` never settles: fail with `done` instead of waiting for ever.
  return { inside: Promise.race([inside, done.then(() => inside)]), release, done };
}

/** The first queued run not locked by another claim, as the outbox claims its rows. */
function claimRun(dialect: StoreDialect, trx: Trx) {
  return dialect.skipLocked(trx.selectFrom('runs').select('id').orderBy('id', 'asc').limit(1)).execute();
}

async function twoRuns(store: Store): Promise<number[]> {
  const run = () => store.runs.create({ kind: 'check', trigger: 'cli', params: {}, now: '2025-01-01T00:00:00Z' });
  return [(await run()).id, (await run()).id];
}

describeDialects('store dialect', (dialect) => {
  const fixture = useStoreFixture(dialect);
  if (dialect === 'sqlite') sqliteCases(fixture);
  else postgresCases(fixture);
});

function sqliteCases(fixture: StoreFixture): void {
  it('has nothing to lock: every transaction holds the write lock of the whole file from its start', async () => {
    const { store } = fixture;
    // Another process's connection, told not to wait, so that it cannot block this thread.
    const other = new SqliteDatabase(path.join(fixture.database.options.dataDir, sqliteFileName), { timeout: 0 });
    try {
      await store.db.transaction().execute(async (trx) => {
        await sqliteStoreDialect.acquireTransactionLock(trx, 'mloop.test.lock');
        expect(() => other.exec('begin immediate')).toThrow(/database is locked/);
      });
      other.exec('begin immediate');
      other.exec('rollback');
    } finally {
      other.close();
    }
  });

  it('claims rows without FOR UPDATE, which SQLite does not know', async () => {
    const [first] = await twoRuns(fixture.store);
    const claimed = await fixture.store.db.transaction().execute((trx) => claimRun(sqliteStoreDialect, trx));
    expect(claimed).toEqual([{ id: first }]);
  });
}

function postgresCases(fixture: StoreFixture): void {
  /** Transactions of this database waiting for an advisory lock. */
  async function lockWaiters(store: Store): Promise<number> {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from pg_locks
      where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`.execute(store.db);
    return Number(rows[0].n);
  }

  it('holds a second transaction that asks for the same lock until the first ends', async () => {
    const { store } = fixture;
    const other = await fixture.open(); // a second pool: the transactions really overlap
    const events: string[] = [];
    const first = heldTransaction(store, (trx) => postgresStoreDialect.acquireTransactionLock(trx, 'mloop.test.lock'));
    let second: Promise<void> | undefined;
    try {
      await first.inside;
      // Another key is free meanwhile.
      await other.db.transaction().execute((trx) => postgresStoreDialect.acquireTransactionLock(trx, 'mloop.test.other'));
      second = other.db.transaction().execute(async (trx) => {
        await postgresStoreDialect.acquireTransactionLock(trx, 'mloop.test.lock');
        events.push('second has the lock');
      });
      await waitFor('the second transaction to wait for the lock', async () => ((await lockWaiters(store)) === 1 ? true : undefined), 10_000, 10);
      events.push('first ends');
    } finally {
      first.release();
    }
    await Promise.all([first.done, second]);
    expect(events).toEqual(['first ends', 'second has the lock']);
  });

  it('lets a second claim pass over the rows the first has locked, without waiting', async () => {
    const { store } = fixture;
    const other = await fixture.open();
    const [one, two] = await twoRuns(store);
    const first = heldTransaction(store, (trx) => claimRun(postgresStoreDialect, trx));
    const firstClaim = await first.inside;
    try {
      const secondClaim = await other.db.transaction().execute(async (trx) => {
        // Waiting for the first claim's row would be the failure: end it instead of hanging.
        await sql`set local lock_timeout = '5s'`.execute(trx);
        return claimRun(postgresStoreDialect, trx);
      });
      expect([firstClaim, secondClaim]).toEqual([[{ id: one }], [{ id: two }]]);
    } finally {
      first.release();
      await first.done;
    }
  });
}
