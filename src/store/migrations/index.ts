import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import { initial } from './0001-initial.js';
import { alertsOutboxSchedule } from './0002-alerts-outbox-schedule.js';
import { runHeartbeats } from './0003-run-heartbeats.js';
import { predictionLog } from './0004-prediction-log.js';
import { predictionLogBinaryInputs } from './0005-prediction-log-binary-inputs.js';
import { snapshotReading } from './0006-snapshot-reading.js';
import { outboxIdempotencyKeys } from './0007-outbox-idempotency-keys.js';
import { promotionSafety } from './0008-promotion-safety.js';
import { driftReports } from './0009-drift-reports.js';
import { runControl } from './0010-run-control.js';
import { predictionProbabilities } from './0011-prediction-probabilities.js';
import { rollouts } from './0012-rollouts.js';
import { outOfRange } from './0013-out-of-range.js';

/** The migrations in the order they run (Kysely sorts by name). */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_alerts_outbox_schedule': alertsOutboxSchedule(dialect),
    '0003_run_heartbeats': runHeartbeats(),
    '0004_prediction_log': predictionLog(),
    '0005_prediction_log_binary_inputs': predictionLogBinaryInputs(dialect),
    '0006_snapshot_reading': snapshotReading(),
    '0007_outbox_idempotency_keys': outboxIdempotencyKeys(),
    '0008_promotion_safety': promotionSafety(dialect),
    '0009_drift_reports': driftReports(dialect),
    '0010_run_control': runControl(dialect),
    '0011_prediction_probabilities': predictionProbabilities(),
    '0012_rollouts': rollouts(dialect),
    '0013_out_of_range': outOfRange(),
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
