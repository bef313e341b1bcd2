import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSourceError, readSource } from '../../src/adapters/data-source.js';
import { redactSource } from '../../src/core/data-source-url.js';
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

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('readSource over http with credentials from the environment', () => {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  let elsewhere: string;
  const other = createServer((request, response) => {
    seen.push({ path: `other${request.url}`, headers: request.headers });
    response.end('a,diagnosis\n1,M\n');
  });
  const server = createServer((request, response) => {
    seen.push({ path: request.url ?? '', headers: request.headers });
    if (request.url === '/moved.csv') response.writeHead(302, { location: `${elsewhere}/data.csv` }).end();
    else if (request.url?.startsWith('/echo-url')) response.writeHead(404).end();
    else response.end('a,diagnosis\n1,M\n');
  });
  let base: string;
  beforeAll(async () => {
    base = await listen(server);
    // Another origin: same address, another port.
    elsewhere = await listen(other);
  });
  afterAll(() => {
    server.close();
    other.close();
  });
  const last = () => seen[seen.length - 1];

  it('sends MLOOP_DATASET_TOKEN as a bearer token', async () => {
    const { source } = await readSource(`${base}/data.csv?site=north`, limits, { env: { MLOOP_DATASET_TOKEN: 'tok-123' } });
    expect(last().headers.authorization).toBe('Bearer tok-123');
    expect(source).toBe(`${base}/data.csv?site=***`);
  });

  it('sends the user named in the URL and MLOOP_DATASET_PASSWORD as basic authentication', async () => {
    const { source } = await readSource(`${base.replace('//', '//rea%40der@')}/data.csv`, limits, { env: { MLOOP_DATASET_PASSWORD: 'pä:ss' } });
    expect(last().headers.authorization).toBe(`Basic ${Buffer.from('rea@der:pä:ss').toString('base64')}`);
    expect(source).toBe(`${base.replace('//', '//***@')}/data.csv`);
  });

  it('sends nothing without them, and keeps the secret from another origin a redirect leads to', async () => {
    await readSource(`${base}/data.csv`, limits, { env: {} });
    expect(last().headers.authorization).toBeUndefined();
    seen.length = 0;
    await readSource(`${base}/moved.csv`, limits, { env: { MLOOP_DATASET_TOKEN: 'tok-123' } });
    expect(seen.map((s) => [s.path, s.headers.authorization])).toEqual([
      ['/moved.csv', 'Bearer tok-123'],
      ['other/data.csv', undefined],
    ]);
  });

  it('says what is missing or contradictory, without repeating a secret', async () => {
    const user = base.replace('//', '//reader@');
    expect(await expectSourceError(readSource(`${user}/data.csv`, limits, { env: {} }))).toBe('dataset.source names a user: give the password in MLOOP_DATASET_PASSWORD');
    expect(await expectSourceError(readSource(`${user}/data.csv`, limits, { env: { MLOOP_DATASET_PASSWORD: 'pw', MLOOP_DATASET_TOKEN: 'tok' } }))).toMatch(/names a user \(basic authentication\) and MLOOP_DATASET_TOKEN is set/);
    expect(await expectSourceError(readSource(`${base}/data.csv`, limits, { env: { MLOOP_DATASET_PASSWORD: 'pw' } }))).toMatch(/MLOOP_DATASET_PASSWORD is set but dataset.source names no user/);
    const withPassword = await expectSourceError(readSource(`${base.replace('//', '//reader:s3cret-pw@')}/data.csv`, limits, { env: {} }));
    expect(withPassword).toBe('dataset.source: the URL holds a password: remove it, and give it in MLOOP_DATASET_PASSWORD (or use MLOOP_DATASET_TOKEN for a bearer token)');
    const failed = await expectSourceError(readSource(`${base}/echo-url?token=s3cret-tok`, limits, { env: {} }));
    expect(failed).toBe(`cannot fetch ${base}/echo-url?token=***: HTTP 404 Not Found`);
    const unreachable = await expectSourceError(readSource('http://127.0.0.1:1/data.csv?token=s3cret-tok', limits, { env: {} }));
    expect(unreachable).toMatch(/^cannot fetch http:\/\/127\.0\.0\.1:1\/data\.csv\?token=\*\*\*: /);
    expect(unreachable).not.toContain('s3cret');
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
    expect(source).toBe(redactSource(url));
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
