import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.js';
import { useServer } from './server-fixture.js';

/**
 * Cross-site requests and DNS rebinding (issue 13, item 6): only Host names of this server are
 * served, and a state-changing request from a page of another site is refused, whatever its content
 * type; clients without an Origin header (curl, scripts, the tutorial) work as before.
 */

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A request with exactly these headers (fetch would not send a Host of our choosing). */
function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers, setHost: !('host' in headers) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const errorOf = (answer: Answer) => (JSON.parse(answer.body) as { error: string }).error;

describe('Host and Origin checks', () => {
  const fixture = useServer({ config: { server: { publicUrl: 'https://mloop.example.com/mloop', allowedHosts: ['mloop.internal', '.lab.example'] } } });
  const port = () => new URL(fixture.base).port;
  const self = () => new URL(fixture.base).host;

  it('refuses a Host that is not a name of this server, on every route (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${port()}`, 'mloop.internal.evil.example', 'lab.example.evil', `localhost.evil.example:${port()}`]) {
      for (const path of ['/api/v1/models', '/', '/openapi.json', '/no-such-route']) {
        const answer = await send(fixture.base, 'GET', path, { host });
        expect(answer.status, `${host} ${path}`).toBe(403);
        expect(errorOf(answer)).toMatch(/^the Host header names .* which is not a name of this server.*server\.allowedHosts/);
      }
    }
  });

  it("serves loopback names, IP addresses, server.publicUrl's host and server.allowedHosts", async () => {
    const hosts = [self(), `localhost:${port()}`, `LocalHost:${port()}`, `[::1]:${port()}`, `dashboard.localhost:${port()}`, '10.0.0.5', 'mloop.example.com', 'mloop.internal:8443', 'lab.example', 'a.b.lab.example', 'localhost.'];
    for (const host of hosts) expect((await send(fixture.base, 'GET', '/api/v1/models', { host })).status, host).toBe(200);
  });

  it("refuses the issue's cross-site rollback, by its Host and by its Origin alone", async () => {
    const rebound = await send(fixture.base, 'POST', '/api/v1/models/rollback', { host: 'evil.example', origin: 'http://evil.example' });
    expect(rebound.status).toBe(403);
    const crossSite = await send(fixture.base, 'POST', '/api/v1/models/rollback', { host: self(), origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(errorOf(crossSite)).toBe(
      `cross-site request refused: this POST comes from a page at http://evil.example, not from this server (${self()}); only its own pages (the dashboard) and clients that send no Origin (curl, scripts) may change its state. Set server.publicUrl if a proxy serves mloop under another address`,
    );
  });

  it('refuses a text/plain POST /train_svm from another site, however the browser says so', async () => {
    const train = (headers: Record<string, string>) => send(fixture.base, 'POST', '/train_svm?param=basic', { 'content-type': 'text/plain', ...headers }, '{}');
    const crossSite: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: `http://localhost:${Number(port()) + 1}`, host: `localhost:${port()}` },
      { referer: 'https://evil.example/page.html' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: fixture.base, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of crossSite) {
      const answer = await train(headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(errorOf(answer)).toMatch(/^cross-site request refused/);
    }
  });

  it('takes state-changing requests from its own pages, its public address and clients without an Origin', async () => {
    const update = (headers: Record<string, string>) => send(fixture.base, 'POST', '/api/v1/data/update', headers);
    const own: Record<string, string>[] = [
      {},
      { origin: fixture.base },
      { origin: fixture.base, 'sec-fetch-site': 'same-origin' },
      { referer: `${fixture.base}/` },
      { 'sec-fetch-site': 'none' },
      { origin: 'https://mloop.example.com' },
      { origin: 'http://mloop.internal:8443', host: 'mloop.internal:8443' },
      { origin: 'http://localhost', host: 'localhost:80' },
    ];
    for (const headers of own) expect((await update(headers)).status, JSON.stringify(headers)).toBe(200);
  });

  it('treats the GET that changes state (the tutorial /update_data) as state-changing, and other reads as reads', async () => {
    expect((await send(fixture.base, 'GET', '/update_data', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await send(fixture.base, 'GET', '/update_data', {})).status).toBe(200);
    expect((await send(fixture.base, 'GET', '/api/v1/models', { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });

  it('keeps each verdict right while a client sends many different Host headers (the remembered verdicts are bounded)', async () => {
    // More distinct headers than the server remembers, good and bad mixed, each asked twice: a
    // remembered verdict must be the one a fresh check gives.
    const hosts = Array.from({ length: 150 }, (_, i) => (i % 2 === 0 ? `h${i}.lab.example` : `h${i}.evil.example`));
    for (const round of [1, 2]) {
      for (const [i, host] of hosts.entries()) expect((await send(fixture.base, 'GET', '/api/v1/models', { host })).status, `${host} (round ${round})`).toBe(i % 2 === 0 ? 200 : 403);
    }
  });
});

describe('server.allowedHosts and server.publicUrl', () => {
  it('take names, not addresses with a port or a path', () => {
    expect(parseConfig({ server: { allowedHosts: ['mloop.internal', '.example.org'], publicUrl: 'https://mloop.example.org/' } }).server.allowedHosts).toEqual(['mloop.internal', '.example.org']);
    expect(parseConfig({}).server.allowedHosts).toEqual([]);
    for (const name of ['mloop.internal:8080', 'http://mloop.internal', 'mloop.internal/x', 'user@mloop.internal', '']) {
      expect(() => parseConfig({ server: { allowedHosts: [name] } }), name).toThrow(/server\.allowedHosts\.0/);
    }
    expect(() => parseConfig({ server: { publicUrl: 'mloop.example.org' } })).toThrow(/server\.publicUrl/);
    expect(() => parseConfig({ server: { publicUrl: 'https://exa mple.org' } })).toThrow(/server\.publicUrl: not a valid URL/);
  });
});
