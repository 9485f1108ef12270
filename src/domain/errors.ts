/**
 * The gateway's error vocabulary. Edges throw typed errors; `toGraphQLError` (server layer) maps
 * them once into GraphQL errors with `extensions.code`.
 */

/** Error codes clients rely on (`extensions.code`). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_ERROR'
  | 'RATE_LIMITED'
  | 'UNSUPPORTED_BY_PROVIDER'
  | 'COST_LIMIT_EXCEEDED';

/** An expected failure with a code, safe to show to clients as is. */
export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: { provider?: string; requestId?: string; field?: string; [k: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** Bad input from the client; `field` names the argument or input field at fault. */
export function badUserInput(message: string, field?: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', message, field ? { field } : {});
}

/** The provider cannot do what was asked. */
export function unsupportedByProvider(provider: string, what: string): GatewayError {
  return new GatewayError('UNSUPPORTED_BY_PROVIDER', `${what} is not supported by provider "${provider}"`, { provider });
}
