import type { DriftOptions, DriftReport, ReferenceProfile } from '../core/drift/feature-profile.js';
import { compareToReference } from '../core/drift/feature-profile.js';
import type { Matrix } from '../core/matrix.js';

/** What drift-pool.ts sends to its worker thread. */
export interface DriftTask {
  readonly reference: ReferenceProfile;
  /** The recent inputs, on a SharedArrayBuffer: the thread reads them where they are. */
  readonly recent: Matrix;
  readonly options: DriftOptions;
}

export default function compare(task: DriftTask): DriftReport {
  return compareToReference(task.reference, task.recent, task.options);
}
