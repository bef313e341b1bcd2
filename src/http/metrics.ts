import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Application } from '../app/application.js';
import type { PredictOutcome } from '../app/predictions.js';
import type { RolloutStatus } from '../app/rollouts.js';
import type { TrainResult } from '../app/trainings.js';
import type { ClassCurves } from '../core/metrics/decision-curves.js';

/** Upper bounds (seconds) of the request-duration histogram's buckets. */
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60] as const;

/** The answers of one route pattern and method, as plain numbers: counts by status, durations. */
class RouteStats {
  readonly byStatus = new Map<number, number>();
  /** Observations per bucket (not cumulative); the last slot is above the last bound. */
  readonly buckets = new Float64Array(durationBuckets.length + 1);
  sum = 0;
  count = 0;

  constructor(
    readonly method: string,
    readonly route: string,
  ) {}

  record(status: number, seconds: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    let b = 0;
    while (b < durationBuckets.length && seconds > durationBuckets[b]) b++;
    this.buckets[b]++;
    this.sum += seconds;
    this.count++;
  }
}

type Sample = { readonly value: number; readonly labels: Record<string, string | number>; readonly metricName: string };

/**
 * `http_request_duration_seconds`, exposed from `RouteStats` at scrape time. prom-client's registry
 * asks a metric only for its name, help, type and `get()`; its own Histogram would hash the label
 * values into a string on every observation, which costs more than the rest of the bookkeeping.
 */
class DurationHistogram {
  readonly name = 'http_request_duration_seconds';
  readonly help = 'Time from receiving a request to sending its answer, by method and route pattern';
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(private readonly stats: () => Iterable<RouteStats>) {}

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    for (const s of this.stats()) {
      const labels = { method: s.method, route: s.route };
      let cumulative = 0;
      durationBuckets.forEach((le, b) => {
        cumulative += s.buckets[b];
        values.push({ value: cumulative, labels: { le, ...labels }, metricName: `${this.name}_bucket` });
      });
      values.push({ value: s.count, labels: { le: '+Inf', ...labels }, metricName: `${this.name}_bucket` });
      values.push({ value: s.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: s.count, labels, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    // The numbers live in RouteStats: nothing to clear here.
  }
}

/**
 * Alertmanager's `ALERTS` series, as Prometheus writes it for its own rules: one sample of 1 per
 * firing alert, labelled `alertname`, `alertstate="firing"` and the alert's labels, so an existing
 * Grafana or Alertmanager setup can use mloop's alerts as it uses any others. A custom metric: the
 * label names differ from alert to alert, which prom-client's Gauge (fixed label names) refuses.
 */
class FiringAlerts {
  readonly name = 'ALERTS';
  readonly help = "mloop's firing alerts, one sample of 1 each, as Prometheus exposes its rules' alerts";
  readonly type = 'gauge';
  readonly aggregator = 'max';

  constructor(private readonly app: Application) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const firing = await this.app.alerting.list({ status: 'firing', limit: 1000 });
    const values = firing.map((a): Sample => ({ value: 1, labels: { ...promLabels(a.labels), alertname: a.name, alertstate: 'firing' }, metricName: this.name }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    // Read from the store at each scrape: nothing kept here.
  }
}

/** Alert labels as Prometheus label names allow them ([a-zA-Z_][a-zA-Z0-9_]*): other characters become _. */
function promLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([name, value]) => [name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^(?=[0-9])/, '_'), value]));
}

/**
 * The service's Prometheus metrics, in a registry of its own so two servers in one process (tests)
 * never share or double-register series.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly training: Histogram<'mode'>;
  /**
   * The per-request numbers, kept as plain counts (route pattern → method → stats) and turned
   * into Prometheus series only when scraped: recording an answer is a few increments.
   */
  private readonly routes = new Map<string, Map<string, RouteStats>>();
  private readonly predictedByClass = new Map<string, number>();
  private readonly outOfRangeByFeature = new Map<string, number>();

  constructor(app: Application) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const allStats = () => [...this.routes.values()].flatMap((byMethod) => [...byMethod.values()]);
    new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
      collect() {
        this.reset();
        for (const s of allStats()) for (const [status, n] of s.byStatus) this.inc({ method: s.method, route: s.route, status: String(status) }, n);
      },
    });
    this.registry.registerMetric(new DurationHistogram(allStats) as unknown as Histogram);
    const predictedByClass = this.predictedByClass;
    new Counter({
      name: 'mloop_predictions_total',
      help: 'Rows predicted, by predicted class label',
      labelNames: ['class'],
      registers,
      collect() {
        this.reset();
        for (const [label, n] of predictedByClass) this.inc({ class: label }, n);
      },
    });
    const outOfRangeByFeature = this.outOfRangeByFeature;
    new Counter({
      name: 'mloop_predictions_out_of_range_total',
      help: "Predicted rows with a value outside the model's training range (beyond the margin), by feature",
      labelNames: ['feature'],
      registers,
      collect() {
        this.reset();
        for (const [feature, n] of outOfRangeByFeature) this.inc({ feature }, n);
      },
    });
    new Counter({
      name: 'mloop_prediction_log_dropped_total',
      help: 'Predictions answered whose log row the store refused, even retried and alone: no feedback, live performance or drift for them',
      registers,
      collect() {
        this.reset();
        this.inc(app.predictions.droppedLogRows);
      },
    });
    this.training = new Histogram({
      name: 'mloop_training_duration_seconds',
      help: 'Duration of the successful trainings of this process, by mode',
      labelNames: ['mode'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    });
    app.trainings.onFinished((result) => this.trainingFinished(result));
    this.rolloutGauges(app, registers);
    // Read at scrape time from the serving model, so they can never disagree with it.
    new Gauge({
      name: 'mloop_active_model_version',
      help: 'Version of the model that serves predictions (absent before the first model)',
      registers,
      collect() {
        this.reset();
        const serving = app.registry.serving;
        if (serving) this.set(serving.version);
      },
    });
    new Gauge({
      name: 'mloop_monitored_metric',
      help: 'The last monitored metric: the latest check of the active model (or its training evaluation), by metric name',
      labelNames: ['metric'],
      registers,
      async collect() {
        this.reset();
        const serving = app.registry.serving;
        if (!serving) return;
        // The latest recorded evaluation (a scheduled check, or the training itself) of the version that serves.
        const [last] = await app.checks.history(1, serving.version);
        this.set({ metric: last?.metric ?? serving.summary.monitoredMetric }, last?.value ?? serving.summary.monitoredValue);
      },
    });
    this.liveGauges(app);
    new Gauge({
      name: 'mloop_drift_share',
      help: "Share of the active model's features that drifted, in its newest stored drift report, by model version (absent before one with enough inputs)",
      labelNames: ['model_version'],
      registers,
      async collect() {
        this.reset();
        const drift = await app.monitoring.storedDrift();
        if (drift?.report) this.set({ model_version: String(drift.modelVersion) }, drift.report.driftedShare);
      },
    });
    this.registry.registerMetric(new FiringAlerts(app) as unknown as Gauge);
  }

  /** Live recall and its evidence per model version, from the confirmed diagnoses in `monitor.window`. */
  private liveGauges(app: Application): void {
    const registers = [this.registry];
    // The registry collects both at once: Monitoring.live shares the one computation in flight.
    const live = () => app.monitoring.live();
    new Gauge({
      name: 'mloop_live_recall',
      help: 'Recall of the positive class on the confirmed cases in monitor.window, by model version (versions with confirmed cases only)',
      labelNames: ['model_version'],
      registers,
      async collect() {
        this.reset();
        for (const v of (await live()).versions) this.set({ model_version: String(v.modelVersion) }, v.recall);
      },
    });
    new Gauge({
      name: 'mloop_live_confirmed_cases',
      help: 'Confirmed cases in monitor.window, by model version: the evidence behind mloop_live_recall',
      labelNames: ['model_version'],
      registers,
      async collect() {
        this.reset();
        for (const v of (await live()).versions) this.set({ model_version: String(v.modelVersion) }, v.confirmed);
      },
    });
    // The live curves are computed at most once per monitor.liveCurvesMinInterval: a scrape reads them at that cost.
    const areas = (name: string, help: string, area: (c: ClassCurves) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['model_version', 'class'],
        registers,
        async collect() {
          this.reset();
          for (const v of (await app.monitoring.liveWithCurves()).versions) {
            for (const c of v.curves?.perClass ?? []) {
              const value = area(c);
              if (value !== null) this.set({ model_version: String(v.modelVersion), class: c.label }, value);
            }
          }
        },
      });
    const evidence = 'on the most recently confirmed cases in monitor.window (at most monitor.liveCurvesMaxRows), by model version and class (the positive one for two classes, each against the rest for more)';
    areas('mloop_live_roc_auc', `ROC AUC ${evidence}`, (c) => c.rocAuc);
    areas('mloop_live_average_precision', `Average precision ${evidence}`, (c) => c.averagePrecision);
  }

  /** The rollout gauges, read at scrape time from one computation of the rollout's figures. */
  private rolloutGauges(app: Application, registers: Registry[]): void {
    let shared: Promise<RolloutStatus | null> | null = null;
    // Both gauges are collected in one scrape: they share one read of the rollout's figures.
    const status = () => {
      if (app.rollouts.current === null) return Promise.resolve(null);
      shared ??= app.rollouts.status().finally(() => setImmediate(() => (shared = null)));
      return shared;
    };
    new Gauge({
      name: 'mloop_rollout_cases',
      help: 'Confirmed cases both models of the rollout under way answered (kind="shared"), and of them the confirmed positives (kind="positives"), which rollout.minCases counts',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        const s = await status();
        if (!s) return;
        this.set({ kind: 'shared' }, s.score.shared);
        this.set({ kind: 'positives' }, s.score.sharedPositives);
      },
    });
    new Gauge({
      name: 'mloop_rollout_live_recall',
      help: 'Live recall of the positive class of each model of the rollout under way, on the cases both answered (absent before any is confirmed)',
      labelNames: ['role', 'version'],
      registers,
      async collect() {
        this.reset();
        const s = await status();
        if (!s) return;
        for (const [role, p] of [['champion', s.score.champion], ['challenger', s.score.challenger]] as const) {
          if (!Number.isNaN(p.recall)) this.set({ role, version: String(p.version) }, p.recall);
        }
      },
    });
  }

  /** Registers the per-request hook: two map lookups and a few increments per answer. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      // The route pattern keeps the label set bounded; unmatched URLs (404s) share one label.
      this.statsOf(request.method, request.routeOptions.url ?? 'unmatched').record(reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  private statsOf(method: string, route: string): RouteStats {
    let byMethod = this.routes.get(route);
    if (!byMethod) {
      byMethod = new Map();
      this.routes.set(route, byMethod);
    }
    let stats = byMethod.get(method);
    if (!stats) {
      stats = new RouteStats(method, route);
      byMethod.set(method, stats);
    }
    return stats;
  }

  countPredictions(outcome: PredictOutcome): void {
    const counts = this.predictedByClass;
    const outOfRange = this.outOfRangeByFeature;
    for (const p of outcome.predictions) {
      counts.set(p.label, (counts.get(p.label) ?? 0) + 1);
      if (p.outOfRange) for (const o of p.outOfRange) outOfRange.set(o.feature, (outOfRange.get(o.feature) ?? 0) + 1);
    }
  }

  /** Every successful training in this process, whoever started it (API, tutorial route, scheduler). */
  private trainingFinished(result: TrainResult): void {
    this.training.observe({ mode: result.model.mode }, result.model.trainingMs / 1000);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
