/**
 * Who is calling: the identity every request carries in its context once it is authenticated. The
 * authentication plugin builds it from an API key or a JWT; the tenant scope and the role table
 * read it. Never holds the credential itself.
 */

/** What a caller may do: `reader` queries and subscribes, `operator` also runs day-to-day actions, `admin` everything. */
export type Role = 'reader' | 'operator' | 'admin';

/** The authenticated caller of one request. */
export interface Caller {
  /** Shown in logs and the audit trail: the API key's configured id, the JWT's `sub`, or `anonymous`. Never a secret. */
  readonly id: string;
  /** How the caller authenticated. `open` = the gateway has no access control (the embedded demo). */
  readonly kind: 'api-key' | 'jwt' | 'anonymous' | 'open';
  readonly role: Role;
  /** Provider instance ids the caller may see; null = every provider. */
  readonly providers: readonly string[] | null;
  /** Organizations the caller may see, as `<provider id>/<native organization id>`; null = every organization. */
  readonly organizations: readonly string[] | null;
}

/** The caller of a gateway without access control: everything is visible and allowed (the embedded demo, tests). */
export const OPEN_CALLER: Caller = Object.freeze({ id: 'open', kind: 'open', role: 'admin', providers: null, organizations: null });
