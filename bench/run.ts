/**
 * `npm run bench`: runs the benchmark scenarios and writes their results to bench/results/.
 * Usage: npm run bench [-- fanout|read]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fanoutRound } from './fanout.ts';
import { readScenario } from './read.ts';

const which = process.argv[2] ?? 'all';
const results: Record<string, unknown> = { node: process.version, at: new Date().toISOString() };

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
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/latest.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('written to bench/results/latest.json');
