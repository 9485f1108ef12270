/**
 * From an `Authorization` header to a {@link Caller}: an API key (constant-time hash match) or a
 * JWT (verified by `jose`), or the anonymous reader when `access.anonymous: reader` lets a request
 * without a credential in. Framework-free: the HTTP side is `use-authentication.ts`.
 */
import type { Clock } from '../domain/clock.ts';
import { createApiKeyMatcher, type ApiKeyEntry } from './api-keys.ts';
import type { Caller, Role } from './caller.ts';
import { parseScopedOrganization } from './scope.ts';
import { AuthenticationError, createJwtVerifier, type JwtOptions, type JwtVerifier } from './jwt.ts';

/** A per-caller request budget. */
export interface RateLimitSetting {
  /** Most requests per minute (a bucket refilled continuously, holding one minute's worth). */
  requestsPerMinute: number;
}

/** `access.apiKeys[]`: one key. */
export interface ApiKeyOptions extends ApiKeyEntry {
  /** What the key may do. */
  role: Role;
  /** Provider ids it may see. @default every provider */
  providers?: readonly string[];
  /** Organizations it may see (`<provider id>/<native id>` or Organization global ids). @default every organization */
  organizations?: readonly string[];
  /** Its request budget. @default none (unlimited) */
  rateLimit?: RateLimitSetting;
}

/** `access`: who may call the gateway. Present = every /graphql request must authenticate. */
export interface AccessOptions {
  /** Accepted API keys (their SHA-256). @default [] */
  apiKeys?: readonly ApiKeyOptions[];
  /** Accepted JWTs, with the default budget of each token subject (`rateLimit`). @default none */
  jwt?: JwtOptions & { rateLimit?: RateLimitSetting };
  /** `reader`: a request without `Authorization` runs as the anonymous reader. @default "none" */
  anonymous?: 'none' | 'reader';
  /** Origins granted cross-origin access (CORS); never `*`, never with credentials. @default [] (no cross-origin access) */
  cors?: { origins?: readonly string[] };
  /** File the audit trail is appended to (one JSON line per mutation attempt, fsync'd). @default none (log lines only) */
  auditLog?: string;
}

/** The default budget of a JWT subject when `access.jwt.rateLimit` is not set. */
export const DEFAULT_JWT_REQUESTS_PER_MINUTE = 600;

/** The anonymous reader (`access.anonymous: reader`). */
export const ANONYMOUS_READER: Caller = Object.freeze({ id: 'anonymous', kind: 'anonymous', role: 'reader', providers: null, organizations: null });

/** Who a request is, and its budget. */
export interface Authenticated {
  caller: Caller;
  /** Requests per minute this caller may make; null = no limit. */
  requestsPerMinute: number | null;
}

/** Authenticates requests. */
export interface Authenticator {
  /** The caller of a request with this `Authorization` header value (null = none); throws {@link AuthenticationError}. */
  authenticate(authorization: string | null): Promise<Authenticated>;
}

/**
 * `value` as `<provider id>/<native id>`, or null when it is neither that (a non-empty provider id,
 * `/`, a non-empty native id) nor an Organization global id.
 */
export function normalizeOrganization(value: string): string | null {
  try {
    const { providerId, nativeId } = parseScopedOrganization(value);
    return `${providerId}/${nativeId}`;
  } catch {
    return null;
  }
}

/** A compact JWS: three base64url parts. API keys never contain `.`. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** RFC 6750 `b64token` after `Bearer `. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Options of {@link createAuthenticator} besides the config. */
export interface AuthenticatorDeps {
  /** "Now" for JWT `exp`/`nbf`. */
  clock: Clock;
}

/** Builds the authenticator of `access`. */
export function createAuthenticator(access: AccessOptions, deps: AuthenticatorDeps): Authenticator {
  const keys = (access.apiKeys ?? []).map((k) => {
    const organizations = k.organizations?.map((o) => {
      const n = normalizeOrganization(o);
      if (!n) throw new Error(`access.apiKeys "${k.id}": an organization is neither "<provider id>/<native id>" nor an Organization id`);
      return n;
    });
    const caller: Caller = Object.freeze({ id: k.id, kind: 'api-key', role: k.role, providers: k.providers ? [...k.providers] : null, organizations: organizations ?? null });
    return { id: k.id, sha256: k.sha256, authenticated: { caller, requestsPerMinute: k.rateLimit?.requestsPerMinute ?? null } };
  });
  const matcher = createApiKeyMatcher(keys);
  const jwt: JwtVerifier | null = access.jwt ? createJwtVerifier(access.jwt, { clock: deps.clock }) : null;
  const jwtBudget = access.jwt?.rateLimit?.requestsPerMinute ?? DEFAULT_JWT_REQUESTS_PER_MINUTE;
  const anonymous = access.anonymous === 'reader';

  return {
    async authenticate(authorization) {
      if (authorization === null || authorization.trim() === '') {
        if (anonymous) return { caller: ANONYMOUS_READER, requestsPerMinute: null };
        throw new AuthenticationError('missing', 'authentication required: send "Authorization: Bearer <API key or token>"');
      }
      const m = BEARER.exec(authorization);
      if (!m) throw new AuthenticationError('missing', 'authentication required: the Authorization header must use the Bearer scheme');
      const credential = m[1];
      if (jwt && JWT_SHAPE.test(credential)) {
        const c = await jwt.verify(credential);
        let organizations: string[] | null = null;
        if (c.organizations) {
          organizations = c.organizations.map((o) => normalizeOrganization(o)).filter((o): o is string => o !== null);
          if (organizations.length !== c.organizations.length) throw new AuthenticationError('invalid', "the token's organizations claim names something that is not an organization");
        }
        return { caller: Object.freeze({ ...c, organizations }), requestsPerMinute: jwtBudget };
      }
      const hit = matcher.match(credential);
      if (!hit) throw new AuthenticationError('invalid', 'the credential is not valid');
      return hit.authenticated;
    },
  };
}

export { AuthenticationError } from './jwt.ts';
