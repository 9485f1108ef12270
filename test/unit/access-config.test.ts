/** The `access:` and `server.` switches of the config file: validated strictly, secrets never echoed. */
import { describe, expect, it } from 'vitest';
import { ConfigError, gatewayOptionsFrom, parseConfig } from '../../src/server/config.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';

const HASH = 'a'.repeat(64);
const PROVIDERS = `providers:\n  - id: bocada-eu\n    kind: bocada\n    baseUrl: http://127.0.0.1:1\n    auth: { apiKey: k }\n`;
const parse = (access: string, env: NodeJS.ProcessEnv = {}) => parseConfig(`${access}\n${PROVIDERS}`, env);
const problems = (access: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(access, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('config was accepted');
};

describe('access config', () => {
  it('reaches the gateway options, with the server switches', () => {
    const org = encodeGlobalId('bocada-eu', 'organization', '42');
    const c = parse(`server: { introspection: true, graphiql: false, fieldSuggestions: false }
access:
  apiKeys:
    - { id: noc-dashboard, sha256: "${HASH}", role: reader, providers: [bocada-eu], organizations: ["bocada-eu/7", "${org}"], rateLimit: { requestsPerMinute: 60 } }
  jwt: { issuer: "https://login.example.com/", audience: backup-graph, secret: "\${JWT_SECRET}", claims: { role: bg_role } }
  anonymous: none
  cors: { origins: ["https://dashboard.example.com"] }
  auditLog: /var/log/bg-audit.jsonl`, { JWT_SECRET: 's'.repeat(40) });
    const o = gatewayOptionsFrom(c);
    expect(o).toMatchObject({ introspection: true, graphiql: false, fieldSuggestions: false });
    expect(o.access).toMatchObject({
      apiKeys: [{ id: 'noc-dashboard', role: 'reader', providers: ['bocada-eu'], rateLimit: { requestsPerMinute: 60 } }],
      jwt: { secret: 's'.repeat(40), claims: { role: 'bg_role' } },
      cors: { origins: ['https://dashboard.example.com'] },
      auditLog: '/var/log/bg-audit.jsonl',
    });
  });

  it.each([
    ['a key instead of its hash', `access: { apiKeys: [{ id: a, sha256: "bg_the-raw-secret-key", role: reader }] }`, 'access.apiKeys[0].sha256: must be the SHA-256'],
    ['an unknown role', `access: { apiKeys: [{ id: a, sha256: "${HASH}", role: root }] }`, 'access.apiKeys[0].role'],
    ['an unknown provider in a key\'s scope', `access: { apiKeys: [{ id: a, sha256: "${HASH}", role: reader, providers: [nope] }] }`, 'access.apiKeys[0].providers[0]: no provider "nope"'],
    ['an organization of an unknown provider', `access: { apiKeys: [{ id: a, sha256: "${HASH}", role: reader, organizations: ["nope/1"] }] }`, 'access.apiKeys[0].organizations[0]: no provider "nope"'],
    ['an organization that is neither form', `access: { apiKeys: [{ id: a, sha256: "${HASH}", role: reader, organizations: ["just-a-name"] }] }`, 'access.apiKeys[0].organizations: each entry'],
    ['two keys with one id', `access: { apiKeys: [{ id: a, sha256: "${HASH}", role: reader }, { id: a, sha256: "${'b'.repeat(64)}", role: admin }] }`, 'duplicate API key id "a"'],
    ['one key twice', `access: { apiKeys: [{ id: a, sha256: "${HASH}", role: reader }, { id: b, sha256: "${HASH.toUpperCase()}", role: admin }] }`, 'the same key is configured twice'],
    ['nobody able to call', `access: { anonymous: none }`, 'access: nobody could call the gateway'],
    ['both secret and jwksUrl', `access: { jwt: { issuer: i, audience: a, secret: "${'x'.repeat(40)}", jwksUrl: "https://i/jwks" } }`, 'access.jwt: needs exactly one of secret'],
    ['a short HS256 secret', `access: { jwt: { issuer: i, audience: a, secret: "short-secret-value" } }`, 'access.jwt.secret: must be at least 32 characters'],
    ['a wildcard CORS origin', `access: { anonymous: reader, cors: { origins: ["*"] } }`, 'access.cors.origins[0]'],
    ['a CORS origin with a path', `access: { anonymous: reader, cors: { origins: ["https://a.example/app"] } }`, 'access.cors.origins[0]: must be an origin'],
    ['an unknown key', `access: { anonymous: reader, apiKey: "bg_the-raw-secret-key" }`, 'unknown key(s) "apiKey"'],
  ])('refuses %s, naming the key and never the value', (_what, access, message) => {
    const m = problems(access);
    expect(m).toContain(message);
    expect(m).not.toContain('the-raw-secret-key');
    expect(m).not.toContain('short-secret-value');
  });

  it('keeps the open defaults when there is no access section', () => {
    const o = gatewayOptionsFrom(parseConfig(PROVIDERS));
    expect(o.access).toBeUndefined();
    expect([o.introspection, o.graphiql, o.fieldSuggestions]).toEqual([undefined, undefined, undefined]);
  });
});
