import type { SchemaOptions, Static, TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { Cron } from 'croner';
import { isPostgresSource, sourceUrlProblem } from '../core/data-source-url.js';
import { parseDuration } from '../core/duration.js';
import { trainingModes } from '../core/model-artifact.js';
import { monitoredMetrics } from '../core/monitored-metric.js';
import { rolloutStrategies } from '../core/rollout-rule.js';
import { jobKinds, missedPolicies } from '../core/schedule-policy.js';
import { imputeStrategies } from '../core/preprocessing/simple-imputer.js';
import { gammaRules } from '../core/svc/svc.js';
import { gridSizeProblem, trainingLimits } from '../core/training-limits.js';
import { literalUnion } from './literal-union.js';
import { deepestProblem, unionChoices } from './schema-problem.js';
import { DEFAULT_NA_VALUES } from '../core/na-values.js';

/**
 * The configuration file's schema. Key names are a contract (README "Configuration"); every key is
 * optional and defaults to the tutorial's value. Secrets never live here: they come from the
 * environment (MLOOP_ADMIN_TOKEN, MLOOP_PREDICT_TOKEN, MLOOP_SMTP_PASSWORD, ...).
 */
const strict = { additionalProperties: false } as const;
const { C: cLimits, gamma: gammaLimits } = trainingLimits;
/**
 * Shared with the API's schemas (http/schemas.ts, the training body), which add their
 * descriptions: the limits (core/training-limits.ts) hold for the file and for every request.
 */
export const regularisationSchema = (options?: SchemaOptions) => Type.Number({ minimum: cLimits.min, maximum: cLimits.max, ...options });
export const gammaSchema = (options?: SchemaOptions) =>
  Type.Union([...literalUnion(gammaRules).anyOf, Type.Number({ minimum: gammaLimits.min, maximum: gammaLimits.max })], options);
export const gridSchema = (options?: SchemaOptions) =>
  Type.Object(
    {
      C: Type.Array(regularisationSchema(), { minItems: 1, maxItems: trainingLimits.gridValues }),
      gamma: Type.Array(gammaSchema(), { minItems: 1, maxItems: trainingLimits.gridValues }),
    },
    { ...strict, ...options },
  );
export const trainingModeSchema = (options?: SchemaOptions) => literalUnion(trainingModes, options);

const section = <T extends Record<string, TSchema>>(properties: T) => Type.Object(properties, { ...strict, default: {} });

export const ConfigSchema = Type.Object(
  {
    dataset: section({
      source: Type.Optional(
        Type.String({
          minLength: 1,
          description: 'file path or http(s) URL of a CSV, or a postgres:// URL with dataset.query; default: the bundled data/wdbc.csv. No password in it: MLOOP_DATASET_PASSWORD / MLOOP_DATASET_TOKEN',
        }),
      ),
      query: Type.Optional(Type.String({ minLength: 1, description: 'the SELECT whose columns are the table, when dataset.source is a PostgreSQL URL (password from PGPASSWORD or MLOOP_DATASET_PASSWORD)' })),
      header: Type.Boolean({ default: true, description: 'whether the first line names the columns' }),
      columns: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 2, description: "the columns' names, in file order; required when header is false" })),
      delimiter: Type.Union([Type.Literal(','), Type.Literal(';'), Type.Literal('\t')], { default: ',' }),
      naValues: Type.Array(Type.String(), { default: [...DEFAULT_NA_VALUES], description: 'cells that mean "missing"' }),
      categorical: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'feature columns read as categories even when they hold numbers (codes)' }),
      label: Type.String({ minLength: 1, default: 'diagnosis' }),
      positive: Type.String({ minLength: 1, default: 'M', description: 'a label, written as a string or a number' }),
      drop: Type.Array(Type.String(), { default: ['id'] }),
      classNames: Type.Record(Type.String(), Type.String(), { default: { M: 'Malign', B: 'Benign' }, description: 'words for each label in answers (the tutorial said Malign / Benign)' }),
      timeoutMs: Type.Integer({ minimum: 1, default: 30_000 }),
      maxBytes: Type.Integer({ minimum: 1, default: 50 * 1024 * 1024 }),
      title: Type.Optional(
        Type.String({ minLength: 1, maxLength: 200, description: "what the dashboard's subtitle and the model card call the classifier; default: from the data set's name (e.g. \"wdbc classifier\" for wdbc.csv)" }),
      ),
      intendedUse: Type.Optional(Type.String({ minLength: 1, maxLength: 5000, description: "the model card's intended use: what the model is for, for whom, and what it must not be used for" })),
      units: Type.Record(Type.String({ minLength: 1 }), Type.String({ minLength: 1, maxLength: 40 }), {
        default: {},
        description: "each feature's unit as the data's documentation states it (`radius_mean: µm`), shown beside its training range in the dashboard's prediction form; a feature without one shows none",
      }),
    }),
    split: section({
      testSize: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.2 }),
      randomState: Type.Integer({ minimum: 0, maximum: 4294967295, default: 20 }),
      stratify: Type.Boolean({ default: false }),
    }),
    training: section({
      mode: trainingModeSchema({ default: 'normalized' }),
      C: regularisationSchema({ default: 1 }),
      gamma: gammaSchema({ default: 'scale' }),
      grid: gridSchema({ default: { C: [0.1, 1, 10, 100], gamma: [1, 0.1, 0.01, 0.001] } }),
      cv: Type.Integer({ minimum: trainingLimits.cv.min, maximum: trainingLimits.cv.max, default: 5 }),
      timeout: Type.String({ minLength: 1, default: '10m', description: 'a training running longer fails as timed out, its worker threads stopped' }),
      probability: Type.Boolean({ default: true, description: "fit Platt scaling as SVC(probability=True, random_state=split.randomState): every answer carries each class's probability" }),
      impute: literalUnion(imputeStrategies, { default: 'mean', description: "SimpleImputer strategy for missing numeric values: mean, median or most_frequent (categorical ones get the most frequent category)" }),
    }),
    monitor: section({
      metric: literalUnion(monitoredMetrics, { default: 'recall' }),
      threshold: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }),
      targetRecall: Type.Optional(
        Type.Number({
          exclusiveMinimum: 0,
          maximum: 1,
          description: "two classes: the decision threshold is the highest whose out-of-fold recall of dataset.positive on the training rows (folds of training.cv) reaches this; test-split metrics and the gate are at that threshold, and serving applies it",
        }),
      ),
      maxRegression: Type.Number({ minimum: 0, maximum: 1, default: 0, description: "how far below the serving model's value, on the same held-out rows, a new model may be and still pass the gate" }),
      serveBelowThreshold: Type.Boolean({ default: false, description: 'a first model below the threshold serves anyway (until one passes); by default nothing serves (503) until a model passes or an admin forces one' }),
      logPredictions: Type.Boolean({ default: true, description: 'keep every prediction for live performance, drift and feedback' }),
      logFlushMs: Type.Integer({ minimum: 1, maximum: 10_000, default: 50, description: 'a logged prediction is handed to the writer at most this long after its answer: what a killed process (kill -9) can lose' }),
      retentionDays: Type.Integer({ minimum: 1, default: 365, description: 'prediction log rows older than this are deleted by the check job' }),
      window: Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 1 })], { default: '30d', description: "live performance window: a duration ('30d') or the last N confirmed cases" }),
      minCases: Type.Integer({ minimum: 1, default: 30, description: 'confirmed positive cases needed before live recall can raise an alert' }),
      driftWindow: Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 1 })], { default: '7d', description: "recent inputs compared with the training data: a duration ('7d') or the last N predictions" }),
      driftMinRows: Type.Integer({ minimum: 2, default: 30, description: 'recent inputs needed before drift is judged' }),
      driftShare: Type.Number({ minimum: 0, maximum: 1, default: 0.3, description: 'drift alert when more than this share of features drifted' }),
      sourceStaleAfter: Type.Optional(Type.String({ minLength: 1, description: "data_source_stale alert when no update has succeeded for this long ('2d'); default: two ticks of schedule.update" })),
      driftMaxRows: Type.Integer({ minimum: 2, maximum: 1_000_000, default: 50_000, description: 'most recent inputs drift compares: the newest of the drift window' }),
      driftMinInterval: Type.String({ minLength: 1, default: '5m', description: 'a drift read recomputes the report when the last one is older than this, at most once per interval' }),
      liveCurvesMaxRows: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 50_000, description: "confirmed cases per model version the live ROC and precision-recall curves rank: each version's most recently confirmed of monitor.window" }),
      liveCurvesMinInterval: Type.String({ minLength: 1, default: '1m', description: 'a live performance read recomputes the live curves when the last ones are older than this, at most once per interval' }),
    }),
    rollout: section({
      strategy: literalUnion(rolloutStrategies, {
        default: 'immediate',
        description: 'how a model that passes the gate replaces the one that serves: at once (immediate), after proving itself on confirmed cases while the champion answers (shadow), or while answering rollout.canaryPercent % of requests (canary)',
      }),
      canaryPercent: Type.Number({ exclusiveMinimum: 0, maximum: 100, default: 10, description: "canary: the share of requests the challenger answers, in percent" }),
      minCases: Type.Integer({ minimum: 1, default: 30, description: 'confirmed positive cases both models must share before the rollout is decided' }),
      maxDuration: Type.String({ minLength: 1, default: '30d', description: 'a rollout that has not gathered rollout.minCases shared positives by then ends without promotion, with an alert' }),
    }),
    schedule: section({
      enabled: Type.Boolean({ default: true }),
      timezone: Type.String({ minLength: 1, default: 'UTC', description: 'IANA time zone of the cron expressions' }),
      update: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: '0 8 * * *' }),
      train: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: '5 8 * * *' }),
      check: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: '6 8 * * *' }),
      missed: literalUnion(missedPolicies, { default: 'skip' }),
      attempts: Type.Integer({ minimum: 1, maximum: 20, default: 3, description: 'tries of a scheduled job before it counts as failed' }),
      backoff: Type.String({ minLength: 1, default: '30s', description: 'wait before the first retry; doubles at each further retry' }),
    }),
    alerts: section({
      repeatInterval: Type.String({ minLength: 1, default: '4h' }),
      eventTtl: Type.String({ minLength: 1, default: '24h', description: 'an event alert (a model rejection) resolves this long after it fired, if nothing closed it before' }),
    }),
    notify: section({
      email: Type.Optional(
        Type.Object(
          {
            host: Type.String({ minLength: 1 }),
            port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
            secure: Type.Boolean({ default: false }),
            requireTLS: Type.Boolean({ default: false }),
            user: Type.Optional(Type.String({ minLength: 1 })),
            from: Type.String({ minLength: 3 }),
            to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1 }),
          },
          strict,
        ),
      ),
      webhook: Type.Optional(
        Type.Object(
          {
            url: Type.String({ pattern: '^https?://' }),
            headers: Type.Record(Type.String(), Type.String(), { default: {} }),
          },
          strict,
        ),
      ),
    }),
    store: section({
      url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL URL for several replicas (env DATABASE_URL wins); keep the password out of it (PGPASSWORD)' })),
    }),
    server: section({
      publicUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'the address people reach the service at; its host is a name of this server (Host check), its origin a page of its own (Origin check)' })),
      allowedHosts: Type.Array(Type.String({ pattern: '^\\.?[^\\s/:@]+$' }), {
        default: [],
        description: "more names of this server, as the Host header gives them: 'mloop.internal', or '.example.org' for the domain and its subdomains (loopback names and IP addresses are always accepted)",
      }),
      maxBatchRows: Type.Integer({ minimum: 1, default: 10_000 }),
      bodyLimitBytes: Type.Integer({ minimum: 1024, default: 10 * 1024 * 1024 }),
      shutdownGraceMs: Type.Integer({ minimum: 1000, default: 30_000, description: 'on SIGTERM, the time in-flight requests and a running training get before the training is cancelled and the process exits' }),
      heartbeatTimeout: Type.String({ minLength: 1, default: '60s', description: 'a run whose process (on another host) has not sent a heartbeat for this long is failed as abandoned' }),
    }),
  },
  strict,
);

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

function keyOf(path: string): string {
  return path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
}

/** URLs and headers that may carry a secret (a chat webhook's path, a token): errors do not repeat them. */
const mayHoldSecret = (key: string) => /^(dataset\.source|store\.url|notify\.webhook\.(url|headers)(\..*)?)$/.test(key);

/** Fills defaults and validates; throws a ConfigError naming every offending key. */
export function parseConfig(input: unknown): Config {
  const raw = input ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('configuration must be an object of sections (dataset, split, training, monitor, ...)');
  const given = labelsAsStrings(structuredClone(raw));
  const classNames = structuredClone((given as { dataset?: { classNames?: unknown } }).dataset?.classNames);
  const withDefaults = Value.Default(ConfigSchema, given) as { dataset?: { classNames?: unknown } };
  // TypeBox adds a record's default entries to a given record ({2: …, 4: …} would gain M and B).
  if (classNames !== undefined && withDefaults.dataset) withDefaults.dataset.classNames = classNames;
  const problems = [...Value.Errors(ConfigSchema, withDefaults)];
  if (problems.length > 0) {
    const seen = new Set<string>();
    const lines = problems
      .map((problem) => {
        const e = deepestProblem(problem);
        const key = keyOf(e.path);
        const got = e.value === undefined ? 'nothing' : mayHoldSecret(key) ? 'a value not repeated here (it may hold a secret)' : JSON.stringify(e.value);
        if (e.message.startsWith('Unexpected property')) return `${key}: unknown key`;
        const choices = e.type === ValueErrorType.Union ? unionChoices(e.schema) : null;
        return `${key}: ${choices ? `expected ${choices}` : e.message.toLowerCase()}, got ${got}`;
      })
      .filter((line) => (seen.has(line) ? false : (seen.add(line), true)));
    throw new ConfigError(`invalid configuration:\n  ${lines.slice(0, 10).join('\n  ')}`);
  }
  const config = withDefaults as Config;
  checkSemantics(config);
  return config;
}

/**
 * A label written as a number (`positive: 4`, `naValues: [-999]`) means its text: YAML and JSON
 * read `4` as a number, the data file holds the text. Keys of classNames are strings already.
 */
function labelsAsStrings(raw: object): object {
  const dataset = (raw as { dataset?: unknown }).dataset;
  if (typeof dataset !== 'object' || dataset === null) return raw;
  const d = dataset as Record<string, unknown>;
  if (typeof d.positive === 'number') d.positive = String(d.positive);
  if (Array.isArray(d.naValues)) d.naValues = d.naValues.map((v: unknown) => (typeof v === 'number' ? String(v) : v));
  return raw;
}

/** The dataset keys that depend on each other. */
function datasetProblems(dataset: Config['dataset']): string[] {
  const problems: string[] = [];
  if (!dataset.header && !dataset.columns) problems.push('dataset.columns: required when dataset.header is false (the names of all the columns, in file order)');
  const twice = dataset.columns?.find((name, i, all) => all.indexOf(name) !== i);
  if (twice !== undefined) problems.push(`dataset.columns: ${JSON.stringify(twice)} is named twice`);
  const source = dataset.source;
  const problem = source === undefined ? undefined : sourceUrlProblem(source);
  if (problem) problems.push(`dataset.source: ${problem}`);
  if (source !== undefined && isPostgresSource(source)) {
    if (dataset.query === undefined) problems.push('dataset.query: required when dataset.source is a PostgreSQL URL (the SELECT whose columns are the table)');
    if (!dataset.header || dataset.columns || dataset.delimiter !== ',') problems.push("dataset.header, dataset.columns, dataset.delimiter: not for a PostgreSQL source, whose query's columns are the table");
  } else if (dataset.query !== undefined) {
    problems.push('dataset.query: only for a PostgreSQL dataset.source (postgres://user@host:port/database)');
  }
  return problems;
}

/** Runs beat every 5 s (app/run-heartbeat.ts): a run is silent only after missing three beats. */
const minHeartbeatTimeoutMs = 15_000;

/** What the schema cannot say: cron syntax, time zones and durations, each named by its key. */
function checkSemantics(config: Config): void {
  const problems: string[] = datasetProblems(config.dataset);
  const gridProblem = gridSizeProblem(config.training.grid, config.training.cv);
  if (gridProblem !== null) problems.push(`training.grid: ${gridProblem}`);
  // UTC needs no check (and no ICU time zone data loaded at start: see core/cron-zone.ts).
  if (config.schedule.timezone !== 'UTC') {
    try {
      new Intl.DateTimeFormat('en', { timeZone: config.schedule.timezone });
    } catch {
      problems.push(`schedule.timezone: unknown IANA time zone ${JSON.stringify(config.schedule.timezone)}`);
    }
  }
  for (const job of jobKinds) {
    const pattern = config.schedule[job];
    if (pattern === null) continue;
    const parts = pattern.trim().split(/\s+/).length;
    // croner also takes a seventh part (years), which the README does not promise: say what it does.
    if (!pattern.trim().startsWith('@') && parts !== 5 && parts !== 6) {
      problems.push(`schedule.${job}: invalid cron expression ${JSON.stringify(pattern)}: expected 5 parts (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${parts}`);
      continue;
    }
    try {
      new Cron(pattern, { paused: true });
    } catch (e) {
      problems.push(`schedule.${job}: invalid cron expression ${JSON.stringify(pattern)} (${(e as Error).message})`);
    }
  }
  // A duration's key, its value, and when it has one, its least value and why.
  const durations: [string, string | number, { ms: number; why: string }?][] = [
    ['schedule.backoff', config.schedule.backoff],
    ['alerts.repeatInterval', config.alerts.repeatInterval],
    ['alerts.eventTtl', config.alerts.eventTtl],
    ['monitor.window', config.monitor.window],
    ['monitor.driftWindow', config.monitor.driftWindow],
    ...(config.monitor.sourceStaleAfter === undefined ? [] : [['monitor.sourceStaleAfter', config.monitor.sourceStaleAfter] as [string, string]]),
    ['monitor.driftMinInterval', config.monitor.driftMinInterval],
    ['monitor.liveCurvesMinInterval', config.monitor.liveCurvesMinInterval],
    ['training.timeout', config.training.timeout],
    ['rollout.maxDuration', config.rollout.maxDuration],
    ['server.heartbeatTimeout', config.server.heartbeatTimeout, { ms: minHeartbeatTimeoutMs, why: 'three heartbeats, or a slow process would pass for a dead one' }],
  ];
  for (const [key, value, least] of durations) {
    if (typeof value === 'number') continue;
    try {
      const ms = parseDuration(value);
      if (ms <= 0) problems.push(`${key}: must be longer than 0`);
      else if (least && ms < least.ms) problems.push(`${key}: must be at least ${least.ms / 1000}s (${least.why}), got ${JSON.stringify(value)}`);
    } catch {
      problems.push(`${key}: expected a duration such as 30s, 5m, 4h or 1h30m, got ${JSON.stringify(value)}`);
    }
  }
  if (config.server.publicUrl !== undefined && !URL.canParse(config.server.publicUrl)) problems.push('server.publicUrl: not a valid URL (https://host[:port][/path])');
  if (config.rollout.strategy !== 'immediate' && !config.monitor.logPredictions) {
    problems.push(`rollout.strategy: ${config.rollout.strategy} compares the models on logged predictions, but monitor.logPredictions is false`);
  }
  if (config.monitor.driftMaxRows < config.monitor.driftMinRows) {
    problems.push(`monitor.driftMaxRows: ${config.monitor.driftMaxRows} is below monitor.driftMinRows (${config.monitor.driftMinRows}), so drift could never be judged`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}
