/**
 * mloop's server, built as `mloop serve` builds it (same composition root, same HTTP app), with the
 * metrics switched on or off for the monitoring-overhead workload. Usage:
 *   node --import tsx bench/servers/mloop-variant.ts --port P --data-dir D --metrics on|off
 * The configuration comes from MLOOP_CONFIG, as for `mloop serve`: the prediction-logging switch
 * (monitor.logPredictions) is set there by the bench.
 *
 * Metrics: the HTTP app has no switch for them, so "off" replaces the two methods that do the
 * per-request work (the onResponse hook that `install` registers, and the per-prediction counter)
 * with no-ops before the app is built.
 */
import pino from 'pino';
import type * as OpenApplication from '../../src/app/open-application.js';
import type * as LoadConfig from '../../src/config/load-config.js';
import type * as HttpApp from '../../src/http/app.js';
import type * as Metrics from '../../src/http/metrics.js';
import { importDist } from '../lib/mloop.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const port = Number(args.get('port'));
const dataDir = args.get('data-dir');
const metrics = args.get('metrics') ?? 'on';
if (!dataDir || !Number.isInteger(port)) throw new Error('usage: mloop-variant.ts --port P --data-dir D --metrics on|off');

const { openApplication } = await importDist<typeof OpenApplication>('app/open-application.js');
const { loadConfig } = await importDist<typeof LoadConfig>('config/load-config.js');
const { buildHttpApp } = await importDist<typeof HttpApp>('http/app.js');
const { HttpMetrics } = await importDist<typeof Metrics>('http/metrics.js');
if (metrics === 'off') {
  HttpMetrics.prototype.install = () => undefined;
  HttpMetrics.prototype.countPredictions = () => undefined;
}

const log = pino({ level: process.env.MLOOP_LOG_LEVEL ?? 'warn' });
const app = await openApplication({ config: loadConfig(process.env.MLOOP_CONFIG || undefined), dataDir, log, backgroundCheckpoints: true });
const http = buildHttpApp(app, { logger: log.child({ component: 'http' }) });
await app.bootstrap();
await http.listen({ host: '127.0.0.1', port });
const stop = () => void http.close().then(() => app.close());
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
