import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import type { Dialect as KyselyDialect } from 'kysely';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { withPgClient } from '../helpers/postgres.js';
import { afterEach, beforeEach, describe, it } from 'vitest';
import type { OpenDatabaseOptions, Store } from '../../src/store/database.js';
import { openDatabase, sqliteFileName } from '../../src/store/database.js';
import type { Dialect } from '../../src/store/store-dialect.js';

/*
 * Every store test runs on SQLite, and on PostgreSQL when MLOOP_TEST_DATABASE_URL names a server
 * (CI always sets it). Each test gets a database of its own: a new temporary directory, or a new
 * PostgreSQL database that is dropped afterwards. A set but unreachable URL fails the tests.
 */

export const postgresUrl = process.env.MLOOP_TEST_DATABASE_URL || undefined;
const databaseTs = fileURLToPath(new URL('../../src/store/database.ts', import.meta.url));

export interface TestDatabase {
  readonly options: OpenDatabaseOptions;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mloop-store-'));
    return { options: { dataDir }, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const adminUrl = postgresUrl as string;
  const name = `mloop_test_${randomBytes(8).toString('hex')}`;
  await withPgClient(adminUrl, (admin) => admin.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    options: { url: url.toString(), dataDir: os.tmpdir() },
    drop: async () => {
      await withPgClient(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** A bare Kysely on a test database, without mloop's store around it (to migrate it part way). */
export function bareKysely(dialect: Dialect, database: TestDatabase): Kysely<unknown> {
  const kyselyDialect: KyselyDialect =
    dialect === 'sqlite'
      ? new SqliteDialect({ database: new SqliteDatabase(path.join(database.options.dataDir, sqliteFileName)) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: database.options.url }) });
  return new Kysely<unknown>({ dialect: kyselyDialect });
}

export const dialects: readonly { dialect: Dialect; available: boolean }[] = [
  { dialect: 'sqlite', available: true },
  { dialect: 'postgres', available: postgresUrl !== undefined },
];

/** `describe`s the body once per dialect, as "<title> on sqlite" and "<title> on postgres". */
export function describeDialects(title: string, body: (dialect: Dialect) => void): void {
  describe.each(dialects)(`${title} on $dialect`, ({ dialect, available }) => {
    if (!available) {
      it.skip('needs MLOOP_TEST_DATABASE_URL (postgres://user:password@host:port/database)', () => {});
      return;
    }
    body(dialect);
  });
}

export interface StoreFixture {
  /** The current test's own database. */
  readonly database: TestDatabase;
  /** A store opened on it before the test. */
  readonly store: Store;
  /** Opens another store, on the test's database unless told otherwise; closed after the test. */
  open(options?: OpenDatabaseOptions): Promise<Store>;
  /** Runs after the test; cleanups run last registered first. */
  defer(cleanup: () => Promise<void>): void;
}

/** Registers the hooks that give each test of the enclosing `describe` a new database and store. */
export function useStoreFixture(dialect: Dialect): StoreFixture {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  const fixture: StoreFixture = {
    get database() {
      if (!database) throw new Error('the store fixture is only set up inside a test');
      return database;
    },
    get store() {
      if (!store) throw new Error('the store fixture is only set up inside a test');
      return store;
    },
    async open(options = fixture.database.options) {
      const opened = await openDatabase(options);
      cleanups.push(() => opened.close());
      return opened;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };

  beforeEach(async () => {
    const created = await createTestDatabase(dialect);
    database = created;
    cleanups.push(() => created.drop());
    store = await fixture.open();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    database = undefined;
    store = undefined;
  });

  return fixture;
}

/**
 * Runs `body` in `count` separate Node processes at once, each with its own `store` opened on
 * `options`, and returns what each body returned (through JSON). Each child opens its store,
 * says "ready" and waits for "go", so that the bodies, not the start-ups, overlap. `body` is the
 * text of an async function body (JavaScript), with `store` and `index` (0, 1, ...) in scope.
 */
export async function raceInChildren(count: number, options: OpenDatabaseOptions, body: string): Promise<unknown[]> {
  const script = [
    `import { openDatabase } from ${JSON.stringify(databaseTs)};`,
    `import { once } from 'node:events';`,
    `const index = Number(process.argv.at(-1));`,
    `const store = await openDatabase(${JSON.stringify(options)});`,
    `process.stdout.write('ready\\n');`,
    `await once(process.stdin, 'data');`,
    'try {',
    `  const result = await (async () => {\n${body}\n})();`,
    `  process.stdout.write(JSON.stringify(result ?? null) + '\\n');`,
    '} finally {',
    '  await store.close();',
    '  process.stdin.destroy();',
    '}',
  ].join('\n');
  const children = Array.from({ length: count }, (_, index) =>
    spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, String(index)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map((child) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<unknown>((resolve, reject) =>
      child.on('exit', (code) => {
        const lines = stdout.trim().split('\n');
        if (code === 0 && lines[0] === 'ready' && lines.length === 2) resolve(JSON.parse(lines[1]));
        else reject(new Error(`child exited ${code}: ${stderr || stdout}`));
      }),
    );
  });
  try {
    // A child that fails before "ready" rejects its output; do not wait for its "ready" forever.
    await Promise.race([Promise.all(children.map((child) => waitForReady(child.stdout))), Promise.all(outputs)]);
  } catch (error) {
    for (const child of children) child.kill();
    throw error;
  }
  for (const child of children) child.stdin.write('go\n');
  return Promise.all(outputs);
}

async function waitForReady(stdout: NodeJS.ReadableStream): Promise<void> {
  let seen = '';
  while (!seen.includes('ready\n')) {
    const [chunk] = (await once(stdout, 'data')) as [Buffer];
    seen += chunk.toString();
  }
}
