/**
 * A fifth provider through the public registry: Acme Vault (`test/fixtures/acme`) runs next to the
 * four, the gateway built with `createGateway({ providers, registry: { ...PROVIDERS, acme: acmeProvider }, logger })`
 * (what `tgateway` does with `registry`). It shows in `providers`, its buckets in `resources` as its
 * own concrete type with its own field, one of them through `node(id)`; it meets every adapter
 * audit; and nothing in `src/` knows it: the product registries lack it, no source names it, and the
 * fixture reaches `src/` only through the entry points any provider uses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { PROVIDERS } from '../../src/providers/registry.ts';
import { createGateway } from '../../src/server/gateway.ts';
import { SIMULATORS } from '../../src/simulators/registry.ts';
import { AUDIT_CASES, runAudit } from '../conformance/audits.ts';
import { defineHarness, startHarness, type AdapterHarness } from '../conformance/harness.ts';
import { acmeProvider } from '../fixtures/acme/index.ts';
import { startAcmeSimulator, type AcmeSimulator } from '../fixtures/acme/simulator.ts';
import { disposeAfterAll } from '../utils/leftovers.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'acme');
const REGISTRY = { ...PROVIDERS, acme: acmeProvider };

let t: TGateway;
let acme: AcmeSimulator;
beforeAll(async () => {
  t = await tgateway({ simulators: { ...SIMULATORS, acme: startAcmeSimulator }, registry: REGISTRY });
  acme = t.sims.get('acme').simulator as AcmeSimulator;
});
beforeEach(() => t.resetStats());
afterAll(() => {
  for (const body of t.bodies) expect(body).not.toContain(acme.credential);
  for (const line of t.logs) expect(line).not.toContain(acme.credential);
});

const ok = (res: { errors?: unknown[] }) => expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();

describe('a fifth provider served through the registry option', () => {
  it('lists Acme among the providers, healthy, able to list resources', async () => {
    const res = await t.gql(`{ providers { id kind name health { status } capabilities { lists progress triggerBackup } } }`);
    ok(res);
    expect(res.data.providers.map((p: any) => p.kind)).toEqual(['BOCADA', 'NORCUBE', 'BYCLOUD', 'OCORE', 'ACME']);
    expect(res.data.providers.at(-1)).toEqual({
      id: 'acme', kind: 'ACME', name: 'Acme Vault (simulator)', health: { status: 'UP' },
      capabilities: { lists: ['RESOURCE'], progress: null, triggerBackup: false },
    });
  });

  it('pages its buckets as AcmeResource with acmeTier, across two upstream pages, with the exact total', async () => {
    const res = await t.gql(`{
      resources(first: 50, filter: { providers: ["acme"] }) {
        totalCount
        pageInfo { hasNextPage }
        nodes { __typename id name provider { id kind } ... on AcmeResource { acmeTier } }
      }
    }`);
    ok(res);
    const { nodes, totalCount, pageInfo } = res.data.resources;
    expect(nodes).toEqual(acme.buckets.map((b) => ({
      __typename: 'AcmeResource', id: encodeGlobalId('acme', 'resource', b.id), name: b.name, provider: { id: 'acme', kind: 'ACME' }, acmeTier: b.tier,
    })));
    expect(acme.buckets.length).toBeGreaterThan(20); // more than one upstream page
    expect(totalCount).toBe(acme.buckets.length);
    expect(pageInfo.hasNextPage).toBe(false);
    expect(acme.stats.byRoute['GET /v2/buckets']).toBe(2);
  });

  it('resolves one bucket through node(id), with the unified fields it inherits and its own, and null for an unknown one', async () => {
    const bucket = acme.buckets[7];
    const res = await t.gql(`query($id: ID!, $ids: [ID!]!) {
      node(id: $id) { __typename id ... on Resource { nativeId name type createdAt provider { id } } ... on AcmeResource { acmeTier } }
      nodes(ids: $ids) { id }
    }`, { id: encodeGlobalId('acme', 'resource', bucket.id), ids: [encodeGlobalId('acme', 'resource', 'bkt-9999')] });
    ok(res);
    expect(res.data.node).toEqual({
      __typename: 'AcmeResource', id: encodeGlobalId('acme', 'resource', bucket.id), nativeId: bucket.id, name: bucket.name, type: 'bucket',
      createdAt: bucket.createdAt, provider: { id: 'acme' }, acmeTier: bucket.tier,
    });
    expect(res.data.nodes).toEqual([null]);
  });

  it('serves AcmeResource as a Resource with every interface field inherited', async () => {
    const res = await t.gql(`{
      acme: __type(name: "AcmeResource") { interfaces { name } fields { name } }
      resource: __type(name: "Resource") { fields { name } }
      kinds: __type(name: "ProviderKind") { enumValues { name } }
    }`);
    ok(res);
    const fields = res.data.acme.fields.map((f: any) => f.name);
    expect(res.data.acme.interfaces.map((i: any) => i.name).sort()).toEqual(['Node', 'Resource']);
    expect(fields).toEqual([...res.data.resource.fields.map((f: any) => f.name), 'acmeTier']);
    expect(res.data.kinds.enumValues.map((v: any) => v.name)).toContain('ACME');
  });
});

describe('nothing in src/ had to change for it', () => {
  it('is not in the product registries, and the default registry refuses it', () => {
    expect(Object.keys(PROVIDERS)).not.toContain('acme');
    expect(Object.keys(SIMULATORS)).not.toContain('acme');
    const instance = { ref: { id: 'acme', kind: 'acme', name: 'Acme' }, baseUrl: acme.url, secret: acme.credential };
    expect(() => createGateway({ providers: [instance], logger: pino({ level: 'silent' }) })).toThrow('unknown provider kind "acme"');
  });

  it('is named nowhere in src/ or schema/ (its type, field, factory and folder are the fixture\'s alone)', () => {
    const filesUnder = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
    const files = [...filesUnder(join(ROOT, 'src')), ...filesUnder(join(ROOT, 'schema'))];
    expect(files.length).toBeGreaterThan(50);
    const named = /AcmeResource|acmeTier|acmeProvider|createAcmeAdapter|startAcmeSimulator|fixtures\/acme/;
    expect(readFileSync(join(FIXTURE, 'schema.graphql'), 'utf8')).toMatch(named); // the pattern finds what the fixture declares
    expect(files.filter((f) => named.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('reaches src/ only through the entry points every provider uses', () => {
    const PUBLIC = [
      'src/domain/errors.ts', 'src/domain/models.ts', 'src/providers/contract/index.ts',
      'src/simulators/kit/index.ts', 'src/upstream/client.ts', 'src/upstream/errors.ts',
    ];
    const reached = readdirSync(FIXTURE).filter((f) => f.endsWith('.ts')).flatMap((f) =>
      [...readFileSync(join(FIXTURE, f), 'utf8').matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)].map((m) => relative(ROOT, resolve(FIXTURE, dirname(f), m[1]))));
    const intoSrc = [...new Set(reached.filter((p) => p.startsWith('src/')))].sort();
    expect(intoSrc.length).toBeGreaterThan(3);
    expect(intoSrc.filter((p) => !PUBLIC.includes(p))).toEqual([]);
  });
});

describe('the Acme adapter against the audits', () => {
  let h: AdapterHarness;
  beforeAll(async () => {
    h = disposeAfterAll(await startHarness('acme', defineHarness<AcmeSimulator>({
      entry: acmeProvider,
      start: () => startAcmeSimulator(),
      counts: { resource: (sim) => sim.buckets.length },
      perIdLookup: { kind: 'resource', routeKey: 'GET /v2/buckets/:id' },
    })));
  });

  it.each(AUDIT_CASES)('%s', async (_name, audit) => {
    const result = await runAudit(audit, h);
    expect(result.reason).toBeNull();
    expect(result.status).toBe('ok');
  });
});
