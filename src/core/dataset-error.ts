/** A data table that cannot be used, with the place of the problem. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}
