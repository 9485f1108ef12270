import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-sse';
import { OPEN_CALLER, type Caller } from '../../src/access/caller.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import type { BocadaSimulator } from '../../src/simulators/bocada/index.ts';
import { tgateway, upstreamCounts, type GqlResponse, type TGateway } from '../utils/tgateway.ts';
import { okOn } from '../utils/tsimulator.ts';
import { collect, until } from './sse-client.ts';

/**
 * The callers of these tests, chosen per request by a test-only header through the gateway's
 * `callerOf` hook (real authentication replaces that hook; the scope does not care where the
 * caller comes from).
 */
const CALLERS: Record<string, Caller> = {};
const caller = (id: string, c: Partial<Caller>): Caller => (CALLERS[id] = { id, kind: 'api-key', role: 'reader', providers: null, organizations: null, ...c });
const as = (id: string) => ({ 'x-test-caller': id });

let t: TGateway;
let bocada: BocadaSimulator;
/** The organization the scoped readers see, and another one with data. */
let orgA: string;
let orgB: string;

beforeAll(async () => {
  // Slow simulated operations: a triggered oCore backup is still running while subscribers join.
  t = await tgateway({
    stepMs: 1000,
    gateway: { callerOf: (request) => CALLERS[request.headers.get('x-test-caller') ?? ''] ?? OPEN_CALLER },
  });
  bocada = t.sims.get('bocada').simulator as BocadaSimulator;
  // The two organizations with the most jobs, so that lists run over several pages.
  const jobsPerOrg = new Map<string, number>();
  for (const j of bocada.data.jobs) jobsPerOrg.set(j.organizationId, (jobsPerOrg.get(j.organizationId) ?? 0) + 1);
  [orgA, orgB] = [...jobsPerOrg].sort((a, b) => b[1] - a[1]).map(([o]) => o);
  caller('acme-dashboard', { organizations: [`bocada/${orgA}`] });
  // Also sees oCore, but names an organization oCore does not have: every oCore record is hidden.
  caller('acme-admin', { role: 'admin', organizations: [encodeGlobalId('bocada', 'organization', orgA), 'ocore/not-our-org'] });
  caller('bocada-admin', { role: 'admin', organizations: [`bocada/${orgA}`] });
  caller('ocore-noc', { providers: ['ocore'] });
  caller('bycloud-noc', { providers: ['bycloud'] });
  caller('ocore-ops', { role: 'operator', organizations: ['ocore/default'] });
});
beforeEach(() => t.resetStats());

const ocoreSim = () => t.sims.get('ocore').simulator;
const nativeIds = (nodes: Array<{ nativeId: string }>) => nodes.map((n) => n.nativeId);

/** Pages `field` (a root list) to the end with `first` per page as caller `who`; every node and the first page's totalCount. */
async function pageAll(who: string, field: string, selection: string, first: number, filter = '{}') {
  const nodes: any[] = [];
  let after: string | null = null;
  let totalCount: number | null | undefined;
  for (let page = 0; page < 200; page++) {
    const r: GqlResponse = await t.gql(
      `query($after: String) { ${field}(first: ${first}, after: $after, filter: ${filter}) { totalCount nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`,
      { after }, as(who),
    );
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const c: any = r.data[field];
    if (page === 0) totalCount = c.totalCount;
    nodes.push(...c.nodes);
    if (!c.pageInfo.hasNextPage) return { nodes, totalCount, pages: page + 1 };
    after = c.pageInfo.endCursor;
  }
  throw new Error(`${field} did not end`);
}

/** Bocada's list requests since the last reset (not lookups by id). */
const bocadaListRequests = () => bocada.stats.requests.filter((r) => !r.route.includes(':id'));

describe('a reader limited to one Bocada organization', () => {
  it('sees exactly that organization\'s resources across pages, and Bocada was only asked for it', async () => {
    const { nodes, totalCount, pages } = await pageAll('acme-dashboard', 'resources', 'nativeId organization { nativeId }', 7);
    const truth = bocada.data.resources.filter((r) => r.organizationId === orgA).map((r) => r.id);
    expect(truth.length).toBeGreaterThan(7);
    expect(pages).toBeGreaterThan(1);
    expect(nativeIds(nodes)).toEqual(truth);
    expect(new Set(nodes.map((n) => n.organization.nativeId))).toEqual(new Set([orgA]));
    // Bocada reports no totals, scoped or not: null, never the count of every organization.
    expect(totalCount).toBeNull();
    expect(bocadaListRequests().length).toBeGreaterThan(0);
    expect(bocadaListRequests().map((r) => r.query.get('organizationId'))).toEqual(bocadaListRequests().map(() => orgA));
    expect(upstreamCounts(t)).toMatchObject({ norcube: 0, bycloud: 0, ocore: 0 });
  });

  it('sees exactly that organization\'s jobs across pages (with their nested links), each list filtered upstream', async () => {
    const { nodes, pages } = await pageAll('acme-dashboard', 'jobs', 'nativeId resource { nativeId organization { nativeId } }', 100);
    const truth = bocada.data.jobs.filter((j) => j.organizationId === orgA);
    expect(pages).toBeGreaterThan(2);
    expect(nativeIds(nodes)).toEqual(truth.map((j) => j.id));
    expect(nodes.map((n) => n.resource.nativeId)).toEqual(truth.map((j) => j.resourceId));
    expect(new Set(nodes.map((n) => n.resource.organization.nativeId))).toEqual(new Set([orgA]));
    // Lists and the bulk resource reads behind the nested links all carried the organization;
    // the unfiltered organization list was never read.
    const lists = bocadaListRequests();
    expect(lists.map((r) => r.route)).toContain('GET /api/v1/resources');
    expect(lists.every((r) => r.query.get('organizationId') === orgA), JSON.stringify(lists.map((r) => [r.route, String(r.query)]))).toBe(true);
    expect(bocada.stats.byRoute['GET /api/v1/organizations'] ?? 0).toBe(0);
  });

  it('has one organization, and `providers` / `viewer` show only Bocada', async () => {
    const r = await t.gql(`{
      organizations(first: 100) { totalCount nodes { nativeId resources(first: 3) { nodes { organization { nativeId } } } } }
      providers { id }
      viewer { id role providers { id capabilities { triggerBackup } } organizations }
    }`, undefined, as('acme-dashboard'));
    expect(r.errors).toBeUndefined();
    expect(r.data.organizations.totalCount).toBe(1);
    expect(r.data.organizations.nodes.map((o: any) => o.nativeId)).toEqual([orgA]);
    expect(r.data.organizations.nodes[0].resources.nodes.map((x: any) => x.organization.nativeId)).toEqual([orgA, orgA, orgA]);
    expect(r.data.providers).toEqual([{ id: 'bocada' }]);
    expect(r.data.viewer).toEqual({
      id: 'acme-dashboard', role: 'READER', providers: [{ id: 'bocada', capabilities: { triggerBackup: false } }],
      organizations: [encodeGlobalId('bocada', 'organization', orgA)],
    });
    expect(bocada.stats.byRoute['GET /api/v1/organizations'] ?? 0).toBe(0);
  });

  it('gets null for another organization\'s ids and empty lists for its filters (no error, nothing leaked)', async () => {
    const otherResource = bocada.data.resources.find((r) => r.organizationId === orgB)!;
    const otherJob = bocada.data.jobs.find((j) => j.organizationId === orgB)!;
    const ownJob = bocada.data.jobs.find((j) => j.organizationId === orgA)!;
    const ids = {
      org: encodeGlobalId('bocada', 'organization', orgB),
      resource: encodeGlobalId('bocada', 'resource', otherResource.id),
      job: encodeGlobalId('bocada', 'job', otherJob.id),
      own: encodeGlobalId('bocada', 'job', ownJob.id),
      ocore: encodeGlobalId('ocore', 'organization', 'default'),
    };
    const r = await t.gql(`query($org: ID!, $resource: ID!, $job: ID!, $own: ID!, $ocore: ID!) {
      org: node(id: $org) { id }
      resource: node(id: $resource) { id }
      job: node(id: $job) { id }
      ocore: node(id: $ocore) { id }
      nodes(ids: [$own, $job, $resource, $ocore]) { id }
      byOrg: resources(filter: { organizationId: $org }) { totalCount nodes { id } }
      byResource: jobs(filter: { resourceId: $resource }) { nodes { id } }
    }`, ids, as('acme-dashboard'));
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({
      org: null, resource: null, job: null, ocore: null,
      nodes: [{ id: ids.own }, null, null, null],
      byOrg: { totalCount: 0, nodes: [] },
      byResource: { nodes: [] },
    });
    // The filtered job list went upstream with both filters (the client's resource, the caller's organization).
    const jobLists = bocadaListRequests().filter((x) => x.route === 'GET /api/v1/backup-jobs');
    expect(jobLists.map((x) => [x.query.get('organizationId'), x.query.get('resourceId')])).toEqual([[orgA, otherResource.id]]);
    // The same ids as an unlimited caller: they exist.
    const open = await t.gql(`query($org: ID!, $resource: ID!) { org: node(id: $org) { id } resource: node(id: $resource) { id } }`, ids);
    expect(open.data).toEqual({ org: { id: ids.org }, resource: { id: ids.resource } });
  });
});

describe('mutations and subscriptions on hidden ids', () => {
  const TRIGGER = `mutation($id: ID!) { triggerBackup(input: { resourceId: $id }) { progressId userErrors { code message } } }`;
  const DELETE = `mutation($id: ID!) { deleteBackup(input: { backupId: $id }) { deletedBackupId userErrors { code message } } }`;
  /** The user errors of a one-mutation response (no top-level error: a target not found is an expected failure). */
  const userErrorsOf = (r: { errors?: unknown[]; data?: any }) => {
    expect(r.errors).toBeUndefined();
    return Object.values(r.data as Record<string, { userErrors: Array<{ code: string; message: string }> }>)[0].userErrors;
  };
  const PROGRESS = `subscription($id: ID!) { backupProgress(backupId: $id) { backupId status percent done } }`;

  async function ocoreTargets() {
    const r = await t.gql(`{ resources(first: 1, filter: { providers: ["ocore"] }) { nodes { id } } backups(first: 1, filter: { providers: ["ocore"], status: [AVAILABLE] }) { nodes { id } } }`);
    return { resource: r.data.resources.nodes[0].id as string, backup: r.data.backups.nodes[0].id as string };
  }
  const writes = () => Object.entries(ocoreSim().stats.byRoute).filter(([k]) => !k.startsWith('GET')).reduce((n, [, v]) => n + v, 0);

  it('answers a NOT_FOUND user error, as for an id that does not exist, with no upstream write', async () => {
    const { resource, backup } = await ocoreTargets();
    const missing = encodeGlobalId('ocore', 'resource', '00000000-0000-4000-8000-000000000000');
    t.resetStats();
    const results = [
      // oCore visible, but none of its records in the caller's organizations.
      await t.gql(TRIGGER, { id: resource }, as('acme-admin')),
      await t.gql(TRIGGER, { id: missing }, as('acme-admin')),
      await t.gql(DELETE, { id: backup }, as('acme-admin')),
      // oCore not visible at all.
      await t.gql(TRIGGER, { id: resource }, as('bocada-admin')),
    ];
    expect(results.map((r) => userErrorsOf(r).map((u) => u.code))).toEqual([['NOT_FOUND'], ['NOT_FOUND'], ['NOT_FOUND'], ['NOT_FOUND']]);
    // A hidden target and a missing one read the same.
    expect(userErrorsOf(results[0])[0].message).toBe(userErrorsOf(results[1])[0].message);
    expect(writes()).toBe(0);
    const deleted = await t.gql(`{ node(id: "${backup}") { id } }`, undefined, as('acme-admin'));
    expect(deleted.data.node).toBeNull();
    expect((await t.gql(`{ node(id: "${backup}") { id } }`)).data.node).toEqual({ id: backup });
  });

  it('answers NOT_FOUND to a subscription on a hidden backup, also while someone else follows it', async () => {
    const env = (await okOn(ocoreSim(), `/api/projects/${(await okOn(ocoreSim(), '/api/projects')).projects[0].id}/environments`)).environments[0].id;
    const started = await okOn(ocoreSim(), `/api/environments/${env}/backups`, { method: 'POST', body: { type: 'full' } });
    const id = encodeGlobalId('ocore', 'backup', started.backupId);
    const open = subscriber('');
    let seen = false;
    const following = collect(open, PROGRESS, { id }, () => (seen = true));
    await until(() => seen, 'the open caller\'s first event');
    for (const who of ['acme-admin', 'acme-dashboard']) {
      const client = subscriber(who);
      const r = await collect(client, PROGRESS, { id }).done;
      client.dispose();
      expect(r.events).toEqual([]);
      expect((r.errors as any[]).map((e) => e.extensions?.code), who).toEqual(['NOT_FOUND']);
    }
    following.cancel();
    open.dispose();
  });
});

/** A graphql-sse client (distinct connections) whose requests carry caller `who`. */
function subscriber(who: string) {
  return createClient({ url: `${t.url}/graphql`, singleConnection: false, retryAttempts: 0, headers: who ? as(who) : {} });
}

describe('a caller limited to one provider', () => {
  it('sees no other provider in `providers`, lists, totals or node', async () => {
    const r = await t.gql(`query($bocada: ID!) {
      providers { id }
      backups(first: 100) { totalCount nodes { id provider { id } } }
      resources(first: 100) { nodes { provider { id } } }
      node(id: $bocada) { id }
    }`, { bocada: encodeGlobalId('bocada', 'job', bocada.data.jobs[0].id) }, as('ocore-noc'));
    expect(r.errors).toBeUndefined();
    expect(r.data.providers).toEqual([{ id: 'ocore' }]);
    expect(new Set([...r.data.backups.nodes, ...r.data.resources.nodes].map((n: any) => n.provider.id))).toEqual(new Set(['ocore']));
    expect(r.data.node).toBeNull();
    // Totals count only the caller's providers: the same as an unlimited caller filtering on them.
    const counts = `{ alerts { totalCount } schedules { totalCount } backups { totalCount } }`;
    const scoped = { ocore: (await t.gql(counts, undefined, as('ocore-noc'))).data, bycloud: (await t.gql(counts, undefined, as('bycloud-noc'))).data };
    const filtered = (p: string) => t.gql(counts.replace(/(alerts|schedules|backups) \{/g, `$1(filter: { providers: ["${p}"] }) {`)).then((x) => x.data);
    expect(scoped.ocore).toEqual(await filtered('ocore'));
    expect(scoped.bycloud).toEqual(await filtered('bycloud'));
    expect(scoped.ocore.alerts.totalCount).toBeGreaterThan(0);
    // ByCloud counts its backups; Norcube does not, so the unlimited total is null, the ByCloud-only one is not.
    expect(scoped.bycloud.backups.totalCount).toBeGreaterThan(0);
    expect((await t.gql(counts)).data.backups.totalCount).toBeNull();
    expect(upstreamCounts(t)).toMatchObject({ bocada: 0 });
    // An unknown provider in the filter reads the same as a hidden one.
    const hidden = await t.gql(`{ backups(filter: { providers: ["bocada"] }) { totalCount } }`, undefined, as('ocore-noc'));
    const unknown = await t.gql(`{ backups(filter: { providers: ["nope"] }) { totalCount } }`, undefined, as('ocore-noc'));
    expect(hidden.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(hidden.errors?.[0].message.replace('"bocada"', 'X')).toBe(unknown.errors?.[0].message.replace('"nope"', 'X'));
  });
});

describe('shared upstream streams', () => {
  it('two subscribers with different callers on one backup share 1 upstream stream', async () => {
    const env = (await okOn(ocoreSim(), `/api/projects/${(await okOn(ocoreSim(), '/api/projects')).projects[0].id}/environments`)).environments[0].id;
    const started = await okOn(ocoreSim(), `/api/environments/${env}/backups`, { method: 'POST', body: { type: 'full' } });
    const id = encodeGlobalId('ocore', 'backup', started.backupId);
    const route = 'GET /api/backups/:id/progress';
    // Earlier tests' subscribers may still be leaving.
    await until(() => t.gateway.progress.stats.subscribers === 0, 'earlier subscribers to leave');
    const opened = { upstream: ocoreSim().stats.sseOpenedByRoute[route] ?? 0, hub: t.gateway.progress.stats.sourcesOpened };
    const clients = ['ocore-noc', 'ocore-ops'].map(subscriber);
    let first = 0;
    const subs = clients.map((c) => collect(c, `subscription($id: ID!) { backupProgress(backupId: $id) { status done } }`, { id }, (_e, all) => {
      if (all.length === 1) first++;
    }));
    await until(() => first === 2, 'both subscribers\' first event');
    expect((ocoreSim().stats.sseOpenedByRoute[route] ?? 0) - opened.upstream).toBe(1);
    expect(t.gateway.progress.stats.sourcesOpened - opened.hub).toBe(1);
    // Two executions (one per caller: fan-out never shares across callers) on one upstream stream.
    expect(t.gateway.progress.stats.subscribers).toBe(2);
    expect(t.gateway.fanOut.groups).toBe(2);
    for (const s of subs) s.cancel();
    for (const c of clients) c.dispose();
    const results = await Promise.all(subs.map((s) => s.done));
    expect(results.map((r) => r.errors)).toEqual([[], []]);
  });
});

describe('viewer', () => {
  it('is the caller: an unlimited one sees every provider and no organization limit', async () => {
    const r = await t.gql(`{ viewer { id role providers { id } organizations } }`);
    expect(r.data.viewer).toEqual({ id: 'open', role: 'ADMIN', providers: t.sims.list.map((s) => ({ id: s.kind })), organizations: null });
    const ops = await t.gql(`{ viewer { id role providers { id } organizations } }`, undefined, as('ocore-ops'));
    expect(ops.data.viewer).toEqual({ id: 'ocore-ops', role: 'OPERATOR', providers: [{ id: 'ocore' }], organizations: [encodeGlobalId('ocore', 'organization', 'default')] });
  });
});
