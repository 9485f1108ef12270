/**
 * The dashboard scenario: the document GraphiQL opens with (read at run time from
 * src/server/graphiql.ts), through the gateway in its own process (`backup-graph serve --config`),
 * over the four simulators in another (bench/sims.ts) with a fixed latency added to every upstream
 * call, at two data scales, under a closed loop of a few clients (so p50 shows the critical path,
 * and every upstream call counted belongs to an answered request). Figures: upstream calls per request by provider and route (the
 * simulators count them), p50/p99, CPU ms per request of the gateway process; compared with the
 * minimal plan of bench/dashboard-plan.ts: calls / minimal, and p50 / floor where the floor is the
 * plan's sequential trips × the added latency.
 *
 * The gateway runs with the product's defaults but for its per-request call budget, raised to
 * {@link DASHBOARD_CALL_BUDGET}: the document's protection summary reads every resource and its
 * evidence, thousands of calls at scale 100 (the default budget of 200 covers it at the demo's
 * scale). Its reference cache is on (`cache.referenceTtlMs`, 5 s by default), so requests after the
 * first find oCore projects, environments and schedules, Norcube data sources and Bocada resources
 * cached: the figures compare with the plan of one request on its own (`minimal`, what the first
 * request is checked against route by route) and with the plan of a request that finds the
 * reference data cached (`warm`). Protection evidence is kept too (`cache.evidenceTtlMs`, 5 s by
 * default): a request that finds it reads fewer calls than even the warm plan, which counts every
 * evidence read; `BENCH_EVIDENCE_TTL_MS=0` measures without it.
 */
import { RESTORE_SCAN_ROUTES, analyzeDashboard, gatherPlanFacts, minimalPlan, type MinimalPlan, type PlanTotals } from './dashboard-plan.ts';
import { startGateway } from './lib/gateway.ts';
import { postJson, runClosedLoop, type LoadFigures } from './lib/load.ts';
import { cpuMs, round } from './lib/proc.ts';
import { startSims } from './sims.ts';

/** The per-request upstream call budget of the gateway under test (`limits.maxUpstreamCallsPerRequest`). */
export const DASHBOARD_CALL_BUDGET = 20_000;

/** Options of {@link dashboardScenario}. */
export interface DashboardOptions {
  /** Data scales (simulator `scale`). @default [10, 100] */
  scales?: number[];
  /** Added latency of every upstream call, ms. @default 20 */
  latencyMs?: number;
  /** Measured window per scale, s. @default 10 */
  durationS?: number;
  /** Unmeasured load per scale before the window, s. @default 2 */
  warmupS?: number;
  /** Concurrent clients: few, so p50 measures the critical path, not queueing. @default 4 */
  connections?: number;
  logLevel?: string;
  log?: (line: string) => void;
}

/** One provider route: what the gateway called per request and what the plan needs. */
export interface RouteFigure {
  provider: string;
  route: string;
  perRequest: number;
  minimal: number;
}

/** The figures of one scale. */
export interface DashboardScaleFigures extends Omit<LoadFigures, 'cpuMs'> {
  scale: number;
  latencyMs: number;
  connections: number;
  /** CPU the simulators' process spent per request, ms: the share of the 2 cores the test bed took from the gateway. */
  simsCpuMsPerRequest: number;
  /** Upstream calls per request, all providers. */
  upstreamCallsPerRequest: number;
  byProvider: Record<string, { perRequest: number; minimal: number }>;
  routes: RouteFigure[];
  /** The gateway's own count of its first answer (`extensions.cost.upstreamCalls`), without load. */
  upstreamCallsOfOneRequest: number | null;
  /** Routes where the first request (nothing cached) called other than the plan: `provider route` -> [called, planned]. */
  firstRequestDifferences: Record<string, [number, number]>;
  /** The plan of a request that finds the reference data cached. */
  warm: PlanTotals;
  /** upstreamCallsPerRequest / warm.total. */
  callsOverWarm: number;
  /** warm.trips × latencyMs. */
  warmFloorP50Ms: number;
  /** p50 / warmFloorP50Ms. */
  p50OverWarmFloor: number;
  /** Error codes of that first answer (none: a complete answer). */
  errorCodes: string[];
  plan: MinimalPlan;
  /** Which totals of the plan the figures compare with: the gateway read restore lists (`withRestoreScan`) or not (`backupRuns`). */
  comparedWith: 'backupRuns' | 'withRestoreScan';
  minimal: PlanTotals;
  /** upstreamCallsPerRequest / minimal.total (target ≤ 1.2). */
  callsOverMinimal: number;
  /** minimal.trips × latencyMs. */
  floorP50Ms: number;
  /** p50 / floorP50Ms (target ≤ 1.5). */
  p50OverFloor: number;
}

/** Runs the dashboard at each scale; resolves with the figures. */
export async function dashboardScenario(options: DashboardOptions = {}): Promise<DashboardScaleFigures[]> {
  const { scales = [10, 100], latencyMs = 20, durationS = 10, warmupS = 2, connections = 4, logLevel = 'warn', log = console.log } = options;
  // Read now, not copied: another change may give GraphiQL another document.
  const { DASHBOARD_QUERY } = await import('../src/server/graphiql.ts');
  const document = analyzeDashboard(DASHBOARD_QUERY);
  if (document.unplanned.length > 0) log(`  WARNING: bench/dashboard-plan.ts has no rule for ${document.unplanned.join(', ')}: the minimal plan leaves them out`);
  const body = JSON.stringify({ query: DASHBOARD_QUERY });
  const out: DashboardScaleFigures[] = [];
  for (const scale of scales) {
    const sims = await startSims({ scale });
    try {
      const facts = await gatherPlanFacts(sims.providers, document);
      const plan = minimalPlan(document, facts);
      // BENCH_CPU_PROF=<dir>: a CPU profile of the gateway process per scale (to see where its time goes).
      const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
      const gateway = await startGateway({ name: `dashboard-gateway-${scale}`, providers: sims.providers, logLevel, nodeArgs: prof, config: {
        limits: { maxUpstreamCallsPerRequest: DASHBOARD_CALL_BUDGET },
        // BENCH_REFERENCE_TTL_MS / BENCH_EVIDENCE_TTL_MS: the gateway's `cache.referenceTtlMs` / `cache.evidenceTtlMs` (default: the product's).
        cache: {
          ...(process.env.BENCH_REFERENCE_TTL_MS ? { referenceTtlMs: Number(process.env.BENCH_REFERENCE_TTL_MS) } : {}),
          ...(process.env.BENCH_EVIDENCE_TTL_MS ? { evidenceTtlMs: Number(process.env.BENCH_EVIDENCE_TTL_MS) } : {}),
        },
      } });
      try {
        await sims.setLatency(latencyMs);
        await sims.resetStats();
        const first = await postJson(gateway.graphql, body);
        const firstCounts = await sims.stats();
        const firstRequestDifferences: Record<string, [number, number]> = {};
        const planned = plan.backupRuns.byRoute;
        for (const key of new Set([...Object.entries(firstCounts).flatMap(([p, r]) => Object.keys(r).map((k) => `${p} ${k}`)), ...Object.keys(planned)])) {
          const [provider, ...route] = key.split(' ');
          const called = firstCounts[provider]?.[route.join(' ')] ?? 0;
          if (called !== (planned[key] ?? 0)) firstRequestDifferences[key] = [called, planned[key] ?? 0];
        }
        const errorCodes: string[] = [...new Set<string>((first.errors ?? []).map((e: any) => e.extensions?.code ?? 'NO_CODE'))];
        if (errorCodes.length) log(`  scale ${scale}: the dashboard answered with errors ${errorCodes.join(', ')}: ${JSON.stringify(first.errors[0]).slice(0, 300)}`);
        await runClosedLoop({ url: gateway.graphql, body, connections, durationS: warmupS });
        await sims.resetStats();
        const simsCpuBefore = cpuMs(sims.pid);
        const f = await runClosedLoop({ url: gateway.graphql, body, connections, durationS, pid: gateway.pid });
        const simsCpuMsPerRequest = round((cpuMs(sims.pid) - simsCpuBefore) / Math.max(1, f.requests), 1);
        const counts = await sims.stats();
        const per = (n: number) => round(n / Math.max(1, f.requests), 2);
        const scanned = RESTORE_SCAN_ROUTES.some((key) => {
          const [provider, ...route] = key.split(' ');
          return (counts[provider]?.[route.join(' ')] ?? 0) > 0;
        });
        const comparedWith = scanned ? 'withRestoreScan' as const : 'backupRuns' as const;
        const minimal = plan[comparedWith];
        const routes: RouteFigure[] = [];
        const keys = new Set([...Object.entries(counts).flatMap(([p, r]) => Object.keys(r).map((k) => `${p} ${k}`)), ...Object.keys(minimal.byRoute)]);
        for (const key of [...keys].sort()) {
          const [provider, ...rest] = key.split(' ');
          const route = rest.join(' ');
          routes.push({ provider, route, perRequest: per(counts[provider]?.[route] ?? 0), minimal: minimal.byRoute[key] ?? 0 });
        }
        const byProvider: DashboardScaleFigures['byProvider'] = {};
        for (const r of routes) {
          const p = (byProvider[r.provider] ??= { perRequest: 0, minimal: 0 });
          p.perRequest = round(p.perRequest + r.perRequest, 2);
          p.minimal += r.minimal;
        }
        const total = routes.reduce((n, r) => n + r.perRequest, 0);
        const floorP50Ms = minimal.trips * latencyMs;
        const warmFloorP50Ms = plan.warm.trips * latencyMs;
        const { cpuMs: _cpu, ...load } = f;
        out.push({
          scale, latencyMs, connections, ...load,
          simsCpuMsPerRequest,
          upstreamCallsPerRequest: round(total, 1),
          byProvider,
          routes,
          upstreamCallsOfOneRequest: first.extensions?.cost?.upstreamCalls ?? null,
          firstRequestDifferences,
          warm: plan.warm,
          callsOverWarm: round(total / Math.max(1, plan.warm.total), 2),
          warmFloorP50Ms,
          p50OverWarmFloor: round(f.p50Ms / Math.max(1, warmFloorP50Ms), 2),
          errorCodes,
          plan,
          comparedWith,
          minimal,
          callsOverMinimal: round(total / minimal.total, 2),
          floorP50Ms,
          p50OverFloor: round(f.p50Ms / floorP50Ms, 2),
        });
        log(`  scale ${scale}: ${f.requests} requests, p50 ${f.p50Ms} ms (floor ${floorP50Ms}), ${round(total, 1)} upstream calls/request (minimal ${minimal.total}${scanned ? ' with the restore-job scan' : ''}, ${minimal.trips} trips), ${f.cpuMsPerRequest} CPU ms/request (the simulators ${simsCpuMsPerRequest})`);
        const diffs = Object.entries(firstRequestDifferences);
        log(`  scale ${scale}: the first request (nothing cached) called ${diffs.length === 0 ? `exactly the plan, ${minimal.total} calls` : `other than the plan on ${diffs.map(([k, [c, p]]) => `${k} ${c}/${p}`).join(', ')}`}`);
        log(`  scale ${scale}: with the reference data cached the plan is ${plan.warm.total} calls, ${plan.warm.trips} trips: calls ${round(total / Math.max(1, plan.warm.total), 2)}x, p50 ${round(f.p50Ms / Math.max(1, warmFloorP50Ms), 2)}x its floor ${warmFloorP50Ms} ms`);
      } finally {
        await gateway.stop();
      }
    } finally {
      await sims.stop();
    }
  }
  return out;
}
