import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import type { HeartbeatReply, Run } from '../store/run-repository.js';
import type { Clock } from './clock.js';

/** How often a process says its runs are alive (and hears whether one of them is to stop). */
export const heartbeatMs = 5_000;

/**
 * Keeps the runs this process executes visibly alive in the store. A replica that dies (or a CLI
 * killed mid-training) stops beating; any other process then fails its runs as abandoned once
 * they have been silent for `staleAfterMs`, so a dead training does not block the next one
 * forever. (On the same machine a dead process is recognised at once: see Runs.reap.)
 *
 * Each beat also brings back what other processes asked of these runs: the ones to cancel, and
 * the ones already ended elsewhere; `onReply` is told.
 *
 * Watches are counted: a scheduled tick is watched by the scheduler for its whole life (attempts and
 * the waits between them) and by each attempt while it runs. An attempt that stops watching must not
 * silence the scheduler's watch, or the run would go quiet during the backoff and be reaped although
 * its retry is still coming.
 */
export class RunHeartbeat {
  private readonly watchers = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly staleAfterMs: number,
    private readonly onReply: (reply: HeartbeatReply) => void,
  ) {}

  /** Beats for `runId` until the returned function is called (once; later calls do nothing). */
  watch(runId: number): () => void {
    this.watchers.set(runId, (this.watchers.get(runId) ?? 0) + 1);
    this.timer ??= setInterval(() => void this.beat(), heartbeatMs).unref();
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const left = (this.watchers.get(runId) ?? 1) - 1;
      if (left > 0) this.watchers.set(runId, left);
      else this.watchers.delete(runId);
      if (this.watchers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private async beat(): Promise<void> {
    await this.beatAt(this.clock.now()).catch((e: unknown) => this.log.warn({ err: e }, 'run heartbeat not recorded'));
  }

  private async beatAt(now: Date): Promise<void> {
    if (this.watchers.size > 0) this.onReply(await this.store.runs.heartbeat([...this.watchers.keys()], now));
  }

  /**
   * Fails the runs whose process has been silent for the stale limit (scheduled ticks too, or not)
   * and returns them. This
   * process's own runs beat first, at the same instant, so they are never among them however long
   * since the last timer beat.
   */
  async reapStale(scheduled: boolean): Promise<Run[]> {
    const now = this.clock.now();
    // Not reaping when this beat fails: this process's own runs could be among the silent ones.
    await this.beatAt(now);
    const runs = await this.store.runs.abandonStale(new Date(now.getTime() - this.staleAfterMs), now, { scheduled });
    if (runs.length > 0) this.log.warn({ runs: runs.map((r) => r.id) }, `marked ${runs.length} abandoned run(s) as failed: silent for ${this.staleAfterMs / 1000} s`);
    return runs;
  }
}
