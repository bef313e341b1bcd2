import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Application } from '../app/application.js';
import type { PredictOutcome } from '../app/predictions.js';
import type { TrainResult } from '../app/trainings.js';

/**
 * The service's Prometheus metrics, in a registry of its own so two servers in one process (tests)
 * never share or double-register series.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  private readonly predictions: Counter<'class'>;
  private readonly training: Histogram<'mode'>;
  /** Label children by "method route status": looking them up by labels hashes on every call. */
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly durationChildren = new Map<string, { observe(value: number): void }>();

  constructor(app: Application) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code', labelNames: ['method', 'route', 'status'], registers });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending its answer, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers,
    });
    this.predictions = new Counter({ name: 'mloop_predictions_total', help: 'Rows predicted, by predicted class label', labelNames: ['class'], registers });
    this.training = new Histogram({
      name: 'mloop_training_duration_seconds',
      help: 'Duration of the successful trainings of this process, by mode',
      labelNames: ['mode'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    });
    app.onTrained((result) => this.trainingFinished(result));
    // Read at scrape time from the serving model, so they can never disagree with it.
    new Gauge({
      name: 'mloop_active_model_version',
      help: 'Version of the model that serves predictions (absent before the first model)',
      registers,
      collect() {
        this.reset();
        const serving = app.serving;
        if (serving) this.set(serving.version);
      },
    });
    new Gauge({
      name: 'mloop_monitored_metric',
      help: "The active model's monitored metric on its test split, by metric name",
      labelNames: ['metric'],
      registers,
      collect() {
        this.reset();
        const serving = app.serving;
        if (serving) this.set({ metric: serving.summary.monitoredMetric }, serving.summary.monitoredValue);
      },
    });
  }

  /** Registers the per-request hook: one map lookup and two increments per answer. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      // The route pattern keeps the label set bounded; unmatched URLs (404s) share one label.
      const route = request.routeOptions.url ?? 'unmatched';
      const method = request.method;
      const key = `${method} ${route} ${reply.statusCode}`;
      let counter = this.requestChildren.get(key);
      if (!counter) {
        counter = this.requests.labels(method, route, String(reply.statusCode));
        this.requestChildren.set(key, counter);
      }
      counter.inc();
      const timerKey = `${method} ${route}`;
      let histogram = this.durationChildren.get(timerKey);
      if (!histogram) {
        histogram = this.duration.labels(method, route);
        this.durationChildren.set(timerKey, histogram);
      }
      histogram.observe(reply.elapsedTime / 1000);
      done();
    });
  }

  countPredictions(outcome: PredictOutcome): void {
    const counts = new Map<string, number>();
    for (const p of outcome.predictions) counts.set(p.label, (counts.get(p.label) ?? 0) + 1);
    for (const [label, n] of counts) this.predictions.inc({ class: label }, n);
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
