import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchWritten, PredictionLogWriter, SealedBatch } from './prediction-log-batch.js';
import { SealedBatchReader, writeIsolating } from './prediction-log-batch.js';
import type { PredictionRepository } from './prediction-repository.js';

/**
 * Writes the prediction log through the store's own connection, as multi-row inserts. PostgreSQL's
 * driver does its I/O off the event loop, so there only the parameters are built on it (after the
 * answers have gone out); SQLite's store uses its writer thread instead (sqlite/log-writer.ts).
 */
export class InThreadLogWriter implements PredictionLogWriter {
  constructor(private readonly predictions: Pick<PredictionRepository, 'insertMany'>) {}

  async write(batch: SealedBatch): Promise<BatchWritten> {
    const reader = new SealedBatchReader(batch);
    const rows = Array.from({ length: batch.rows }, (_, i) => reader.row(i));
    const { retried, refused } = await writeIsolating(rows.length, (from, to) => this.predictions.insertMany(rows.slice(from, to)), (ms) => sleep(ms));
    return { columns: batch.columns, retried, refused: refused.map(({ index, error }) => ({ id: rows[index].id, error })) };
  }

  async close(): Promise<void> {}
}
