import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../src/http/app.js';
import type { RunningServer } from './server-fixture.js';
import { malignRow, postJson, startServer } from './server-fixture.js';

const adminToken = 'admin-secret-0123456789';
const predictToken = 'predict-secret-9876543210';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('bearer tokens', () => {
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    server = await startServer({ adminToken, predictToken });
    base = server.base;
  });
  afterAll(() => server.close());

  const adminRoutes: [string, string, () => RequestInit][] = [
    ['GET', '/update_data', () => ({})],
    ['POST', '/train_svm?param=normalized', () => ({ headers: { 'Content-Type': 'text/plain' }, body: '{}' })],
    ['POST', '/api/v1/data/update', () => ({})],
    ['POST', '/api/v1/models/1/promote', () => ({})],
    ['POST', '/api/v1/models/rollback', () => ({})],
    ['POST', '/api/v1/silences', () => ({ headers: { 'Content-Type': 'application/json' }, body: '{"matchers":[{"name":"alertname","value":"data_drift"}],"until":"1h","reason":"r"}' })],
    ['DELETE', '/api/v1/silences/1', () => ({})],
    ['POST', '/api/v1/train', () => ({ headers: { 'Content-Type': 'application/json' }, body: '{"mode":"normalized"}' })],
    ['POST', '/api/v1/runs/1/cancel', () => ({})],
  ];
  const predictRoutes: [string, string, () => RequestInit][] = [
    ['POST', '/prediction', () => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data: [malignRow] }) })],
    ['POST', '/api/v1/predict', () => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ row: malignRow }) })],
    ['POST', '/invocations', () => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ instances: [malignRow] }) })],
    ['POST', '/v2/models/mloop/infer', () => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 30], datatype: 'FP64', data: malignRow }] }) })],
  ];

  const call = (method: string, path: string, init: RequestInit, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { ...init, method, headers: { ...(init.headers as Record<string, string>), ...headers } });

  it.each([...adminRoutes, ...predictRoutes])('%s %s answers 401 with WWW-Authenticate without a token', async (method, path, init) => {
    const res = await call(method, path, init());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="mloop"/);
    expect(((await res.json()) as { error: string }).error).toMatch(/Authorization: Bearer <token>/);
  });

  it.each([...adminRoutes, ...predictRoutes])('%s %s answers 403 with a wrong token', async (method, path, init) => {
    for (const token of ['wrong', `${adminToken}x`, adminToken.slice(0, -1)]) {
      const res = await call(method, path, init(), bearer(token));
      expect(res.status).toBe(403);
    }
  });

  it('the prediction token does not open admin routes, nor the admin token prediction routes', async () => {
    expect((await call('GET', '/update_data', {}, bearer(predictToken))).status).toBe(403);
    expect((await postJson(`${base}/api/v1/predict`, { row: malignRow }, bearer(adminToken))).status).toBe(403);
  });

  it.each(predictRoutes)('%s %s answers 200 with the prediction token', async (method, path, init) => {
    const res = await call(method, path, init(), bearer(predictToken));
    expect(res.status).toBe(200);
  });

  it('admin routes answer with the admin token (any case of "Bearer")', async () => {
    expect(await (await call('GET', '/update_data', {}, { Authorization: `bearer ${adminToken}` })).text()).toBe('Dataset successfully updated');
    const train = await call('POST', '/train_svm?param=normalized', { headers: { 'Content-Type': 'text/plain' }, body: '{}' }, bearer(adminToken));
    expect(train.status).toBe(200);
    expect((await call('POST', '/api/v1/models/1/promote', {}, bearer(adminToken))).status).toBe(200);
    expect((await call('POST', '/api/v1/models/rollback', {}, bearer(adminToken))).status).toBe(200);
  });

  it('read-only routes need no token', async () => {
    for (const path of ['/show_performance', '/get_recall', '/api/v1/models', '/api/v1/models/audit', '/api/v1/silences', '/api/v1/performance', '/healthz', '/readyz', '/metrics', '/openapi.json', '/v2/models/mloop']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(200);
    }
  });

  it('documents the security of each guarded route in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
    expect(doc.paths['/train_svm'].post.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths['/prediction'].post.security).toEqual([{ predictToken: [] }]);
    expect(doc.paths['/get_recall'].get.security).toBeUndefined();
  });
});

describe('weak tokens', () => {
  it.each([
    ['adminToken', 'MLOOP_ADMIN_TOKEN'],
    ['predictToken', 'MLOOP_PREDICT_TOKEN'],
    ['feedbackToken', 'MLOOP_FEEDBACK_TOKEN'],
    ['readToken', 'MLOOP_READ_TOKEN'],
  ] as const)('%s shorter than 16 characters is refused, naming %s', async (option, variable) => {
    const server = await startServer({ bootstrap: false });
    try {
      expect(() => buildHttpApp(server.app, { logger: false, [option]: 'fifteen-chars-x' })).toThrow(
        `${variable} is 15 characters long: a token needs at least 16 characters, so that it cannot be guessed. Generate one with: openssl rand -hex 32`,
      );
      expect(() => buildHttpApp(server.app, { logger: false, [option]: ' sixteen-chars-xy' })).toThrow(`${variable} begins or ends with white space`);
      expect(() => buildHttpApp(server.app, { logger: false, [option]: 'sixteen-chars-xy' })).not.toThrow();
    } finally {
      await server.close();
    }
  });
});

describe('logging', () => {
  it('never writes a token to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = await startServer({ adminToken, predictToken });
    const fastify = buildHttpApp(server.app, { adminToken, predictToken, logger: pino({ level: 'trace' }, sink) });
    fastify.get('/echo-headers', (request, reply) => {
      // A careless log line: the redaction still hides the header.
      request.log.info({ headers: request.headers }, 'headers');
      return reply.send('ok');
    });
    try {
      const base = await fastify.listen({ host: '127.0.0.1', port: 0 });
      await fetch(`${base}/update_data`, { headers: bearer(`${adminToken}-wrong`) });
      await fetch(`${base}/update_data`, { headers: bearer(adminToken) });
      await postJson(`${base}/api/v1/predict`, { row: malignRow }, bearer(predictToken));
      await fetch(`${base}/echo-headers`, { headers: bearer(adminToken) });
    } finally {
      await fastify.close();
      await server.close();
    }
    const log = lines.join('');
    expect(log).toContain('"statusCode":403');
    expect(log).toContain('[redacted]');
    expect(log).not.toContain(adminToken);
    expect(log).not.toContain(predictToken);
  });
});
