import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSourceError, readSource } from '../../src/adapters/data-source.js';
import { parseDataset } from '../../src/core/dataset.js';
import { withPgClient } from '../helpers/postgres.js';
import type { TestDatabase } from '../store/dialects.js';
import { createTestDatabase, postgresUrl } from '../store/dialects.js';

const limits = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };

// Doubles whose text is easy to get wrong: 17 significant digits, the smallest subnormal, -0, 1/3.
const xs = [0.1 + 0.2, 1e-300, 5e-324, -0, 123456.789, 1 / 3, 2 ** 53 + 2, -1.7976931348623157e308, 0.1, 7];

async function expectSourceError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataSourceError);
  return (error as Error).message;
}

describe('readSource with a password in a PostgreSQL URL', () => {
  it.each(['postgres://reader:s3cret-pw@127.0.0.1:1/db', 'postgresql://reader@127.0.0.1:1/db?password=s3cret-pw'])('rejects %s without repeating it', async (url) => {
    const message = await expectSourceError(readSource(url, limits, { query: 'select 1' }));
    expect(message).toMatch(/holds a password/);
    expect(message).not.toMatch(/s3cret/);
  });

  it('requires dataset.query', async () => {
    expect(await expectSourceError(readSource('postgres://reader@127.0.0.1:1/db', limits))).toMatch(/dataset.query is required/);
  });
});

describe.skipIf(postgresUrl === undefined)('readSource from PostgreSQL', () => {
  let db: TestDatabase;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    url = db.options.url as string;
    await withPgClient(url, async (client) => {
      await client.query(`create table cases (id integer primary key, x double precision, amount numeric, big bigint, flag boolean, site text, note text, diagnosis text)`);
      await client.query('create sequence counter');
      // pg sends a number as String(x), which drops the sign of -0.
      for (const [i, x] of xs.entries()) {
        const site = ['left', 'right, "upper"', 'multi\nline'][i % 3];
        await client.query('insert into cases values ($1, $2, $3, $4, $5, $6, $7, $8)', [i, Object.is(x, -0) ? '-0' : x, i === 3 ? null : `${i}.10000000000000000001`, `${9007199254740993n + BigInt(i)}`, i % 2 === 0, site, i === 2 ? 'seen' : null, i < 5 ? 'M' : 'B']);
      }
    });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('turns the result into a CSV that reads back to the same doubles, NULL as missing', async () => {
    const { text, contentHash, source } = await readSource(url, limits, { query: 'select * from cases order by id;' });
    expect(source).toBe(url);
    expect(text.split('\r\n')[0]).toBe('id,x,amount,big,flag,site,note,diagnosis');
    const d = parseDataset(text, { label: 'diagnosis', positive: 'M', drop: ['id'] });
    expect(d.featureNames).toEqual(['x', 'amount', 'big', 'flag', 'site', 'note']);
    const column = (name: string) => Array.from({ length: d.x.rows }, (_, i) => d.x.data[i * d.x.cols + d.featureNames.indexOf(name)]);
    expect(column('x').every((v, i) => Object.is(v, xs[i]))).toBe(true);
    expect(column('amount').map((v, i) => (i === 3 ? Number.isNaN(v) : v === Number(`${i}.10000000000000000001`)))).toEqual(xs.map(() => true));
    expect(column('big')).toEqual(xs.map((_, i) => Number(9007199254740993n + BigInt(i))));
    expect(d.features.find((f) => f.name === 'flag')?.categories).toEqual(['False', 'True']);
    expect(d.features.find((f) => f.name === 'site')?.categories).toEqual(['left', 'multi\nline', 'right, "upper"']);
    expect(d.features.find((f) => f.name === 'note')?.categories).toEqual(['seen']);
    expect(column('note').filter((v) => !Number.isNaN(v))).toEqual([0]);
    expect(d.y).toEqual(['M', 'M', 'M', 'M', 'M', 'B', 'B', 'B', 'B', 'B']);
    expect((await readSource(url, limits, { query: 'select * from cases order by id' })).contentHash).toBe(contentHash);
  });

  it('runs the query read-only and as a single query', async () => {
    expect(await expectSourceError(readSource(url, limits, { query: "select nextval('counter')" }))).toMatch(/read-only transaction/);
    expect(await expectSourceError(readSource(url, limits, { query: 'delete from cases' }))).toMatch(/cannot query .*syntax error/);
    expect(await expectSourceError(readSource(url, limits, { query: 'select 1; drop table cases' }))).toMatch(/cannot query/);
    expect((await readSource(url, limits, { query: 'select count(*) from cases' })).text).toBe(`count\r\n${xs.length}\r\n`);
  });

  it('stops past dataset.maxBytes and dataset.timeoutMs', async () => {
    expect(await expectSourceError(readSource(url, { ...limits, maxBytes: 100 }, { query: 'select * from cases' }))).toMatch(/over the 100-byte limit \(dataset.maxBytes\)/);
    expect(await expectSourceError(readSource(url, { ...limits, timeoutMs: 300 }, { query: 'select pg_sleep(5)' }))).toMatch(/no answer within 300 ms \(dataset.timeoutMs\)/);
  });

  it('names the server, not the URL, when the database is missing', async () => {
    const missing = new URL(url);
    missing.pathname = '/mloop_no_such_database';
    expect(await expectSourceError(readSource(missing.toString(), limits, { query: 'select 1' }))).toMatch(/cannot query .*\/mloop_no_such_database: database "mloop_no_such_database" does not exist/);
  });
});
