/**
 * JWT verification with `jose`: signature (HS256 with a shared secret, or RS256/ES256 with keys
 * from a JWKS URL, cached and re-fetched when a token names an unknown `kid`), `exp` (required) and
 * `nbf` with a small clock tolerance read from the gateway's clock, issuer and audience. Then the
 * token's claims become a {@link Caller} (organizations as the token spells them; the authenticator
 * normalizes them). Failures are {@link AuthenticationError}s whose message
 * never holds the token.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { Caller, Role } from './caller.ts';
import { ROLES } from './roles.ts';

/** Why a request is not authenticated. `unavailable` = the keys to verify it could not be fetched (503, not 401). */
export type AuthenticationFailure = 'missing' | 'invalid' | 'expired' | 'unavailable';

/** A request without a usable credential. The message is safe to show; it never holds the credential. */
export class AuthenticationError extends Error {
  constructor(
    readonly reason: AuthenticationFailure,
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** The names of the claims the caller is read from (`access.jwt.claims`). */
export interface JwtClaimNames {
  /** Claim holding `reader`, `operator` or `admin`. @default "role" */
  role?: string;
  /** Claim holding the provider ids the caller may see (array of strings); absent = every provider. @default "providers" */
  providers?: string;
  /** Claim holding the organizations (`<provider id>/<native id>` or Organization global ids); absent = every organization. @default "organizations" */
  organizations?: string;
}

/** `access.jwt`: how tokens are verified. Exactly one of `secret` and `jwksUrl`. */
export interface JwtOptions {
  /** Required `iss`. */
  issuer: string;
  /** Required `aud` (one of these when a list). */
  audience: string | readonly string[];
  /** HS256 shared secret (at least 32 characters). */
  secret?: string;
  /** JWKS document of the issuer's public keys (RS256/ES256). */
  jwksUrl?: string;
  /** Claim names. @default { role: "role", providers: "providers", organizations: "organizations" } */
  claims?: JwtClaimNames;
  /** Clock skew allowed on `exp`/`nbf`, seconds. @default 30 */
  clockToleranceSeconds?: number;
}

/** Verifies tokens and maps their claims. */
export interface JwtVerifier {
  /** The caller a valid token stands for; throws {@link AuthenticationError} otherwise. */
  verify(token: string): Promise<Caller>;
}

/** Options of {@link createJwtVerifier} besides the config. */
export interface JwtVerifierDeps {
  /** "Now" for `exp`/`nbf` (jose's `currentDate`). @default the system clock */
  clock?: Clock;
  /** How long a JWKS fetch may take, ms. @default 5000 */
  jwksTimeoutMs?: number;
  /** Least time between two JWKS fetches caused by unknown `kid`s, ms. @default 30000 */
  jwksCooldownMs?: number;
}

const stringList = (v: unknown): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null);

/** Builds the verifier of `options`. */
export function createJwtVerifier(options: JwtOptions, deps: JwtVerifierDeps = {}): JwtVerifier {
  const { clock = systemClock, jwksTimeoutMs = 5000, jwksCooldownMs = 30_000 } = deps;
  const { issuer, audience, clockToleranceSeconds = 30 } = options;
  const names = { role: 'role', providers: 'providers', organizations: 'organizations', ...options.claims };
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.secret) {
    key = new TextEncoder().encode(options.secret);
    algorithms = ['HS256'];
  } else if (options.jwksUrl) {
    // jose caches the set, re-fetches it on an unknown kid (at most once per cooldown) and after cacheMaxAge.
    key = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: jwksTimeoutMs, cooldownDuration: jwksCooldownMs, cacheMaxAge: 10 * 60_000 });
    algorithms = ['RS256', 'ES256'];
  } else {
    throw new Error('access.jwt needs secret or jwksUrl');
  }

  async function payloadOf(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
        issuer,
        audience: typeof audience === 'string' ? audience : [...audience],
        algorithms,
        clockTolerance: clockToleranceSeconds,
        currentDate: new Date(clock.now()),
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw new AuthenticationError('expired', 'the token has expired');
      if (e instanceof errors.JWTClaimValidationFailed) {
        const claim = e.claim === 'aud' ? 'audience' : e.claim === 'iss' ? 'issuer' : e.claim === 'nbf' ? 'not-before time' : `"${e.claim}" claim`;
        throw new AuthenticationError('invalid', `the token's ${claim} is not accepted`);
      }
      // The JWKS could not be fetched or read (network, timeout, non-200, bad JSON): not the caller's fault.
      if (!(e instanceof errors.JOSEError) || e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || e.code === 'ERR_JOSE_GENERIC') {
        throw new AuthenticationError('unavailable', "the issuer's signing keys cannot be fetched");
      }
      throw new AuthenticationError('invalid', 'the token is not valid');
    }
  }

  return {
    async verify(token) {
      const p = await payloadOf(token);
      const role = p[names.role];
      if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw new AuthenticationError('invalid', `the token's "${names.role}" claim is not a role`);
      let providers: string[] | null = null;
      if (p[names.providers] !== undefined) {
        providers = stringList(p[names.providers]);
        if (!providers) throw new AuthenticationError('invalid', `the token's "${names.providers}" claim is not a list of provider ids`);
      }
      let organizations: string[] | null = null;
      if (p[names.organizations] !== undefined) {
        organizations = stringList(p[names.organizations]);
        if (!organizations) throw new AuthenticationError('invalid', `the token's "${names.organizations}" claim is not a list of organizations`);
      }
      return { id: String(p.sub), kind: 'jwt', role: role as Role, providers, organizations };
    },
  };
}
