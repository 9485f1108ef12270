/**
 * A probe of where the listing's CPU goes (not a benchmark row: the load comes from this process):
 * the gateway built in this process over the listing's upstream fake (a child), and the listing
 * of `bench/listing.ts` answered `--requests` times, 20 at a time, two ways: over HTTP (an undici
 * client in this process, so its CPU is counted too) and through `yoga.fetch` (no HTTP server, no
 * socket, no @whatwg-node request from node:http). CPU per request is this process's user + system
 * time over the loop divided by the requests. Where the two are close, the HTTP layer is not where
 * the gateway's time goes.
 *
 *   node --import tsx bench/listing-layers.ts [--requests 6000] [--rounds 2]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Pool } from 'undici';
import { stringify } from 'yaml';
import { gatewayOptionsFrom, parseConfig, providerOptionsFrom } from '../src/server/config.ts';
import { createGateway } from '../src/server/gateway.ts';
import { gatewayConfig } from './lib/gateway.ts';
import { freePort, startChild, waitForOk } from './lib/proc.ts';
import { LISTING_QUERY } from './listing.ts';

const { values } = parseArgs({ options: { requests: { type: 'string' }, rounds: { type: 'string' } } });
const requests = Number(values.requests ?? 6000);
const rounds = Number(values.rounds ?? 2);
const CONCURRENCY = 20;

const fakePort = await freePort();
const fake = startChild('listing-layers-fake', process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./upstream-fake.ts', import.meta.url)), '--port', String(fakePort)]);
const fakeUrl = `http://127.0.0.1:${fakePort}`;
await waitForOk(`${fakeUrl}/__bench/stats`, fake);
const config = parseConfig(stringify(gatewayConfig([{ kind: 'norcube', baseUrl: fakeUrl, credential: 'bench-token' }])));
const gateway = createGateway({ ...gatewayOptionsFrom(config), providers: providerOptionsFrom(config), logger: pino({ level: 'warn' }) });
const { url } = await gateway.listen(0);
const body = JSON.stringify({ query: LISTING_QUERY(20) });
const headers = { 'content-type': 'application/json', host: new URL(url).host };
const pool = new Pool(url, { connections: CONCURRENCY });

const overHttp = async () => {
  const res = await pool.request({ path: '/graphql', method: 'POST', headers, body });
  return res.body.text();
};
const throughFetch = async () => (await gateway.yoga.fetch(`${url}/graphql`, { method: 'POST', headers, body })).text();

/** CPU ms per request of `one` over `requests` calls, CONCURRENCY at a time (after a warm-up). */
async function measure(name: string, one: () => Promise<string>): Promise<void> {
  const sample = JSON.parse(await one());
  if (sample.errors || sample.data?.backups?.nodes?.length !== 20) throw new Error(`${name}: not the listing: ${JSON.stringify(sample).slice(0, 300)}`);
  for (let i = 0; i < 500; i++) await one();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < requests) await one();
  }));
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`  ${name.padEnd(40)} ${((cpu.user + cpu.system) / 1000 / requests).toFixed(3)} CPU ms/request  ${Math.round(requests / seconds)} req/s`);
}

console.log(`listing layers: ${requests} requests a round, ${CONCURRENCY} at a time, gateway and load in this process`);
try {
  for (let r = 1; r <= rounds; r++) {
    console.log(`round ${r}`);
    await measure('over HTTP (client CPU included)', overHttp);
    await measure('through yoga.fetch (no HTTP server)', throughFetch);
  }
} finally {
  await pool.close();
  await gateway.close();
  await fake.stop();
}
process.exit(0);
