import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './error-handler.js';

/**
 * Who may reach the server from a browser. Without a token, any page open on the same machine could
 * otherwise train, promote or roll back through the loopback port: by a cross-site form or fetch
 * (the browser sends it, the answer does not matter), or by DNS rebinding (a page whose own name
 * now resolves to 127.0.0.1, so that the browser deems the server same-origin with it). The checks
 * are those of Jupyter and Vite's dev server.
 */
export interface OriginOptions {
  /** The address the server listens on (`--host`): when it is a name, a name of this server. */
  readonly boundHost?: string;
  /** `server.publicUrl`: its host is a name of this server, its origin one of its own pages. */
  readonly publicUrl?: string;
  /** `server.allowedHosts`: more names; `.example.org` is the domain and all its subdomains. */
  readonly allowedHosts?: readonly string[];
}

/** Parses a Host header (`name`, `name:port`, `[v6]:port`) the way a URL's authority is parsed. */
function parseHost(host: string): URL | undefined {
  try {
    const url = new URL(`http://${host}`);
    // Anything but a bare authority (user info, a path) is not a Host a browser sends.
    return url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** `localhost.` is `localhost`: a trailing dot only says the name is fully qualified. */
const bare = (hostname: string) => hostname.replace(/\.$/, '');

const hostnameOf = (name: string): string | undefined => parseHost(name.replace(/^\./, ''))?.hostname;

/**
 * Whether `hostname` (lower case, as URL parses it) names this server. An IP address always does:
 * DNS rebinding needs a name the attacker controls, and a page at an IP address is at the address
 * the browser connects to. `localhost` and `*.localhost` resolve to loopback in browsers.
 */
function hostMatcher(options: OriginOptions): (hostname: string) => boolean {
  const names = new Set<string>();
  const domains: string[] = [];
  for (const name of [options.boundHost, options.publicUrl && new URL(options.publicUrl).host, ...(options.allowedHosts ?? [])]) {
    if (!name) continue;
    const hostname = hostnameOf(name);
    if (hostname === undefined) continue;
    if (name.startsWith('.')) domains.push(bare(hostname));
    else names.add(bare(hostname));
  }
  return (raw) => {
    const hostname = bare(raw);
    if (isIP(hostname.replace(/^\[(.*)\]$/, '$1')) !== 0) return true;
    if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
    return names.has(hostname) || domains.some((domain) => hostname === domain || hostname.endsWith(`.${domain}`));
  };
}

const defaultPort = (protocol: string) => (protocol === 'https:' ? '443' : '80');

/** Same host and port, the Host's port defaulting to that of the page's scheme. */
function sameHost(page: URL, host: URL): boolean {
  return bare(page.hostname) === bare(host.hostname) && (page.port || defaultPort(page.protocol)) === (host.port || defaultPort(page.protocol));
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request that changes state: any method but GET, HEAD and OPTIONS, and a GET guarded as admin (`/update_data`). */
const changesState = (request: FastifyRequest) => !safeMethods.has(request.method) || request.routeOptions.config.access === 'admin';

/**
 * The page a state-changing request comes from, when a browser says it is another site's, or
 * undefined. Browsers send Origin on every cross-origin POST (`null` from a sandbox or with
 * `no-referrer`), Referer otherwise, and Sec-Fetch-Site to loopback and https servers. A client
 * that sends none of them (curl, scripts, the tutorial) is not a browser page.
 */
function crossSitePage(request: FastifyRequest, host: URL | null, publicOrigin: string | undefined): string | undefined {
  const fetchSite = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const referer = request.headers.referer;
  const page = origin ?? referer;
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return page === undefined ? `another site (Sec-Fetch-Site: ${fetchSite})` : shownOrigin(page);
  if (page === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(page);
  } catch {
    return shownOrigin(page);
  }
  if (url.origin === publicOrigin) return undefined;
  return host !== null && sameHost(url, host) ? undefined : shownOrigin(page);
}

/** The origin of a page, not its path or query, and never more than 100 characters of what was sent. */
function shownOrigin(page: string): string {
  try {
    const { origin } = new URL(page);
    return origin === 'null' ? 'null (an opaque origin: a sandboxed frame, a file, a no-referrer form)' : origin;
  } catch {
    return JSON.stringify(page.slice(0, 100));
  }
}

/** Host headers whose verdict is kept: a client sends the same one on every request. */
const knownHeadersKept = 64;

/**
 * The Host check, remembered per header: parsing it (a URL) and matching the name were about 8 % of
 * a prediction request's CPU. The header is the client's to choose, so at most `knownHeadersKept`
 * verdicts are kept; past that the memory starts over (a client that varies it only pays the parse).
 * A verdict is the parsed Host when it names this server, else null.
 */
function hostVerdicts(knownHost: (hostname: string) => boolean): (header: string) => URL | null {
  const verdicts = new Map<string, URL | null>();
  return (header) => {
    let verdict = verdicts.get(header);
    if (verdict !== undefined) return verdict;
    const host = parseHost(header);
    verdict = host !== undefined && knownHost(host.hostname) ? host : null;
    if (verdicts.size >= knownHeadersKept) verdicts.clear();
    verdicts.set(header, verdict);
    return verdict;
  };
}

/**
 * Adds the one global `onRequest` hook that checks every request before routing goes further:
 * a Host that names this server, and no state-changing request from another site's page. Both
 * answer 403 saying what to change.
 */
export function checkRequestOrigin(fastify: FastifyInstance, options: OriginOptions): void {
  const hostOf = hostVerdicts(hostMatcher(options));
  const publicOrigin = options.publicUrl === undefined ? undefined : new URL(options.publicUrl).origin;
  fastify.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.host;
    // HTTP/1.0 clients may send no Host; a browser always sends one.
    const host = header === undefined ? null : hostOf(header);
    if (header !== undefined && host === null) {
      const name = JSON.stringify(header.slice(0, 100));
      done(
        new HttpError(
          403,
          `the Host header names ${name}, which is not a name of this server: pages of another site that resolves to this address (DNS rebinding) are refused. If people reach mloop under this name, add it to server.allowedHosts (or set server.publicUrl)`,
        ),
      );
      return;
    }
    const page = changesState(request) ? crossSitePage(request, host, publicOrigin) : undefined;
    if (page !== undefined) {
      const server = header ?? 'this server';
      done(
        new HttpError(
          403,
          `cross-site request refused: this ${request.method} comes from a page at ${page}, not from this server (${server}); only its own pages (the dashboard) and clients that send no Origin (curl, scripts) may change its state. Set server.publicUrl if a proxy serves mloop under another address`,
        ),
      );
      return;
    }
    done();
  });
}
