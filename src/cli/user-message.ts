import { AppError } from '../app/errors.js';
import { ConfigError } from '../config/schema.js';
import { DatasetError } from '../core/dataset.js';
import { DataSourceError } from '../adapters/data-source.js';

const expected = [AppError, ConfigError, DatasetError, DataSourceError, RangeError];

/** One line for the person at the terminal: the problem, never a stack trace. */
export function userMessage(error: unknown): string {
  if (expected.some((kind) => error instanceof kind)) return (error as Error).message;
  if (error instanceof Error) return `unexpected error: ${error.message}`;
  return `unexpected error: ${String(error)}`;
}
