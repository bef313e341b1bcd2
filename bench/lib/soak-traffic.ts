/**
 * The soak's mixed traffic against one server: predictions (single rows and batches, with the
 * caller's ids), feedback on earlier predictions, reads (drift, live performance, models, runs,
 * health), and a training every half minute followed by a rollback or a promotion. Every answer
 * is counted by kind and status; 5xx and failed connections are errors, and so is a 4xx that the
 * traffic did not provoke on purpose (only 409 "busy" answers to trainings and promotions are
 * expected).
 */
import { seeded } from './data.js';

export interface LabelledRow {
  readonly row: readonly number[];
  readonly label: string;
}

export interface WindowCounts {
  readonly requests: number;
  readonly errors: number;
  /** The slowest prediction answer of the window, as the client saw it. */
  readonly predictMaxMs: number;
  readonly trainings: number;
  readonly promotions: number;
}

type Kind = 'predict' | 'feedback' | 'read' | 'train' | 'promote';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SoakTraffic {
  private readonly random: () => number;
  private readonly byKind = new Map<string, number>();
  private readonly errorSamples: string[] = [];
  private readonly awaitingFeedback: { id: string; actual: string }[] = [];
  private window = { requests: 0, errors: 0, predictMaxMs: 0, trainings: 0, promotions: 0 };
  private totalErrors = 0;
  private externalIds = 0;

  constructor(
    private readonly base: string,
    private readonly rows: readonly LabelledRow[],
    seed: number,
  ) {
    this.random = seeded(seed);
  }

  /** Runs every loop until `done()` says stop. */
  async run(done: () => boolean): Promise<void> {
    await Promise.all([this.predictLoop(done), this.predictLoop(done), this.predictLoop(done), this.feedbackLoop(done), this.readLoop(done), this.trainLoop(done)]);
  }

  /** The counts since the last call. */
  takeWindow(): WindowCounts {
    const window = this.window;
    this.window = { requests: 0, errors: 0, predictMaxMs: 0, trainings: 0, promotions: 0 };
    return window;
  }

  summary(): string {
    const counts = [...this.byKind.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key}: ${n}`);
    return [`answers by kind and status: ${counts.join(', ')}`, `errors: ${this.totalErrors}`, ...this.errorSamples.map((e) => `  ${e}`)].join('\n');
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private async request(kind: Kind, method: string, path: string, body?: unknown, expected: readonly number[] = []): Promise<{ status: number; json: unknown }> {
    const started = performance.now();
    let status = 0;
    let json: unknown = null;
    try {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      const text = await response.text();
      json = text.startsWith('{') ? JSON.parse(text) : text;
    } catch (error) {
      json = (error as Error).message;
    }
    const ms = performance.now() - started;
    this.window.requests++;
    if (kind === 'predict') this.window.predictMaxMs = Math.max(this.window.predictMaxMs, ms);
    const key = `${kind} ${status || 'failed'}`;
    this.byKind.set(key, (this.byKind.get(key) ?? 0) + 1);
    if (status === 0 || status >= 500 || (status >= 400 && !expected.includes(status))) {
      this.window.errors++;
      this.totalErrors++;
      if (this.errorSamples.length < 10) this.errorSamples.push(`${method} ${path} → ${status || 'no answer'}: ${JSON.stringify(json).slice(0, 300)}`);
    }
    return { status, json };
  }

  private async predictLoop(done: () => boolean): Promise<void> {
    while (!done()) {
      const batch = this.random() < 0.1 ? 20 : 1;
      const chosen = Array.from({ length: batch }, () => this.pick(this.rows));
      const ids = chosen.map(() => `soak-${++this.externalIds}`);
      const body = batch === 1 ? { row: chosen[0].row, externalId: ids[0] } : { rows: chosen.map((r) => r.row), externalIds: ids };
      const { status, json } = await this.request('predict', 'POST', '/api/v1/predict', body);
      if (status === 200) {
        const predictions = (json as { predictions: { predictionId: string }[] }).predictions;
        predictions.forEach((p, i) => {
          // Feedback for about a third of the predictions, by either id.
          if (this.random() < 0.33) this.awaitingFeedback.push({ id: this.random() < 0.5 ? `p:${p.predictionId}` : `e:${ids[i]}`, actual: chosen[i].label });
        });
        if (this.awaitingFeedback.length > 5_000) this.awaitingFeedback.splice(0, this.awaitingFeedback.length - 5_000);
      }
      await sleep(5);
    }
  }

  private async feedbackLoop(done: () => boolean): Promise<void> {
    while (!done()) {
      const items = this.awaitingFeedback.splice(0, this.random() < 0.2 ? 50 : 1);
      const asItems = items.map(({ id, actual }) => (id.startsWith('p:') ? { predictionId: id.slice(2), actual } : { externalId: id.slice(2), actual }));
      if (asItems.length === 1) await this.request('feedback', 'POST', '/api/v1/feedback', asItems[0]);
      else if (asItems.length > 1) await this.request('feedback', 'POST', '/api/v1/feedback', { items: asItems });
      await sleep(100);
    }
  }

  private async readLoop(done: () => boolean): Promise<void> {
    const reads = ['/api/v1/drift', '/api/v1/performance/live', '/api/v1/models', '/api/v1/runs', '/api/v1/alerts', '/healthz', '/readyz', '/api/v1/performance/history'];
    while (!done()) {
      await this.request('read', 'GET', this.pick(reads));
      await sleep(500);
    }
  }

  /** A training every ~30 s (gridsearch one time in ten), then a rollback or a promotion of an earlier version. */
  private async trainLoop(done: () => boolean): Promise<void> {
    while (!done()) {
      await sleep(30_000 * (0.5 + this.random()));
      if (done()) return;
      const r = this.random();
      const mode = r < 0.1 ? 'gridsearch' : r < 0.55 ? 'basic' : 'normalized';
      const started = await this.request('train', 'POST', '/api/v1/train', { mode }, [409]);
      if (started.status !== 202) continue;
      this.window.trainings++;
      const runPath = (started.json as { links: { run: string } }).links.run;
      for (;;) {
        await sleep(1_000);
        const run = await this.request('read', 'GET', runPath);
        const status = (run.json as { status?: string }).status;
        if (run.status !== 200 || (status !== 'running' && status !== 'queued') || done()) break;
      }
      if (done()) return;
      const models = await this.request('read', 'GET', '/api/v1/models?limit=20');
      const listed = (models.json as { models?: { version: number; gateVerdict: string | null }[] }).models ?? [];
      if (this.random() < 0.5) {
        const promoted = await this.request('promote', 'POST', '/api/v1/models/rollback', { force: true, reason: 'soak test' }, [409]);
        if (promoted.status === 200) this.window.promotions++;
      } else if (listed.length > 0) {
        const target = this.pick(listed);
        const promoted = await this.request('promote', 'POST', `/api/v1/models/${target.version}/promote`, { force: true, reason: 'soak test' }, [409]);
        if (promoted.status === 200) this.window.promotions++;
      }
    }
  }
}
