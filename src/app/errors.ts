/**
 * The application's typed errors. The HTTP layer maps each kind to one status code in a single
 * error handler; the CLI prints the message. Messages are written for the person who sent the
 * request: they name the field, row or column and what was expected.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request itself is wrong (400). */
export class InvalidInputError extends AppError {}

/** The thing asked for does not exist (404). */
export class NotFoundError extends AppError {}

/** The request conflicts with the current state, e.g. a training already runs (409). */
export class ConflictError extends AppError {}

/** No model is active yet (409 on the tutorial's routes, 503 on readiness). */
export class NotTrainedError extends AppError {
  constructor(message = 'Model not trained yet, make a call to /train_svm to train it') {
    super(message);
  }
}

/**
 * Models exist but none serves: the gate rejected them and `monitor.serveBelowThreshold` is false
 * (503, as for a service not ready: it answers once a model passes or an admin forces one).
 */
export class NoServingModelError extends AppError {}

/** The data source answered with data that cannot be used (422). */
export class InvalidDataError extends AppError {}

/** The thing asked for exists but cannot be given in the form asked, e.g. a model as ONNX (422). */
export class NotExportableError extends AppError {}

/** The data source could not be reached or read (502). */
export class UpstreamError extends AppError {}

/** A run was cancelled (by request, or because the service shut down) before it finished (409). */
export class RunCancelledError extends ConflictError {
  constructor(
    readonly runId: number,
    readonly reason: string,
  ) {
    super(`run ${runId} was cancelled: ${reason}`, { runId });
  }
}

/** A run went on longer than its time limit (`training.timeout`) and was stopped (504). */
export class RunTimeoutError extends AppError {
  constructor(
    readonly runId: number,
    readonly limit: string,
  ) {
    super(`run ${runId} timed out after ${limit} (training.timeout) and was stopped`, { runId });
  }
}
