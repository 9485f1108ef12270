/**
 * Secure defaults: `serve --config` without `access` does not start, `--demo-auth` serves the demo
 * with generated keys, the open demo says it is open; the open gateway no longer grants CORS nor
 * runs forms; `anonymous: reader` reads without credentials but cannot write; a provider's 401 is
 * the provider's error, not UNAUTHENTICATED; health and GraphiQL's page need no key.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/access/api-keys.ts';
import { SIMULATORS } from '../../src/simulators/registry.ts';
import { runCli } from '../utils/tcli.ts';
import { tgateway, upstreamCounts, type TGateway } from '../utils/tgateway.ts';

const run = runCli;

const total = (t: TGateway) => Object.values(upstreamCounts(t)).reduce((a, b) => a + b, 0);
const post = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${url}/graphql`, { method: 'POST', headers, body });

describe('the CLI', () => {
  it('`serve --config` without an access section refuses to start and says why', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bg-')), 'gateway.yaml');
    writeFileSync(file, 'providers:\n  - id: o\n    kind: ocore\n    baseUrl: http://127.0.0.1:1\n    auth: { token: secret-provider-token }\n');
    const { child, output } = run(['serve', '--config', file, '--port', '0']);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output().err).toMatch(/refusing to start: .* has no "access" section/);
    expect(output().err).toContain('anonymous: reader');
    expect(output().err).not.toContain('secret-provider-token');
  });

  it('`serve --demo-auth` prints one key per role, then requires one; `serve` says it is open', async () => {
    const demo = run(['serve', '--demo-auth'], { PORT: '0' });
    const [, url, mode] = await demo.waitFor(/GraphiQL at (http:\/\/[^\s"]+)\/graphql \(([^)]*)\)/);
    expect(mode).toContain('access control on');
    const keys = Object.fromEntries([...demo.output().out.matchAll(/^ {2}(reader|operator|admin) +Authorization: Bearer (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(keys).sort()).toEqual(['admin', 'operator', 'reader']);
    const q = JSON.stringify({ query: '{ providers { id } }' });
    expect((await post(url, q)).status).toBe(401);
    const ok = await post(url, q, { 'content-type': 'application/json', authorization: `Bearer ${keys.admin}` });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).data.providers).toHaveLength(4);
    // The keys are printed once, never in a log line.
    const logLines = demo.output().out.split('\n').filter((l) => l.startsWith('{'));
    for (const k of Object.values(keys)) expect(logLines.some((l) => l.includes(k))).toBe(false);
    // GraphiQL stays on for the demo, and its page needs no key (the page sends one from its headers editor).
    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Backup Graph');

    const open = run(['serve'], { PORT: '0' });
    const [, , openMode] = await open.waitFor(/GraphiQL at (http:\/\/[^\s"]+)\/graphql \(([^)]*)\)/);
    expect(openMode).toMatch(/^OPEN: no access control/);
  });
});

describe('the open gateway (no access section: the embedded demo)', () => {
  it('grants no CORS to another origin, and runs no form POST', async () => {
    const t = await tgateway({ simulators: { ocore: SIMULATORS.ocore } });
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    const backup = (await t.gql('{ backups(first: 1, filter: { status: [AVAILABLE] }) { nodes { id } } }')).data.backups.nodes[0];
    t.resetStats();
    const form = await post(t.url, new URLSearchParams({ query: `mutation { deleteBackup(input: { backupId: "${backup.id}" }) { deletedBackupId } }` }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(total(t)).toBe(0);
    // Introspection and suggestions stay on without access (GraphiQL's schema explorer).
    expect((await t.gql('{ __schema { queryType { name } } }')).data.__schema.queryType.name).toBe('Query');
    await t.close();
  });

  it('reports a provider refusing the gateway\'s own credential as UPSTREAM_ERROR naming it, never UNAUTHENTICATED', async () => {
    const t = await tgateway({ simulators: { ocore: SIMULATORS.ocore }, providers: (ps) => ps.map((p) => ({ ...p, secret: 'not-the-token' })) });
    const res = await t.gql('{ backups(first: 1) { nodes { id } } }');
    expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.provider])).toEqual([['UPSTREAM_ERROR', 'ocore']]);
    expect(res.errors![0].message).toContain('provider "ocore" answered HTTP 401');
    await t.close();
  });
});

describe('anonymous: reader', () => {
  it('reads without a credential, cannot write, and needs a preflight-only header on GET', async () => {
    const key = generateApiKey();
    const t = await tgateway({ simulators: { ocore: SIMULATORS.ocore }, access: { anonymous: 'reader', apiKeys: [{ id: 'admin', sha256: hashApiKey(key), role: 'admin' }] } });
    const read = await t.gql('{ backups(first: 1) { nodes { id } } }');
    expect(read.status).toBe(200);
    expect(read.data.backups.nodes).toHaveLength(1);
    t.resetStats();
    const del = await t.gql('mutation($b: ID!) { deleteBackup(input: { backupId: $b }) { deletedBackupId } }', { b: read.data.backups.nodes[0].id });
    expect(del.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(total(t)).toBe(0);
    // A bad credential is still refused: anonymous is for requests without one.
    expect((await t.gql('{ __typename }', {}, { authorization: 'Bearer wrong' })).status).toBe(401);
    const get = (headers: Record<string, string>) => fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', ...headers } });
    const plain = await get({});
    expect(plain.status).toBe(403);
    expect(((await plain.json()) as any).errors[0].extensions.code).toBe('CSRF_PREVENTED');
    expect((await get({ 'graphql-require-preflight': '1' })).status).toBe(200);
    expect((await get({ authorization: `Bearer ${key}` })).status).toBe(200);
    // Health needs no credential.
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    // GraphiQL is off by default with access.
    expect((await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } })).headers.get('content-type')).not.toContain('text/html');
    await t.close();
  });
});
