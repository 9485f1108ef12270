/**
 * Query cost you cannot sneak past, over real HTTP against the simulators: the variable-`first`
 * bomb is refused before any upstream call, a query whose estimate passes is stopped at its upstream
 * call budget with the figures (and the other providers' data kept), and every response says what
 * it cost in `extensions.cost`, matching what the simulators counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_COMPLEXITY, DEFAULT_MAX_COST } from '../../src/server/plugins/use-query-cost.ts';
import { DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST } from '../../src/upstream/call-budget.ts';
import { DASHBOARD_QUERY } from '../../src/server/graphiql.ts';
import { tgateway, upstreamCounts, type GqlResponse, type TGateway } from '../utils/tgateway.ts';
import { sseClient } from './sse-client.ts';

const GRAPHQL_RESPONSE = { accept: 'application/graphql-response+json' };
const JSON_ONLY = { accept: 'application/json' };

let t: TGateway;
beforeAll(async () => {
  t = await tgateway();
});

const totalCalls = (g: TGateway) => Object.values(upstreamCounts(g)).reduce((a, b) => a + b, 0);
const costOf = (res: GqlResponse) => (JSON.parse(res.raw) as { extensions?: { cost?: Record<string, number | null> } }).extensions?.cost;
/** Log lines of unexpected (masked, INTERNAL_SERVER_ERROR) errors since `from`. */
const unexpectedErrors = (g: TGateway, from: number) => g.logs.slice(from).filter((l) => (JSON.parse(l) as { msg?: string }).msg === 'unexpected error');

/** Runs a request after zeroing the simulators' counters: the response and the upstream calls the simulators saw. */
async function counted(g: TGateway, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
  g.resetStats();
  const from = g.logs.length;
  const res = await g.gql(query, variables, headers);
  return { res, calls: totalCalls(g), unexpectedLogs: unexpectedErrors(g, from) };
}

const BOMB = `query Bomb($n: Int) {
  organizations(first: $n) { nodes { resources(first: $n) { nodes {
    backups(first: $n) { nodes { id resource { name } } }
    jobs(first: $n) { nodes { id backup { id } } }
  } } } }
}`;
const NO_FIRST_BOMB = `{
  organizations { nodes { resources { nodes {
    backups { nodes { id organization { name } resource { name } } }
    jobs { nodes { id organization { name } resource { name } backup { id } } }
  } } } }
}`;

describe('the cost estimate refuses what it knows is too much, before any upstream call', () => {
  it.each([
    ['nested connections with first: $n = 100', BOMB, { n: 100 }],
    ['the same bomb with no first at all (the default page size counts)', NO_FIRST_BOMB, undefined],
    ['the bomb with first: $n absent (the variable falls back to the default)', BOMB, {}],
  ])('%s: COST_LIMIT_EXCEEDED with the figures, 0 upstream calls', async (_name, query, variables) => {
    const { res, calls, unexpectedLogs } = await counted(t, query, variables, GRAPHQL_RESPONSE);
    expect(res.status, res.raw).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toHaveLength(1);
    const e = res.errors![0];
    expect(e.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
    expect(e.extensions?.cost).toEqual({ requested: expect.any(Number), limit: DEFAULT_MAX_COST, complexity: expect.any(Number), complexityLimit: DEFAULT_MAX_COMPLEXITY });
    expect(e.extensions?.cost.requested).toBeGreaterThan(DEFAULT_MAX_COST);
    expect(e.extensions?.requestId).toEqual(expect.any(String));
    expect(e.extensions).not.toHaveProperty('http');
    expect(costOf(res)).toEqual({ requested: e.extensions?.cost.requested, limit: DEFAULT_MAX_COST, upstreamCalls: 0, upstreamCallLimit: DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST });
    expect(calls).toBe(0);
    expect(unexpectedLogs).toEqual([]);
  });

  it('under application/json the refusal is HTTP 200 with the same error (graphql-over-http, legacy watershed)', async () => {
    const { res, calls } = await counted(t, BOMB, { n: 100 }, JSON_ONLY);
    expect(res.status).toBe(200);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(calls).toBe(0);
  });

  it('the same bomb over GET is refused too', async () => {
    t.resetStats();
    const url = `${t.url}/graphql?query=${encodeURIComponent(BOMB)}&variables=${encodeURIComponent(JSON.stringify({ n: 100 }))}`;
    const res = await fetch(url, { headers: GRAPHQL_RESPONSE });
    const json = await res.json();
    expect(res.status).toBe(400);
    expect(json.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(totalCalls(t)).toBe(0);
  });

  it('a literal first and the same value through a variable cost the same, and a small one runs', async () => {
    const literal = await counted(t, '{ backups(first: 3) { nodes { id resource { name } } } }');
    const variable = await counted(t, 'query($n: Int) { backups(first: $n) { nodes { id resource { name } } } }', { n: 3 });
    expect(literal.res.errors).toBeUndefined();
    expect(variable.res.errors).toBeUndefined();
    expect(costOf(variable.res)?.requested).toBe(costOf(literal.res)?.requested);
    expect(costOf(literal.res)?.requested).toBe(4 + 3);
    // A literal bomb is refused like the variable one, with the same estimate.
    const literalBomb = await counted(t, BOMB.replace('($n: Int)', '').replace(/\$n/g, '100'));
    const variableBomb = await counted(t, BOMB, { n: 100 });
    expect(literalBomb.res.errors?.[0]?.extensions?.cost).toEqual(variableBomb.res.errors?.[0]?.extensions?.cost);
    expect(literalBomb.calls + variableBomb.calls).toBe(0);
  });

  it('one document sent again with other variables is estimated for those: a small page runs, the bomb after it is refused', async () => {
    const page = 'query($n: Int) { backups(first: $n) { nodes { id resource { name } } } }';
    const requested = [];
    for (const n of [3, 5, 3]) {
      const { res } = await counted(t, page, { n });
      expect(res.errors).toBeUndefined();
      requested.push(costOf(res)?.requested);
    }
    expect(requested).toEqual([4 + 3, 4 + 5, 4 + 3]);
    const small = await counted(t, BOMB, { n: 1 });
    expect(small.res.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('COST_LIMIT_EXCEEDED');
    const bomb = await counted(t, BOMB, { n: 100 });
    expect(bomb.res.errors?.map((e) => e.extensions?.code)).toEqual(['COST_LIMIT_EXCEEDED']);
    expect(bomb.calls).toBe(0);
    expect(costOf(small.res)?.requested).toBeLessThan(costOf(bomb.res)!.requested!);
  });
});

describe('the complexity limit refuses wide documents that make no upstream call', () => {
  const ofTypes = (levels: number) => `__type(name: "Query") { ${'ofType { '.repeat(levels)}name${' }'.repeat(levels)} }`;

  it('60 deep __type lookups: COST_LIMIT_EXCEEDED with the complexity, while GraphiQL-style __schema introspection runs', async () => {
    const { res } = await counted(t, `{ ${`${ofTypes(10)} `.repeat(60)}}`, undefined, GRAPHQL_RESPONSE);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: { requested: 0, complexity: 25710, complexityLimit: DEFAULT_MAX_COMPLEXITY } });
    const schema = await t.gql('{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }', undefined, GRAPHQL_RESPONSE);
    expect(schema.status).toBe(200);
    expect(schema.data.__schema.types.length).toBeGreaterThan(50);
  });

  it('three nested lists of the default page size are refused whether first is absent, a variable or a literal', async () => {
    const q = (first: string) => `query${first.includes('$n') ? '($n: Int)' : ''} { organizations${first} { nodes { resources${first} { nodes { backups${first} { nodes { id name } } } } } } }`;
    const figures = [];
    for (const [query, vars] of [[q(''), undefined], [q('(first: $n)'), { n: 20 }], [q('(first: 20)'), undefined]] as const) {
      const { res, calls } = await counted(t, query, vars);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['COST_LIMIT_EXCEEDED']);
      expect(calls).toBe(0);
      figures.push(res.errors![0].extensions!.cost);
    }
    expect(figures[1]).toEqual(figures[0]);
    expect(figures[2]).toEqual(figures[0]);
  });
});

describe('extensions.cost on every response', () => {
  it('a normal query: upstreamCalls is what the simulators counted, within the estimate', async () => {
    const { res, calls } = await counted(t, DASHBOARD_QUERY);
    expect(res.errors).toBeUndefined();
    const cost = costOf(res)!;
    expect(cost).toEqual({ requested: 39, limit: DEFAULT_MAX_COST, upstreamCalls: calls, upstreamCallLimit: DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST });
    expect(calls).toBeGreaterThan(0);
    // Newest-first lists merged from several upstream lists (oCore per project and environment,
    // Norcube restores per data source) read each of them: more than the estimate's one call per
    // provider and page, within the per-request budget (README "Pagination", cost).
    expect(calls).toBeLessThanOrEqual(DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST);
  });

  it('a query with no upstream call says 0', async () => {
    const { res, calls } = await counted(t, '{ providers { id kind } }');
    expect(costOf(res)).toEqual({ requested: 0, limit: DEFAULT_MAX_COST, upstreamCalls: 0, upstreamCallLimit: DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST });
    expect(calls).toBe(0);
  });

  it('a mutation carries it too (here refused by its provider before a write, still costed)', async () => {
    const { res, calls } = await counted(t, 'mutation($i: AlertActionInput!) { dismissAlert(input: $i) { alert { id } userErrors { code } } }', { i: { alertId: 'not-a-global-id' } });
    expect(res.data.dismissAlert.userErrors).toEqual([{ code: 'BAD_USER_INPUT' }]);
    expect(costOf(res)).toMatchObject({ requested: expect.any(Number), upstreamCalls: calls });
  });

  it('a subscription carries it on each event', async () => {
    const list = await t.gql('{ backups(first: 1, filter: { providers: ["ocore"], status: [AVAILABLE] }) { nodes { id } } }');
    const id = list.data.backups.nodes[0].id;
    const client = sseClient(t.url, 'distinct');
    const costs = await new Promise<unknown[]>((resolve, reject) => {
      const seen: unknown[] = [];
      client.subscribe(
        { query: 'subscription($id: ID!) { backupProgress(backupId: $id) { done } }', variables: { id } },
        { next: (r) => void seen.push((r.extensions as { cost?: unknown } | undefined)?.cost), error: reject, complete: () => resolve(seen) },
      );
    });
    client.dispose();
    expect(costs.length).toBeGreaterThan(0);
    for (const c of costs) expect(c).toMatchObject({ requested: 1, limit: DEFAULT_MAX_COST, upstreamCallLimit: DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST, upstreamCalls: expect.any(Number) });
  });
});

describe('the upstream call budget stops what the estimate let through', () => {
  let small: TGateway;
  const BUDGET = 2;
  beforeAll(async () => {
    small = await tgateway({ gateway: { maxUpstreamCallsPerRequest: BUDGET } });
  });
  afterAll(() => small.close());

  it('a list over four providers with a budget of 2: the providers fetched in budget keep their items, the others are COST_LIMIT_EXCEEDED', async () => {
    const { res, calls, unexpectedLogs } = await counted(small, '{ jobs(first: 8) { nodes { id provider { id } } } }', undefined, GRAPHQL_RESPONSE);
    expect(res.status).toBe(200);
    expect(calls).toBeLessThanOrEqual(BUDGET);
    // Items of the providers answered in budget (a provider may also have items from a first round
    // and an error from a later one, when another provider ran out and handed it its share).
    const withItems = new Set(res.data.jobs.nodes.map((n: { provider: { id: string } }) => n.provider.id));
    expect(withItems.size).toBeGreaterThan(0);
    expect(res.errors?.length).toBeGreaterThan(0);
    const refused = new Set<string>();
    for (const e of res.errors!) {
      expect(e.extensions).toMatchObject({ code: 'COST_LIMIT_EXCEEDED', cost: { upstreamCalls: BUDGET, upstreamCallLimit: BUDGET }, provider: expect.any(String) });
      expect(e.path).toEqual(['jobs']);
      refused.add(e.extensions!.provider);
    }
    // Every provider listing jobs either answered in budget or was refused; with 4 providers and 2 calls, some were refused.
    expect(refused.size).toBeGreaterThanOrEqual(1);
    expect([...refused].some((p) => !withItems.has(p))).toBe(true);
    expect(costOf(res)).toMatchObject({ upstreamCalls: BUDGET, upstreamCallLimit: BUDGET });
    expect(unexpectedLogs).toEqual([]);
  });

  it('nested lookups past the budget are field errors with the figures, never INTERNAL_SERVER_ERROR, and no call leaves past it', async () => {
    // Bocada's job list is one upstream call a page: the nested lookups and lists are what overflow.
    const { res, calls, unexpectedLogs } = await counted(small, '{ jobs(first: 12, filter: { providers: ["bocada"] }) { nodes { id resource { name jobs(first: 2) { nodes { id } } } } } }');
    expect(calls).toBeLessThanOrEqual(BUDGET);
    expect(res.data.jobs.nodes.length).toBeGreaterThan(0);
    const codes = new Set(res.errors?.map((e) => e.extensions?.code));
    expect([...codes]).toEqual(['COST_LIMIT_EXCEEDED']);
    for (const e of res.errors!) expect(e.extensions?.cost).toEqual({ upstreamCalls: BUDGET, upstreamCallLimit: BUDGET });
    expect(costOf(res)?.upstreamCalls).toBe(BUDGET);
    expect(unexpectedLogs).toEqual([]);
  });

  it('a request within the budget is untouched', async () => {
    const { res, calls } = await counted(small, '{ jobs(first: 2, filter: { providers: ["bocada"] }) { nodes { id } } }');
    expect(res.errors).toBeUndefined();
    expect(costOf(res)).toMatchObject({ upstreamCalls: calls, upstreamCallLimit: BUDGET });
  });
});

describe('the budget is per request and configurable', () => {
  it('a gateway with larger cost limits runs the bomb, and the budget still caps what it sends', async () => {
    const g = await tgateway({ gateway: { maxCost: 10_000_000, maxComplexity: 1e15, maxUpstreamCallsPerRequest: 25 } });
    try {
      const { res, calls } = await counted(g, BOMB, { n: 100 });
      expect(calls).toBeLessThanOrEqual(25);
      expect(res.errors?.some((e) => e.extensions?.code === 'COST_LIMIT_EXCEEDED')).toBe(true);
      expect(res.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')).toBe(false);
      expect(costOf(res)).toMatchObject({ requested: 4 + 100 + 100 * 100 * 2 + 2 * 100 * 100 * 100, limit: 10_000_000, upstreamCalls: 25, upstreamCallLimit: 25 });
      // The next request has a fresh budget.
      const next = await counted(g, '{ providers { health { status } } }');
      expect(next.res.data.providers.map((p: { health: { status: string } }) => p.health.status)).toEqual(['UP', 'UP', 'UP', 'UP']);
      expect(costOf(next.res)?.upstreamCalls).toBe(next.calls);
    } finally {
      await g.close();
    }
  });
});
