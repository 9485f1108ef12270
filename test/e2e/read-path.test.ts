import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { healthy } from '../utils/tsimulator.ts';
import { tgateway, upstreamCounts, type TGateway } from '../utils/tgateway.ts';

let t: TGateway;
beforeAll(async () => {
  t = await tgateway();
});
afterAll(async () => {
  // Secrets never leak: not in any response body, not in any log line.
  for (const secret of t.secrets) {
    for (const body of t.bodies) expect(body.includes(secret), `a response leaked a credential`).toBe(false);
    for (const line of t.logs) expect(line.includes(secret), `a log line leaked a credential`).toBe(false);
  }
  expect(t.bodies.length).toBeGreaterThan(20);
});
beforeEach(() => {
  for (const s of t.sims.list) healthy(s.simulator);
  t.resetStats();
});

const LISTS = ['organizations', 'resources', 'backups', 'jobs', 'alerts', 'schedules'] as const;
/** Lists merged newest first across providers (the others draw a fair share from each). */
const TIME_ORDERED = new Set<string>(['backups', 'jobs', 'alerts']);
const INTERFACE_OF: Record<(typeof LISTS)[number], string> = {
  organizations: 'Organization', resources: 'Resource', backups: 'Backup', jobs: 'Job', alerts: 'Alert', schedules: 'Schedule',
};

/** Scalar and enum fields of a type (and of the object types they point at, one level), from introspection. */
async function selectionFor(typeName: string): Promise<string> {
  const res = await t.gql(`query($n: String!) { __type(name: $n) { fields { name args { name } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }`, { n: typeName });
  const leaf = (ty: any): { kind: string; name: string } => (ty.ofType ? leaf(ty.ofType) : ty);
  const parts: string[] = [];
  for (const f of res.data.__type.fields) {
    if (f.args.length > 0) continue;
    const l = leaf(f.type);
    if (l.kind === 'SCALAR' || l.kind === 'ENUM') parts.push(f.name);
    else if (l.kind === 'OBJECT' || l.kind === 'INTERFACE') parts.push(`${f.name} { __typename }`);
  }
  return parts.join(' ');
}

describe('read path across the four providers', () => {
  it('lists the four providers, healthy, with their capabilities', async () => {
    const res = await t.gql(`{ providers { id kind name health { status latencyMs } capabilities { lists progress triggerBackup } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.providers.map((p: any) => [p.id, p.kind, p.health.status])).toEqual([
      ['bocada', 'BOCADA', 'UP'], ['norcube', 'NORCUBE', 'UP'], ['bycloud', 'BYCLOUD', 'UP'], ['ocore', 'OCORE', 'UP'],
    ]);
    expect(res.data.providers.find((p: any) => p.id === 'ocore').capabilities.progress).toBe('SSE');
  });

  it.each(LISTS)('every provider that has %s contributes to the root list', async (list) => {
    const caps = await t.gql(`{ providers { id capabilities { lists } } }`);
    const expected = caps.data.providers.filter((p: any) => p.capabilities.lists.includes(INTERFACE_OF[list].toUpperCase())).map((p: any) => p.id);
    expect(expected.length).toBeGreaterThan(0);
    const res = await t.gql(`{ ${list}(first: 40) { nodes { __typename id provider { id kind } } pageInfo { hasNextPage endCursor } } }`);
    expect(res.errors).toBeUndefined();
    const seen = new Set(res.data[list].nodes.map((n: any) => n.provider.id));
    if (TIME_ORDERED.has(list)) {
      // One merged newest-first order: the first page holds whoever has the newest items; each provider's own part is there.
      expect(expected).toEqual(expect.arrayContaining([...seen]));
      for (const p of expected) {
        const own = await t.gql(`query($p: [String!]) { ${list}(first: 1, filter: { providers: $p }) { nodes { provider { id } } } }`, { p: [p] });
        expect(own.data[list].nodes.map((n: any) => n.provider.id), `${list} of ${p}`).toEqual([p]);
      }
    } else {
      // No order: a fair share from every provider, grouped by provider.
      expect([...seen].sort()).toEqual([...expected].sort());
    }
  });

  it('resolves every concrete type of every provider through node(id), with all its own fields', async () => {
    let checked = 0;
    for (const list of LISTS) {
      const iface = INTERFACE_OF[list];
      const types = await t.gql(`query($n: String!) { __type(name: $n) { possibleTypes { name } } }`, { n: iface });
      const wanted: string[] = types.data.__type.possibleTypes.map((p: any) => p.name);
      const found = new Map<string, string>();
      for (const p of ['bocada', 'norcube', 'bycloud', 'ocore']) {
        // Jobs list backups unless restores are asked for: ask for both, to meet every job type.
        const more = list === 'jobs' ? ', operation: [BACKUP, RESTORE]' : '';
        const res = await t.gql(`query($p: [String!]) { ${list}(first: 100, filter: { providers: $p${more} }) { nodes { __typename id } } }`, { p: [p] });
        expect(res.errors).toBeUndefined();
        for (const n of res.data[list].nodes) if (!found.has(n.__typename)) found.set(n.__typename, n.id);
      }
      // ByCloud's database backups come after its volume backups: look for them explicitly.
      for (const type of wanted.filter((w) => !found.has(w))) {
        let after: string | null = null;
        for (let i = 0; i < 30 && !found.has(type); i++) {
          const res: any = await t.gql(`query($a: String) { ${list}(first: 100, after: $a${list === 'jobs' ? ', filter: { operation: [BACKUP, RESTORE] }' : ''}) { nodes { __typename id } pageInfo { hasNextPage endCursor } } }`, { a: after });
          for (const n of res.data[list].nodes) if (!found.has(n.__typename)) found.set(n.__typename, n.id);
          if (!res.data[list].pageInfo.hasNextPage) break;
          after = res.data[list].pageInfo.endCursor;
        }
      }
      expect([...found.keys()].sort(), `${iface} implementations seen in lists`).toEqual([...wanted].sort());
      for (const [type, id] of found) {
        const sel = await selectionFor(type);
        const res = await t.gql(`query($id: ID!) { node(id: $id) { __typename id ... on ${type} { ${sel} } } }`, { id });
        expect(res.errors, `${type} ${JSON.stringify(res.errors)}`).toBeUndefined();
        expect(res.data.node).toMatchObject({ __typename: type, id });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it('pages a multi-page upstream list to the end, each item exactly once (Bocada jobs vs the simulator)', async () => {
    const bocada = t.sims.get('bocada').simulator;
    // The truth, read straight from the simulator.
    const truth = new Set<string>();
    let cursor: string | undefined;
    do {
      const r = await fetch(`${bocada.url}/api/v1/backup-jobs?pageSize=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { 'x-api-key': bocada.credential } });
      const body: any = await r.json();
      for (const j of body.data) truth.add(j.id);
      cursor = body.pagination.nextCursor;
    } while (cursor);
    expect(truth.size).toBeGreaterThan(1000);

    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 200; i++) {
      const res: any = await t.gql(`query($a: String) { jobs(first: 100, after: $a, filter: { providers: ["bocada"] }) { nodes { nativeId } pageInfo { hasNextPage endCursor } } }`, { a: after });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.jobs.nodes.map((n: any) => n.nativeId));
      if (!res.data.jobs.pageInfo.hasNextPage) break;
      after = res.data.jobs.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(truth);
  });

  it('pages the cross-provider backups list to the end, matching exact totals where providers report them', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total: number | null = null;
    for (let i = 0; i < 100; i++) {
      const res: any = await t.gql(`query($a: String) { backups(first: 100, after: $a, filter: { providers: ["bycloud"] }) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`, { a: after });
      expect(res.errors).toBeUndefined();
      total ??= res.data.backups.totalCount;
      seen.push(...res.data.backups.nodes.map((n: any) => n.id));
      if (!res.data.backups.pageInfo.hasNextPage) break;
      after = res.data.backups.pageInfo.endCursor;
    }
    expect(total).toBeGreaterThan(100);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total);
  });

  it('a nested query (jobs -> resource -> organization) costs a bounded number of upstream calls', async () => {
    const q = (n: number) => `{ jobs(first: ${n}, filter: { providers: ["bocada"] }) { nodes { id resource { name organization { name } } } } }`;
    const small = await t.gql(q(10));
    expect(small.errors).toBeUndefined();
    const callsSmall = upstreamCounts(t).bocada;
    t.resetStats();
    const big = await t.gql(q(100));
    expect(big.errors).toBeUndefined();
    expect(big.data.jobs.nodes).toHaveLength(100);
    expect(big.data.jobs.nodes.every((n: any) => n.resource?.organization?.name)).toBe(true);
    const callsBig = upstreamCounts(t).bocada;
    // 100 rows, yet a handful of calls: one jobs page, the resources list, the organizations list.
    expect(callsBig).toBeLessThanOrEqual(6);
    expect(callsBig).toBeLessThanOrEqual(callsSmall + 3);
  });

  it('rides out a 429 storm', async () => {
    const bocada = t.sims.get('bocada').simulator;
    bocada.setRateLimit({ limit: 2, windowMs: 1000 });
    const res = await t.gql(`{ jobs(first: 100, filter: { providers: ["bocada"] }) { nodes { id resource { name organization { name } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.jobs.nodes).toHaveLength(100);
    expect(bocada.stats.rateLimited).toBeGreaterThan(0);
  });

  it('one provider down leaves the others\' data with a coded error', async () => {
    const others = await t.gql(`{ backups(first: 30, filter: { providers: ["norcube", "bycloud"] }) { nodes { id provider { id } } } }`);
    t.sims.get('ocore').simulator.setFault('*', { forceStatus: 503 });
    const res = await t.gql(`{ backups(first: 30) { nodes { id provider { id } } } }`, undefined, { 'x-request-id': 'e2e-down-1' });
    expect(res.status).toBe(200);
    // The 30 newest of the providers still answering, merged as always.
    expect(res.data.backups.nodes).toEqual(others.data.backups.nodes);
    expect(res.data.backups.nodes).toHaveLength(30);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['backups'], extensions: { code: 'UPSTREAM_UNAVAILABLE', provider: 'ocore', requestId: 'e2e-down-1' } });
  });

  it('answers upstream garbage with UPSTREAM_ERROR, not a crash', async () => {
    t.sims.get('bycloud').simulator.setFault('*', { garbageBody: '<html>502 Bad Gateway</html>' });
    const res = await t.gql(`{ backups(first: 10) { nodes { id provider { id } } } }`);
    expect(res.status).toBe(200);
    expect(res.data.backups.nodes.length).toBe(10);
    expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.provider])).toEqual([['UPSTREAM_ERROR', 'bycloud']]);
  });

  it.each([
    ['malformed id', `{ node(id: "definitely-not-an-id") { id } }`, 'id'],
    ['malformed ids entry', `{ nodes(ids: ["x"]) { id } }`, 'ids[0]'],
    ['malformed cursor', `{ jobs(after: "garbage!!") { nodes { id } } }`, 'after'],
    ['first too large', `{ jobs(first: 1000) { nodes { id } } }`, 'first'],
    ['first negative', `{ backups(first: -1) { nodes { id } } }`, 'first'],
    ['unknown provider', `{ jobs(filter: { providers: ["nope"] }) { nodes { id } } }`, 'filter.providers'],
    ['wrong id kind', `{ jobs(filter: { resourceId: "WyJiZzEiLCJvY29yZSIsImpvYiIsIngiXQ" }) { nodes { id } } }`, 'filter.resourceId'],
    ['time range reversed', `{ jobs(filter: { since: "2026-11-02T00:00:00Z", until: "2026-11-01T00:00:00Z" }) { nodes { id } } }`, 'filter.since'],
  ])('%s is BAD_USER_INPUT naming the argument', async (_name, query, field) => {
    const res = await t.gql(query);
    expect(res.status).toBe(200);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('a malformed DateTime in a filter is BAD_USER_INPUT', async () => {
    const res = await t.gql(`query($s: DateTime) { jobs(filter: { since: $s }) { nodes { id } } }`, { s: 'yesterday' });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('filters by normalized status and time range across providers', async () => {
    const res = await t.gql(`{ jobs(first: 60, filter: { status: [FAILED], since: "2026-11-01T00:00:00Z" }) { nodes { status providerStatus startedAt createdAt provider { id } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.jobs.nodes.length).toBeGreaterThan(0);
    for (const n of res.data.jobs.nodes) {
      expect(n.status).toBe('FAILED');
      expect(Date.parse(n.startedAt ?? n.createdAt)).toBeGreaterThanOrEqual(Date.parse('2026-11-01T00:00:00Z'));
    }
  });

  it('a well-formed id of something that does not exist is null', async () => {
    const ids = await t.gql(`{ backups(first: 1, filter: { providers: ["ocore"] }) { nodes { id } } }`);
    const real = ids.data.backups.nodes[0].id;
    const missing = Buffer.from(JSON.stringify(['bg1', 'ocore', 'backup', '00000000-0000-4000-8000-000000000000'])).toString('base64url');
    const res = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [real, missing] });
    expect(res.errors).toBeUndefined();
    expect(res.data.nodes).toEqual([{ id: real }, null]);
  });

  it('echoes the client request id and sends it upstream', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-e2e-7' },
      body: JSON.stringify({ query: '{ organizations(first: 1) { nodes { id } } }' }),
    });
    t.bodies.push(await res.text());
    expect(res.headers.get('x-request-id')).toBe('trace-e2e-7');
  });
});
