/**
 * Typed failures of upstream calls. Provider clients throw these; `toGatewayError` maps each to
 * one gateway error code, without ever copying an upstream body, URL, header or stack.
 */
import { GatewayError, type ErrorCode } from '../domain/errors.ts';

/** The provider answered with an HTTP error status. */
export class ProviderHttpError extends Error {
  constructor(
    readonly provider: string,
    readonly status: number,
    readonly requestId: string,
    /** The provider's own error code (e.g. `not_found`, `VALIDATION_FAILED`), when its body had one. */
    readonly providerCode: string | null,
    /** The provider's own message, kept for logs; only shown to clients for 400/409/422 answers to mutations. */
    readonly providerMessage: string | null,
  ) {
    super(`provider "${provider}" answered HTTP ${status}${providerCode ? ` (${providerCode})` : ''}`);
    this.name = 'ProviderHttpError';
  }
}

/** The provider could not be reached in time: connect error, timeout, deadline exceeded, reset. */
export class ProviderNetworkError extends Error {
  constructor(
    readonly provider: string,
    readonly requestId: string,
    readonly reason: 'connect' | 'timeout' | 'deadline' | 'reset',
  ) {
    super(`provider "${provider}" is unreachable (${reason})`);
    this.name = 'ProviderNetworkError';
  }
}

/** The provider answered 2xx with a body we cannot use (not JSON, or not the documented shape). */
export class ProviderResponseError extends Error {
  constructor(
    readonly provider: string,
    readonly requestId: string,
    readonly detail: string,
  ) {
    super(`provider "${provider}" answered with an unusable body (${detail})`);
    this.name = 'ProviderResponseError';
  }
}

/**
 * The gateway did not call the provider: its circuit breaker is open after consecutive failures
 * (`circuit-open`), or its concurrency cap and queue are full (`overloaded`). `retryAfterMs` is
 * when calling again may help.
 */
export class ProviderUnavailableError extends Error {
  constructor(
    readonly provider: string,
    readonly requestId: string,
    readonly reason: 'circuit-open' | 'overloaded',
    readonly retryAfterMs: number,
  ) {
    super(`provider "${provider}" is unavailable (${reason === 'circuit-open' ? 'circuit open' : 'overloaded'})`);
    this.name = 'ProviderUnavailableError';
  }
}

/** Any typed upstream failure. */
export type UpstreamError = ProviderHttpError | ProviderNetworkError | ProviderResponseError | ProviderUnavailableError;

/** True when `e` is one of the typed upstream failures. */
export function isUpstreamError(e: unknown): e is UpstreamError {
  return e instanceof ProviderHttpError || e instanceof ProviderNetworkError || e instanceof ProviderResponseError || e instanceof ProviderUnavailableError;
}

function codeForStatus(status: number): ErrorCode {
  // The gateway's own credential for the provider was refused: the provider's fault (or the
  // operator's config), never "you are not logged in" (UNAUTHENTICATED means that).
  if (status === 401) return 'UPSTREAM_ERROR';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 501) return 'UNSUPPORTED_BY_PROVIDER';
  if (status >= 500) return 'UPSTREAM_UNAVAILABLE';
  return 'UPSTREAM_ERROR';
}

/**
 * Maps a typed upstream failure to the one gateway error clients see. The message names the
 * provider and the HTTP status only; with `exposeProviderMessage` (mutations answered 400/409/422)
 * the provider's own message is included, because it tells the user what to fix.
 */
export function toGatewayError(e: UpstreamError, opts: { exposeProviderMessage?: boolean } = {}): GatewayError {
  const ext = { provider: e.provider, requestId: e.requestId };
  if (e instanceof ProviderHttpError) {
    const code = codeForStatus(e.status);
    const base = `provider "${e.provider}" answered HTTP ${e.status}`;
    const showMessage = opts.exposeProviderMessage && [400, 409, 422].includes(e.status) && e.providerMessage;
    return new GatewayError(code, showMessage ? `${base}: ${e.providerMessage}` : base, { ...ext, httpStatus: e.status });
  }
  if (e instanceof ProviderNetworkError) {
    return new GatewayError('UPSTREAM_UNAVAILABLE', `provider "${e.provider}" is unreachable (${e.reason})`, ext);
  }
  if (e instanceof ProviderUnavailableError) {
    // retryAfter in whole seconds, as the Retry-After header counts them.
    return new GatewayError('UPSTREAM_UNAVAILABLE', e.message, { ...ext, retryAfter: Math.max(1, Math.ceil(e.retryAfterMs / 1000)) });
  }
  return new GatewayError('UPSTREAM_ERROR', `provider "${e.provider}" answered with an unusable response`, ext);
}

/** True when the provider says the record does not exist: HTTP 404, or a `NOT_FOUND` error code on any status. */
export function isNotFound(e: unknown): boolean {
  return e instanceof ProviderHttpError && (e.status === 404 || e.providerCode === 'NOT_FOUND');
}

/** `p`'s value, or null when the provider says the record does not exist; any other failure is rethrown. */
export async function nullIfNotFound<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/** One entry of a batch lookup: `run()`'s value, null when not found, or the failure as that key's own Error. */
export async function lookupEntry<T>(run: () => Promise<T | null>): Promise<T | null | Error> {
  try {
    return await run();
  } catch (e) {
    if (isNotFound(e)) return null;
    return e instanceof Error ? e : new Error(String(e));
  }
}
