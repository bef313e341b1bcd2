import type { ArrayOptions, SchemaOptions, Static, TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { gammaSchema, trainingModeSchema } from '../config/schema.js';
import { literalUnion } from '../config/literal-union.js';
import type { ClassificationMetrics } from '../core/classification-metrics.js';
import type { MetricVerdict } from '../core/monitored-metric.js';
import { metricVerdict, monitoredMetrics } from '../core/monitored-metric.js';
import { CURVE_SCORES } from '../core/metrics/decision-curves.js';
import { featureKinds } from '../core/feature-spec.js';
import { jobKinds } from '../core/schedule-policy.js';
import { trainingLimits } from '../core/training-limits.js';
import { checkSources } from '../store/check-repository.js';
import { gateVerdicts } from '../core/promotion-gate.js';
import { modelStatuses, servingStatuses } from '../store/model-repository.js';
import { runStatuses } from '../store/run-repository.js';
import type { ModelSummary as StoredModelSummary } from '../store/model-repository.js';
import { StoredText } from './stored-text.js';

/**
 * Schemas shared by several resources. Request schemas are checked by `validation.ts`; response
 * schemas let Fastify serialise with fast-json-stringify and, with the requests, make up
 * /openapi.json.
 */

/** A response array that accepts the application's readonly arrays (the type, not the schema). */
export const List = <T extends TSchema>(item: T, options?: ArrayOptions) => Type.Unsafe<readonly Static<T>[]>(Type.Array(item, options));

export const Nullable = <T extends TSchema>(schema: T, options?: SchemaOptions) => Type.Union([schema, Type.Null()], options);

const errorProperties = {
  error: Type.String({ description: 'one sentence naming the problem: which field, row or feature, and what was expected' }),
  details: Type.Unknown({ description: 'what helps to fix it (the problems per row and feature, the run in the way, ...), or null' }),
};
export const ErrorResponse = Type.Object(errorProperties);

const errorDescriptions = {
  400: 'The request is invalid',
  401: 'No bearer token',
  403: 'Wrong bearer token',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'The data source holds data that cannot be used',
  502: 'The data source could not be read',
  503: 'No model serves: every version so far was rejected by the promotion gate',
  504: 'The training ran longer than training.timeout and was stopped',
} as const;
type ErrorCode = keyof typeof errorDescriptions;

/** Documents the error answers a route can give, all with the one error body. */
export function errors<const C extends readonly ErrorCode[]>(...codes: C): { [K in C[number]]: typeof ErrorResponse } {
  return Object.fromEntries(codes.map((c) => [c, Type.Object(errorProperties, { description: errorDescriptions[c] })])) as { [K in C[number]]: typeof ErrorResponse };
}

/** A text/plain answer (the tutorial's routes), documented as such rather than as a JSON string. */
export const PlainText = (description: string) => ({ description, content: { 'text/plain': { schema: Type.String({ description }) } } });
export const HtmlPage = (description: string) => ({ description, content: { 'text/html': { schema: Type.String({ description }) } } });

export const DEFAULT_PAGE_SIZE = 50;
export const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_PAGE_SIZE, description: 'page size' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'entries to skip (newest first)' })),
};
export const page = (q: { limit?: number; offset?: number }) => ({ limit: q.limit ?? DEFAULT_PAGE_SIZE, offset: q.offset ?? 0 });

export const TrainingMode = trainingModeSchema({
  description: "the tutorial's modes: basic (SVC on raw values), normalized (min-max scaler then SVC), gridsearch (scaler, SVC, C and gamma chosen by cross-validation)",
});
export const Gamma = gammaSchema({ description: `RBF kernel coefficient: 'scale', 'auto' or a number from ${trainingLimits.gamma.min} to ${trainingLimits.gamma.max}` });

/** One value of a row: a number, a category, or null for a missing value (imputed as at training). */
export const Cell = Type.Union([Type.Number(), Type.String(), Type.Null()]);

/** Longest `externalId`: a case number or a hash, not a document. */
export const EXTERNAL_ID_MAX_LENGTH = 200;

/** The caller's id of a case: stored with its predictions, quoted again with the confirmed diagnosis. */
export const ExternalId = (description: string) => StoredText({ minLength: 1, maxLength: EXTERNAL_ID_MAX_LENGTH, description });

/** One row to predict: values in feature order, or an object keyed by feature name. Raw measurements. */
export const Row = Type.Union([
  Type.Array(Cell, { description: 'one value per feature, in feature order: a number, a category (string), or null for a missing value' }),
  Type.Record(Type.String(), Cell, { description: 'one value per feature name; a feature left out is missing' }),
]);

export const Snapshot = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String(),
  source: Type.String(),
  contentHash: Type.String(),
  rowCount: Type.Integer(),
  classCounts: Type.Record(Type.String(), Type.Integer()),
  featureNames: List(Type.String()),
});

export const Run = Type.Object({
  id: Type.Integer(),
  kind: literalUnion(jobKinds),
  trigger: Type.String({ description: "who asked: 'startup', 'api', 'tutorial', 'cli', 'schedule', ..." }),
  status: literalUnion(runStatuses),
  params: Type.Unknown(),
  scheduledFor: Nullable(Type.String()),
  queuedAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  attempts: Type.Integer(),
  progressDone: Nullable(Type.Integer({ description: 'grid-search fits done' })),
  progressTotal: Nullable(Type.Integer({ description: 'grid-search fits in all' })),
  result: Type.Unknown({ description: 'the outcome once succeeded (model version, gate verdict, ...)' }),
  error: Nullable(Type.String({ description: 'why it failed, or why it was cancelled' })),
  cancelRequestedAt: Nullable(Type.String({ description: 'when a cancel was asked for while another process ran it' })),
});

const ClassScores = Type.Object({ precision: Type.Number(), recall: Type.Number(), f1: Type.Number(), support: Type.Integer() });

export const Metrics = Type.Object(
  {
    labels: List(Type.String()),
    perClass: List(Type.Object({ label: Type.String(), precision: Type.Number(), recall: Type.Number(), f1: Type.Number(), support: Type.Integer() })),
    accuracy: Type.Number(),
    microAvg: ClassScores,
    microIsAccuracy: Type.Boolean(),
    macroAvg: ClassScores,
    weightedAvg: ClassScores,
    confusionMatrix: List(List(Type.Integer()), { description: 'rows: true labels, columns: predicted labels, both in `labels` order' }),
    positive: Type.String(),
    recallPositive: Type.Number({ description: 'recall of the positive class' }),
    recallMacro: Type.Number({ description: "macro-averaged recall (the tutorial's /get_recall)" }),
  },
  { description: 'scikit-learn classification metrics on the test split' },
);

export const MonitoredMetric = literalUnion(monitoredMetrics, { description: 'recall (of the positive class) or recall_macro' });

export const Verdict = Type.Object(
  {
    metric: MonitoredMetric,
    label: Type.String({ description: "the metric in words, as messages print it: 'recall of M', 'macro recall'" }),
    value: Type.Number(),
    threshold: Type.Number(),
    passed: Type.Boolean({ description: 'the value reaches the threshold' }),
  },
  { description: 'the monitored metric on the test split at training, against the threshold it was trained under' },
);

export const ModelSummary = Type.Object({
  version: Type.Integer(),
  createdAt: Type.String(),
  mode: TrainingMode,
  params: Type.Unknown({ description: 'the training parameters (mode, C, gamma, grid, cv)' }),
  gridSearch: Type.Unknown({ description: 'the grid search results, or null' }),
  snapshotId: Type.Integer(),
  metrics: Metrics,
  reportText: Type.String({ description: "scikit-learn's classification_report" }),
  monitoredMetric: Type.String(),
  monitoredValue: Type.Number(),
  threshold: Type.Number(),
  trainingMs: Type.Integer(),
  status: literalUnion(modelStatuses, {
    description: 'for clients older than gateVerdict and servingStatus: active if the version serves, else rejected if the gate rejected it, else its servingStatus (a challenger reads as candidate)',
  }),
  gateVerdict: literalUnion(gateVerdicts, { description: "the promotion gate's verdict at training, never changed afterwards (a rejected version promoted by force stays rejected)" }),
  servingStatus: literalUnion(servingStatuses, { description: 'active: serves; candidate: never served; challenger: a rollout candidate; retired: served before' }),
  gateReason: Nullable(Type.String({ description: "the gate's decision in words, with the champion's figure on the same rows when there was one" })),
  runId: Nullable(Type.Integer()),
  verdict: Verdict,
});

const FeatureSchemaEntry = Type.Object({
  name: Type.String(),
  kind: literalUnion(featureKinds),
  categories: Type.Optional(List(Type.String(), { description: 'the categories the model learned in training; any other is unknown to it (encoded as zeros)' })),
  imputedValue: Nullable(Type.Union([Type.Number(), Type.String()], { description: 'what a missing value becomes; null when the model cannot impute it' })),
  trainingRange: Type.Optional(
    Nullable(
      Type.Object(
        { min: Type.Number(), max: Type.Number() },
        {
          description: "numeric features: the training split's minimum and maximum; a prediction's value beyond them by more than 10 % of the width is listed in its outOfRange. Null when the model keeps no range",
        },
      ),
    ),
  ),
});

const Numbers = List(Nullable(Type.Number()));
const OperatingPoint = Type.Object(
  { threshold: Type.Number(), recall: Nullable(Type.Number()), fpr: Nullable(Type.Number()), precision: Nullable(Type.Number()) },
  { description: "where the model's predictions put the class: its recall (tpr), false-positive rate and precision at the decision threshold used" },
);
export const ClassCurves = Type.Object({
  label: Type.String(),
  support: Type.Integer({ description: 'rows of this class' }),
  roc: Type.Object({ fpr: Numbers, tpr: Numbers, thresholds: Numbers }, { description: "scikit-learn's roc_curve (decreasing thresholds; a row is positive when its score is >= the threshold)" }),
  rocAuc: Nullable(Type.Number({ description: 'roc_auc_score; null when undefined (the class is absent or is every row)' })),
  precisionRecall: Type.Object({ precision: Numbers, recall: Numbers, thresholds: Numbers }, { description: "scikit-learn's precision_recall_curve (increasing thresholds, then a final point without one)" }),
  averagePrecision: Nullable(Type.Number({ description: 'average_precision_score' })),
  operatingPoint: OperatingPoint,
});
export const DecisionCurves = Type.Object(
  {
    score: literalUnion(CURVE_SCORES, {
      description: "what ranks the rows: decision values (decision_function), or the answers' probabilities (predict_proba: live curves of more than two classes)",
    }),
    perClass: List(ClassCurves, { description: 'the positive class for two classes; each class against the rest for more' }),
  },
  { description: 'ROC and precision-recall curves: on the test split at training, or over the confirmed cases live' },
);

export const Model = Type.Object({
  ...ModelSummary.properties,
  curves: Type.Union([DecisionCurves, Type.Null()], { description: 'ROC and precision-recall curves on the test split at training; null for versions trained before they were kept' }),
  featureSchema: Nullable(List(FeatureSchemaEntry, { description: "the model's input features, in order: what a prediction row holds" })),
  pipeline: Type.Optional(Type.Unknown({ description: 'the fitted pipeline, with ?include=pipeline' })),
});

/** The registry entry as the API shows it: its metrics are the ones training wrote, and its verdict. */
export function modelView<T extends StoredModelSummary>(model: T): T & { readonly metrics: ClassificationMetrics; readonly verdict: MetricVerdict } {
  const metrics = model.metrics as ClassificationMetrics;
  // The stored metric is the configuration's `monitor.metric` of the training that wrote it.
  const verdict = metricVerdict(model.monitoredMetric as Static<typeof MonitoredMetric>, model.monitoredValue, model.threshold, metrics.positive);
  return { ...model, metrics, verdict };
}

/** An Alertmanager label matcher: of a silence, or what silencing an alert would match. */
export const Matcher = Type.Object({
  name: Type.String({ minLength: 1, description: 'a label name: alertname, job, metric, model_version, ...' }),
  value: Type.String({ description: 'the value, or with isRegex a regular expression anchored at both ends' }),
  isRegex: Type.Boolean({ default: false }),
  isEqual: Type.Boolean({ default: true, description: 'false: the label must NOT match' }),
});

export const Check = Type.Object({
  id: Type.Integer(),
  createdAt: Type.String(),
  modelVersion: Type.Integer(),
  snapshotId: Type.Integer(),
  metric: Type.String(),
  value: Type.Number(),
  threshold: Type.Number(),
  passed: Type.Boolean(),
  source: literalUnion(checkSources),
});
