import type { Logger } from 'pino';
import type { Store } from '../store/database.js';
import type { RolloutAnswer } from '../store/rollout-repository.js';

/** Flush after this long, or at once when this many answers wait. */
const flushAfterMs = 50;
const maxBuffered = 200;

/**
 * The answers of the model that did not answer a request, during a rollout: buffered and written
 * in batches beside the prediction log (never on a request's path). A batch the store refuses is
 * tried once more, then dropped and counted: a lost answer only leaves that case out of the
 * comparison, it never changes an answer given.
 */
export class RolloutAnswerLog {
  private buffer: RolloutAnswer[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private dropped = 0;

  constructor(
    private readonly store: Pick<Store, 'rollouts'>,
    private readonly log: Logger,
  ) {}

  /** Answers never written since this process started. */
  get droppedAnswers(): number {
    return this.dropped;
  }

  record(answers: readonly RolloutAnswer[]): void {
    for (const answer of answers) this.buffer.push(answer);
    if (this.buffer.length >= maxBuffered) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), flushAfterMs);
  }

  /** Resolves once everything recorded so far is in the store (or dropped). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: readonly RolloutAnswer[]): Promise<void> {
    try {
      await this.store.rollouts.insertAnswers(batch);
      return;
    } catch (error) {
      this.log.warn({ err: error, answers: batch.length }, 'rollout answers not written, retrying');
    }
    try {
      // Answers stored already are skipped, so a batch whose commit went through is not doubled.
      await this.store.rollouts.insertAnswers(batch);
    } catch (error) {
      this.dropped += batch.length;
      this.log.error({ err: error, dropped: batch.length }, 'rollout answers dropped: the store refused them');
    }
  }
}
