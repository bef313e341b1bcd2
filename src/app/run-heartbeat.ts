import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import type { Clock } from './clock.js';

/** How often a process says its runs are alive, and after how long without a word a run is abandoned. */
export const heartbeatMs = 5_000;
export const staleAfterMs = 60_000;

/**
 * Keeps the runs this process executes visibly alive in the store. A replica that dies (or a CLI
 * killed mid-training) stops beating; any other process then fails its runs as abandoned, so a
 * dead training does not block the next one forever.
 */
export class RunHeartbeat {
  private readonly live = new Set<number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Beats for `runId` until the returned function is called. */
  watch(runId: number): () => void {
    this.live.add(runId);
    this.timer ??= setInterval(() => void this.beat(), heartbeatMs).unref();
    return () => {
      this.live.delete(runId);
      if (this.live.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private async beat(): Promise<void> {
    await this.store.runs.heartbeat([...this.live], this.clock.now()).catch((e: unknown) => this.log.warn({ err: e }, 'run heartbeat not recorded'));
  }

  /** Fails runs of dead processes. */
  async reap(): Promise<number[]> {
    const now = this.clock.now();
    const ids = await this.store.runs.abandonStale(new Date(now.getTime() - staleAfterMs), now);
    if (ids.length > 0) this.log.warn({ runs: ids }, `marked ${ids.length} abandoned run(s) as failed`);
    return ids;
  }
}
