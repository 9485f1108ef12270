/**
 * The reads the dashboard relies on, against the simulators: `resource { name }` of jobs and backups
 * answered from their own records (no lookup, the same names a lookup gives);
 * `protectionSummary.resources` worst first from the summary's own reads; and the reference cache
 * across requests (served while fresh, forgotten after our own change, never across tenant scopes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_CALLER, type Caller } from '../../src/access/caller.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { BocadaSimulator } from '../../src/simulators/bocada/index.ts';
import { scrape } from '../utils/tmetrics.ts';
import { tgateway, upstreamCounts, type GqlResponse, type TGateway } from '../utils/tgateway.ts';

const ok = (r: GqlResponse) => {
  expect(r.errors, JSON.stringify(r.errors?.slice(0, 3))).toBeUndefined();
  return r.data;
};

describe('resource names from the records', () => {
  let t: TGateway;
  beforeAll(async () => {
    t = await tgateway();
  });
  afterAll(() => t.close());

  it.each([['norcube', 'jobs'], ['ocore', 'jobs'], ['bycloud', 'jobs'], ['norcube', 'backups'], ['ocore', 'backups'], ['bycloud', 'backups']])(
    '%s %s: `resource { name }` costs no call beyond the list and names what the lookup names',
    async (provider, list) => {
      const q = (resource: string) => `{ ${list}(first: 40, filter: { providers: ["${provider}"] }) { nodes { id ${resource} } } }`;
      t.resetStats();
      const bare = ok(await t.gql(q('')));
      const listCalls = upstreamCounts(t)[provider];
      t.resetStats();
      const named = ok(await t.gql(q('resource { id name __typename ... on Resource { name } }')));
      expect(upstreamCounts(t)[provider]).toBe(listCalls);
      const looked = ok(await t.gql(q('resource { id name __typename type }')));
      expect(named[list].nodes.map((n: any) => n.id)).toEqual(bare[list].nodes.map((n: any) => n.id));
      expect(named[list].nodes.length).toBeGreaterThan(0);
      expect(named[list].nodes.map((n: any) => [n.resource?.id, n.resource?.name, n.resource?.__typename]))
        .toEqual(looked[list].nodes.map((n: any) => [n.resource?.id, n.resource?.name, n.resource?.__typename]));
    },
  );

  it('looks the resource up as before when more than its name is selected', async () => {
    t.resetStats();
    const data = ok(await t.gql(`{ jobs(first: 10, filter: { providers: ["norcube"] }) { nodes { resource { name ... on NorcubeDataSource { engine } } } } }`));
    expect(data.jobs.nodes.every((n: any) => typeof n.resource.engine === 'string')).toBe(true);
    expect(t.sims.get('norcube').simulator.stats.byRoute['GET /datasources/:id'] ?? 0).toBeGreaterThan(0);
  });
});

describe('protectionSummary.resources', () => {
  let t: TGateway;
  beforeAll(async () => {
    t = await tgateway();
  });
  afterAll(() => t.close());

  const RANK = ['UNPROTECTED', 'AT_RISK', 'UNKNOWN', 'PROTECTED'];

  it('lists the counted resources worst first, then by provider in config order, with no call beyond the counts', async () => {
    t.resetStats();
    const counts = ok(await t.gql(`{ protectionSummary { total { unprotected atRisk unknown protected total } } }`));
    const countsCalls = upstreamCounts(t);
    t.resetStats();
    const data = ok(await t.gql(`{ protectionSummary {
      total { unprotected atRisk unknown protected total }
      worst: resources { provider { id } id protection { status } }
      every: resources(status: [UNPROTECTED, AT_RISK, UNKNOWN, PROTECTED], first: 100) { provider { id } protection { status } }
      safe: resources(status: [PROTECTED], first: 3) { protection { status } }
    } }`));
    expect(upstreamCounts(t)).toEqual(countsCalls);
    const s = data.protectionSummary;
    expect(s.total).toEqual(counts.protectionSummary.total);
    expect(s.worst.length).toBe(Math.min(10, s.total.unprotected + s.total.atRisk));
    expect(s.worst.every((r: any) => ['UNPROTECTED', 'AT_RISK'].includes(r.protection.status))).toBe(true);
    const order = ['bocada', 'norcube', 'bycloud', 'ocore'];
    const key = (r: any) => RANK.indexOf(r.protection.status) * 10 + order.indexOf(r.provider.id);
    const keys = s.every.map(key);
    expect(keys).toEqual([...keys].sort((a: number, b: number) => a - b));
    expect(s.every.length).toBe(Math.min(100, s.total.total));
    expect(s.safe.length).toBe(Math.min(3, s.total.protected));
    expect(s.safe.every((r: any) => r.protection.status === 'PROTECTED')).toBe(true);
  });

  it.each([[-1], [101]])('refuses first: %s as BAD_USER_INPUT', async (first) => {
    const r = await t.gql(`{ protectionSummary { resources(first: ${first}) { id } } }`);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the reference cache', () => {
  let t: TGateway;
  let offsetMs = 0;
  // The gateway's clock, moved forward by the test to age the cache (no sleeping).
  const clock: Clock = { now: () => Date.now() + offsetMs };
  const CALLERS: Record<string, Caller> = {};
  let orgA: string;
  beforeAll(async () => {
    t = await tgateway({
      providers: (ps) => ps.map((p) => ({ ...p, referenceTtlMs: 60_000 })),
      gateway: { clock, callerOf: (request) => CALLERS[request.headers.get('x-test-caller') ?? ''] ?? OPEN_CALLER },
    });
    const bocada = t.sims.get('bocada').simulator as BocadaSimulator;
    orgA = bocada.data.organizations[0].id;
    CALLERS.scoped = { id: 'scoped', kind: 'api-key', role: 'admin', providers: null, organizations: [`bocada/${orgA}`] };
  });
  afterAll(() => t.close());

  const envSchedule = async () => {
    const data = ok(await t.gql(`{ resources(first: 1, filter: { providers: ["ocore"] }) { nodes { id } } }`));
    const id = data.resources.nodes[0].id;
    const read = async () => ok(await t.gql(`query($r: ID!) { node(id: $r) { ... on Resource { schedules { crons timezone } } } }`, { r: id })).node.schedules[0] ?? null;
    return { id, read };
  };

  it('serves oCore schedules again within the TTL, shows our own change at once, and a change made elsewhere once the TTL is over', async () => {
    const { id, read } = await envSchedule();
    const sim = t.sims.get('ocore').simulator;
    await read();
    t.resetStats();
    await read();
    expect(sim.stats.byRoute['GET /api/environments/:env_id/backup-schedule'] ?? 0).toBe(0);

    // Our own change: the next read sees it, without waiting.
    ok(await t.gql(`mutation($r: ID!) { upsertSchedule(input: { resourceId: $r, enabled: true, dbCron: "5 */4 * * *", timezone: "Europe/Prague" }) { schedule { crons } } }`, { r: id }));
    expect(await read()).toMatchObject({ timezone: 'Europe/Prague', crons: expect.arrayContaining(['5 */4 * * *']) });

    // A change made elsewhere (straight to the provider): served from the cache until the TTL is over.
    const envNative = (await t.gql(`query($r: ID!) { node(id: $r) { ... on OcoreEnvironment { nativeId } } }`, { r: id })).data.node.nativeId;
    const put = await fetch(`${sim.url}/api/environments/${envNative}/backup-schedule`, {
      method: 'PUT', headers: { authorization: `Bearer ${sim.credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, dbCron: '7 */8 * * *', timezone: 'UTC' }),
    });
    expect(put.status).toBe(200);
    expect(await read()).toMatchObject({ timezone: 'Europe/Prague' });
    offsetMs += 61_000;
    expect(await read()).toMatchObject({ timezone: 'UTC', crons: expect.arrayContaining(['7 */8 * * *']) });
  });

  it('serves ByCloud\'s derived volumes and instances again within the TTL, and reads them again after a backup we started', async () => {
    const LIST = `{ resources(first: 100, filter: { providers: ["bycloud"] }) { nodes { id name nativeId } } }`;
    const first = ok(await t.gql(LIST));
    t.resetStats();
    expect(ok(await t.gql(LIST))).toEqual(first);
    expect(upstreamCounts(t).bycloud).toBe(0);
    const volume = first.resources.nodes.find((n: any) => n.nativeId.startsWith('vol:'));
    const started = await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r, force: true }) { progressId } }`, { r: volume.id });
    expect(started.data?.triggerBackup?.progressId, JSON.stringify(started.errors)).toEqual(expect.any(String));
    t.resetStats();
    ok(await t.gql(LIST));
    expect(upstreamCounts(t).bycloud).toBeGreaterThan(0);
  });

  it('never serves one tenant scope what another read: a limited caller\'s Bocada resources are its organization\'s, asked upstream with its filter', async () => {
    const all = ok(await t.gql(`{ resources(first: 100, filter: { providers: ["bocada"] }) { nodes { organization { nativeId } } } }`));
    expect(new Set(all.resources.nodes.map((n: any) => n.organization.nativeId)).size).toBeGreaterThan(1);
    const bocada = t.sims.get('bocada').simulator;
    t.resetStats();
    const mine = ok(await t.gql(`{ resources(first: 100, filter: { providers: ["bocada"] }) { nodes { organization { nativeId } } } }`, undefined, { 'x-test-caller': 'scoped' }));
    expect(mine.resources.nodes.length).toBeGreaterThan(0);
    expect(new Set(mine.resources.nodes.map((n: any) => n.organization.nativeId))).toEqual(new Set([orgA]));
    const lists = bocada.stats.requests.filter((r) => r.route === 'GET /api/v1/resources');
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every((r) => r.query.get('organizationId') === orgA)).toBe(true);
  });
});

describe('the reference cache, answering stale data while it refreshes', () => {
  let t: TGateway;
  let offsetMs = 0;
  // The gateway's clock, moved forward by the test to age the cache (no sleeping).
  const clock: Clock = { now: () => Date.now() + offsetMs };
  beforeAll(async () => {
    t = await tgateway({ providers: (ps) => ps.map((p) => ({ ...p, referenceTtlMs: 60_000, referenceStaleMs: 10 * 60_000 })), gateway: { clock } });
  });
  afterAll(() => t.close());

  it('answers a stale entry at once and the change made elsewhere once its refresh is in; our own change at once', async () => {
    const id = ok(await t.gql(`{ resources(first: 1, filter: { providers: ["ocore"] }) { nodes { id } } }`)).resources.nodes[0].id;
    const read = async () => ok(await t.gql(`query($r: ID!) { node(id: $r) { ... on Resource { schedules { crons timezone } } } }`, { r: id })).node.schedules[0] ?? null;
    const before = await read();
    const sim = t.sims.get('ocore').simulator;
    const envNative = (await t.gql(`query($r: ID!) { node(id: $r) { ... on OcoreEnvironment { nativeId } } }`, { r: id })).data.node.nativeId;
    const put = await fetch(`${sim.url}/api/environments/${envNative}/backup-schedule`, {
      method: 'PUT', headers: { authorization: `Bearer ${sim.credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, dbCron: '9 */6 * * *', timezone: 'Asia/Tokyo' }),
    });
    expect(put.status).toBe(200);
    offsetMs += 61_000;
    // Past the TTL: the kept answer at once (a cache without `referenceStaleMs` would wait for the new one)...
    expect(await read()).toEqual(before);
    // ...and the refresh it started brings the change to the next reads.
    await expect.poll(read).toMatchObject({ timezone: 'Asia/Tokyo', crons: expect.arrayContaining(['9 */6 * * *']) });
    // Our own change is never answered from before it, stale or not.
    offsetMs += 61_000;
    ok(await t.gql(`mutation($r: ID!) { upsertSchedule(input: { resourceId: $r, enabled: true, dbCron: "11 */4 * * *", timezone: "Europe/Prague" }) { schedule { crons } } }`, { r: id }));
    expect(await read()).toMatchObject({ timezone: 'Europe/Prague', crons: expect.arrayContaining(['11 */4 * * *']) });
  });
});

describe('the protection evidence cache', () => {
  let t: TGateway;
  let offsetMs = 0;
  // The gateway's clock, moved forward by the test to age the cache (no sleeping).
  const clock: Clock = { now: () => Date.now() + offsetMs };
  beforeAll(async () => {
    t = await tgateway({ gateway: { clock, cache: { evidenceTtlMs: 60_000 } } });
  });
  afterAll(() => t.close());

  const SUMMARY = `{ protectionSummary { total { unprotected atRisk unknown protected total } } }`;
  const protectionOf = async (id: string) =>
    ok(await t.gql(`query($r: ID!) { node(id: $r) { ... on Resource { protection { status lastAttempt { at status } } } } }`, { r: id })).node.protection;

  it('answers a second summary from the evidence the first read, with no upstream read of attempts, and the same counts', async () => {
    t.resetStats();
    const first = ok(await t.gql(SUMMARY)).protectionSummary.total;
    const firstCalls = upstreamCounts(t);
    t.resetStats();
    const second = ok(await t.gql(SUMMARY)).protectionSummary.total;
    const secondCalls = upstreamCounts(t);
    expect(second).toEqual(first);
    expect(first.total).toBeGreaterThan(0);
    // The metrics tell where the evidence came from: every resource read once, then kept.
    const evidence = (await scrape(t.url)).by('backup_graph_protection_evidence_total', 'source', { provider: 'bocada' });
    expect(evidence.read).toBeGreaterThan(0);
    expect(evidence.kept).toBe(evidence.read);
    // The walk of the resources is still read (the reference TTL is off here); the attempts are not.
    const attemptRoutes = { bocada: 'GET /api/v1/backup-jobs', norcube: 'GET /backups', ocore: 'GET /api/projects/:projectId/backups' } as const;
    for (const [kind, route] of Object.entries(attemptRoutes)) {
      expect(t.sims.get(kind).simulator.stats.byRoute[route] ?? 0, route).toBe(0);
      expect(secondCalls[kind], kind).toBeLessThan(firstCalls[kind]);
    }
    // ByCloud's resources are read from the very backup lists its evidence comes from: no fewer calls, no more.
    expect(secondCalls.bycloud).toBeLessThanOrEqual(firstCalls.bycloud);
  });

  it('shows a backup started through the gateway at once, and one made elsewhere once the TTL is over', async () => {
    const data = ok(await t.gql(`{ resources(first: 1, filter: { providers: ["bycloud"] }) { nodes { id } } }`));
    const id = data.resources.nodes[0].id;
    const before = await protectionOf(id);
    // What finding the resource itself costs (ByCloud reads its volumes from the backup list).
    t.resetStats();
    ok(await t.gql(`query($r: ID!) { node(id: $r) { id } }`, { r: id }));
    const lookupCalls = upstreamCounts(t).bycloud;
    t.resetStats();
    expect(await protectionOf(id)).toEqual(before);
    expect(upstreamCounts(t).bycloud).toBe(lookupCalls);

    // Our own change: the evidence is read again, and the new attempt is the last one.
    expect(ok(await t.gql(`mutation($r: ID!) { triggerBackup(input: { resourceId: $r, name: "evidence-cache", force: true }) { progressId } }`, { r: id })).triggerBackup.progressId).toEqual(expect.any(String));
    const after = await protectionOf(id);
    expect(Date.parse(after.lastAttempt.at)).toBeGreaterThan(Date.parse(before.lastAttempt?.at ?? '1970-01-01T00:00:00Z'));

    // Served from memory again, until the TTL is over (a change made in the vendor's console shows then).
    t.resetStats();
    expect(await protectionOf(id)).toEqual(after);
    expect(upstreamCounts(t).bycloud).toBe(lookupCalls);
    offsetMs += 61_000;
    t.resetStats();
    await protectionOf(id);
    expect(upstreamCounts(t).bycloud).toBeGreaterThan(lookupCalls);
  });
});
