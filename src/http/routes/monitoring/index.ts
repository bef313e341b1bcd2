import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../../route-context.js';
import { DecisionCurves, errors, List, Metrics, MonitoredMetric, Nullable } from '../../schemas.js';

const CurvesCases = Type.Object(
  {
    computedAt: Type.String({ description: 'when the curves were computed (at most monitor.liveCurvesMinInterval ago): they rank the cases confirmed before' }),
    maxRows: Type.Integer({ description: 'monitor.liveCurvesMaxRows' }),
    rows: Type.Integer({ description: 'confirmed cases the curves rank: the most recently confirmed of the window' }),
    windowRows: Type.Integer({ description: "the version's confirmed cases in the window when the curves were computed" }),
    sampled: Type.Boolean({ description: 'windowRows > rows: the curves cover the most recently confirmed maxRows cases, not all' }),
    from: Nullable(Type.String({ description: 'confirmation time of the earliest case ranked' })),
    to: Nullable(Type.String({ description: 'confirmation time of the latest case ranked' })),
    reason: Nullable(Type.String({ description: 'why curves is null' })),
    maxCurvePoints: Type.Integer({ description: 'most points a live curve keeps' }),
    thinned: Type.Boolean({
      description: 'some curve had more points (one per distinct score): it keeps maxCurvePoints of its exact points, evenly spread by threshold rank, first and last included; the areas and the operating point are computed on every case ranked',
    }),
  },
  { description: 'which confirmed cases the live curves rank' },
);

const Version = Type.Object({
  modelVersion: Type.Integer(),
  confirmed: Type.Integer({ description: 'confirmed cases predicted by this version in the window' }),
  confirmedPositives: Type.Integer({ description: 'of which truly positive (M): the evidence behind live recall' }),
  labels: List(Type.String()),
  confusionMatrix: List(List(Type.Integer()), { description: 'rows: confirmed label, columns: predicted label, in `labels` order' }),
  recall: Type.Number({ description: 'recall of the positive class among confirmed cases' }),
  recallMacro: Type.Number(),
  precision: Type.Number({ description: 'precision of the positive class' }),
  accuracy: Type.Number(),
  value: Type.Number({ description: 'the monitored metric (monitor.metric) on the confirmed cases' }),
  judged: Type.Boolean({ description: 'confirmedPositives >= minCases: only then does the live recall alert judge the value' }),
  passed: Type.Boolean({ description: 'value reaches the threshold (a verdict only when judged)' }),
  metrics: Type.Object({ ...Metrics.properties }, { description: "scikit-learn's classification metrics on the confirmed cases, every class (as the test split's)" }),
  curves: Nullable(DecisionCurves, {
    description:
      "ROC and precision-recall curves over the confirmed cases, as the test split's: two classes ranked by the logged decision value, more by the logged probabilities (predict_proba, one class against the rest); null without a case to rank or, for more than two classes, without probabilities (curvesCases.reason)",
  }),
  curvesCases: CurvesCases,
});

const patientsValues = 'with ?include=histograms (read token), as they describe patients';
const featureTests = {
  feature: Type.String(),
  pAdjusted: Type.Number({ description: 'Bonferroni: min(1, p × features); 1 when the feature could not be tested' }),
  drifted: Type.Boolean({ description: 'pAdjusted < alpha' }),
  psi: Type.Number({ description: 'population stability index' }),
  psiMajor: Type.Boolean({ description: 'psi >= 0.2' }),
  missingRate: Type.Object({ reference: Type.Number(), recent: Type.Number() }, { description: 'share of rows with the feature missing (missing values take part in no test)' }),
  note: Nullable(Type.String({ description: 'why the feature could not be tested' })),
};
const FeatureDrift = Type.Union([
  Type.Object({
    kind: Type.Literal('numeric'),
    ...featureTests,
    ks: Nullable(Type.Object({ statistic: Type.Number(), pValue: Type.Number(), method: Type.String() }), { description: 'two-sample Kolmogorov-Smirnov test of the non-missing values' }),
    outOfRange: Type.Object({ below: Type.Integer(), above: Type.Integer() }, { description: 'recent values outside the training range' }),
    histogram: Type.Optional(
      Type.Object({ edges: List(Type.Number()), reference: List(Type.Number()), recent: List(Type.Number()) }, { description: `training and recent counts per bin: ${patientsValues}` }),
    ),
  }),
  Type.Object({
    kind: Type.Literal('categorical'),
    ...featureTests,
    chiSquare: Nullable(Type.Object({ statistic: Type.Number(), pValue: Type.Number(), dof: Type.Integer() }), { description: "chi-square test of the category counts (SciPy's chi2_contingency)" }),
    histogram: Type.Optional(
      Type.Object(
        { categories: List(Type.String()), reference: List(Type.Number()), recent: List(Type.Number()) },
        { description: `training and recent counts per category ('(unknown)': categories the model never saw): ${patientsValues}` },
      ),
    ),
  }),
]);

const DriftReport = Type.Object({
  nReference: Type.Integer(),
  nRecent: Type.Integer(),
  nFeatures: Type.Integer(),
  driftedCount: Type.Integer(),
  driftedShare: Type.Number(),
  datasetDrift: Type.Boolean({ description: 'driftedShare > monitor.driftShare' }),
  options: Type.Object({ alpha: Type.Number(), psiMajor: Type.Number(), driftShare: Type.Number() }),
  features: List(FeatureDrift),
});

const DriftSample = Type.Object(
  {
    kind: Type.Literal('newest', { description: 'the newest inputs of the drift window (not a random sample of it)' }),
    maxRows: Type.Integer({ description: 'monitor.driftMaxRows' }),
    rows: Type.Integer({ description: 'inputs compared' }),
    windowRows: Type.Integer({ description: 'predictions in the drift window; when more than rows, the report covers the newest of them' }),
    from: Nullable(Type.String({ description: 'prediction time of the oldest input compared' })),
    to: Nullable(Type.String({ description: 'prediction time of the newest input compared' })),
  },
  { description: 'which inputs were compared' },
);

/** Live performance: the models measured on cases whose diagnosis was confirmed later. */
export const monitoringRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (fastify, { app }) => {
  fastify.get(
    '/api/v1/performance/live',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Live performance per model version over monitor.window',
        description:
          "The confusion-matrix figures count every confirmed case of the window at the time of the request. The ROC and precision-recall curves rank each version's most recently confirmed cases, at most monitor.liveCurvesMaxRows of them (curvesCases), and are recomputed at most once per monitor.liveCurvesMinInterval (curvesCases.computedAt).",
        response: {
          200: Type.Object({
            window: Type.String(),
            since: Nullable(Type.String()),
            confirmed: Type.Integer(),
            pending: Type.Integer({ description: 'predictions in the window still waiting for a confirmed diagnosis' }),
            minCases: Type.Integer(),
            metric: MonitoredMetric,
            label: Type.String({ description: "the metric in words: 'recall of M', 'macro recall'" }),
            threshold: Type.Number({ description: 'monitor.threshold' }),
            positive: Type.String({ description: 'dataset.positive, the class whose confirmed cases count towards minCases' }),
            versions: List(Version),
          }),
        },
      },
    },
    async () => app.monitoring.liveWithCurves(),
  );

  fastify.get(
    '/api/v1/drift',
    {
      // The tests are public; the histograms are the patients' values, binned.
      config: { access: { parameter: 'include', level: 'patientData' } },
      schema: {
        tags: ['monitoring'],
        summary: "Recent inputs against the active model's training data, per feature",
        description:
          'Two-sample Kolmogorov-Smirnov test per numeric feature and chi-square test of the category counts per categorical one, Bonferroni-corrected, with each feature\'s missing-value rate, with the PSI as the size of the shift, on the newest inputs of the drift window (at most monitor.driftMaxRows). The newest computed report: the check job computes one on every run, and this request computes one only when the newest is older than monitor.driftMinInterval (requests meanwhile share it). `report` is null (with `reason`) until enough recent inputs exist. The per-feature histograms come with ?include=histograms, which needs the read or the admin token when the server has one.',
        querystring: Type.Object({ include: Type.Optional(Type.Literal('histograms')) }),
        response: {
          200: Type.Object({
            computedAt: Type.String({ description: 'when the report was computed: it holds the inputs logged before' }),
            runId: Nullable(Type.Integer({ description: 'the check run that computed it; null when a drift read did' })),
            window: Type.String(),
            modelVersion: Type.Integer(),
            nRecent: Type.Integer({ description: 'inputs compared (sample.rows)' }),
            minRows: Type.Integer(),
            sample: Nullable(DriftSample),
            report: Nullable(DriftReport),
            reason: Nullable(Type.String()),
          }),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request) => {
      const drift = await app.monitoring.drift();
      if (request.query.include === 'histograms' || drift.report === null) return drift;
      return { ...drift, report: { ...drift.report, features: drift.report.features.map(({ histogram: _binned, ...tests }) => tests) } };
    },
  );
};
