/**
 * The one place errors become GraphQL errors. Gateway errors and typed upstream failures keep their
 * code (`extensions.code`, plus `provider` and `requestId` when an upstream call caused them);
 * anything else is masked as INTERNAL_SERVER_ERROR and logged, never shown.
 *
 * Errors are built with yoga's `createGraphQLError` so they are instances of the `graphql` copy yoga
 * uses (a test runner may load graphql twice); yoga then answers 200 with the errors, not 500.
 */
import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { GatewayError } from '../domain/errors.ts';
import { isUpstreamError, toGatewayError } from '../upstream/errors.ts';

/** The client-safe GraphQL error for `e`, or null when `e` is unexpected (a bug) and must be masked. */
export function toClientError(e: unknown, path?: readonly (string | number)[]): GraphQLError | null {
  const gw = e instanceof GatewayError ? e : isUpstreamError(e) ? toGatewayError(e) : null;
  if (gw) return createGraphQLError(gw.message, { path, extensions: { code: gw.code, ...gw.extensions } });
  // A GraphQLError raised with a code on purpose (scalars); matched by shape, not class.
  if (typeof e === 'object' && e !== null && (e as Error).name === 'GraphQLError' && typeof (e as GraphQLError).extensions?.code === 'string') {
    const g = e as GraphQLError;
    return createGraphQLError(g.message, { path: path ?? g.path, nodes: g.nodes, extensions: g.extensions });
  }
  return null;
}

/** The error a provider's failure becomes in a partial result. */
export function providerFailureError(providerId: string, e: unknown, path: readonly (string | number)[]): GraphQLError {
  return (
    toClientError(e, path) ??
    createGraphQLError(`provider "${providerId}" failed unexpectedly`, { path, extensions: { code: 'UPSTREAM_ERROR', provider: providerId } })
  );
}

/** The JSON body of an answer refused before GraphQL ran: one GraphQL error with `code` (and `extensions`). */
export function codedErrorBody(code: string, message: string, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}

/** A JSON answer of `status` whose body is {@link codedErrorBody}; `headers` add to (or replace) its content type. */
export function codedErrorResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  error: { code: string; message: string; extensions?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Response {
  return new fetchAPI.Response(codedErrorBody(error.code, error.message, error.extensions), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}
