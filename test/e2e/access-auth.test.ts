/**
 * Authentication over real HTTP against the simulators: API keys, HS256 JWTs and RS256/ES256 JWTs
 * through a JWKS this test serves on port 0. A missing, wrong, expired or wrong-audience
 * credential is 401 + UNAUTHENTICATED with no upstream call, on queries and both graphql-sse
 * modes; budgets, CSRF, CORS and the secrets scan ride along.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-sse';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/access/api-keys.ts';
import { createJwtVerifier } from '../../src/access/jwt.ts';
import { SIMULATORS } from '../../src/simulators/registry.ts';
import { tgateway, upstreamCounts, type TGateway } from '../utils/tgateway.ts';
import { collect } from './sse-client.ts';

const ISSUER = 'https://login.example.test/';
const AUDIENCE = 'backup-graph';
const SECRET = 'e2e-hs256-secret-of-at-least-32-characters';
const KEYS = { reader: generateApiKey(), operator: generateApiKey(), admin: generateApiKey(), limited: generateApiKey() };
const ALLOWED_ORIGIN = 'https://dashboard.example.test';
const QUERY = '{ backups(first: 3) { nodes { id } } }';
const tokens: string[] = [];
const now = () => Math.floor(Date.now() / 1000);

async function hs256(claims: Record<string, unknown>, opts: { exp?: number; aud?: string } = {}) {
  const t = await new SignJWT({ bg_role: 'reader', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setSubject('alice@example.test')
    .setExpirationTime(opts.exp ?? now() + 600)
    .sign(new TextEncoder().encode(SECRET));
  tokens.push(t);
  return t;
}

async function signed(key: CryptoKey, alg: 'RS256' | 'ES256', kid: string, opts: { exp?: number; aud?: string; role?: string } = {}) {
  const t = await new SignJWT({ bg_role: opts.role ?? 'reader' })
    .setProtectedHeader({ alg, kid })
    .setIssuer(ISSUER)
    .setAudience(opts.aud ?? AUDIENCE)
    .setSubject(`svc-${kid}`)
    .setExpirationTime(opts.exp ?? now() + 600)
    .sign(key);
  tokens.push(t);
  return t;
}

/** A POST to /graphql with headers and body as given; the whole answer, headers included. */
async function post(t: TGateway, headers: Record<string, string>, body: string | FormData = JSON.stringify({ query: QUERY })) {
  const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { accept: 'application/graphql-response+json, application/json', ...headers }, body });
  const raw = await res.text();
  t.bodies.push(raw);
  return { status: res.status, headers: res.headers, raw, json: JSON.parse(raw || '{}') };
}
const json = { 'content-type': 'application/json' };
const bearer = (credential: string) => ({ ...json, authorization: `Bearer ${credential}` });
const total = (t: TGateway) => Object.values(upstreamCounts(t)).reduce((a, b) => a + b, 0);

/** A JWKS endpoint whose key set the test changes; counts fetches. */
function jwksServer() {
  let keys: unknown[] = [];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys }));
  });
  return {
    server,
    setKeys: (k: unknown[]) => void (keys = k),
    get fetches() {
      return fetches;
    },
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    },
  };
}

let t: TGateway;
beforeAll(async () => {
  t = await tgateway({
    stepMs: 40,
    access: {
      apiKeys: [
        { id: 'noc-reader', sha256: hashApiKey(KEYS.reader), role: 'reader' },
        { id: 'noc-operator', sha256: hashApiKey(KEYS.operator), role: 'operator' },
        { id: 'noc-admin', sha256: hashApiKey(KEYS.admin), role: 'admin' },
        { id: 'tight-budget', sha256: hashApiKey(KEYS.limited), role: 'reader', rateLimit: { requestsPerMinute: 2 } },
      ],
      jwt: { issuer: ISSUER, audience: AUDIENCE, secret: SECRET, claims: { role: 'bg_role' } },
      cors: { origins: [ALLOWED_ORIGIN] },
    },
  });
});

describe('401 UNAUTHENTICATED, nothing upstream', () => {
  it.each([
    ['no Authorization header', async () => ({}), false],
    ['another scheme', async () => ({ ...json, authorization: `Basic ${Buffer.from('noc:x').toString('base64')}` }), false],
    ['a wrong API key', async () => bearer(generateApiKey()), true],
    ['an API key\'s hash instead of the key', async () => bearer(hashApiKey(KEYS.admin)), true],
    ['an expired HS256 token', async () => bearer(await hs256({}, { exp: now() - 3600 })), true],
    ['an HS256 token for another audience', async () => bearer(await hs256({}, { aud: 'another-api' })), true],
    ['an HS256 token signed with another secret', async () => bearer(await new SignJWT({ bg_role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('x').setExpirationTime(now() + 60).sign(new TextEncoder().encode('x'.repeat(40)))), true],
  ])('%s', async (_what, headers, invalidToken) => {
    t.resetStats();
    const h = await headers();
    const res = await post(t, { ...json, ...h });
    expect(res.status).toBe(401);
    expect(res.json.errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
    expect(res.json.data).toBeUndefined();
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toMatch(/^Bearer realm="backup-graph"/);
    expect(challenge.includes('error="invalid_token"')).toBe(invalidToken);
    expect(total(t)).toBe(0);
  });

  it('answers a GET without a credential 401 too (not a CSRF refusal)', async () => {
    t.resetStats();
    const res = await fetch(`${t.url}/graphql?query=${encodeURIComponent(QUERY)}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(total(t)).toBe(0);
  });

  it('says an expired token has expired', async () => {
    const res = await post(t, bearer(await hs256({}, { exp: now() - 3600 })));
    expect(res.json.errors[0].message).toMatch(/expired/);
    expect(res.headers.get('www-authenticate')).toContain('error_description="the token has expired"');
  });

  it('refuses a graphql-sse subscription without a valid key in both modes, before anything upstream', async () => {
    t.resetStats();
    for (const singleConnection of [false, true]) {
      for (const headers of [{}, { authorization: `Bearer ${generateApiKey()}` }] as Record<string, string>[]) {
        const client = createClient({ url: `${t.url}/graphql`, singleConnection, retryAttempts: 0, headers });
        const r = await collect(client, 'subscription($id: ID!) { backupProgress(backupId: $id) { percent } }', { id: 'whatever' }).done;
        client.dispose();
        expect(r.completed).toBe(false);
        expect(r.events).toEqual([]);
        expect(String(r.errors[0])).toMatch(/401/);
      }
    }
    expect(total(t)).toBe(0);
  });
});

describe('authenticated callers', () => {
  it.each([
    ['an API key', () => KEYS.reader],
    ['an HS256 token', () => hs256({ bg_role: 'operator' })],
  ])('%s gets data', async (_what, credential) => {
    const res = await post(t, bearer(await credential()));
    expect(res.status).toBe(200);
    expect(res.json.errors).toBeUndefined();
    expect(res.json.data.backups.nodes).toHaveLength(3);
  });

  it('streams a subscription in both graphql-sse modes with a key', async () => {
    const env = (await post(t, bearer(KEYS.reader), JSON.stringify({ query: '{ resources(first: 1, filter: { providers: ["ocore"] }) { nodes { id } } }' }))).json.data.resources.nodes[0];
    for (const singleConnection of [false, true]) {
      const started = await post(t, bearer(KEYS.operator), JSON.stringify({ query: 'mutation($r: ID!) { triggerBackup(input: { resourceId: $r }) { progressId } }', variables: { r: env.id } }));
      expect(started.json.errors).toBeUndefined();
      const client = createClient({ url: `${t.url}/graphql`, singleConnection, retryAttempts: 0, headers: { authorization: `Bearer ${KEYS.reader}` } });
      const r = await collect<any>(client, 'subscription($id: ID!) { backupProgress(backupId: $id) { percent done } }', { id: started.json.data.triggerBackup.progressId }).done;
      client.dispose();
      expect(r.errors).toEqual([]);
      expect(r.completed).toBe(true);
      expect(r.events.at(-1).backupProgress.done).toBe(true);
    }
  });

  it('over its budget a caller gets 429 RATE_LIMITED with Retry-After, and nothing goes upstream', async () => {
    expect((await post(t, bearer(KEYS.limited))).status).toBe(200);
    expect((await post(t, bearer(KEYS.limited))).status).toBe(200);
    t.resetStats();
    const res = await post(t, bearer(KEYS.limited));
    expect(res.status).toBe(429);
    expect(res.json.errors[0].extensions).toEqual({ code: 'RATE_LIMITED' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(total(t)).toBe(0);
    // Another caller's budget is its own.
    expect((await post(t, bearer(KEYS.reader))).status).toBe(200);
  });

  it('hides introspection and field suggestions by default when access is on', async () => {
    const intro = await post(t, bearer(KEYS.admin), JSON.stringify({ query: '{ __schema { types { name } } }' }));
    expect(intro.status).toBe(400);
    expect(intro.json.errors[0].message).toMatch(/introspection/i);
    const typo = await post(t, bearer(KEYS.admin), JSON.stringify({ query: '{ backup(first: 1) { nodes { id } } }' }));
    expect(typo.json.errors[0].message).toMatch(/Cannot query field "backup"/);
    expect(typo.json.errors[0].message).not.toMatch(/Did you mean/);
    // __typename is not introspection.
    expect((await post(t, bearer(KEYS.reader), JSON.stringify({ query: '{ __typename }' }))).json.data).toEqual({ __typename: 'Query' });
  });
});

describe('what a page on another origin can do', () => {
  const deleteQuery = 'mutation { deleteBackup(input: { backupId: "bm90LWEtcmVhbC1pZA" }) { deletedBackupId } }';

  it.each([
    ['an urlencoded form', () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: deleteQuery }).toString() })],
    ['a multipart form', () => {
      const f = new FormData();
      f.set('operations', JSON.stringify({ query: deleteQuery }));
      f.set('map', '{}');
      return { headers: {}, body: f };
    }],
    ['a text/plain body', () => ({ headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: deleteQuery }) })],
  ])('%s POST never runs, even with an admin key: 415 and no upstream call', async (_what, make) => {
    t.resetStats();
    const { headers, body } = make();
    const res = await post(t, { ...headers, authorization: `Bearer ${KEYS.admin}` }, body as string | FormData);
    expect(res.status).toBe(415);
    expect(res.json.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(total(t)).toBe(0);
    expect(t.logs.filter((l) => l.includes('"msg":"audit"') && l.includes('deleteBackup'))).toEqual([]);
  });

  it('an origin outside access.cors gets no CORS grant; the configured one gets one without credentials', async () => {
    for (const origin of ['https://evil.example', 'null', `${ALLOWED_ORIGIN}.evil.example`]) {
      const pre = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { ...bearer(KEYS.reader), origin }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
    const pre = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('a request for another Host name (DNS rebinding to loopback) is refused; localhost with the port is served', async () => {
    const port = new URL(t.url).port;
    const ask = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { host, ...bearer(KEYS.reader) } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ query: '{ __typename }' }));
      });
    t.resetStats();
    const evil = await ask(`rebind.evil.example:${port}`);
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body).errors[0].extensions.code).toBe('MISDIRECTED_REQUEST');
    expect((await ask(`127.0.0.1:${Number(port) + 1}`)).status).toBe(421);
    for (const ok of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) expect((await ask(ok)).status).toBe(200);
    expect(total(t)).toBe(0);
  });
});

describe('RS256 and ES256 through a JWKS served by the test', () => {
  const jwks = jwksServer();
  let g: TGateway;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;
  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    jwks.setKeys([
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ]);
    const jwksUrl = await jwks.start();
    g = await tgateway({ simulators: { ocore: SIMULATORS.ocore }, access: { jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl, claims: { role: 'bg_role' } } } });
  });
  afterAll(() => new Promise<void>((r) => jwks.server.close(() => r())));

  it('accepts valid RS256 and ES256 tokens (the key set fetched once)', async () => {
    for (const tok of [await signed(rsa.privateKey, 'RS256', 'rsa-1'), await signed(ec.privateKey, 'ES256', 'ec-1')]) {
      const res = await post(g, bearer(tok));
      expect(res.status).toBe(200);
      expect(res.json.data.backups.nodes.length).toBeGreaterThan(0);
    }
    expect(jwks.fetches).toBe(1);
  });

  it.each([
    ['expired', async () => signed(rsa.privateKey, 'RS256', 'rsa-1', { exp: now() - 3600 }), /expired/],
    ['for another audience', async () => signed(rsa.privateKey, 'RS256', 'rsa-1', { aud: 'other' }), /audience/],
    ['signed by a key the JWKS does not hold', async () => signed((await generateKeyPair('RS256')).privateKey, 'RS256', 'rsa-1'), /not valid/],
    ['an HS256 token (algorithm not allowed with a JWKS)', async () => hs256({}), /not valid/],
  ])('refuses a token %s with 401 and no upstream call', async (_what, make, message) => {
    const tok = await make();
    g.resetStats();
    const res = await post(g, bearer(tok));
    expect(res.status).toBe(401);
    expect(res.json.errors[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'UNAUTHENTICATED' } });
    expect(total(g)).toBe(0);
  });

  it('fetches the key set again when a token names an unknown kid (key rotation)', async () => {
    const verifierJwks = jwksServer();
    const next = await generateKeyPair('RS256');
    verifierJwks.setKeys([{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256' }]);
    const url = await verifierJwks.start();
    try {
      const v = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: url, claims: { role: 'bg_role' } }, { jwksCooldownMs: 0 });
      expect((await v.verify(await signed(rsa.privateKey, 'RS256', 'rsa-1'))).id).toBe('svc-rsa-1');
      verifierJwks.setKeys([{ ...(await exportJWK(next.publicKey)), kid: 'rsa-2', alg: 'RS256' }]);
      expect((await v.verify(await signed(next.privateKey, 'RS256', 'rsa-2'))).id).toBe('svc-rsa-2');
      expect(verifierJwks.fetches).toBe(2);
    } finally {
      await new Promise<void>((r) => verifierJwks.server.close(() => r()));
    }
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const v = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://127.0.0.1:1/jwks.json' }, { jwksTimeoutMs: 2000 });
    await expect(v.verify(await signed(rsa.privateKey, 'RS256', 'rsa-1'))).rejects.toMatchObject({ reason: 'unavailable' });
  });
});

describe('secrets', () => {
  it('no API key or token appears in any response body or log line', () => {
    const secrets = [...Object.values(KEYS), ...tokens, SECRET];
    expect(tokens.length).toBeGreaterThan(5);
    for (const text of [...t.logs, ...t.bodies]) for (const s of secrets) expect(text.includes(s), `a secret leaked into: ${text.slice(0, 200)}`).toBe(false);
    // The refusals were logged, by reason only.
    expect(t.logs.some((l) => l.includes('"msg":"authentication failed"') && l.includes('"reason":"expired"'))).toBe(true);
  });
});
