/**
 * Reference caches cleared across replicas: two gateways ("a" and "b") over the same simulators and
 * the real Redis (a key prefix, so a channel, per run), with reference data kept for a minute. A
 * schedule written through replica a is what replica b answers next, not the copy b cached before:
 * a's clear after its own change reaches b on the `reference` channel. Protection evidence (kept
 * for a minute too) goes with it: a backup started through a is in b's next protection answer.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { TEST_REDIS_URL } from '../utils/tredis.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

const keyPrefix = `bgtest:${randomUUID()}:`;
const MINUTE = 60_000;
const SCHEDULE_ROUTE = 'GET /api/environments/:env_id/backup-schedule';
const SCHEDULES = 'query($r: ID!) { node(id: $r) { ... on Resource { schedules { crons } } } }';

let a: TGateway;
let b: Gateway;
let bUrl: string;
/** Resolves the waiter of a message once replica b logs it. */
const bLogs: { msg: string; provider?: string }[] = [];
const waiters: Array<{ msg: string; resolve: () => void }> = [];

beforeAll(async () => {
  const withTtl = (ps: TGateway['sims']['list'][number]['provider'][]) => ps.map((p) => ({ ...p, referenceTtlMs: MINUTE, upstream: { ...p.upstream, rateLimit: 'none' as const } }));
  a = await tgateway({ providers: withTtl, gateway: { cache: { evidenceTtlMs: MINUTE }, cluster: { redis: { url: TEST_REDIS_URL, keyPrefix }, replicaId: 'a' } } });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const l = JSON.parse(line);
        bLogs.push(l);
        for (const w of waiters.filter((x) => l.msg.includes(x.msg))) w.resolve();
      }
      cb();
    },
  });
  b = createGateway({ providers: withTtl(a.sims.list.map((s) => s.provider)), logger: pino({ level: 'debug' }, sink), cache: { evidenceTtlMs: MINUTE }, cluster: { redis: { url: TEST_REDIS_URL, keyPrefix }, replicaId: 'b' } });
  bUrl = (await b.listen(0)).url;
});

afterAll(async () => {
  await b?.close();
  await a?.close();
});

async function gqlOn(url: string, query: string, variables: Record<string, unknown>) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data: any; errors?: any[] };
}
const logged = (msg: string) => new Promise<void>((resolve) => waiters.push({ msg, resolve }));

describe('reference data changed through one replica', () => {
  it('is read again by the other replica at once, not after its TTL', async () => {
    const ocore = a.sims.get('ocore').simulator;
    const env = (await a.gql('{ resources(first: 1, filter: { providers: ["ocore"] }) { nodes { id } } }')).data.resources.nodes[0].id;
    const reads = () => ocore.stats.byRoute[SCHEDULE_ROUTE] ?? 0;
    const first = await gqlOn(bUrl, SCHEDULES, { r: env });
    expect(first.errors).toBeUndefined();
    const before = reads();
    // Within the TTL replica b answers from its cache: no schedule read upstream.
    expect((await gqlOn(bUrl, SCHEDULES, { r: env })).data).toEqual(first.data);
    expect(reads()).toBe(before);
    const cron = '17 3 * * *';
    expect(first.data.node.schedules.flatMap((s: { crons: string[] }) => s.crons)).not.toContain(cron);
    const cleared = logged('reference data changed through a peer replica');
    const written = await a.gql('mutation($r: ID!, $c: String!) { upsertSchedule(input: { resourceId: $r, enabled: true, dbCron: $c }) { schedule { crons } userErrors { code } } }', { r: env, c: cron });
    expect(written.errors).toBeUndefined();
    expect(written.data.upsertSchedule.schedule.crons).toContain(cron);
    await cleared;
    expect(bLogs.find((l) => l.msg.includes('peer replica'))?.provider).toBe('ocore');
    const after = await gqlOn(bUrl, SCHEDULES, { r: env });
    expect(after.data.node.schedules.flatMap((s: { crons: string[] }) => s.crons)).toContain(cron);
    expect(reads()).toBeGreaterThan(before);
  });
});

describe('protection evidence changed through one replica', () => {
  it('is read again by the other replica at once: a backup started through a is b\'s last attempt', async () => {
    const bycloud = a.sims.get('bycloud').simulator;
    const volume = (await a.gql('{ resources(first: 1, filter: { providers: ["bycloud"] }) { nodes { id } } }')).data.resources.nodes[0].id;
    const PROTECTION = 'query($r: ID!) { node(id: $r) { ... on Resource { protection { lastAttempt { at } } } } }';
    const lastAttemptOnB = async () => {
      const r = await gqlOn(bUrl, PROTECTION, { r: volume });
      expect(r.errors).toBeUndefined();
      return r.data.node.protection.lastAttempt?.at ?? null;
    };
    const before = await lastAttemptOnB();
    const reads = bycloud.stats.total;
    // Within the TTL b answers the evidence from memory: no more calls than finding the volume costs.
    expect(await lastAttemptOnB()).toBe(before);
    const lookup = bycloud.stats.total - reads;
    const cleared = logged('reference data changed through a peer replica');
    const started = await a.gql('mutation($r: ID!) { triggerBackup(input: { resourceId: $r, name: "through-a", force: true }) { progressId } }', { r: volume });
    expect(started.errors).toBeUndefined();
    expect(started.data.triggerBackup.progressId).toEqual(expect.any(String));
    await cleared;
    expect(bLogs.filter((l) => l.msg.includes('peer replica')).map((l) => l.provider)).toContain('bycloud');
    const sinceLookup = bycloud.stats.total;
    const after = await lastAttemptOnB();
    expect(Date.parse(after)).toBeGreaterThan(before === null ? 0 : Date.parse(before));
    expect(bycloud.stats.total - sinceLookup).toBeGreaterThan(lookup);
  });
});
