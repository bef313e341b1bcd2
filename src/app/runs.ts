import type { Logger } from 'pino';
import type { ProcessOwner } from '../core/process-owner.js';
import type { Store } from '../store/database.js';
import { redactUrls } from '../core/data-source-url.js';
import { RunStatusError } from '../store/errors.js';
import type { ClaimScheduledInput, HeartbeatReply, Run, RunKind, RunListQuery } from '../store/run-repository.js';
import { abandonedDeadError } from '../store/run-repository.js';
import type { Clock } from './clock.js';
import { ConflictError, NotFoundError, RunCancelledError, RunTimeoutError } from './errors.js';
import { RunHeartbeat } from './run-heartbeat.js';

export interface RunsDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  /** This process, recorded as the owner of the runs it creates and executes. */
  readonly owner: ProcessOwner;
  /** Whether the process that owns a run is certainly dead (same machine, pid gone or reused). */
  readonly isDead: (owner: ProcessOwner) => boolean;
  /** A run whose process has been silent this long is abandoned (`server.heartbeatTimeout`). */
  readonly staleAfterMs: number;
}

/** What a job's body gives back: its value for the caller, and what the run records as its result. */
export interface RunOutcome<T> {
  readonly value: T;
  readonly result: unknown;
}

/** How long an attempt may take before it is stopped as timed out. */
export interface RunLimit {
  readonly ms: number;
  /** The limit as configured ('10m'), for the message. */
  readonly text: string;
}

/** What a cancel did: the run as it is now; `pending` when another process executes it and will stop it at its next heartbeat. */
export interface CancelOutcome {
  readonly run: Run;
  readonly pending: boolean;
}

/** An attempt under way in this process. */
interface Execution {
  readonly controller: AbortController;
  readonly ended: Promise<void>;
}

/**
 * Background work as runs in the store (update, train, check), and the one lifecycle every kind of
 * job goes through: watched by the heartbeat, marked running, then succeeded with its result,
 * failed with its error, or cancelled. The scheduler and the jobs started by hand both use it.
 *
 * An attempt's body gets an AbortSignal that fires when the run is cancelled (here, or by another
 * process through the store), when it outlives its time limit, or when another process ended the
 * run meanwhile; a body that stops on it ends the run as cancelled or timed out.
 */
export class Runs {
  private readonly heartbeat: RunHeartbeat;
  private readonly executing = new Map<number, Execution>();

  constructor(private readonly deps: RunsDeps) {
    this.heartbeat = new RunHeartbeat(deps.store, deps.clock, deps.log, deps.staleAfterMs, (reply) => this.heard(reply));
  }

  get owner(): ProcessOwner {
    return this.deps.owner;
  }

  /** Queues a run of `kind`, owned by this process. */
  create(kind: RunKind, trigger: string, params: unknown = {}): Promise<Run> {
    return this.deps.store.runs.create({ kind, trigger, params, now: this.deps.clock.now(), owner: this.deps.owner });
  }

  /** Claims a scheduled tick for this process (see RunRepository.claimScheduled). */
  claimScheduled(input: Omit<ClaimScheduledInput, 'owner'>): Promise<Run | undefined> {
    return this.deps.store.runs.claimScheduled({ ...input, owner: this.deps.owner });
  }

  /** Queues `run` again for another attempt by this process (see RunRepository.retry). */
  requeue(run: Run, error: string): Promise<Run> {
    return this.deps.store.runs.retry(run.id, error, this.deps.clock.now(), this.deps.owner);
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

  /**
   * Fails the runs whose process died and returns them: at once those whose owner is provably dead
   * on this machine, the others once silent for the stale limit (another host may only be slow).
   * Scheduled ticks only with `scheduled`: the scheduler, which takes them over (retries them or
   * alerts), reaps them at its next tick; a tick failed anywhere else would be neither.
   */
  async reap(options: { readonly scheduled?: boolean } = {}): Promise<Run[]> {
    const { store, clock, log, isDead } = this.deps;
    const scheduled = options.scheduled ?? false;
    const reaped: Run[] = [];
    for (const run of await store.runs.active()) {
      if ((run.scheduledFor !== null && !scheduled) || run.owner === null || !isDead(run.owner)) continue;
      const abandoned = await store.runs.abandon(run, abandonedDeadError, clock.now());
      if (!abandoned) continue; // it changed hands or ended meanwhile
      log.warn({ run: run.id, kind: run.kind, owner: run.owner }, `run ${run.id} (${run.kind}) failed as abandoned: process ${run.owner.pid} on ${run.owner.host} is gone`);
      reaped.push(abandoned);
    }
    reaped.push(...(await this.heartbeat.reapStale(scheduled)));
    return reaped;
  }

  /**
   * One attempt of `run`: `body` does the work; its `result` is recorded on the run and its `value`
   * returned. A failure is recorded on the run (its message) and rethrown to the caller; a body
   * stopped by its signal ends the run as cancelled (RunCancelledError) or failed as timed out
   * (RunTimeoutError).
   */
  async withRun<T>(run: Run, body: (signal: AbortSignal) => Promise<RunOutcome<T>>, limit?: RunLimit): Promise<T> {
    const { store, clock, log } = this.deps;
    const controller = new AbortController();
    let end!: () => void;
    this.executing.set(run.id, { controller, ended: new Promise<void>((resolve) => (end = resolve)) });
    const stopWatching = this.watch(run.id);
    const timer = limit && setTimeout(() => controller.abort(new RunTimeoutError(run.id, limit.text)), limit.ms);
    const record = (step: Promise<Run>) =>
      step.catch((e: unknown) => {
        // Ended elsewhere meanwhile (failed as abandoned, say): that status stays.
        if (e instanceof RunStatusError) log.warn({ run: run.id }, `run ${run.id} outcome not recorded: ${e.message}`);
        else log.error({ err: e, run: run.id }, 'run outcome not recorded');
      });
    let started = false;
    try {
      await this.start(run);
      started = true;
      const { value, result } = await body(controller.signal);
      await record(store.runs.succeed(run.id, result, clock.now()));
      return value;
    } catch (caught) {
      // Stopped by its signal, the body fails with whatever the interrupted step threw: the signal says why.
      const error: unknown = controller.signal.aborted ? controller.signal.reason : caught;
      if (error instanceof RunCancelledError) {
        // A run cancelled while it was queued never started: its status says so already.
        if (started) await record(store.runs.cancel(run.id, error.reason, clock.now()));
      } else {
        await record(store.runs.fail(run.id, error instanceof Error ? error.message : String(error), clock.now()));
      }
      throw error;
    } finally {
      clearTimeout(timer);
      stopWatching();
      this.executing.delete(run.id);
      end();
    }
  }

  /** Marks `run` running; one cancelled while it was queued is not started. */
  private async start(run: Run): Promise<void> {
    try {
      await this.deps.store.runs.start(run.id, this.deps.clock.now(), this.deps.owner);
    } catch (error) {
      if (!(error instanceof RunStatusError)) throw error;
      const now = await this.get(run.id);
      if (now.status === 'cancelled') throw new RunCancelledError(run.id, now.error ?? 'while queued');
      throw error;
    }
  }

  /**
   * Cancels a run: a queued one at once, a running training by stopping its work (here, or through
   * the store in the process that executes it). A run already over, or a running update or check
   * (short, and not stoppable midway), is a ConflictError.
   */
  async cancel(id: number, reason: string): Promise<CancelOutcome> {
    const { store, clock } = this.deps;
    // A run whose process died reads as failed (abandoned), not as one left to cancel.
    await this.reap();
    let run = await this.get(id);
    if (run.status === 'queued') {
      const cancelled = await store.runs.cancel(id, reason, clock.now(), ['queued']).catch((e: unknown) => {
        if (e instanceof RunStatusError) return undefined; // it started meanwhile
        throw e;
      });
      if (cancelled) return { run: cancelled, pending: false };
      run = await this.get(id);
    }
    if (run.status !== 'running') throw new ConflictError(`run ${id} is already over (${run.status}): nothing to cancel`, { runId: id, status: run.status });
    if (run.kind !== 'train') throw new ConflictError(`run ${id} (${run.kind}) is running and stops on its own shortly: only trainings can be stopped midway, other runs while queued`, { runId: id, status: run.status });
    const here = this.executing.get(id);
    if (here) {
      here.controller.abort(new RunCancelledError(id, reason));
      await here.ended;
      return { run: await this.get(id), pending: false };
    }
    return { run: await store.runs.requestCancel(id, clock.now()), pending: true };
  }

  /** Cancels every attempt under way in this process and waits for them to end (shutdown). */
  async cancelAll(reason: string): Promise<void> {
    const executions = [...this.executing.entries()];
    for (const [id, { controller }] of executions) controller.abort(new RunCancelledError(id, reason));
    await Promise.all(executions.map(([, e]) => e.ended));
  }

  /** Stops the attempts that other processes asked to cancel or have ended meanwhile. */
  private heard({ gone, cancelRequested }: HeartbeatReply): void {
    for (const id of cancelRequested) this.executing.get(id)?.controller.abort(new RunCancelledError(id, 'requested by another process'));
    for (const id of gone) this.executing.get(id)?.controller.abort(new RunCancelledError(id, 'ended by another process'));
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
