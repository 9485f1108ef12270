/**
 * JWT verification (HS256 here; RS256 through a served JWKS is in test/e2e/access-auth.test.ts):
 * "now" is the gateway's clock, so these hold on any date.
 */
import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/domain/clock.ts';
import { createJwtVerifier } from '../../src/access/jwt.ts';
import { createAuthenticator, normalizeOrganization } from '../../src/access/authenticate.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';

const NOW = Date.UTC(2031, 5, 1, 12, 0, 0);
const SECRET = 'a-test-secret-that-is-32-chars-long!!';
const ISSUER = 'https://login.example.test/';
const AUDIENCE = 'backup-graph';

function token(claims: Record<string, unknown>, opts: { exp?: number; nbf?: number; iss?: string; aud?: string; sub?: string | null; secret?: string } = {}) {
  let j = new SignJWT({ bg_role: 'reader', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setIssuedAt(Math.floor(NOW / 1000))
    .setExpirationTime(opts.exp ?? Math.floor(NOW / 1000) + 600);
  if (opts.sub !== null) j = j.setSubject(opts.sub ?? 'user-1');
  if (opts.nbf) j = j.setNotBefore(opts.nbf);
  return j.sign(new TextEncoder().encode(opts.secret ?? SECRET));
}

describe('JWT verification', () => {
  const clock = createManualClock(NOW);
  const verifier = createJwtVerifier(
    { issuer: ISSUER, audience: AUDIENCE, secret: SECRET, claims: { role: 'bg_role', providers: 'bg_providers', organizations: 'bg_orgs' } },
    { clock },
  );

  it('maps sub and the configured claims to the caller', async () => {
    const t = await token({ bg_role: 'operator', bg_providers: ['bocada'], bg_orgs: ['bocada/org-1'] });
    expect(await verifier.verify(t)).toEqual({ id: 'user-1', kind: 'jwt', role: 'operator', providers: ['bocada'], organizations: ['bocada/org-1'] });
  });

  it('leaves absent scope claims as "everything" (null)', async () => {
    expect(await verifier.verify(await token({ bg_role: 'admin' }))).toMatchObject({ role: 'admin', providers: null, organizations: null });
  });

  it.each([
    ['expired beyond the tolerance', { exp: Math.floor(NOW / 1000) - 31 }, 'expired', /expired/],
    ['not yet valid beyond the tolerance', { nbf: Math.floor(NOW / 1000) + 31 }, 'invalid', /not-before/],
    ['for another audience', { aud: 'someone-else' }, 'invalid', /audience/],
    ['from another issuer', { iss: 'https://evil.example/' }, 'invalid', /issuer/],
    ['signed with another secret', { secret: 'another-secret-that-is-32-chars-long' }, 'invalid', /not valid/],
    ['without a subject', { sub: null }, 'invalid', /"sub"/],
  ])('refuses a token %s', async (_what, opts, reason, message) => {
    await expect(verifier.verify(await token({}, opts as never))).rejects.toMatchObject({ name: 'AuthenticationError', reason, message: expect.stringMatching(message) });
  });

  it('accepts a token expired within the 30 s clock tolerance, by the gateway clock not the machine\'s', async () => {
    const t = await token({}, { exp: Math.floor(NOW / 1000) - 20 });
    expect((await verifier.verify(t)).id).toBe('user-1');
  });

  it.each([
    ['a role that is not one', { bg_role: 'root' }],
    ['no role', { bg_role: undefined }],
    ['providers that are not a list of strings', { bg_providers: 'bocada' }],
  ])('refuses a token with %s', async (_what, claims) => {
    await expect(verifier.verify(await token(claims))).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('refuses an unsigned (alg: none) token', async () => {
    const t = new UnsecuredJWT({ bg_role: 'admin' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('x').setExpirationTime(Math.floor(NOW / 1000) + 60).encode();
    await expect(verifier.verify(t)).rejects.toMatchObject({ reason: 'invalid' });
  });
});

describe('authenticator', () => {
  const auth = createAuthenticator({ jwt: { issuer: ISSUER, audience: AUDIENCE, secret: SECRET, claims: { role: 'bg_role', organizations: 'bg_orgs' } } }, { clock: createManualClock(NOW) });

  it('normalizes Organization global ids in a token to "<provider>/<native id>"', async () => {
    const t = await token({ bg_orgs: [encodeGlobalId('bocada', 'organization', 'org-7'), 'bocada/org-8'] });
    const { caller, requestsPerMinute } = await auth.authenticate(`Bearer ${t}`);
    expect(caller.organizations).toEqual(['bocada/org-7', 'bocada/org-8']);
    expect(requestsPerMinute).toBe(600);
  });

  it.each([
    [null, 'missing'],
    ['', 'missing'],
    ['Basic dXNlcjpwYXNz', 'missing'],
    ['Bearer not-a-key', 'invalid'],
  ])('refuses Authorization %j as %s', async (header, reason) => {
    await expect(auth.authenticate(header)).rejects.toMatchObject({ reason });
  });

  it('normalizes only organization ids', () => {
    expect(normalizeOrganization(encodeGlobalId('p', 'resource', 'r'))).toBeNull();
    expect(normalizeOrganization('/x')).toBeNull();
    expect(normalizeOrganization('p/')).toBeNull();
    expect(normalizeOrganization('p/o')).toBe('p/o');
  });
});
