import type { Generated } from 'kysely';

/*
 * The tables as Kysely sees them. Column names are snake_case as in SQL; the repositories map
 * rows to camelCase domain objects. JSON lives in `*_json` text columns and times are ISO-8601
 * UTC text, so both dialects store exactly the same bytes. Booleans are 0/1 integers because
 * better-sqlite3 cannot bind JS booleans.
 */

export interface SnapshotContentsTable {
  content_hash: string;
  text: string;
}

export interface SnapshotsTable {
  id: Generated<number>;
  created_at: string;
  source: string;
  content_hash: string;
  row_count: number;
  class_counts_json: string;
  feature_names_json: string;
  reading_json: string | null;
  reading_key: string | null;
  unlabelled_rows: Generated<number>;
}

export interface ModelsTable {
  version: Generated<number>;
  created_at: string;
  mode: string;
  params_json: string;
  pipeline_json: string;
  grid_search_json: string | null;
  snapshot_id: number;
  metrics_json: string;
  report_text: string;
  monitored_metric: string;
  monitored_value: number;
  threshold: number;
  training_ms: number;
  /** Derived from gate_verdict and serving_status for readers of the old column (see migration 0006). */
  status: string;
  gate_reason: string | null;
  run_id: number | null;
  reference_json: string | null;
  gate_verdict: string;
  serving_status: string;
}

export interface PredictionsTable {
  id: string;
  created_at: string;
  model_version: number;
  route: string;
  /** The input row as little-endian doubles (see float64Blob). */
  input: Uint8Array;
  label: string;
  decision: number;
  latency_ms: number;
  external_id: string | null;
  actual: string | null;
  confirmed_at: string | null;
  /** JSON list of the features outside the training range; null when none was. */
  out_of_range: string | null;
  /** The answer's class probabilities by label (JSON), null without them. */
  probabilities_json: string | null;
}

/**
 * The columns a logged prediction is inserted with, in the order of every insert's parameters:
 * the repository's multi-row insert and the SQLite writer thread's statements.
 */
export const predictionInsertColumns = ['id', 'created_at', 'model_version', 'route', 'input', 'label', 'decision', 'latency_ms', 'external_id', 'probabilities_json', 'out_of_range'] as const;

export interface ActivationsTable {
  id: Generated<number>;
  model_version: number;
  previous_version: number | null;
  reason: string;
  activated_at: string;
}

export interface RunsTable {
  id: Generated<number>;
  kind: string;
  trigger: string;
  status: string;
  params_json: string;
  scheduled_for: string | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempts: number;
  progress_done: number | null;
  progress_total: number | null;
  result_json: string | null;
  error: string | null;
  heartbeat_at: string | null;
  /** The process that executes the run (ProcessOwner as JSON), or null when not recorded. */
  owner_json: string | null;
  /** When a cancel was asked for a running run, for its process to stop it. */
  cancel_requested_at: string | null;
}

export interface ChecksTable {
  id: Generated<number>;
  created_at: string;
  model_version: number;
  snapshot_id: number;
  metric: string;
  value: number;
  threshold: number;
  passed: number;
  source: string;
}

/** One change to what serves: who did it, when, from which version to which, and why. */
export interface RegistryAuditTable {
  id: Generated<number>;
  at: string;
  action: string;
  from_version: number | null;
  to_version: number | null;
  actor: string;
  reason: string | null;
  run_id: number | null;
}

/** An Alertmanager-style silence: notifications of alerts whose labels match are not sent until `ends_at`. */
export interface SilencesTable {
  id: Generated<number>;
  created_at: string;
  created_by: string;
  matchers_json: string;
  starts_at: string;
  ends_at: string;
  reason: string;
}

/** One row per alert fingerprint: the Alertmanager-style state the lifecycle reads and rewrites. */
export interface AlertsTable {
  fingerprint: string;
  name: string;
  labels_json: string;
  annotations_json: string;
  status: string;
  starts_at: string;
  ends_at: string | null;
  last_notified_at: string | null;
  updated_at: string;
}

/** One notification for one channel, kept until it is delivered or given up on. */
export interface OutboxTable {
  id: Generated<number>;
  created_at: string;
  channel: string;
  fingerprint: string;
  status_label: string;
  payload_json: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  leased_by: string | null;
  last_error: string | null;
  delivered_at: string | null;
  /** Sent with every attempt (Message-ID, Idempotency-Key) so a receiver can drop a repeat. */
  idempotency_key: string;
}

/** A drift report as computed (see DriftReportRepository). */
export interface DriftReportsTable {
  id: Generated<number>;
  computed_at: string;
  model_version: number;
  run_id: number | null;
  result_json: string;
}

/** One rollout: a challenger proving itself beside the champion (see RolloutRepository). */
export interface RolloutsTable {
  id: Generated<number>;
  strategy: string;
  canary_percent: number;
  champion_version: number;
  challenger_version: number;
  /** `open` for the one rollout under way (a unique index), `ended` after. */
  state: string;
  started_at: string;
  ended_at: string | null;
  outcome: string | null;
  reason: string | null;
  decided_by: string | null;
  score_json: string | null;
}

/** The answer of the model that did not answer a request, keyed by the request row's prediction id. */
export interface RolloutAnswersTable {
  prediction_id: string;
  rollout_id: number;
  model_version: number;
  label: string;
  decision: number;
  created_at: string;
}

export interface DatabaseSchema {
  snapshot_contents: SnapshotContentsTable;
  snapshots: SnapshotsTable;
  models: ModelsTable;
  activations: ActivationsTable;
  runs: RunsTable;
  checks: ChecksTable;
  alerts: AlertsTable;
  outbox: OutboxTable;
  predictions: PredictionsTable;
  registry_audit: RegistryAuditTable;
  silences: SilencesTable;
  drift_reports: DriftReportsTable;
  rollouts: RolloutsTable;
  rollout_answers: RolloutAnswersTable;
}

/** A window of a newest-first (or oldest-first) list. */
export interface Page {
  readonly limit: number;
  readonly offset?: number;
}
