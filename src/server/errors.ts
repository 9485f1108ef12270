/**
 * The one place errors become GraphQL errors. Gateway errors and typed upstream failures keep their
 * code (`extensions.code`, plus `provider` and `requestId` when an upstream call caused them);
 * anything else is masked as INTERNAL_SERVER_ERROR and logged, never shown.
 */
import { GraphQLError } from 'graphql';
import { GatewayError } from '../domain/errors.ts';
import { isUpstreamError, toGatewayError } from '../upstream/errors.ts';

/** The client-safe GraphQL error for `e`, or null when `e` is unexpected (a bug) and must be masked. */
export function toClientError(e: unknown, path?: readonly (string | number)[]): GraphQLError | null {
  const gw = e instanceof GatewayError ? e : isUpstreamError(e) ? toGatewayError(e) : null;
  if (gw) return new GraphQLError(gw.message, { path, extensions: { code: gw.code, ...gw.extensions } });
  // A GraphQLError raised with a code on purpose (scalars); matched by shape, not class.
  if (typeof e === 'object' && e !== null && (e as Error).name === 'GraphQLError' && typeof (e as GraphQLError).extensions?.code === 'string') {
    const g = e as GraphQLError;
    return new GraphQLError(g.message, { path: path ?? g.path, nodes: g.nodes, extensions: g.extensions });
  }
  return null;
}

/** The error a provider's failure becomes in a partial result. */
export function providerFailureError(providerId: string, e: unknown, path: readonly (string | number)[]): GraphQLError {
  return (
    toClientError(e, path) ??
    new GraphQLError(`provider "${providerId}" failed unexpectedly`, { path, extensions: { code: 'UPSTREAM_ERROR', provider: providerId } })
  );
}
