/**
 * Authentication and the per-caller request budget on the GraphQL endpoint. Every request to
 * `endpoint` (queries, mutations, both graphql-sse modes: each PUT, GET, POST and DELETE of
 * single-connection mode too) must carry `Authorization: Bearer <API key or JWT>`, unless
 * `access.anonymous: reader`. A request without a valid credential is answered here, before it is
 * parsed, so nothing runs upstream:
 * - 401, `WWW-Authenticate: Bearer realm="backup-graph"` (plus `error="invalid_token"` when a
 *   credential was sent but is bad or expired, RFC 6750 §3), and a GraphQL body with
 *   `extensions.code: UNAUTHENTICATED`;
 * - 503 `UPSTREAM_UNAVAILABLE` when the issuer's keys (JWKS) cannot be fetched;
 * - 429 `RATE_LIMITED` with `Retry-After` when the caller is over its budget.
 * Other paths (health, metrics, GraphiQL's page and assets, answered by earlier plugins) are not
 * touched, nor CORS preflights. The credential is never logged nor echoed.
 */
import type { Logger } from 'pino';
import type { Plugin } from 'graphql-yoga';
import { AuthenticationError, type Authenticator } from '../../access/authenticate.ts';
import type { Caller } from '../../access/caller.ts';
import type { RateLimiter } from '../../access/rate-limit.ts';
import { codedErrorResponse } from '../errors.ts';

/** Options of {@link useAuthentication}. */
export interface AuthenticationOptions {
  /** The path whose requests must authenticate (yoga's `graphqlEndpoint`). */
  endpoint: string;
  /** Turns the `Authorization` header into a caller. */
  authenticator: Authenticator;
  /** Counts each caller's requests. */
  rateLimiter: RateLimiter;
  /** Receives one `authentication failed` line per refusal (reason only, never the credential). */
  logger: Logger;
  /** The request's id, for the log line. @default none */
  requestIdOf?: (request: Request) => string;
}

/** The plugin, plus the caller of an authenticated request for the context builder. */
export interface AuthenticationPlugin extends Plugin {
  /** The caller `request` authenticated as; undefined when it did not reach this plugin (another path). */
  callerOf(request: Request): Caller | undefined;
}

const REALM = 'Bearer realm="backup-graph"';

/** A stable key of a caller, the same for each of its requests (rate limits, idempotency). */
export const callerKey = (c: Caller) => `${c.kind}:${c.id}`;

/** Authenticates every request to `endpoint`; refuses the others with a coded answer. */
export function useAuthentication(options: AuthenticationOptions): AuthenticationPlugin {
  const { endpoint, authenticator, rateLimiter, logger, requestIdOf } = options;
  const callers = new WeakMap<Request, Caller>();

  const answer = (fetchAPI: { Response: typeof Response }, status: number, code: string, message: string, headers: Record<string, string>) =>
    codedErrorResponse(fetchAPI, status, { code, message }, { 'cache-control': 'no-store', ...headers });

  /**
   * The caller of a request without credentials, once one was let in without a budget (the
   * anonymous reader): what a missing header authenticates as depends on the config alone, so later
   * such requests are let in at once, without a promise and its ticks on every request.
   */
  let anonymous: Caller | undefined;

  return {
    callerOf: (request) => callers.get(request),
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint || request.method === 'OPTIONS') return;
      const authorization = request.headers.get('authorization');
      if (anonymous && (authorization === null || authorization.trim() === '')) {
        callers.set(request, anonymous);
        return;
      }
      const refuse = (status: number, code: string, message: string, headers: Record<string, string>, reason: string) => {
        logger.warn({ requestId: requestIdOf?.(request), reason, method: request.method }, 'authentication failed');
        endResponse(answer(fetchAPI, status, code, message, headers));
      };
      return authenticator.authenticate(authorization).then(
        async ({ caller, requestsPerMinute }) => {
          if (requestsPerMinute === null && (authorization === null || authorization.trim() === '')) anonymous = caller;
          if (requestsPerMinute !== null) {
            const d = await rateLimiter.take(callerKey(caller), requestsPerMinute);
            if (!d.ok) {
              logger.warn({ requestId: requestIdOf?.(request), caller: caller.id, retryAfter: d.retryAfterSeconds }, 'rate limited');
              endResponse(answer(fetchAPI, 429, 'RATE_LIMITED', `too many requests: this caller may make ${requestsPerMinute} per minute`, { 'retry-after': String(d.retryAfterSeconds) }));
              return;
            }
          }
          callers.set(request, caller);
        },
        (e: unknown) => {
          if (!(e instanceof AuthenticationError)) throw e;
          if (e.reason === 'unavailable') return refuse(503, 'UPSTREAM_UNAVAILABLE', e.message, { 'retry-after': '5' }, e.reason);
          const challenge = e.reason === 'missing' ? REALM : `${REALM}, error="invalid_token", error_description="${e.message.replace(/["\\]/g, '')}"`;
          refuse(401, 'UNAUTHENTICATED', e.message, { 'www-authenticate': challenge }, e.reason);
        },
      );
    },
  };
}
