import { describe, expect, it } from 'vitest';
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
