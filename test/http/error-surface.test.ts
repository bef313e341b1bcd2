import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openApplication } from '../../src/app/open-application.js';
import { parseConfig } from '../../src/config/schema.js';
import { buildHttpApp } from '../../src/http/app.js';
import { tempDir } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait-for.js';
import { malignRow, postJson, useServer } from './server-fixture.js';

/** The app's error body: exactly `error` (one sentence) and `details`. */
async function errorOf(response: Response, status: number): Promise<{ error: string; details: unknown }> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: string; details: unknown };
  expect(Object.keys(body).sort()).toEqual(['details', 'error']);
  expect(typeof body.error).toBe('string');
  return body;
}

/** Sends `request` as is on a new connection and returns the whole answer (status line, headers, body). */
function rawRequest(base: string, request: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parseRaw(answer: string): { status: number; headers: string; body: unknown } {
  const [head, body] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head, body: JSON.parse(body) };
}

const json = (body: string, contentType = 'application/json') => ({ method: 'POST', headers: { 'Content-Type': contentType }, body });

describe('one error format for every 4xx, naming the problem', () => {
  const fixture = useServer();

  it('a path that is not percent-encoded UTF-8', async () => {
    const { error } = await errorOf(await fetch(`${fixture.base}/api/v1/runs/%ff`), 400);
    expect(error).toBe('the URL path "/api/v1/runs/%ff" is not valid: each % must start a percent-encoded UTF-8 character');
  });

  it('a path parameter over 100 characters', async () => {
    const { error } = await errorOf(await fetch(`${fixture.base}/v2/models/${'a'.repeat(101)}`), 414);
    expect(error).toMatch(/^a path parameter is longer than 100 characters: "\/v2\/models\/a+"$/);
  });

  it('a request Node cannot parse (NUL in a header, a bad request line) answers in the same shape', async () => {
    const nul = parseRaw(await rawRequest(fixture.base, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Case: a\u0000b\r\n\r\n'));
    expect(nul.status).toBe(400);
    expect(nul.body).toEqual({ error: 'the request is not valid HTTP: a header holds a character that is not allowed (a control character such as NUL, or a space in its name)', details: null });
    const garbage = parseRaw(await rawRequest(fixture.base, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(garbage.status).toBe(400);
    expect((garbage.body as { error: string }).error).toMatch(/^the request is not valid HTTP: /);
    expect(Object.keys(garbage.body as object).sort()).toEqual(['details', 'error']);
  });

  it('a wrong method is 405 with the allowed ones in Allow', async () => {
    const get = await fetch(`${fixture.base}/api/v1/predict`);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await errorOf(get, 405)).error).toBe('GET is not allowed on /api/v1/predict: use POST');
    const put = await fetch(`${fixture.base}/api/v1/models/1`, { method: 'PUT' });
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    expect((await errorOf(put, 405)).details).toEqual({ allowed: ['GET', 'HEAD'] });
    // A path no method serves stays a 404.
    expect((await errorOf(await fetch(`${fixture.base}/api/v1/nothing`, { method: 'DELETE' }), 404)).error).toBe('no route DELETE /api/v1/nothing: see /docs for the API');
  });

  it('a body of the wrong JSON type says what it is and what was expected', async () => {
    const { error, details } = await errorOf(await postJson(`${fixture.base}/api/v1/feedback`, []), 400);
    expect(error).toBe('invalid request: body must be an object, not an array');
    expect(details).toEqual([{ field: 'body', problem: 'must be an object, not an array' }]);
    expect((await errorOf(await postJson(`${fixture.base}/api/v1/predict`, 'row'), 400)).error).toBe('invalid request: body must be object, not a string');
    expect((await errorOf(await postJson(`${fixture.base}/api/v1/predict`, { rows: [[1, { a: 1 }]] }), 400)).error).toBe('invalid request: body/rows/0/1 must be a number, a string or null, not an object');
  });

  it('JSON sent as text/plain names the content type', async () => {
    const { error } = await errorOf(await fetch(`${fixture.base}/api/v1/predict`, json(JSON.stringify({ row: malignRow }), 'text/plain')), 415);
    expect(error).toBe('unsupported or malformed content type "text/plain": send the body as application/json');
  });

  it('a body without a Content-Type, or compressed, says so', async () => {
    const raw = parseRaw(await rawRequest(fixture.base, 'POST /api/v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'));
    expect(raw.status).toBe(415);
    expect(raw.body).toEqual({ error: 'the request has a body but no Content-Type: send the body as application/json', details: null });
    const gzip = await fetch(`${fixture.base}/api/v1/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: new Uint8Array([0x1f, 0x8b, 8, 0]) });
    expect((await errorOf(gzip, 415)).error).toBe('the body is sent with Content-Encoding "gzip", which this server does not decode: send it uncompressed');
  });

  it('prototype poisoning keys are named, and invalid JSON says where', async () => {
    const proto = await errorOf(await fetch(`${fixture.base}/api/v1/predict`, json('{"row": [1], "__proto__": {"admin": true}}')), 400);
    expect(proto.error).toBe('the request body has a "__proto__" key (or "constructor.prototype"), which is refused: remove it');
    const ctor = await errorOf(await fetch(`${fixture.base}/api/v1/predict`, json('{"row": [1], "constructor": {"prototype": {}}}')), 400);
    expect(ctor.error).toBe(proto.error);
    const broken = await errorOf(await fetch(`${fixture.base}/api/v1/predict`, json('{"row": [1')), 400);
    expect(broken.error).toBe("the request body is not valid JSON: Expected ',' or ']' after array element in JSON at position 10");
    expect((await errorOf(await fetch(`${fixture.base}/api/v1/predict`, json('')), 400)).error).toBe('the request body is empty: send a JSON document');
  });

  it('ids beyond 2^53 - 1 are refused plainly, never rounded or shown as 1e+23', async () => {
    const rounded = await errorOf(await fetch(`${fixture.base}/api/v1/models/9007199254740993`), 400);
    expect(rounded.error).toBe('invalid request: params/version must be integer <= 9007199254740991 (2^53 - 1), got 9007199254740993');
    const huge = await errorOf(await fetch(`${fixture.base}/api/v1/runs/12345678901234567890123`), 400);
    expect(huge.error).toBe('invalid request: params/id must be integer <= 9007199254740991 (2^53 - 1), got 12345678901234567890123');
    expect((await errorOf(await fetch(`${fixture.base}/api/v1/runs/1e3`), 400)).error).toBe('invalid request: params/id must be integer (digits only), got "1e3"');
    // The largest exact id is a plain "not found".
    expect((await errorOf(await fetch(`${fixture.base}/api/v1/models/9007199254740991`), 404)).error).toBe('no model version 9007199254740991');
  });

  it('body integers beyond 2^53 - 1 (an OIP shape) are refused, not rounded or shown as 1e+23', async () => {
    const infer = (shape: number[]) => postJson(`${fixture.base}/v2/models/mloop/infer`, { inputs: [{ name: 'features', shape, datatype: 'FP64', data: malignRow }] });
    expect((await errorOf(await infer([1e23, 30]), 400)).error).toBe('invalid request: body/inputs/0/shape/0 must be <= 9007199254740991');
    expect((await infer([1, 30])).status).toBe(200);
  });

  it('query strings: integers in digits and within 2^53 - 1 (an offset of 1e22 was a 500)', async () => {
    const offset = await errorOf(await fetch(`${fixture.base}/api/v1/runs?offset=12345678901234567890123`), 400);
    expect(offset.error).toBe('invalid request: querystring/offset must be integer <= 9007199254740991 (2^53 - 1), got 12345678901234567890123');
    expect((await errorOf(await fetch(`${fixture.base}/api/v1/runs?limit=1e3`), 400)).error).toBe('invalid request: querystring/limit must be integer (digits only), got "1e3"');
    expect((await fetch(`${fixture.base}/api/v1/runs?offset=9007199254740991`)).status).toBe(200);
    expect((await fetch(`${fixture.base}/api/v1/runs?limit=5&offset=0`)).status).toBe(200);
  });
});

describe('strings the API stores: no control characters, bounded ids', () => {
  const fixture = useServer();
  const predict = (body: unknown) => postJson(`${fixture.base}/api/v1/predict`, body);

  it('externalId with a NUL is refused before anything is logged (it used to poison a PostgreSQL log batch)', async () => {
    const { error, details } = await errorOf(await predict({ row: malignRow, externalId: 'evil\u0000' }), 400);
    expect(error).toBe('invalid request: body/externalId must not contain control characters: U+0000 at position 4');
    expect(details).toEqual([{ field: 'body/externalId', problem: 'must not contain control characters: U+0000 at position 4' }]);
    const batch = await errorOf(await predict({ rows: [malignRow, malignRow], externalIds: ['ok', 'tab\there'] }), 400);
    expect(batch.error).toBe('invalid request: body/externalIds/1 must not contain control characters: U+0009 at position 3');
    expect((await errorOf(await predict({ row: malignRow, externalId: 'del\u007f' }), 400)).error).toMatch(/U\+007F at position 3$/);
    expect((await errorOf(await predict({ row: malignRow, externalId: 'c1\u0085' }), 400)).error).toMatch(/U\+0085 at position 2$/);
    expect((await errorOf(await predict({ row: malignRow, externalId: 'half\ud800' }), 400)).error).toBe(
      'invalid request: body/externalId must be valid Unicode text: a lone surrogate U+D800 at position 4',
    );
  });

  it('externalId is at most 200 characters and not empty', async () => {
    const long = await errorOf(await predict({ row: malignRow, externalId: 'x'.repeat(201) }), 400);
    expect(long.error).toBe('invalid request: body/externalId must NOT have more than 200 characters');
    expect((await errorOf(await predict({ row: malignRow, externalId: '' }), 400)).error).toBe('invalid request: body/externalId must NOT have fewer than 1 characters');
    const ok = await predict({ row: malignRow, externalId: `H-${'7'.repeat(198)}` });
    expect(ok.status).toBe(200);
    // Non-ASCII text and astral characters (a valid surrogate pair) are fine.
    expect((await predict({ row: malignRow, externalId: 'Zürich-🏥-1' })).status).toBe(200);
    const confirmed = await postJson(`${fixture.base}/api/v1/feedback`, { externalId: 'Zürich-🏥-1', actual: 'M' });
    expect(confirmed.status).toBe(200);
  });

  it('feedback ids and labels with control characters are 400, not 500 or 404', async () => {
    const feedback = (body: unknown) => postJson(`${fixture.base}/api/v1/feedback`, body);
    expect((await errorOf(await feedback({ externalId: '\u0000abc', actual: 'M' }), 400)).error).toBe('invalid request: body/externalId must not contain control characters: U+0000 at position 0');
    expect((await errorOf(await feedback({ predictionId: 'id\u0000', actual: 'M' }), 400)).error).toMatch(/^invalid request: body\/predictionId must not contain control characters/);
    expect((await errorOf(await feedback({ items: [{ externalId: 'a', actual: 'M\n' }] }), 400)).error).toBe('invalid request: body/items/0/actual must not contain control characters: U+000A at position 1');
    expect((await errorOf(await feedback({ externalId: 'y'.repeat(201), actual: 'M' }), 400)).error).toBe('invalid request: body/externalId must NOT have more than 200 characters');
  });

  it('a log row the store refuses anyway is counted for Prometheus, and the rows around it are kept', async () => {
    const { app } = fixture.server;
    const scrape = async () => Number(/^mloop_prediction_log_dropped_total (\d+)$/m.exec(await (await fetch(`${fixture.base}/metrics`)).text())?.[1]);
    expect(await scrape()).toBe(0);
    const kept = await predict({ rows: [malignRow, malignRow], externalIds: ['around-1', 'around-2'] });
    // Below the schema: a route name the store cannot take (NOT NULL), logged in the same batch.
    app.predictions.predict([malignRow], { route: null as unknown as string });
    expect(kept.status).toBe(200);
    await app.monitoring.live(); // waits for the log to be written
    expect(await scrape()).toBe(1);
    expect((await postJson(`${fixture.base}/api/v1/feedback`, { externalId: 'around-2', actual: 'M' })).status).toBe(200);
  });

  it('documents the rule in the OpenAPI schema', async () => {
    const doc = (await (await fetch(`${fixture.base}/openapi.json`)).json()) as {
      paths: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, { pattern?: string; maxLength?: number }> } } } } } }>;
    };
    const externalId = doc.paths['/api/v1/predict'].post.requestBody.content['application/json'].schema.properties.externalId;
    expect(externalId.maxLength).toBe(200);
    expect(new RegExp(externalId.pattern as string).test('ok-1')).toBe(true);
    expect(new RegExp(externalId.pattern as string).test('no\u0000')).toBe(false);
  });
});

describe('what the log says about clients', () => {
  it('a client hanging up mid-upload is one info line, without a stack trace', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const dataDir = tempDir();
    const app = await openApplication({ config: parseConfig({}), dataDir, log, threads: 1 });
    const fastify = buildHttpApp(app, { logger: log });
    try {
      const base = await fastify.listen({ host: '127.0.0.1', port: 0 });
      const { port } = new URL(base);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write('POST /api/v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"rows": [[1, 2');
          // Hang up once the server has started reading the body.
          setTimeout(() => socket.destroy(), 50);
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      const hungUp = await waitFor('the hang-up in the log', () => lines.find((l) => l.msg === 'client closed the connection before the request was read'), 5000, 20);
      expect(hungUp).toMatchObject({ level: 30, method: 'POST', url: '/api/v1/predict' });
      expect(JSON.stringify(hungUp)).not.toMatch(/stack|"err"/);
      // Nothing about it above info: it is the client's doing, not the server's.
      expect(lines.filter((l) => (l.level as number) > 30)).toEqual([]);
    } finally {
      await fastify.close();
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
