import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server-fixture.js';
import { benignRow, malignRow, startServer } from './server-fixture.js';

/** The tutorial's curl lines, byte for byte, with only the host changed. */
describe("the tutorial's routes", () => {
  let server: RunningServer;
  let host: string;
  beforeAll(async () => {
    server = await startServer();
    host = server.base;
  });
  afterAll(() => server.close());

  it('curl -X GET http://HOST/update_data', async () => {
    const res = await fetch(`${host}/update_data`, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Dataset successfully updated');
  });

  it('curl -X POST "http://HOST/train_svm?param=normalized" -H "Content-Type: text/plain" -d "{}"', async () => {
    const res = await fetch(`${host}/train_svm?param=normalized`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toMatch(/^Model v\d+ trained \(normalized\): recall of M 0\.9792, macro recall 0\.9896, active$/);
  });

  it("train_svm ignores any body and content type, including curl -d's form default and none at all", async () => {
    const form = await fetch(`${host}/train_svm?param=basic`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '{}' });
    expect(form.status).toBe(200);
    // basic scores below the 0.9 threshold on recall of M, so the gate keeps the normalized model.
    expect(await form.text()).toMatch(/^Model v\d+ trained \(basic\): recall of M 0\.\d{4}, macro recall 0\.\d{4}, not active: .*rejected by the promotion gate/);
    const json = await fetch(`${host}/train_svm?param=normalized`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'not json at all' });
    expect(json.status).toBe(200);
    const none = await fetch(`${host}/train_svm?param=normalized`, { method: 'POST' });
    expect(none.status).toBe(200);
    const octets = await fetch(`${host}/train_svm?param=normalized`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array([0, 1, 2]) });
    expect(octets.status).toBe(200);
  });

  it('train_svm without a param or with an unknown one answers 400 naming the allowed values', async () => {
    for (const url of [`${host}/train_svm`, `${host}/train_svm?param=fancy`]) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toContain('param');
      expect(body.error).toContain('"basic", "normalized" or "gridsearch"');
    }
  });

  it(`curl -X POST http://HOST/prediction -H "Content-Type: application/json" -d '{"data": [[17.99,...]]}'`, async () => {
    const body =
      '{"data": [[17.99,10.38,122.8,1001,0.1184,0.2776,0.3001,0.1471,0.2419,0.07871,1.095,0.9053,8.589,153.4,0.006399,0.04904,0.05373,0.01587,0.03003,0.006193,25.38,17.33,184.6,2019,0.1622,0.6656,0.7119,0.2654,0.4601,0.1189]]}';
    const res = await fetch(`${host}/prediction`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Malign');
  });

  it('/prediction answers one line per row', async () => {
    const res = await fetch(`${host}/prediction`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: [malignRow, benignRow, malignRow] }) });
    expect(await res.text()).toBe('Malign\nBenign\nMalign');
  });

  it('/prediction rejects bad rows with a 400 JSON naming the problem', async () => {
    const cases: [unknown, RegExp][] = [
      [{ data: [malignRow.slice(0, 29)] }, /row 0: expected 30 values .* got 29/],
      [{ data: [[...malignRow.slice(0, 3), 'NaN', ...malignRow.slice(4)]] }, /row 0, feature "area_mean": expected a finite number, got the string "NaN"/],
      [{ data: [[...malignRow.slice(0, 3), true, ...malignRow.slice(4)]] }, /body\/data\/0\/3 must be a number, a string or null/],
      [{ data: [] }, /no rows to predict/],
      [{ rows: [malignRow] }, /must have required property 'data'/],
      [{ data: malignRow }, /body\/data\/0 must be array/],
    ];
    for (const [body, message] of cases) {
      const res = await fetch(`${host}/prediction`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
  });

  it('curl http://HOST/show_performance', async () => {
    const res = await fetch(`${host}/show_performance`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('precision    recall  f1-score   support');
    expect(text).toMatch(/macro avg\s+0\.99\s+0\.99\s+0\.99\s+114/);
  });

  it('curl http://HOST/get_recall answers the macro recall as a bare JSON number', async () => {
    const res = await fetch(`${host}/get_recall`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe('0.9895833333333333');
  });
});
