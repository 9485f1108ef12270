/**
 * The one error type of the test bed: a handler throws it and the kit answers it in the
 * simulator's own error shape (see `SimulatorDefinition.errorBody`).
 */

/** Thrown by handlers to answer an error in the provider's own error shape. */
export class SimHttpError extends Error {
  /**
   * @param status HTTP status of the answer.
   * @param code The simulator's error code (the provider's, or the kit's own: `bad_request`,
   *   `not_found`, `rate_limit_exceeded`, `injected_fault`, `internal_error`).
   * @param message Human-readable message; the provider's error body usually carries it.
   * @param extra `details` for the error body, `headers` added to the answer.
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'SimHttpError';
  }
}
