import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchWritten, PredictionLogBatch, PredictionLogWriter } from './prediction-log-batch.js';
import { batchRow, writeIsolating } from './prediction-log-batch.js';
import type { PredictionRepository } from './prediction-repository.js';

/**
 * Writes the prediction log through the store's own connection, as multi-row inserts. PostgreSQL's
 * driver does its I/O off the event loop, so there only the parameters are built on it (after the
 * answers have gone out); SQLite's store uses its writer thread instead (sqlite/log-writer.ts).
 */
export class InThreadLogWriter implements PredictionLogWriter {
  constructor(private readonly predictions: Pick<PredictionRepository, 'insertMany'>) {}

  async write(batch: PredictionLogBatch): Promise<BatchWritten> {
    const rows = Array.from({ length: batch.rows }, (_, i) => batchRow(batch, i));
    const { retried, refused } = await writeIsolating(rows.length, (from, to) => this.predictions.insertMany(rows.slice(from, to)), (ms) => sleep(ms));
    return { batch, retried, refused: refused.map(({ index, error }) => ({ id: rows[index].id, error })) };
  }

  async close(): Promise<void> {}
}
