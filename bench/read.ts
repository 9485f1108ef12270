/**
 * Benchmark: the GraphiQL dashboard query (all four providers) under concurrent load, with the
 * upstream calls it costs per request.
 */
import autocannon from 'autocannon';
import pino from 'pino';
import { createGateway } from '../src/server/gateway.ts';
import { DASHBOARD_QUERY } from '../src/server/graphiql.ts';
import { startAllSimulators } from '../src/simulators/start-all.ts';

/** Runs the scenario and returns its figures. */
export async function readScenario() {
  const sims = await startAllSimulators({ scheduleEveryMs: 0, scale: 10 });
  for (const s of sims.list) s.simulator.setRateLimit({ limit: 10_000_000, windowMs: 60_000 });
  const gateway = createGateway({ providers: sims.list.map((s) => ({ ...s.provider, upstream: { ...s.provider.upstream, rateLimit: 'none' as const } })), logger: pino({ level: 'warn' }) });
  const { url } = await gateway.listen(0);
  try {
    const upstreamTotal = () => sims.list.reduce((n, s) => n + s.simulator.stats.total, 0);
    const before = upstreamTotal();
    const result = await autocannon({
      url: `${url}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: DASHBOARD_QUERY }),
      connections: 10,
      duration: 10,
    });
    const requests = result.requests.total;
    return {
      requests,
      non2xx: result.non2xx,
      requestsPerSec: Math.round(result.requests.average),
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      upstreamCallsPerRequest: Math.round(((upstreamTotal() - before) / Math.max(1, requests)) * 10) / 10,
    };
  } finally {
    await gateway.close();
    await sims.close();
  }
}
