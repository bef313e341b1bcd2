import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteContext } from '../../route-context.js';
import type { LazyAsset } from './assets.js';
import { loadDashboardAssets } from './assets.js';

/**
 * The page may only talk to this server: no CDN, no inline script. uPlot sets its styles through
 * the CSSOM (`element.style.x = ...`), which `style-src 'self'` allows.
 */
const pageHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

function serve(lazy: LazyAsset, extraHeaders: Readonly<Record<string, string>> = {}) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const asset = await lazy();
    // no-cache with an ETag: the browser revalidates each file and gets a 304 while it is unchanged,
    // so a newer mloop is picked up without a hard reload.
    void reply.headers({ 'cache-control': 'no-cache', etag: asset.etag, 'x-content-type-options': 'nosniff', ...extraHeaders });
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  };
}

/**
 * The dashboard at `/`: one HTML page, its ES modules and styles under `/dashboard/`, uPlot from
 * node_modules under `/dashboard/vendor/`. The page reads the JSON API like any other client; the
 * server adds nothing for it but these files.
 */
export const dashboardRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify) => {
  const { page, files } = await loadDashboardAssets();
  const options = { schema: { hide: true } };
  fastify.get('/', options, serve(page, pageHeaders));
  for (const [path, asset] of files) fastify.get(`/dashboard/${path}`, options, serve(asset));
};
