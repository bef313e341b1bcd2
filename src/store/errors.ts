/** A row the caller named by id does not exist. The HTTP layer can map this to 404. */
export class RecordNotFoundError extends Error {
  override readonly name = 'RecordNotFoundError';
  constructor(
    readonly entity: 'snapshot' | 'model' | 'run',
    readonly id: number,
  ) {
    super(`${entity} ${id} does not exist`);
  }
}

/** `openDatabase` was given a URL whose scheme names no supported database. */
export class UnsupportedDatabaseUrlError extends Error {
  override readonly name = 'UnsupportedDatabaseUrlError';
  constructor(readonly scheme: string) {
    // Only the scheme: the rest of a database URL may hold a password.
    super(`unsupported database URL scheme "${scheme}": use postgres:// or postgresql://, or no URL for SQLite`);
  }
}

/** The start-up migrations did not complete; `cause` is the database's error. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly migrationName: string | undefined,
    options: { cause: unknown },
  ) {
    super(
      migrationName === undefined
        ? `could not bring the database schema up to date: ${describe(options.cause)}`
        : `database migration ${migrationName} failed: ${describe(options.cause)}`,
      options,
    );
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** The active model changes only through `activate`, which keeps the activations log. */
export class ActiveModelStatusError extends Error {
  override readonly name = 'ActiveModelStatusError';
  constructor(
    readonly version: number | undefined,
    readonly requestedStatus: string,
  ) {
    super(
      requestedStatus === 'active'
        ? `model ${version ?? '(new)'} cannot become active by a status change: use activate()`
        : `model ${version} is the active model: activate another version instead of setting it ${requestedStatus}`,
    );
  }
}

/**
 * An activation was decided against the version that served then (the gate compared with it), but
 * another version serves now: it changed meanwhile (another replica, an admin).
 */
export class ActiveModelChangedError extends Error {
  override readonly name = 'ActiveModelChangedError';
  constructor(
    readonly version: number,
    readonly expected: number | null,
    readonly actual: number | null,
  ) {
    const name = (v: number | null) => (v === null ? 'none' : `v${v}`);
    super(`model ${version} was to replace ${name(expected)}, but ${name(actual)} serves now`);
  }
}

/** A run was asked for a step its current status does not allow (say, retrying a finished run). */
export class RunStatusError extends Error {
  override readonly name = 'RunStatusError';
  constructor(
    readonly id: number,
    readonly status: string,
    readonly step: string,
  ) {
    super(`run ${id} is ${status}: cannot ${step} it`);
  }
}

/** An alert evaluation returned a state of an alert it was not given to read. */
export class AlertScopeError extends Error {
  override readonly name = 'AlertScopeError';
  constructor(
    readonly alertName: string,
    readonly names: readonly string[],
  ) {
    const read = names.map((n) => JSON.stringify(n)).join(', ') || 'no alerts';
    super(`an evaluation of ${read} returned a state of ${JSON.stringify(alertName)}, which it did not read`);
  }
}

/** A unique index refused the row (SQLite SQLITE_CONSTRAINT_UNIQUE, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
