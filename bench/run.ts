/**
 * `npm run bench`: the benchmark scenarios; prints one table and writes bench/results/latest.json
 * (with the machine it ran on). Every server under test runs in a process of its own; the load
 * generator runs here.
 *
 *   npm run bench                      listing, dashboard, startup, fanout (about 3-4 minutes)
 *   npm run bench -- listing           one scenario: listing | dashboard | startup | fanout | soak | replicas
 *
 * Flags (durations as `10`, `10s`, `500ms`, `3m`):
 *   --duration D          listing: one measured round per server (10s); soak: the soak (3m)
 *   --warmup D            listing: unmeasured load per server first (3s); soak: the warm-up (60s)
 *   --rounds N            listing: rounds per server, alternating A B C A B C (2)
 *   --connections N       listing: autocannon connections (20)
 *   --latency-ms N        listing: added upstream latency of the Norcube fake (0)
 *   --no-hive             listing: without the Hive Gateway peer
 *   --dashboard-duration D, --dashboard-warmup D     dashboard: measured window (10s) and warm-up (2s) per scale
 *   --dashboard-latency-ms N                         dashboard: added latency of every upstream call (20)
 *   --dashboard-connections N                        dashboard: concurrent clients (4)
 *   --scales A,B          dashboard: simulator scales (10,100)
 *   --startup-runs N      startup: starts measured (3)
 *   --subscribers A,B,C   fanout: subscriber counts (1,100,1000)
 *   --step-ms N           fanout: the simulators' time between two events (1500)
 *   --log-level L         LOG_LEVEL of the gateway under test (warn; `info` adds the access log)
 *
 * soak and replicas run only when named; soak writes its RSS series to bench/results/soak.json and
 * exits non-zero when RSS did not level off; replicas needs Redis (TEST_REDIS_URL, default
 * 127.0.0.1:6379). latest.json keeps the figures of scenarios not run this time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dashboardScenario } from './dashboard.ts';
import { fanoutFloorRound, fanoutScenarioRound } from './fanout.ts';
import { listingScenario } from './listing.ts';
import { round } from './lib/proc.ts';
import { formatReplicasFigures, replicasScenario } from './replicas.ts';
import { soakScenario } from './soak.ts';
import { startupScenario } from './startup.ts';

const SCENARIOS = ['listing', 'dashboard', 'startup', 'fanout', 'soak', 'replicas'] as const;
const DEFAULT = ['listing', 'dashboard', 'startup', 'fanout'];
const args = process.argv.slice(2);
const VALUED = new Set(['duration', 'warmup', 'rounds', 'connections', 'latency-ms', 'dashboard-duration', 'dashboard-warmup', 'dashboard-latency-ms', 'dashboard-connections', 'scales', 'startup-runs', 'subscribers', 'step-ms', 'log-level']);
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && VALUED.has(args[i - 1].slice(2))));
const requested = positional[0] ?? 'all';
// `read` was the dashboard's name before it moved to its own processes.
const chosen = requested === 'all' ? DEFAULT : [requested === 'read' ? 'dashboard' : requested];
if (!chosen.every((c) => (SCENARIOS as readonly string[]).includes(c))) {
  console.error(`unknown scenario "${requested}": one of all, ${SCENARIOS.join(', ')}`);
  process.exit(2);
}

/** The raw value of `--name value` or `--name=value`. */
function raw(name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
}
/** `--name` as ms: `180`/`180s` seconds, `3m` minutes, `500ms`. */
function durationMs(name: string): number | undefined {
  const v = raw(name);
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v);
  if (!m) throw new Error(`--${name}: expected a duration like 10s or 3m, got ${v}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm'];
}
const seconds = (name: string) => {
  const ms = durationMs(name);
  return ms === undefined ? undefined : ms / 1000;
};
function int(name: string): number | undefined {
  const v = raw(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name}: expected a whole number, got ${v}`);
  return Number(v);
}
const ints = (name: string) => raw(name)?.split(',').map((x) => Number(x.trim()));
const logLevel = raw('log-level') ?? 'warn';

const machine = { cpuModel: cpus()[0]?.model ?? 'unknown', cpuCount: cpus().length, memoryGb: round(totalmem() / 2 ** 30, 0), node: process.version, platform: `${process.platform}-${process.arch}` };
const results: Record<string, unknown> = { machine, at: new Date().toISOString() };
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
let exitCode = 0;

/** One row of the printed table. */
interface Row { key: string; scenario: string; subject: string; rps?: number; p50Ms?: number; p99Ms?: number; cpuMsPerReq?: number; upstreamPerReq?: number; notes: string }
const rows: Row[] = [];
const started = Date.now();
console.log(`Backup Graph bench on ${machine.cpuCount} x ${machine.cpuModel}, Node ${machine.node}: ${chosen.join(', ')}`);

if (chosen.includes('listing')) {
  const latencyMs = int('latency-ms') ?? 0;
  console.log(`\nlisting: the Norcube listing of 20 through Backup Graph, Hive Gateway and a hand-written floor over one upstream fake (+${latencyMs} ms), ${int('connections') ?? 20} connections`);
  const f = await listingScenario({ durationS: seconds('duration'), warmupS: seconds('warmup'), rounds: int('rounds'), connections: int('connections'), latencyMs, withoutHive: args.includes('--no-hive'), logLevel });
  results.listing = f;
  for (const s of f.servers) {
    const notes = s.server === 'ours'
      ? `rps ${f.rpsOursOverHive ?? '-'}x Hive (target >= 3); CPU ${f.cpuOursOverFloor}x floor (target <= 2.5)`
      : s.server === 'floor' ? `same answer as ours: ${f.floorAnswersIdentically ? 'yes' : 'NO'}` : 'GraphQL Mesh OpenAPI source over the spec';
    rows.push({ key: 'listing', scenario: 'listing', subject: s.server === 'ours' ? 'Backup Graph' : s.server === 'hive' ? 'Hive Gateway' : 'floor', rps: s.rps, p50Ms: s.p50Ms, p99Ms: s.p99Ms, cpuMsPerReq: s.cpuMsPerRequest, upstreamPerReq: s.upstreamCallsPerRequest, notes: `${notes}${s.non2xx || s.errors ? `; non-2xx ${s.non2xx}, errors ${s.errors}` : ''}` });
  }
}
if (chosen.includes('dashboard')) {
  const latencyMs = int('dashboard-latency-ms') ?? 20;
  console.log(`\ndashboard: the GraphiQL document, +${latencyMs} ms per upstream call, ${int('dashboard-connections') ?? 4} clients`);
  const figures = await dashboardScenario({ scales: ints('scales'), latencyMs, durationS: seconds('dashboard-duration'), warmupS: seconds('dashboard-warmup'), connections: int('dashboard-connections'), logLevel });
  results.dashboard = figures;
  for (const d of figures) {
    console.log(`  scale ${d.scale}, per provider (measured / minimal): ${Object.entries(d.byProvider).map(([p, v]) => `${p} ${v.perRequest}/${v.minimal}`).join(', ')}`);
    for (const r of d.routes) if (r.perRequest > 0 || r.minimal > 0) console.log(`    ${r.provider.padEnd(8)} ${r.route.padEnd(52)} ${String(r.perRequest).padStart(7)} / ${r.minimal}`);
    const none = d.requests === 0;
    rows.push({
      key: 'dashboard', scenario: `dashboard x${d.scale}`, subject: 'Backup Graph', rps: d.rps, p50Ms: none ? undefined : d.p50Ms, p99Ms: none ? undefined : d.p99Ms, cpuMsPerReq: none ? undefined : d.cpuMsPerRequest, upstreamPerReq: none ? undefined : d.upstreamCallsPerRequest,
      notes: `${none ? `no answer completed within the window (raise --dashboard-duration); minimal ${d.minimal.total} calls, ${d.minimal.trips} trips` : `calls ${d.callsOverMinimal}x minimal ${d.minimal.total}${d.comparedWith === 'withRestoreScan' ? ' (with the restore-job scan)' : ''} (target <= 1.2); p50 ${d.p50OverFloor}x floor ${d.floorP50Ms} ms = ${d.minimal.trips} trips (target <= 1.5)`}${d.errorCodes.length ? `; ERRORS ${d.errorCodes.join(',')}` : ''}`,
    });
  }
}
if (chosen.includes('startup')) {
  console.log('\nstartup: spawn -> ready, first answer, idle RSS');
  const s = await startupScenario({ runs: int('startup-runs') });
  results.startup = s;
  rows.push({ key: 'startup', scenario: 'startup', subject: `from ${s.mode}`, notes: `ready ${s.readyMs} ms, first answer ${s.firstQueryMs} ms, idle RSS ${s.rssIdleMb} MB (median of ${s.runs})${s.note ? `; ${s.note}` : ''}` });
}
if (chosen.includes('fanout')) {
  const counts = ints('subscribers') ?? [1, 100, 1000];
  const stepMs = int('step-ms') ?? 1500;
  console.log(`\nfan-out: one oCore backup (an event every ${stepMs} ms), N graphql-sse subscribers`);
  const rounds = [];
  for (const n of counts) {
    const r = await fanoutScenarioRound(n, stepMs, console.log, logLevel);
    rounds.push(r);
    console.log(`  ${n} subscribers: relay p50 ${r.relayLatencyP50Ms} ms, p99 ${r.relayLatencyP99Ms} ms over ${r.liveEventsMeasured} events, ${r.memoryPerSubscriberKiB} KiB heap per subscriber, ${r.upstreamStreamsOpened} upstream stream(s), joined in ${r.joinMs} ms`);
    rows.push({ key: 'fanout', scenario: 'fan-out', subject: `${n} subscriber${n === 1 ? '' : 's'}`, p50Ms: r.relayLatencyP50Ms, p99Ms: r.relayLatencyP99Ms, notes: `relay latency; ${r.memoryPerSubscriberKiB} KiB heap/subscriber; ${r.upstreamStreamsOpened} upstream stream(s), ${r.upstreamStreamsOpenAfter} left open${n === 1000 ? ' (target p99 <= 20 ms, <= 20 KiB)' : ''}` });
  }
  // The floor at the largest count: bare node:http writing one prebuilt frame to every response.
  const most = Math.max(...counts);
  const floor = await fanoutFloorRound(most, stepMs);
  console.log(`  floor, ${most} subscribers (node:http, one prebuilt frame): p50 ${floor.relayLatencyP50Ms} ms, p99 ${floor.relayLatencyP99Ms} ms over ${floor.liveEventsMeasured} events, ${floor.memoryPerSubscriberKiB} KiB heap per subscriber`);
  rows.push({ key: 'fanout', scenario: 'fan-out', subject: `floor, ${most}`, p50Ms: floor.relayLatencyP50Ms, p99Ms: floor.relayLatencyP99Ms, notes: `node:http writing one prebuilt frame to every response; ${floor.memoryPerSubscriberKiB} KiB heap/subscriber` });
  results.fanout = rounds;
  results.fanoutFloor = floor;
}
if (chosen.includes('soak')) {
  const soakMs = durationMs('duration') ?? 180_000;
  const warmupMs = durationMs('warmup') ?? 60_000;
  console.log(`soak: the fuzz mix for ${soakMs / 1000} s after a warm-up of at least ${warmupMs / 1000} s and 10,000 requests, gateway RSS sampled every 5 s`);
  const soak = await soakScenario({ durationMs: soakMs, warmupMs });
  writeFileSync(new URL('./soak.json', resultsDir), `${JSON.stringify({ machine, at: results.at, ...soak }, null, 2)}\n`);
  const { series: _series, statuses, ...figures } = soak;
  results.soak = figures;
  console.table(Object.entries(statuses).map(([kind, byStatus]) => ({ kind, ...byStatus })));
  rows.push({ key: 'soak', scenario: 'soak', subject: `${soak.requests} requests`, rps: soak.requestsPerSec, notes: `RSS ${soak.rssAfterWarmupMb} -> ${soak.rssAfterSoakMb} MB (x${soak.ratio}), 5xx ${soak.http5xx}: ${soak.passed ? 'passed' : 'FAILED'}` });
  if (!soak.passed) {
    console.error(`soak FAILED: RSS grew ${Math.round((soak.ratio - 1) * 100)}% (more than ${soak.maxGrowth * 100}%) from warm-up to the end`);
    exitCode = 1;
  }
  console.log('series written to bench/results/soak.json');
}
if (chosen.includes('replicas')) {
  const figures = await replicasScenario();
  results.replicas = figures;
  console.log(formatReplicasFigures(figures));
  rows.push({ key: 'replicas', scenario: 'replicas', subject: `${figures.replicas} replicas`, notes: `takeover ${figures.takeoverMs} ms, lost ${figures.lost.total}, duplicated ${figures.duplicated.total}` });
}

console.log(`\nBackup Graph bench, ${new Date().toISOString()}, ${machine.cpuCount} x ${machine.cpuModel}, Node ${machine.node} (${round((Date.now() - started) / 1000, 0)} s)`);
console.table(rows.map((r) => ({ scenario: r.scenario, subject: r.subject, 'req/s': r.rps ?? '', 'p50 ms': r.p50Ms ?? '', 'p99 ms': r.p99Ms ?? '', 'CPU ms/req': r.cpuMsPerReq ?? '', 'upstream/req': r.upstreamPerReq ?? '', notes: r.notes })));
const latest = new URL('./latest.json', resultsDir);
const previous = existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>) : {};
// `read` and a bare `node` were the old layout's; `machine` replaces `node`.
const { read: _read, node: _node, ...kept } = previous;
const table = [...((previous.table as Row[] | undefined) ?? []).filter((r) => r.key && !chosen.includes(r.key)), ...rows];
writeFileSync(latest, `${JSON.stringify({ ...kept, ...results, table }, null, 2)}\n`);
console.log('written to bench/results/latest.json');
process.exit(exitCode);
