import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import type { Run, RunKind, RunListQuery } from '../store/run-repository.js';
import { redactUrls } from '../core/data-source-url.js';
import type { Clock } from './clock.js';
import { NotFoundError } from './errors.js';
import { RunHeartbeat } from './run-heartbeat.js';

export interface RunsDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
}

/** What a job's body gives back: its value for the caller, and what the run records as its result. */
export interface RunOutcome<T> {
  readonly value: T;
  readonly result: unknown;
}

/**
 * Background work as runs in the store (update, train, check), and the one lifecycle every kind of
 * job goes through: watched by the heartbeat, marked running, then succeeded with its result or
 * failed with its error. The scheduler and the jobs started by hand both use it.
 */
export class Runs {
  private readonly heartbeat: RunHeartbeat;

  constructor(private readonly deps: RunsDeps) {
    this.heartbeat = new RunHeartbeat(deps.store, deps.clock, deps.log);
  }

  /** Queues a run of `kind`. */
  create(kind: RunKind, trigger: string, params: unknown = {}): Promise<Run> {
    return this.deps.store.runs.create({ kind, trigger, params, now: this.deps.clock.now() });
  }

  async get(id: number): Promise<Run> {
    const run = await this.deps.store.runs.get(id);
    if (!run) throw new NotFoundError(`no run ${id}`);
    return shown(run);
  }

  async list(query: RunListQuery): Promise<Run[]> {
    return (await this.deps.store.runs.list(query)).map(shown);
  }

  /** Keeps `runId` visibly alive until the returned function is called (see RunHeartbeat). */
  watch(runId: number): () => void {
    return this.heartbeat.watch(runId);
  }

  /** Fails the runs whose process died and returns them. */
  reap(): Promise<Run[]> {
    return this.heartbeat.reap();
  }

  /**
   * One attempt of `run`: `body` does the work; its `result` is recorded on the run and its `value`
   * returned. A failure is recorded on the run (its message) and rethrown to the caller.
   */
  async withRun<T>(run: Run, body: () => Promise<RunOutcome<T>>): Promise<T> {
    const { store, clock, log } = this.deps;
    const stopWatching = this.watch(run.id);
    try {
      await store.runs.start(run.id, clock.now());
      const { value, result } = await body();
      await store.runs.succeed(run.id, result, clock.now());
      return value;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await store.runs.fail(run.id, message, clock.now()).catch((e: unknown) => log.error({ err: e, run: run.id }, 'run failure not recorded'));
      throw error;
    } finally {
      stopWatching();
    }
  }
}

/**
 * A run as it is shown, with every URL in it redacted: an update's params and error name the data
 * source, and runs recorded before the source was redacted at the start may still hold its secret.
 */
function shown(run: Run): Run {
  return { ...run, params: redactStrings(run.params), result: redactStrings(run.result), error: run.error === null ? null : redactUrls(run.error) };
}

function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactUrls(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v)]));
  return value;
}
