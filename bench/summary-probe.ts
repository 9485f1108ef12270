/**
 * Where a dashboard's CPU goes, part by part: the gateway in its own process (from the build when
 * current) over the simulators in another, every cache off, and each part of the GraphiQL document
 * asked on its own, one request at a time: provider health, the failure counts and feeds, and the
 * protection summary of each provider (plus its first resource page, which for ByCloud derives
 * every resource from its whole backup list). Prints the gateway's least CPU ms over three rounds
 * (after one warm-up round; /proc ticks are 10 ms), the wall time and the upstream calls of each.
 *
 * `node --import tsx bench/summary-probe.ts [scale]` (default 100). `PROBE_ONLY=<regex>` asks only the
 * parts it matches; `BENCH_CPU_PROF=<dir>` writes the gateway's CPU profile there.
 */
import { startGateway } from './lib/gateway.ts';
import { postJson } from './lib/load.ts';
import { cpuMs } from './lib/proc.ts';
import { startSims } from './sims.ts';
import { DASHBOARD_CALL_BUDGET } from './dashboard.ts';

const scale = Number(process.argv[2] ?? 100);
const ROUNDS = 3;

const parts: Record<string, string> = {
  'providers': '{ providers { id health { status } } }',
  'jobStats FAILED': '{ jobStats(filter: { status: [FAILED] }) { total } }',
  'jobs FAILED': '{ jobs(first: 8, filter: { status: [FAILED] }) { nodes { name createdAt failureReason resource { name } } } }',
  'jobs': '{ jobs(first: 8) { nodes { name status createdAt resource { name } } } }',
};
for (const p of ['bocada', 'norcube', 'bycloud', 'ocore']) {
  parts[`resources ${p}`] = `{ resources(first: 100, filter: { providers: ["${p}"] }) { nodes { id } } }`;
  parts[`summary ${p}`] = `{ protectionSummary(filter: { providers: ["${p}"] }) { total { total } } }`;
}

const only = process.env.PROBE_ONLY ? new RegExp(process.env.PROBE_ONLY) : null;
for (const name of Object.keys(parts)) if (only && !only.test(name)) delete parts[name];

const sims = await startSims({ scale });
const gateway = await startGateway({
  name: `summary-probe-${scale}`, providers: sims.providers, logLevel: 'warn',
  nodeArgs: process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [],
  config: { limits: { maxUpstreamCallsPerRequest: DASHBOARD_CALL_BUDGET }, cache: { referenceTtlMs: 0, evidenceTtlMs: 0 } },
});
try {
  console.log(`summary probe: scale ${scale}, every cache off, least gateway CPU of ${ROUNDS} rounds`);
  const least: Record<string, { cpu: number; wallMs: number; calls: number; note: string }> = {};
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, query] of Object.entries(parts)) {
      await sims.resetStats();
      const cpu0 = cpuMs(gateway.pid);
      const t0 = performance.now();
      const answer = await postJson(gateway.graphql, JSON.stringify({ query }));
      const cpu = cpuMs(gateway.pid) - cpu0;
      const wallMs = performance.now() - t0;
      const calls = Object.values(await sims.stats()).flatMap((r) => Object.values(r)).reduce((a, b) => a + b, 0);
      const note = answer.errors ? `error: ${String(answer.errors[0]?.message).slice(0, 80)}` : answer.data?.protectionSummary ? `${answer.data.protectionSummary.total.total} resources` : '';
      if (round > 0 && cpu < (least[name]?.cpu ?? Infinity)) least[name] = { cpu, wallMs, calls, note };
    }
  }
  for (const [name, f] of Object.entries(least)) {
    console.log(`  ${name.padEnd(18)} ${String(Math.round(f.cpu)).padStart(6)} CPU ms  ${String(Math.round(f.wallMs)).padStart(6)} ms wall  ${String(f.calls).padStart(5)} calls  ${f.note}`);
  }
} finally {
  await gateway.stop();
  await sims.stop();
}
