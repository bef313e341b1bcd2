import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import { initial } from './0001-initial.js';
import { alertsOutboxSchedule } from './0002-alerts-outbox-schedule.js';
import { runHeartbeats } from './0003-run-heartbeats.js';
import { predictionLog } from './0004-prediction-log.js';
import { predictionLogBinaryInputs } from './0005-prediction-log-binary-inputs.js';
import { runControl } from './0006-run-control.js';

/** The migrations in the order they run (Kysely sorts by name). */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_alerts_outbox_schedule': alertsOutboxSchedule(dialect),
    '0003_run_heartbeats': runHeartbeats(),
    '0004_prediction_log': predictionLog(),
    '0005_prediction_log_binary_inputs': predictionLogBinaryInputs(dialect),
    '0006_run_control': runControl(dialect),
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
