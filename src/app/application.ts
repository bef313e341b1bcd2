import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Alerting } from './alerting.js';
import type { Checks } from './checks.js';
import type { DataUpdates } from './data-updates.js';
import type { Jobs } from './jobs.js';
import type { ModelRegistry } from './model-registry.js';
import type { Monitoring } from './monitoring.js';
import type { OperatingPoints } from './operating-points.js';
import type { Predictions } from './predictions.js';
import type { Rollouts } from './rollouts.js';
import type { Runs } from './runs.js';
import type { Scheduler } from './scheduler.js';
import type { Trainings } from './trainings.js';

/**
 * What mloop can do, as the services the composition root (`openApplication`) builds once: the
 * HTTP routes, the CLI and the scheduler each use the ones they need.
 */
export interface Application {
  readonly config: Config;
  readonly log: Logger;
  /** Model versions, the one that serves, promotion and rollback. */
  readonly registry: ModelRegistry;
  /** Shadow and canary rollouts: the challenger, its comparison with the champion, the decision. */
  readonly rollouts: Rollouts;
  readonly predictions: Predictions;
  /** Data snapshots and how they are taken. */
  readonly data: DataUpdates;
  readonly trainings: Trainings;
  /** What another decision threshold would give a two-class version (saving one: `trainings.retune`). */
  readonly operatingPoints: OperatingPoints;
  /** Evaluations of the active model and their history. */
  readonly checks: Checks;
  /** The jobs (update, train, check) started by hand or by the scheduler. */
  readonly jobs: Jobs;
  readonly runs: Runs;
  /** Feedback, live performance, drift. */
  readonly monitoring: Monitoring;
  readonly alerting: Alerting;
  readonly scheduler: Scheduler;
  /**
   * First start: with no model version at all, take a data snapshot if there is none and train the
   * configured mode, so the first prediction works without any other step (if that model passes
   * the promotion gate, or `monitor.serveBelowThreshold` lets it serve anyway).
   */
  bootstrap(): Promise<void>;
  /** Stops the scheduler, waits for the training, delivers, flushes the log and closes the store. */
  close(): Promise<void>;
}
