import type { Config } from '../config/schema.js';
import { redactSource } from '../core/data-source-url.js';
import type { Check } from '../store/check-repository.js';
import type { Run, RunKind } from '../store/run-repository.js';
import type { Checks } from './checks.js';
import type { DataSourceHealth } from './data-source-health.js';
import type { DataUpdates, UpdateOptions, UpdateOutcome } from './data-updates.js';
import type { ModelRegistry } from './model-registry.js';
import type { Runs } from './runs.js';
import type { Trainings } from './trainings.js';

export interface JobsDeps {
  readonly config: Config;
  readonly runs: Runs;
  readonly data: DataUpdates;
  readonly trainings: Trainings;
  readonly checks: Checks;
  readonly registry: ModelRegistry;
  readonly sourceHealth: Pick<DataSourceHealth, 'evaluateQuietly'>;
}

export interface StartedJob {
  readonly run: Run;
  /** Settles when the job ends: its value, or the error recorded on the run. */
  readonly done: Promise<unknown>;
}

/**
 * The tutorial's three jobs (update, train, check) as runs: started by hand (API, CLI) or by the
 * scheduler, each attempt through the same run lifecycle (`Runs.withRun`).
 */
export class Jobs {
  constructor(private readonly deps: JobsDeps) {}

  /** Re-reads the data source; a failure leaves the latest snapshot as it was. */
  async update(trigger: string, options: UpdateOptions = {}): Promise<UpdateOutcome & { readonly runId: number }> {
    return (await this.attempt('update', await this.create('update', trigger), options)) as UpdateOutcome & { readonly runId: number };
  }

  /** The tutorial's daily check: the active model's monitored metric on the latest snapshot. */
  async check(trigger: string): Promise<Check> {
    return (await this.attempt('check', await this.create('check', trigger))) as Check;
  }

  /** Starts a job by hand (`POST /api/v1/jobs/{kind}/run`, `mloop run KIND`) and returns at once. */
  async start(kind: RunKind, trigger: string): Promise<StartedJob> {
    if (kind === 'train') return this.deps.trainings.start({}, trigger);
    const run = await this.create(kind, trigger);
    const done = this.attempt(kind, run);
    done.catch(() => undefined);
    return { run, done };
  }

  /**
   * One attempt of a job on a run that exists already (a scheduled tick, or one just created).
   * After every update attempt, and every check, the data source's freshness is judged, so a
   * source that stays broken alerts however its updates are started (and when none are).
   */
  async attempt(kind: RunKind, run: Run, options: UpdateOptions = {}): Promise<unknown> {
    if (kind === 'train') return this.attemptJob(kind, run);
    try {
      return await this.attemptJob(kind, run, options);
    } finally {
      await this.deps.sourceHealth.evaluateQuietly();
    }
  }

  private async attemptJob(kind: RunKind, run: Run, options: UpdateOptions = {}): Promise<unknown> {
    const { runs, data, checks, trainings } = this.deps;
    if (kind === 'train') return (await trainings.start({}, run.trigger, run)).done;
    if (kind === 'check') return runs.withRun(run, () => checks.run(run.id));
    return runs.withRun(run, async () => {
      const outcome = await data.update(options);
      return { value: { ...outcome, runId: run.id }, result: { status: outcome.status, snapshotId: outcome.snapshot.id, rows: outcome.snapshot.rowCount } };
    });
  }

  /**
   * Whether a job of this kind cannot start in this process now: a training runs already, or there
   * is nothing to check yet (the first model is still training).
   */
  busy(kind: RunKind): boolean {
    return (kind === 'train' && this.deps.trainings.current !== null) || (kind === 'check' && this.deps.registry.serving === null);
  }

  private create(kind: RunKind, trigger: string): Promise<Run> {
    return this.deps.runs.create(kind, trigger, kind === 'update' ? { source: redactSource(this.deps.config.dataset.source ?? 'bundled') } : {});
  }
}
