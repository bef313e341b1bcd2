import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Notifier } from '../adapters/notifiers/notifier.js';
import { MonitoringPool } from '../adapters/monitoring-pool.js';
import { currentProcessOwner, isProvablyDead } from '../adapters/process-probe.js';
import { TrainingPool } from '../adapters/training-pool.js';
import { WebhookNotifier } from '../adapters/notifiers/webhook-notifier.js';
import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { openDatabase } from '../store/database.js';
import { Alerting, LogNotifier } from './alerting.js';
import type { Application } from './application.js';
import { Checks } from './checks.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { DataSourceHealth } from './data-source-health.js';
import { DataUpdates } from './data-updates.js';
import { DriftMonitor } from './drift-monitor.js';
import { Jobs } from './jobs.js';
import { ModelRegistry } from './model-registry.js';
import { Monitoring } from './monitoring.js';
import { OperatingPoints } from './operating-points.js';
import { PredictionLog } from './prediction-log.js';
import { Predictions } from './predictions.js';
import { Rollouts } from './rollouts.js';
import { Runs } from './runs.js';
import { Scheduler } from './scheduler.js';
import { Trainings } from './trainings.js';

export interface OpenOptions {
  readonly config: Config;
  readonly dataDir: string;
  /** PostgreSQL URL; without it, SQLite in `dataDir`. */
  readonly databaseUrl?: string;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly threads?: number;
  /** Waits between a scheduled job's retries (tests advance a clock instead). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly env?: NodeJS.ProcessEnv;
  /** SQLite: checkpoint the WAL on a worker thread (the server, whose prediction log never stops writing). */
  readonly backgroundCheckpoints?: boolean;
}

/** The log always; e-mail and webhook when configured. */
async function buildNotifiers(config: Config, log: Logger, env: NodeJS.ProcessEnv): Promise<Notifier[]> {
  const notifiers: Notifier[] = [new LogNotifier(log.child({ component: 'alerts' }))];
  const publicUrl = config.server.publicUrl;
  if (config.notify.email) {
    // nodemailer is loaded only when e-mail is configured.
    const { EmailNotifier } = await import('../adapters/notifiers/email-notifier.js');
    notifiers.push(new EmailNotifier(config.notify.email, { serviceName: 'mloop', publicUrl, logger: log }, env));
  }
  if (config.notify.webhook) notifiers.push(new WebhookNotifier(config.notify.webhook, { receiver: 'mloop', externalUrl: publicUrl }));
  return notifiers;
}

/** The composition root: every entry point (server, CLI, scheduler) builds the application here. */
export async function openApplication(options: OpenOptions): Promise<Application> {
  const { config, log } = options;
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const store = await openDatabase({
    url: options.databaseUrl,
    dataDir: options.dataDir,
    backgroundCheckpoints: options.backgroundCheckpoints,
    onWriterError: (error) => log.warn({ err: error }, 'the prediction log writer thread failed: writes and WAL checkpoints are back on the main thread'),
  });
  const pool = new TrainingPool(options.threads);
  const monitoringPool = new MonitoringPool();
  const notifiers = await buildNotifiers(config, log, env);
  const timing = { repeatIntervalMs: parseDuration(config.alerts.repeatInterval), eventTtlMs: parseDuration(config.alerts.eventTtl) };
  const alerting = new Alerting({ monitor: { ...config.monitor, positive: config.dataset.positive }, store, notifiers, timing, clock, log: log.child({ component: 'alerts' }) });
  const processName = `${hostname()}:${process.pid}`;
  const predictionLog = new PredictionLog(store, log, config.monitor.logPredictions, {
    flushAfterMs: config.monitor.logFlushMs,
    onDropped: (drop) => {
      // The rows are lost already; an alert that cannot be recorded (the store may be what failed) is logged.
      alerting.predictionLogDropped({ ...drop, process: processName }).catch((e: unknown) => log.error({ err: e }, 'prediction_log_dropped alert not recorded'));
    },
  });
  const runs = new Runs({ store, clock, log, owner: currentProcessOwner(), isDead: isProvablyDead, staleAfterMs: parseDuration(config.server.heartbeatTimeout) });
  const registry = new ModelRegistry({ store, alerting, clock, log });
  const rollouts = new Rollouts({ config, store, registry, predictionLog, alerting, clock, log: log.child({ component: 'rollouts' }) });
  const predictions = new Predictions({ config, registry, predictionLog, rollouts, clock, log });
  const drift = new DriftMonitor({ config, store, predictionLog, registry, clock, compare: monitoringPool.compare });
  const monitoring = new Monitoring({ config, store, predictionLog, registry, rollouts, clock, drift, log, rankCases: monitoringPool.rankCases });
  const data = new DataUpdates({ config, store, registry, clock, log, env });
  const trainings = new Trainings({ config, store, runs, data, registry, rollouts, pool, alerting, clock, log });
  const operatingPoints = new OperatingPoints({ config, store, data, registry, predictionLog, clock });
  const checks = new Checks({ config, store, data, registry, alerting, monitoring, rollouts, clock, log });
  const sourceHealth = new DataSourceHealth({ config, store, alerting, clock, log });
  const jobs = new Jobs({ config, runs, data, trainings, checks, registry, sourceHealth });
  const scheduler = new Scheduler({ schedule: config.schedule, store, runs, jobs, alerting, sourceHealth, clock, log: log.child({ component: 'scheduler' }), sleep: options.sleep });
  await registry.sync();
  await rollouts.sync();
  return {
    config,
    log,
    registry,
    rollouts,
    predictions,
    data,
    trainings,
    operatingPoints,
    checks,
    jobs,
    runs,
    monitoring,
    alerting,
    scheduler,
    async bootstrap() {
      // Runs left by a process that died on this machine block nothing from the start.
      await runs.reap();
      // A version that the gate kept out (monitor.serveBelowThreshold false) is not trained again at
      // every start: nothing serves until a model passes or an admin forces one.
      if ((await registry.sync()) || (await store.models.list({ limit: 1 })).length > 0) return;
      if (!(await store.snapshots.latest())) await jobs.update('startup');
      await trainings.train({}, 'startup');
    },
    async close() {
      await scheduler.stop({ abandonRetries: true });
      await trainings.settled();
      await alerting.close();
      await rollouts.flush();
      await pool.close();
      await monitoringPool.close();
      await store.close();
    },
  };
}
