import type { DriftOptions, DriftReport, ReferenceProfile } from '../core/drift/feature-profile.js';
import { compareToReference } from '../core/drift/feature-profile.js';
import type { Matrix } from '../core/matrix.js';
import type { PackedCases, RankedCases } from '../core/metrics/live-curves.js';
import { rankConfirmedCases, unpackCases } from '../core/metrics/live-curves.js';

/** What monitoring-pool.ts sends to its worker thread. */
export type MonitoringTask =
  | {
      readonly kind: 'drift';
      readonly reference: ReferenceProfile;
      /** The recent inputs, on a SharedArrayBuffer: the thread reads them where they are. */
      readonly recent: Matrix;
      readonly options: DriftOptions;
    }
  | { readonly kind: 'liveCurves'; readonly cases: PackedCases; readonly classes: readonly string[]; readonly positive: string; readonly threshold: number };

export default function run(task: MonitoringTask): DriftReport | RankedCases {
  switch (task.kind) {
    case 'drift':
      return compareToReference(task.reference, task.recent, task.options);
    case 'liveCurves':
      return rankConfirmedCases(unpackCases(task.cases), task.classes, task.positive, task.threshold);
  }
}
