import type { ConfirmedCases } from '../../src/core/metrics/live-curves.js';
import type { VersionCases } from '../../src/store/prediction-log-reads.js';

/** The store's typed-array form of `cases` (what confirmedCasesOf reads back). */
export function versionCases(meta: Pick<VersionCases, 'modelVersion' | 'windowRows' | 'from' | 'to'>, cases: ConfirmedCases): VersionCases {
  const labels = [...new Set([...cases.predicted, ...cases.actual])];
  const probabilityLabels = Object.keys(cases.probabilities.find((p) => p !== null) ?? {});
  const k = probabilityLabels.length;
  const probabilities = new Float64Array(cases.actual.length * k).fill(Number.NaN);
  cases.probabilities.forEach((p, i) => probabilityLabels.forEach((l, j) => (probabilities[i * k + j] = p?.[l] ?? Number.NaN)));
  return {
    ...meta,
    rows: cases.actual.length,
    decision: Float64Array.from(cases.decision),
    labels,
    predicted: Uint16Array.from(cases.predicted, (l) => labels.indexOf(l)),
    actual: Uint16Array.from(cases.actual, (l) => labels.indexOf(l)),
    probabilityLabels,
    probabilities,
  };
}
