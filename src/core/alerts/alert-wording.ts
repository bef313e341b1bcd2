/**
 * What an alert says, whatever the channel: its one-line summary, the explanation in words, the
 * facts behind it and what the reader can do. The wording reads the annotation keys the builders in
 * alert.ts set; alert-messages.ts lays it out for each channel.
 */
import type { AlertState } from './alert.js';
import { andList, percent, plural, readableTime, shownPair, trimZeros, truncate, wrap } from './text-format.js';

/** A fact's value starts after about 20 columns (indent and the longest label): what is left of 78. */
const FACT_VALUE_COLUMNS = 58;

/** The one-line account of an alert, as used in the subject, the log and the webhook `summary`. */
export function alertSummary(alert: AlertState): string {
  const a = alert.annotations;
  switch (alert.name) {
    case 'recall_below_threshold': {
      const metric = metricPhrase(alert);
      const model = `model v${a.model_version ?? '?'}`;
      const value = Number(a.value);
      const threshold = Number(a.threshold);
      const [shownValue, shownThreshold] = shownPair(value, threshold);
      if (alert.status === 'firing') return `${metric} below threshold (${shownValue} < ${shownThreshold}), ${model}`;
      if (value >= threshold) return `${metric} back at or above threshold (${shownValue} >= ${shownThreshold}), ${model}`;
      // Resolved without a passing value: the check stopped reporting this metric (e.g. the
      // monitored metric was changed in the configuration).
      return `${metric} no longer monitored (last ${shownValue} < ${shownThreshold}), ${model}`;
    }
    case 'model_rejected': {
      if (alert.status === 'firing' && a.rollout_id !== undefined) return `model v${a.model_version ?? '?'} not promoted by rollout ${a.rollout_id}: ${a.reason ?? 'no reason given'}`;
      if (alert.status === 'firing') return `model v${a.model_version ?? '?'} rejected by the promotion gate: ${a.reason ?? 'no reason given'}`;
      // Alerts from before rejections were events (no version label) name the clearing version in model_version.
      const which = alert.labels.model_version === undefined ? 'the earlier rejection' : `the rejection of v${alert.labels.model_version}`;
      const by = `model v${a.resolved_by_version ?? a.model_version ?? '?'}`;
      if (a.resolution === 'passed_gate') return `${by} passed the promotion gate, ${which} is cleared`;
      if (a.resolution === 'promoted') return `${by} promoted by an administrator, ${which} is cleared`;
      if (a.resolution === 'superseded') return `${which} is closed: the next training (${by}) was rejected too`;
      if (a.resolution === 'expired') return `${which} is closed: alerts.eventTtl has passed`;
      return 'the model rejection is cleared';
    }
    case 'job_failed': {
      const job = JSON.stringify(alert.labels.job ?? '?');
      if (alert.status === 'resolved') return `scheduled job ${job} succeeded again`;
      return a.attempts === undefined ? `scheduled job ${job} failed` : `scheduled job ${job} failed after ${plural(Number(a.attempts), 'attempt')}`;
    }
    case 'live_recall_below_threshold': {
      const metric = liveMetricPhrase(alert);
      const model = `model v${a.model_version ?? '?'}`;
      const value = Number(a.value);
      const threshold = Number(a.threshold);
      const [shownValue, shownThreshold] = shownPair(value, threshold);
      const evidence = `${plural(Number(a.confirmed_positives), 'confirmed case')}, ${a.window ?? 'unknown window'}`;
      if (alert.status === 'firing') return `${metric} below threshold (${shownValue} < ${shownThreshold} on ${evidence}), ${model}`;
      if (a.resolution === 'too_few_cases') {
        return `${metric}: not enough confirmed cases to judge (${a.confirmed_positives ?? '?'} of the ${a.min_cases ?? '?'} needed, ${a.window ?? 'unknown window'}), ${model}`;
      }
      if (value >= threshold) return `${metric} back at or above threshold (${shownValue} >= ${shownThreshold} on ${evidence}), ${model}`;
      return `${metric} no longer monitored (last ${shownValue} < ${shownThreshold}), ${model}`;
    }
    case 'data_drift': {
      const share = `${a.drifted_count ?? '?'} of ${a.n_features ?? '?'} features (${percent(a.drifted_share)})`;
      const test = `KS test, Bonferroni-corrected p < ${a.alpha ?? '0.05'}; threshold ${percent(a.drift_share)}`;
      if (alert.status === 'firing') return `input data drift: ${share} differ from the training data (${test})`;
      if (Number(a.drifted_share) <= Number(a.drift_share)) return `input data drift cleared: ${share} differ from the training data (${test})`;
      return `input data drift no longer monitored (last ${share} differed; threshold ${percent(a.drift_share)})`;
    }
    case 'data_source_stale': {
      if (alert.status === 'firing') {
        return a.last_success_at === undefined ? 'no data update has succeeded yet' : `no data update has succeeded since ${readableTime(a.last_success_at)}`;
      }
      if (a.expected === undefined) return 'data source freshness no longer monitored';
      return `data source updated again${a.last_success_at === undefined ? '' : ` (${readableTime(a.last_success_at)})`}`;
    }
    case 'prediction_log_dropped': {
      if (alert.status === 'firing') return `${plural(Number(a.dropped), 'answered prediction')} could not be written to the prediction log (${a.total_dropped ?? '?'} in all on ${a.process ?? '?'})`;
      return 'prediction log rows dropped earlier: the alert is closed (alerts.eventTtl has passed)';
    }
  }
}

function metricPhrase(alert: AlertState): string {
  const metric = alert.labels.metric ?? 'recall';
  const positive = alert.annotations.positive_class;
  return metric === 'recall' && positive !== undefined ? `recall of ${positive}` : metric;
}

/** `live recall of malignant (M)`, `live recall`, `live recall_macro`. */
function liveMetricPhrase(alert: AlertState): string {
  const metric = alert.labels.metric ?? 'recall';
  if (metric !== 'recall') return `live ${metric}`;
  return alert.annotations.positive_class === undefined && alert.annotations.positive_class_name === undefined ? 'live recall' : `live recall of ${classPhrase(alert.annotations)}`;
}

/** `malignant (M)`, `M`, or `positive`: the name in words where known, with the label the data uses. */
function classPhrase(a: AlertState['annotations']): string {
  const label = a.positive_class;
  const name = a.positive_class_name;
  if (label === undefined) return name ?? 'positive';
  return name === undefined || name === label ? label : `${name} (${label})`;
}

/** What live recall measured, in words: the value, the evidence it rests on, and the minimum. */
function liveMeasurement(alert: AlertState): string {
  const a = alert.annotations;
  const positive = classPhrase(a);
  const model = `model v${a.model_version ?? '?'}`;
  const window = `in the window (${a.window ?? 'unknown'})`;
  const minimum = `the required minimum is ${percent(a.threshold)}`;
  if (alert.labels.metric === 'recall_macro') {
    return (
      `Of the cases confirmed ${window}, ${model} had predicted on average ${percent(a.value)} of each class correctly, ` +
      `with ${plural(Number(a.confirmed_positives), 'confirmed case')} of ${positive} among them; ${minimum}.`
    );
  }
  return `Of the ${plural(Number(a.confirmed_positives), 'case')} confirmed as ${positive} ${window}, ${model} had predicted ${percent(a.value)} as ${positive}; ${minimum}.`;
}

interface TopFeature {
  readonly feature: string;
  readonly psi: number;
  readonly pAdjusted: number;
}

/** The `top_features` JSON of `driftCondition`: [] when absent, null when it is not that JSON. */
function parseTopFeatures(text: string | undefined): readonly TopFeature[] | null {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const features: TopFeature[] = [];
  for (const entry of parsed as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return null;
    const { feature, psi, p_adjusted: pAdjusted } = entry as Record<string, unknown>;
    if (typeof feature !== 'string') return null;
    // JSON has no NaN: the builder's NaN arrives as null.
    features.push({ feature, psi: typeof psi === 'number' ? psi : NaN, pAdjusted: typeof pAdjusted === 'number' ? pAdjusted : NaN });
  }
  return features;
}

/** What a PSI value says, with the check's own line for a major shift when it gave one. */
function psiMeaning(a: AlertState['annotations']): string {
  const what = "the population stability index (PSI) measures how far a feature's values have moved, 0 meaning not at all";
  return a.psi_major === undefined ? what : `${what} and ${a.psi_major} or more a major shift`;
}

function psiText(psi: number): string {
  return Number.isFinite(psi) ? trimZeros(psi.toFixed(2)) : '?';
}

/** `= 0.012`, or two significant digits in scientific form below 0.001, where fixed decimals would show 0. */
function pText(p: number): string {
  if (!Number.isFinite(p)) return '= ?';
  // A p-value that underflowed to 0 is only known to be below the smallest double.
  if (p === 0) return '< 1e-300';
  return `= ${p < 0.001 ? p.toExponential(1) : trimZeros(p.toFixed(3))}`;
}

/** Why the alert fired or resolved, in words a reader who does not know the code can act on. */
export function alertExplanation(alert: AlertState): string {
  const a = alert.annotations;
  switch (alert.name) {
    case 'recall_below_threshold': {
      const cases = a.positive_class === undefined ? 'positive cases' : `${a.positive_class} cases`;
      const what =
        alert.labels.metric === 'recall_macro'
          ? `model v${a.model_version ?? '?'} detected on average ${percent(a.value)} of the actual cases of each class`
          : `model v${a.model_version ?? '?'} detected ${percent(a.value)} of the actual ${cases}`;
      const where = `On data snapshot #${a.snapshot_id ?? '?'}, ${what}; the required minimum is ${percent(a.threshold)}.`;
      if (alert.status === 'firing') return `The model in service misses more cases than allowed. ${where}`;
      if (Number(a.value) >= Number(a.threshold)) return `The model in service meets the threshold again. ${where}`;
      return `This metric is no longer monitored, so the alert is closed. Last result: ${where}`;
    }
    case 'model_rejected':
      if (alert.status === 'firing') {
        const serving = a.active_version === undefined ? 'The model in service, if any, is unchanged.' : `Model v${a.active_version} keeps serving predictions.`;
        if (a.rollout_id !== undefined) return `The challenger v${a.model_version ?? '?'} of rollout #${a.rollout_id} was not put into service: it did worse than the champion on the same confirmed cases, or too few cases were confirmed within rollout.maxDuration. ${serving}`;
        const data = a.snapshot_id === undefined ? '' : `, trained on data snapshot #${a.snapshot_id}`;
        return `A newly trained model (v${a.model_version ?? '?'}${data}) did not pass the promotion gate and was not put into service. ${serving}`;
      }
      if (a.resolution === 'superseded') {
        return `The next training produced model v${a.resolved_by_version ?? '?'}, which the promotion gate rejected too: that rejection is an alert of its own, and this one is closed.`;
      }
      if (a.resolution === 'expired') {
        return `A rejection is an event: its alert closes on its own once alerts.eventTtl has passed. Model v${a.model_version ?? '?'} was not put into service.`;
      }
      return `A later model is in service, so the earlier rejection no longer needs attention.`;
    case 'job_failed': {
      const job = JSON.stringify(alert.labels.job ?? '?');
      const run = a.run_id === undefined ? '' : ` (run #${a.run_id})`;
      if (alert.status === 'resolved') return `The scheduled job ${job} ran successfully again${run}.`;
      return `The scheduled job ${job} failed${run} after all its retries, so its work was not done.`;
    }
    case 'live_recall_below_threshold': {
      const positive = classPhrase(a);
      if (alert.status === 'firing') {
        const what = alert.labels.metric === 'recall_macro' ? 'gets more confirmed cases wrong' : `misses more ${positive} cases`;
        return `In live use, the model ${what} than allowed. ${liveMeasurement(alert)}`;
      }
      if (a.resolution === 'too_few_cases') {
        return (
          `There are not enough confirmed cases to judge live recall, so the alert is closed: the window (${a.window ?? 'unknown'}) holds ` +
          `${plural(Number(a.confirmed_positives), 'case')} confirmed as ${positive} for model v${a.model_version ?? '?'}, and at least ${a.min_cases ?? '?'} are needed. ` +
          'This does not show that the model has improved (a new model version, for one, starts counting afresh); ' +
          'the alert fires again if recall is still too low once enough cases are confirmed.'
        );
      }
      if (Number(a.value) >= Number(a.threshold)) return `In live use, the model meets the threshold again. ${liveMeasurement(alert)}`;
      return `This metric is no longer monitored, so the alert is closed. Last result: ${liveMeasurement(alert)}`;
    }
    case 'data_drift': {
      const model = `model v${a.model_version ?? '?'}`;
      const share = `${a.drifted_count ?? '?'} of the ${a.n_features ?? '?'} features (${percent(a.drifted_share)})`;
      const recent = `the ${plural(Number(a.n_recent), 'recent case')} (${a.window ?? 'unknown window'})`;
      const test = `two-sample Kolmogorov-Smirnov test, p < ${a.alpha ?? '0.05'} after Bonferroni correction`;
      if (alert.status === 'firing') {
        const top = parseTopFeatures(a.top_features);
        const named = top === null || top.length === 0 ? '' : ` The most drifted are ${andList(top.slice(0, 3).map((f) => `${f.feature} (PSI ${psiText(f.psi)})`))}; ${psiMeaning(a)}.`;
        return (
          `The recent input data no longer look like the data ${model} was trained on: for ${share}, the values of ${recent} differ from the ` +
          `training values (${test}); the alert fires above ${percent(a.drift_share)}.${named} ` +
          'A model is less reliable on data unlike its training data, and drift shows this before confirmed diagnoses can.'
        );
      }
      if (Number(a.drifted_share) <= Number(a.drift_share)) {
        return `The recent input data look like the training data of ${model} again: ${share} differ (${test}), at or below the ${percent(a.drift_share)} threshold.`;
      }
      return `Input drift is no longer monitored, so the alert is closed. Last result: ${share} differed from the training data of ${model}.`;
    }
    case 'data_source_stale': {
      if (alert.status === 'firing') {
        const since = a.last_success_at === undefined ? `no update has succeeded since the first attempt (${readableTime(a.first_attempt_at ?? '?')})` : `the last successful update was at ${readableTime(a.last_success_at)}`;
        return (
          `The data set has not been read from its source for longer than expected: ${since}, and the configuration expects ${a.expected ?? 'more'}. ` +
          'Failed updates keep the previous snapshot, so checks and trainings go on with data that are getting old.'
        );
      }
      if (a.expected === undefined) return 'Nothing in the configuration expects updates any more (no monitor.sourceStaleAfter, no update schedule), so the alert is closed.';
      return 'An update read the data source successfully again.';
    }
    case 'prediction_log_dropped': {
      if (alert.status === 'firing') {
        return (
          `The store refused to keep ${plural(Number(a.dropped), 'prediction')} that had been answered, even when written again and alone ` +
          `(${a.kept ?? '?'} other rows of the same batch were kept). Feedback on them will not be found, and live performance and drift will not count them. ` +
          `This process has dropped ${a.total_dropped ?? '?'} rows since it started (mloop_prediction_log_dropped_total).`
        );
      }
      return 'No further notice is sent for these rows: the alert closes after alerts.eventTtl, and a new drop fires it again.';
    }
  }
}

/** The label/value facts of an alert; a value may hold several lines, already wrapped to the fact column. */
export function alertFacts(alert: AlertState): [string, string][] {
  const a = alert.annotations;
  const facts: [string, string][] = [];
  switch (alert.name) {
    case 'recall_below_threshold': {
      const [value, threshold] = shownPair(Number(a.value), Number(a.threshold));
      const meaning =
        alert.labels.metric === 'recall_macro'
          ? 'mean over the classes of the share of actual cases detected'
          : `share of actual ${a.positive_class ?? 'positive'} cases the model detects`;
      facts.push(['Metric', `${alert.labels.metric ?? 'recall'} (${meaning})`], ['Value', `${value} (${percent(a.value)})`], ['Threshold', `${threshold} (${percent(a.threshold)})`]);
      facts.push(['Model version', `v${a.model_version ?? '?'}`], ['Data snapshot', `#${a.snapshot_id ?? '?'}`]);
      break;
    }
    case 'model_rejected':
      facts.push(['Model version', `v${a.model_version ?? '?'}`]);
      if (a.snapshot_id !== undefined) facts.push(['Data snapshot', `#${a.snapshot_id}`]);
      if (a.active_version !== undefined) facts.push(['Serving model', `v${a.active_version}`]);
      if (a.rollout_id !== undefined) facts.push(['Rollout', `#${a.rollout_id}`]);
      if (alert.status === 'firing') facts.push(['Reason', a.reason ?? 'no reason given']);
      break;
    case 'job_failed':
      facts.push(['Job', alert.labels.job ?? '?']);
      if (a.run_id !== undefined) facts.push(['Run', `#${a.run_id}`]);
      if (alert.status === 'firing' && a.attempts !== undefined) facts.push(['Attempts', a.attempts]);
      // Not wrapped with the prose: an error often holds a URL or path the reader will copy.
      if (alert.status === 'firing') facts.push(['Last error', truncate(a.error ?? 'unknown')]);
      break;
    case 'live_recall_below_threshold': {
      const [value, threshold] = shownPair(Number(a.value), Number(a.threshold));
      const metric = alert.labels.metric === 'recall_macro' ? `${liveMetricPhrase(alert)} (mean of the per-class recalls)` : `${liveMetricPhrase(alert)} on confirmed diagnoses`;
      const judged = a.resolution !== 'too_few_cases';
      const shown = Number.isFinite(Number(a.value)) ? `${value} (${percent(a.value)})` : 'none (no confirmed case to measure on)';
      facts.push(['Metric', metric], ['Value', judged ? shown : `${shown}, not judged: too few confirmed cases`], ['Threshold', `${threshold} (${percent(a.threshold)})`]);
      facts.push(['Confirmed cases', `${a.confirmed_positives ?? '?'} ${classPhrase(a)}, at least ${a.min_cases ?? '?'} needed`], ['Window', a.window ?? 'unknown']);
      facts.push(['Model version', `v${a.model_version ?? '?'}`]);
      break;
    }
    case 'data_drift': {
      facts.push(['Drifted features', `${a.drifted_count ?? '?'} of ${a.n_features ?? '?'} (${percent(a.drifted_share)})`], ['Threshold', `more than ${percent(a.drift_share)} of the features`]);
      facts.push(['Test', `Kolmogorov-Smirnov, p < ${a.alpha ?? '0.05'} after Bonferroni correction`]);
      facts.push(['Recent cases', `${a.n_recent ?? '?'} (${a.window ?? 'unknown window'})`], ['Model version', `v${a.model_version ?? '?'} (its training data is the reference)`]);
      const top = parseTopFeatures(a.top_features);
      // An annotation that is not the builder's JSON (set by hand, say) is shown as it is.
      if (top === null) facts.push(['Most drifted', a.top_features ?? '']);
      else if (top.length > 0) facts.push(['Most drifted', top.map((f) => `${f.feature}: PSI ${psiText(f.psi)}, p ${pText(f.pAdjusted)}`).join('\n')]);
      facts.push(['All drifted', a.drifted_features === undefined || a.drifted_features === '' ? 'none' : wrap(a.drifted_features, FACT_VALUE_COLUMNS).join('\n')]);
      break;
    }
    case 'data_source_stale':
      facts.push(['Last success', a.last_success_at === undefined ? 'none yet' : readableTime(a.last_success_at)]);
      if (a.first_attempt_at !== undefined) facts.push(['First attempt', readableTime(a.first_attempt_at)]);
      if (a.expected !== undefined) facts.push(['Expected', wrap(a.expected, FACT_VALUE_COLUMNS).join('\n')]);
      if (alert.status === 'firing' && a.stale_after !== undefined) facts.push(['Stale since', readableTime(a.stale_after)]);
      if (alert.status === 'firing' && a.last_error !== undefined) facts.push(['Last error', truncate(a.last_error)]);
      break;
    case 'prediction_log_dropped':
      facts.push(['Dropped', `${a.dropped ?? '?'} (${a.total_dropped ?? '?'} since the process started)`], ['Process', a.process ?? '?']);
      if (a.ids) facts.push(['Prediction ids', wrap(a.ids, FACT_VALUE_COLUMNS).join('\n')]);
      if (alert.status === 'firing') facts.push(['Store error', truncate(a.error ?? 'unknown')]);
      break;
  }
  return facts;
}

/** What the reader can do about a firing alert, where the alert alone suggests it. */
export function alertAdvice(alert: AlertState): string {
  if (alert.name === 'live_recall_below_threshold') {
    return `Review the confirmed ${classPhrase(alert.annotations)} cases the model missed; a retrained or an earlier model version may be needed. `;
  }
  if (alert.name === 'data_source_stale') {
    return 'Check that the source is reachable and holds a valid data set: `mloop update` (or POST /api/v1/data/update) shows the error. ';
  }
  if (alert.name === 'prediction_log_dropped') {
    return 'The server log has the rows\' ids and the store\'s error ("prediction log rows dropped"); check the store (disk, connection, encoding of the values). ';
  }
  if (alert.name === 'data_drift') {
    return 'Check whether the way the measurements are taken, or the patients seen, have changed; retraining on recent data may be needed. ';
  }
  return '';
}
