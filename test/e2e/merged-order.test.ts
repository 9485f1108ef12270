/**
 * Newest first across providers, against the four simulators: the gateway's merged jobs, backups
 * and alerts are compared with the simulators' own truth (read over their HTTP APIs), paged to the
 * end with `first` varying; `orderBy` support and refusals; cursors of another order; name search;
 * ByCloud backup creations in the one failure feed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BycloudSimulator } from '../../src/simulators/bycloud/index.ts';
import { bocadaAll, callOn, collectPages, healthy, norcubeAll, type Json, type SimTarget } from '../utils/tsimulator.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

let t: TGateway;
beforeAll(async () => {
  t = await tgateway();
});
afterAll(() => t.close());
beforeEach(() => {
  for (const s of t.sims.list) healthy(s.simulator);
});

/** Config order of the providers (ties of the merged order go to the earlier one). */
const PROVIDERS = ['bocada', 'norcube', 'bycloud', 'ocore'] as const;
type ProviderId = (typeof PROVIDERS)[number];
type ListName = 'jobs' | 'backups' | 'alerts';

/** One record as the truth and the gateway both describe it. */
interface Rec {
  provider: ProviderId;
  nativeId: string;
  /** Creation time in ms; null when the record has none. */
  at: number | null;
  status?: string;
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);
const sim = (p: ProviderId): SimTarget => t.sims.get(p).simulator;

/** Newest first; no time last; ties by provider config order (the order within a provider is its own). */
const newestFirst = (a: Rec, b: Rec) =>
  (b.at ?? -Infinity) - (a.at ?? -Infinity) || PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider);
/** What the merged order pins down: the (provider, time) of each position. */
const positions = (recs: readonly Rec[]) => recs.map((r) => `${r.provider}@${r.at === null ? 'none' : new Date(r.at).toISOString()}`);
const keyOf = (r: Rec) => `${r.provider} ${r.nativeId}`;

// ---- the simulators' truth, over their own APIs ----------------------------------------------

async function ocoreAll(path: string, key: string): Promise<Json[]> {
  const { items } = await collectPages(async (offset: number | null) => {
    const r = await callOn(sim('ocore'), `/api${path}${path.includes('?') ? '&' : '?'}limit=100&offset=${offset ?? 0}`);
    expect(r.status, path).toBe(200);
    const got: Json[] = r.body[key];
    const next = (offset ?? 0) + got.length;
    return { items: got, next: got.length === 100 && next < r.body.total ? next : null };
  });
  return items;
}

async function ocoreEnvironments(): Promise<string[]> {
  const projects = await ocoreAll('/projects', 'projects');
  return (await Promise.all(projects.map((p) => ocoreAll(`/projects/${p.id}/environments`, 'environments')))).flat().map((e) => e.id);
}

async function ocoreBackups(): Promise<Json[]> {
  const projects = await ocoreAll('/projects', 'projects');
  return (await Promise.all(projects.map((p) => ocoreAll(`/projects/${p.id}/backups`, 'backups')))).flat();
}

const hasFile = (j: Json) => ['success', 'partial'].includes(j.jobStatus) && j.jobBytesWritten > 0;

/** Every record of `list` the simulators hold, as the gateway should list it (undismissed alerts only; jobs: backups, and restores when `withRestores`). */
async function truthOf(list: ListName, { withRestores = false } = {}): Promise<Rec[]> {
  const out: Rec[] = [];
  const bycloud = t.sims.get('bycloud').simulator as BycloudSimulator;
  if (list === 'jobs') {
    for (const j of await bocadaAll(sim('bocada'), '/backup-jobs')) out.push({ provider: 'bocada', nativeId: j.id, at: ms(j.startedAt), status: j.status });
    for (const j of await norcubeAll(sim('norcube'), '/backups')) out.push({ provider: 'norcube', nativeId: `${j.datasourceId}/${j.jobId}`, at: ms(j.jobCreatedAt), status: j.jobStatus });
    for (const ds of withRestores ? await norcubeAll(sim('norcube'), '/datasources') : []) {
      for (const r of await norcubeAll(sim('norcube'), `/datasources/${ds.id}/restores?trigger=manual`)) out.push({ provider: 'norcube', nativeId: `restore:${r.id}`, at: ms(r.createdAt), status: r.status });
    }
    for (const b of bycloud.volumeBackups) out.push({ provider: 'bycloud', nativeId: `vol:${b.id}`, at: ms(b.created_at), status: b.status });
    for (const b of bycloud.databaseBackups) out.push({ provider: 'bycloud', nativeId: `db:${b.id}`, at: ms(b.created_at), status: b.status });
    for (const b of await ocoreBackups()) out.push({ provider: 'ocore', nativeId: `backup:${b.id}`, at: ms(b.createdAt), status: b.status });
    for (const env of withRestores ? await ocoreEnvironments() : []) {
      for (const l of await ocoreAll(`/environments/${env}/restore-logs`, 'restoreLogs')) {
        if (l.targetEnvironmentId === env) out.push({ provider: 'ocore', nativeId: `restore:${env}:${l.id}`, at: ms(l.createdAt), status: l.status });
      }
    }
  } else if (list === 'backups') {
    for (const j of (await norcubeAll(sim('norcube'), '/backups')).filter(hasFile)) out.push({ provider: 'norcube', nativeId: `${j.datasourceId}/${j.jobId}`, at: ms(j.jobCreatedAt) });
    for (const b of bycloud.volumeBackups) out.push({ provider: 'bycloud', nativeId: `vol:${b.id}`, at: ms(b.created_at) });
    for (const b of bycloud.databaseBackups) out.push({ provider: 'bycloud', nativeId: `db:${b.id}`, at: ms(b.created_at) });
    for (const b of await ocoreBackups()) out.push({ provider: 'ocore', nativeId: b.id, at: ms(b.createdAt) });
  } else {
    const r = await callOn(sim('ocore'), '/api/backup-alerts?limit=100');
    for (const a of r.body.alerts) out.push({ provider: 'ocore', nativeId: a.id, at: ms(a.createdAt) });
  }
  return out.sort(newestFirst);
}

// ---- the gateway -------------------------------------------------------------------------------

/** One page of `list` as Recs, with its page info. */
async function page(list: string, args: string, vars: Record<string, unknown> = {}) {
  const fields = list === 'jobs' ? 'name status operation' : list === 'alerts' ? '' : 'name';
  const res = await t.gql(`query($a: String) { ${list}(after: $a, ${args}) { nodes { nativeId createdAt provider { id } ${fields} } pageInfo { hasNextPage endCursor } } }`, vars);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const conn = res.data[list];
  const recs: Array<Rec & { name: string | null; operation?: string }> = conn.nodes.map((n: Json) => ({
    provider: n.provider.id, nativeId: n.nativeId, at: ms(n.createdAt), name: n.name, status: n.status, operation: n.operation,
  }));
  return { recs, pageInfo: conn.pageInfo as { hasNextPage: boolean; endCursor: string | null } };
}

/** Pages `list` to the end, `first` cycling through `firsts`. */
async function walk(list: string, firsts: number[], args = '') {
  let n = 0;
  const { items } = await collectPages(async (after: string | null) => {
    const p = await page(list, `first: ${firsts[n++ % firsts.length]} ${args}`, { a: after });
    return { items: p.recs, next: p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null };
  }, { maxPages: 1000, what: list });
  return items;
}

describe('newest first across providers, as one merged order', () => {
  it.each(['jobs', 'backups', 'alerts'] as const)('the merged %s(first: 20) are the 20 newest across every provider', async (list) => {
    const truth = await truthOf(list);
    expect(truth.length).toBeGreaterThan(20);
    const { recs } = await page(list, 'first: 20');
    expect(positions(recs)).toEqual(positions(truth.slice(0, 20)));
    const known = new Set(truth.map(keyOf));
    expect(recs.every((r) => known.has(keyOf(r)))).toBe(true);
  });

  it('the 20 newest jobs come from several providers, not one provider first', async () => {
    const { recs } = await page('jobs', 'first: 20');
    expect(new Set(recs.map((r) => r.provider)).size).toBeGreaterThan(1);
  });

  it.each([['jobs', [100, 37, 100, 71], ''], ['jobs', [100, 53], 'filter: { operation: [BACKUP, RESTORE] }'], ['backups', [100, 7, 41], ''], ['alerts', [3, 10, 1], '']] as const)(
    'pages %s to the end with `first` varying (%j, %s): every item exactly once, in the merged order',
    async (list, firsts, args) => {
      const truth = await truthOf(list, { withRestores: args.includes('RESTORE') });
      const seen = await walk(list, [...firsts], args);
      const keys = seen.map(keyOf);
      expect(new Set(keys).size).toBe(keys.length);
      expect([...keys].sort()).toEqual(truth.map(keyOf).sort());
      expect(positions(seen)).toEqual(positions(truth));
    },
  );
});

describe('filter.kinds', () => {
  it('keeps the lists to providers of those kinds, merged as usual, and combines with filter.providers', async () => {
    const truth = (await truthOf('jobs')).filter((r) => r.provider === 'ocore' || r.provider === 'bycloud');
    const { recs } = await page('jobs', 'first: 30, filter: { kinds: [OCORE, BYCLOUD] }');
    expect(positions(recs)).toEqual(positions(truth.slice(0, 30)));
    const both = await page('backups', 'first: 10, filter: { kinds: [OCORE], providers: ["bycloud", "ocore"] }');
    expect(new Set(both.recs.map((r) => r.provider))).toEqual(new Set(['ocore']));
    const bad = await t.gql('{ jobs(filter: { kinds: [NOPE] }) { nodes { id } } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('one failure feed', () => {
  it('jobs(filter: { status: [FAILED], since }) holds every provider\'s failures, ByCloud backup creations included, newest first', async () => {
    const since = new Date(t.sims.anchor.getTime() - 60 * 86_400_000).toISOString();
    const failed = await walk('jobs', [100], `filter: { status: [FAILED], since: "${since}" }`);
    expect(failed.every((r) => r.status === 'FAILED')).toBe(true);
    expect(failed.every((r) => r.at !== null && r.at >= Date.parse(since))).toBe(true);
    expect([...failed].sort(newestFirst).map(keyOf)).toEqual(failed.map(keyOf));
    // ByCloud's failed backups (its records do not move on their own) are each a FAILED job.
    const bycloud = (await truthOf('jobs')).filter((r) => r.provider === 'bycloud' && ['error', 'failed'].includes(String(r.status).toLowerCase()) && r.at! >= Date.parse(since));
    expect(bycloud.length).toBeGreaterThan(0);
    const got = new Set(failed.filter((r) => r.provider === 'bycloud').map((r) => r.nativeId));
    expect([...got].sort()).toEqual(bycloud.map((r) => r.nativeId).sort());
    expect(new Set(failed.map((r) => r.provider))).toEqual(new Set(PROVIDERS));
  });

  it('a ByCloud job leads to the backup it made and to its volume or instance', async () => {
    const res = await t.gql(`{ jobs(first: 3, filter: { providers: ["bycloud"] }) { nodes { __typename nativeId operation failureReason backup { __typename nativeId } resource { __typename nativeId } } } }`);
    expect(res.errors).toBeUndefined();
    for (const j of res.data.jobs.nodes) {
      expect(j.__typename).toMatch(/^ByCloud(Volume|Database)BackupJob$/);
      expect(j.operation).toBe('BACKUP');
      expect(j.backup.nativeId).toBe(j.nativeId);
      expect(j.resource.__typename).toMatch(/^ByCloud(Volume|DatabaseInstance)$/);
    }
  });
});

describe('orderBy', () => {
  it('refuses an order a selected provider cannot serve, naming what is supported', async () => {
    const res = await t.gql(`{ jobs(first: 5, orderBy: { field: CREATED_AT, direction: ASC }) { nodes { id } } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderBy' });
    expect(res.errors![0].message).toContain('not supported by provider norcube, bycloud, ocore');
    expect(res.errors![0].message).toContain('CREATED_AT DESC');
    expect(res.errors![0].message).toContain('supported by bocada');
    const resources = await t.gql(`{ resources(first: 5, orderBy: { field: NAME, direction: ASC }) { nodes { id } } }`);
    expect(resources.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderBy' });
    expect(resources.errors![0].message).toContain('not supported by provider bocada, norcube');
  });

  it('serves Bocada jobs oldest first, exactly', async () => {
    const truth = (await truthOf('jobs')).filter((r) => r.provider === 'bocada').reverse();
    const { recs } = await page('jobs', 'first: 30, filter: { providers: ["bocada"] }, orderBy: { field: CREATED_AT, direction: ASC }');
    expect(positions(recs)).toEqual(positions(truth.slice(0, 30)));
  });

  it('orders resources by name across the providers that can, every resource once', async () => {
    const args = 'filter: { providers: ["bycloud", "ocore"] }';
    const all = await walk('resources', [100], args);
    const byName = (a: { name?: string | null }, b: { name?: string | null }) => {
      const x = (a.name ?? '').toLowerCase();
      const y = (b.name ?? '').toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    };
    for (const [direction, sign] of [['ASC', 1], ['DESC', -1]] as const) {
      const sorted = await walk('resources', [9, 40], `${args}, orderBy: { field: NAME, direction: ${direction} }`);
      expect(sorted.map(keyOf).sort()).toEqual(all.map(keyOf).sort());
      for (let i = 1; i < sorted.length; i++) expect(sign * byName(sorted[i - 1], sorted[i])).toBeLessThanOrEqual(0);
    }
  });

  it('refuses a cursor of another order (field `after`)', async () => {
    const asc = await page('jobs', 'first: 2, filter: { providers: ["bocada"] }, orderBy: { field: CREATED_AT, direction: ASC }');
    const res = await t.gql(`query($a: String) { jobs(first: 2, after: $a, filter: { providers: ["bocada"] }) { nodes { id } } }`, { a: asc.pageInfo.endCursor });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const desc = await page('jobs', 'first: 2, filter: { providers: ["bocada"] }');
    const back = await t.gql(`query($a: String) { jobs(first: 2, after: $a, filter: { providers: ["bocada"] }, orderBy: { field: CREATED_AT, direction: ASC }) { nodes { id } } }`, { a: desc.pageInfo.endCursor });
    expect(back.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('filter.nameContains', () => {
  /** A piece from the middle of a name, in the other case (the search is case-insensitive). */
  const pieceOf = (name: string) => {
    const piece = name.slice(Math.floor(name.length / 2) - 2, Math.floor(name.length / 2) + 2);
    return piece === piece.toUpperCase() ? piece.toLowerCase() : piece.toUpperCase();
  };
  const contains = (name: string | null, text: string) => name !== null && name.toLowerCase().includes(text.toLowerCase());

  it('on resources: the resources of the simulators whose name contains the text, whatever its case', async () => {
    const names: Array<[ProviderId, string, string]> = [];
    for (const r of await bocadaAll(sim('bocada'), '/resources')) names.push(['bocada', r.id, r.name]);
    for (const d of await norcubeAll(sim('norcube'), '/datasources')) names.push(['norcube', d.id, d.name]);
    const projects = await ocoreAll('/projects', 'projects');
    for (const p of projects) for (const e of await ocoreAll(`/projects/${p.id}/environments`, 'environments')) names.push(['ocore', e.id, e.name]);
    const text = pieceOf(names.find(([p]) => p === 'norcube')![2]);
    const expected = names.filter(([, , n]) => contains(n, text)).map(([p, id]) => `${p} ${id}`).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(names.length);
    const got = await walk('resources', [50], `filter: { providers: ["bocada", "norcube", "ocore"], nameContains: ${JSON.stringify(text)} }`);
    expect(got.map(keyOf).sort()).toEqual(expected);
  });

  it.each([
    ['backups', 'bycloud', ['bycloud', 'ocore']],
    ['jobs', 'norcube', ['norcube', 'bycloud', 'ocore']],
    ['jobs', 'ocore', ['norcube', 'ocore']],
  ] as const)('on %s: exactly the named items of the list that contain the text (from %s names), in the merged order', async (list, from, providers) => {
    const scope = `providers: ${JSON.stringify(providers)}`;
    const all = await walk(list, [100], `filter: { ${scope} }`);
    const text = pieceOf(all.find((r) => r.provider === from && r.name)!.name!);
    const expected = all.filter((r) => contains(r.name, text));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);
    const got = await walk(list, [100, 13], `filter: { ${scope}, nameContains: ${JSON.stringify(text)} }`);
    expect(got.map(keyOf)).toEqual(expected.map(keyOf));
  });

  it('filter.operation: BACKUP only lists backup jobs, RESTORE only restores', async () => {
    const restores = await walk('jobs', [100], 'filter: { operation: [RESTORE] }');
    expect(restores.length).toBeGreaterThan(0);
    expect(restores.every((r) => r.operation === 'RESTORE')).toBe(true);
    expect(positions([...restores].sort(newestFirst))).toEqual(positions(restores));
    const backups = await page('jobs', 'first: 50, filter: { operation: [BACKUP] }');
    expect(backups.recs.every((r) => r.operation === 'BACKUP')).toBe(true);
  });

  it('a BACKUP-only job page reads no restore list; a mixed one reads each at most once per request', async () => {
    const restoreRoutes = () => {
      const byRoute = { ...t.sims.get('ocore').simulator.stats.byRoute, ...t.sims.get('norcube').simulator.stats.byRoute };
      return Object.entries(byRoute).filter(([route]) => /restore/.test(route) && route.startsWith('GET')).reduce((n, [, c]) => n + c, 0);
    };
    t.resetStats();
    await page('jobs', 'first: 100, filter: { operation: [BACKUP] }');
    expect(restoreRoutes()).toBe(0);
    t.resetStats();
    await page('jobs', 'first: 100');
    // Jobs default to backups: no restore list either.
    expect(restoreRoutes()).toBe(0);
    const environments = (await ocoreEnvironments()).length;
    const dataSources = (await norcubeAll(sim('norcube'), '/datasources')).length;
    t.resetStats();
    await page('jobs', 'first: 100, filter: { operation: [BACKUP, RESTORE] }');
    expect(restoreRoutes()).toBe(environments + dataSources);
  });
});
