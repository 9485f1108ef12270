/**
 * A probe of a dashboard document (not a benchmark: no added latency, everything in one process):
 * the simulators and a gateway at one scale, the document run `--runs` times, each run's upstream
 * calls printed per provider and route beside what bench/dashboard-plan.ts plans (the first run
 * against the whole plan, later runs against the plan with the reference data cached).
 *
 *   node --import tsx bench/dashboard-probe.ts [--scale N] [--file doc.graphql] [--runs N] [--print]
 *
 * Environment: PROBE_BUDGET (the per-request call budget, default 200), PROBE_TTL (the reference
 * cache's TTL in ms, default 0: off), PROBE_LOG=1|<kind> (every upstream request), PROBE_FACTS=1.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createGateway } from '../src/server/gateway.ts';
import { startAllSimulators } from '../src/simulators/start-all.ts';
import { analyzeDashboard, gatherPlanFacts, minimalPlan } from './dashboard-plan.ts';

const { values } = parseArgs({ options: { scale: { type: 'string' }, file: { type: 'string' }, runs: { type: 'string' }, print: { type: 'boolean' } } });
const query = values.file ? readFileSync(values.file, 'utf8') : (await import('../src/server/graphiql.ts')).DASHBOARD_QUERY;
const sims = await startAllSimulators({ scheduleEveryMs: 0, scale: Number(values.scale ?? 10) });
for (const s of sims.list) s.simulator.setRateLimit({ limit: 1_000_000_000, windowMs: 60_000 });
const gateway = createGateway({ maxUpstreamCallsPerRequest: Number(process.env.PROBE_BUDGET ?? 200), providers: sims.list.map((s) => ({ ...s.provider, referenceTtlMs: Number(process.env.PROBE_TTL ?? 0), upstream: { ...s.provider.upstream, rateLimit: 'none' } })), logger: pino({ level: 'warn' }) });
const { url } = await gateway.listen(0);
const document = analyzeDashboard(query);
if (document.unplanned.length) console.log('unplanned:', document.unplanned);
const facts = await gatherPlanFacts(sims.list.map((s) => ({ kind: s.kind as 'bocada', baseUrl: s.simulator.url, credential: s.simulator.credential })), document);
const plan = minimalPlan(document, facts);
if (process.env.PROBE_FACTS) console.log(JSON.stringify(facts, null, 1));
try {
  for (let run = 0; run < Number(values.runs ?? 1); run++) {
    for (const s of sims.list) s.simulator.resetStats();
    const t0 = performance.now();
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = await res.json();
    const ms = Math.round(performance.now() - t0);
    console.log(`run ${run}: HTTP ${res.status} in ${ms} ms, errors: ${JSON.stringify((body.errors ?? []).map((e: any) => [e.extensions?.code, e.message.slice(0, 120), e.path?.join('.')]))}`);
    let total = 0;
    const totals = run === 0 ? plan.backupRuns : plan.warm;
    for (const s of sims.list) {
      const byRoute = s.simulator.stats.byRoute as Record<string, number>;
      const keys = [...new Set([...Object.keys(byRoute), ...Object.keys(totals.byRoute).filter((k) => k.startsWith(`${s.kind} `)).map((k) => k.slice(s.kind.length + 1))])].sort();
      const n = keys.reduce((a, k) => a + (byRoute[k] ?? 0), 0);
      total += n;
      console.log(`  ${s.kind} ${n} / plan ${totals.byProvider[s.kind] ?? 0}`);
      for (const k of keys) console.log(`    ${String(byRoute[k] ?? 0).padStart(5)} / ${String(totals.byRoute[`${s.kind} ${k}`] ?? 0).padStart(5)} ${k}`);
    }
    console.log(`  total ${total} / plan ${totals.total} (${run === 0 ? 'cold' : 'warm'}), trips ${totals.trips}`);
    if (process.env.PROBE_LOG) {
      for (const s of sims.list) {
        if (process.env.PROBE_LOG !== '1' && process.env.PROBE_LOG !== s.kind) continue;
        for (const r of s.simulator.stats.requests) console.log(`    ${s.kind} ${r.method} ${r.path}?${r.query}`);
      }
    }
    if (values.print) console.log(JSON.stringify(body.data, null, 1).slice(0, 6000));
  }
} finally {
  await gateway.close();
  await sims.close();
}
