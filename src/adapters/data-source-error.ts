/** A data source that could not be read (file, URL or PostgreSQL query): the message names it and why. */
export class DataSourceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DataSourceError';
  }
}

/** The bounds of one read of a data source, whatever kind it is. */
export interface ReadLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
}
