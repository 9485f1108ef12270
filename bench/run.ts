/**
 * `npm run bench`: runs the benchmark scenarios and writes their results to bench/results/.
 * Usage: npm run bench [-- fanout|read|soak|replicas] [--duration 3m] [--warmup 60s]
 * `all` (the default) runs read and fanout; the soak (several minutes) runs only when asked for,
 * writes its RSS series to bench/results/soak.json and exits non-zero when RSS did not level off.
 * latest.json keeps the figures of scenarios not run this time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fanoutRound } from './fanout.ts';
import { readScenario } from './read.ts';
import { formatReplicasFigures, replicasScenario } from './replicas.ts';
import { soakScenario } from './soak.ts';

const args = process.argv.slice(2);
const which = args.find((a) => !a.startsWith('--') && !/^\d/.test(a)) ?? 'all';
/** The value of `--name value` (or `--name=value`) as ms: `180`/`180s` seconds, `3m` minutes, `500ms`. */
function durationArg(name: string): number | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const raw = args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw ?? '');
  if (!m) throw new Error(`--${name}: expected a duration like 180s or 3m, got ${raw}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm'];
}

const results: Record<string, unknown> = { node: process.version, at: new Date().toISOString() };
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
let exitCode = 0;

if (which === 'all' || which === 'read') {
  console.log('read path: dashboard query under load (autocannon, 10 s, 10 connections)');
  results.read = await readScenario();
  console.table([results.read]);
}
if (which === 'all' || which === 'fanout') {
  console.log('subscription fan-out: one oCore backup, N graphql-sse subscribers');
  const rounds = [];
  for (const n of [1, 100, 1000]) rounds.push(await fanoutRound(n));
  results.fanout = rounds;
  console.table(rounds);
}
if (which === 'soak') {
  const durationMs = durationArg('duration') ?? 180_000;
  const warmupMs = durationArg('warmup') ?? 60_000;
  console.log(`soak: the fuzz mix for ${durationMs / 1000} s after a warm-up of at least ${warmupMs / 1000} s and 10,000 requests, gateway RSS sampled every 5 s`);
  const soak = await soakScenario({ durationMs, warmupMs });
  writeFileSync(new URL('./soak.json', resultsDir), `${JSON.stringify({ node: results.node, at: results.at, ...soak }, null, 2)}\n`);
  const { series: _series, statuses, ...figures } = soak;
  results.soak = figures;
  console.table(Object.entries(statuses).map(([kind, byStatus]) => ({ kind, ...byStatus })));
  console.table([{ rssAfterWarmupMb: soak.rssAfterWarmupMb, rssAfterSoakMb: soak.rssAfterSoakMb, ratio: soak.ratio, requests: soak.requests, http5xx: soak.http5xx, passed: soak.passed }]);
  if (!soak.passed) {
    console.error(`soak FAILED: RSS grew ${Math.round((soak.ratio - 1) * 100)}% (more than ${soak.maxGrowth * 100}%) from warm-up to the end`);
    exitCode = 1;
  }
  console.log('series written to bench/results/soak.json');
}
if (which === 'replicas') {
  // Needs the Redis on 127.0.0.1:6379 (TEST_REDIS_URL to use another); keys under a prefix of its own.
  const figures = await replicasScenario();
  results.replicas = figures;
  console.log(formatReplicasFigures(figures));
}
const latest = new URL('./latest.json', resultsDir);
const previous = existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(latest, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
console.log('written to bench/results/latest.json');
process.exit(exitCode);
