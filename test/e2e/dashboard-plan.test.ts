/**
 * The dashboard (the document GraphiQL opens with) at its minimal upstream plan: at scale 10, one
 * request calls each provider, route by route, exactly what bench/dashboard-plan.ts says the
 * document needs (its rules applied to facts read from the simulators first), so a regression in
 * any adapter, loader or resolver on that path fails here; not timed. A second gateway, with the
 * reference cache on, calls that plan on its first request and the plan without the reference data
 * on its second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeDashboard, gatherPlanFacts, minimalPlan, type MinimalPlan, type PlanTotals } from '../../bench/dashboard-plan.ts';
import { DASHBOARD_QUERY } from '../../src/server/graphiql.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

const SCALE = 10;
/** The summary reads every resource and its evidence: more than the default 200 calls at this scale. */
const BUDGET = 5_000;

/** Calls per provider and route since the last reset, as the plan keys them (`<kind> <route>`). */
function calledByRoute(t: TGateway): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of t.sims.list) for (const [route, n] of Object.entries(s.simulator.stats.byRoute)) if (n > 0) out[`${s.kind} ${route}`] = n;
  return out;
}

/** The plan's lines of one provider, keyed as {@link calledByRoute}. */
const routesOf = (totals: PlanTotals, kind: string) => Object.fromEntries(Object.entries(totals.byRoute).filter(([k, n]) => k.startsWith(`${kind} `) && n > 0));
const calledOf = (called: Record<string, number>, kind: string) => Object.fromEntries(Object.entries(called).filter(([k]) => k.startsWith(`${kind} `)));

/** Runs the dashboard once: no errors, every provider in it. */
async function runDashboard(t: TGateway) {
  t.resetStats();
  const res = await t.gql(DASHBOARD_QUERY);
  expect(res.errors, JSON.stringify(res.errors?.slice(0, 3))).toBeUndefined();
  expect(res.data.protection.providers.map((p: any) => p.provider.id).sort()).toEqual(['bocada', 'bycloud', 'norcube', 'ocore']);
  return calledByRoute(t);
}

/** Facts read from `t`'s simulators, then the plan of the document over them (counters reset after). */
async function planOf(t: TGateway): Promise<MinimalPlan> {
  const document = analyzeDashboard(DASHBOARD_QUERY);
  expect(document.unplanned).toEqual([]);
  const facts = await gatherPlanFacts(t.sims.list.map((s) => ({ kind: s.kind as 'bocada', baseUrl: s.simulator.url, credential: s.simulator.credential })), document);
  t.resetStats();
  return minimalPlan(document, facts);
}

describe(`the dashboard at scale ${SCALE} calls its minimal plan`, () => {
  let t: TGateway;
  let plan: MinimalPlan;
  let called: Record<string, number>;
  beforeAll(async () => {
    t = await tgateway({ scale: SCALE, gateway: { maxUpstreamCallsPerRequest: BUDGET } });
    plan = await planOf(t);
    called = await runDashboard(t);
  }, 120_000);
  afterAll(() => t?.close());

  it.each(['bocada', 'norcube', 'bycloud', 'ocore'])('%s: every route as often as the plan says, no more, no less', (kind) => {
    expect(calledOf(called, kind)).toEqual(routesOf(plan.backupRuns, kind));
  });

  it('reads no restore list (the lists show backup runs) and the plan is the whole of it', () => {
    expect(plan.restoreScanCalls).toBe(0);
    expect(Object.values(called).reduce((a, b) => a + b, 0)).toBe(plan.backupRuns.total);
  });
});

describe(`the dashboard at scale ${SCALE} with the reference cache on`, () => {
  let t: TGateway;
  let plan: MinimalPlan;
  beforeAll(async () => {
    t = await tgateway({
      scale: SCALE, gateway: { maxUpstreamCallsPerRequest: BUDGET },
      providers: (ps) => ps.map((p) => ({ ...p, referenceTtlMs: 10 * 60_000 })),
    });
    plan = await planOf(t);
  }, 120_000);
  afterAll(() => t?.close());

  it('calls the whole plan first, then the plan without the reference data (projects, environments, schedules, data sources, Bocada resources)', async () => {
    const first = await runDashboard(t);
    const second = await runDashboard(t);
    for (const kind of ['bocada', 'norcube', 'bycloud', 'ocore']) {
      expect({ kind, first: calledOf(first, kind) }).toEqual({ kind, first: routesOf(plan.backupRuns, kind) });
      expect({ kind, second: calledOf(second, kind) }).toEqual({ kind, second: routesOf(plan.warm, kind) });
    }
    expect(plan.warm.total).toBeLessThan(plan.backupRuns.total);
  }, 120_000);
});
