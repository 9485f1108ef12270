/**
 * Breaker opens shared by two gateways (replicas "a" and "b") over the same simulators and the real
 * Redis on 127.0.0.1:6379 (a key prefix, so a channel, per run): once oCore fails often enough on
 * replica a to open its breaker, replica b refuses oCore at once, at no upstream cost, its health
 * reads `circuit open` and its breaker metric says open, though b itself never saw a failure.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const keyPrefix = `bgtest:${randomUUID()}:`;
const OPEN_MS = 60_000;
const BACKUPS = `{ backups(first: 30) { nodes { id provider { id } } } }`;
const HEALTH = `{ providers { id health { status message } } }`;

let a: TGateway;
let b: Gateway;
let bUrl: string;
const bLogs: { msg: string; provider?: string; peer?: string }[] = [];
const redis = new Redis(REDIS_URL);

beforeAll(async () => {
  const breakerOn = (ps: TGateway['sims']['list'][number]['provider'][]) =>
    ps.map((p) => ({ ...p, upstream: { ...p.upstream, rateLimit: 'none' as const, breaker: { consecutiveFailures: 3, halfOpenAfterMs: OPEN_MS } } }));
  a = await tgateway({ providers: breakerOn, gateway: { cluster: { redis: { url: REDIS_URL, keyPrefix }, replicaId: 'a' } } });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) bLogs.push(JSON.parse(line));
      cb();
    },
  });
  b = createGateway({
    providers: breakerOn(a.sims.list.map((s) => s.provider)),
    logger: pino({ level: 'info' }, sink),
    cluster: { redis: { url: REDIS_URL, keyPrefix }, replicaId: 'b' },
  });
  bUrl = (await b.listen(0)).url;
  // Both replicas listen on the channel before anything fails (observable in Redis itself).
  for (;;) {
    const [, n] = (await redis.pubsub('NUMSUB', `${keyPrefix}breaker`)) as [string, number];
    if (n >= 2) break;
    await new Promise((r) => setTimeout(r, 10));
  }
});

afterAll(async () => {
  await b?.close();
  await redis.quit();
});

async function gqlB(query: string) {
  const res = await fetch(`${bUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data: any; errors?: any[] };
}
const healthOf = (res: { data?: any }, id: string) => res.data.providers.find((p: any) => p.id === id).health;

describe('two replicas sharing breaker opens through Redis', () => {
  it("replica b refuses oCore at once after replica a's breaker opened, without calling it", async () => {
    const ocore = a.sims.get('ocore').simulator;
    ocore.setFault('*', { forceStatus: 503 });
    let opened = false;
    for (let i = 0; i < 10 && !opened; i++) {
      await a.gql(BACKUPS);
      opened = healthOf(await a.gql(HEALTH), 'ocore').message === 'circuit open';
    }
    expect(opened).toBe(true);
    // b is told (its log line is the event), then asked: oCore is not called at all.
    for (let i = 0; !bLogs.some((l) => l.msg.startsWith('circuit opened on a peer replica')); i++) {
      if (i > 500) throw new Error('replica b was never told');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(bLogs.find((l) => l.msg.startsWith('circuit opened on a peer replica'))).toMatchObject({ provider: 'ocore', peer: 'a' });
    a.resetStats();

    const res = await gqlB(BACKUPS);
    expect(res.data.backups.nodes).toHaveLength(30);
    expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.provider])).toEqual([['UPSTREAM_UNAVAILABLE', 'ocore']]);
    expect(res.errors![0].extensions.retryAfter).toBeGreaterThan(50);
    const health = await gqlB(HEALTH);
    expect(healthOf(health, 'ocore')).toEqual({ status: 'DOWN', message: 'circuit open' });
    expect(healthOf(health, 'norcube')).toMatchObject({ status: 'UP' });
    expect(ocore.stats.total).toBe(0);
    const metrics = await (await fetch(`${bUrl}/metrics`)).text();
    expect(metrics).toMatch(/backup_graph_upstream_breaker_state\{[^}]*provider="ocore"[^}]*state="open"[^}]*\} 1/);
  });
});
