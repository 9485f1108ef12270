/**
 * A replica's start with Redis configured: `listen` waits for the first connection, so the replica
 * never serves its first requests on in-process state just because its own connection was still
 * opening (that once gave an operation two upstream readers), and it listens to its peers' breaker
 * and reference messages from its first request on; with Redis unreachable it serves
 * anyway after `cluster.redis.connectWaitMs`, degraded, and says so.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../utils/tredis.ts';
import { tgateway, type TGateway } from '../utils/tgateway.ts';

const started: TGateway[] = [];
afterAll(async () => {
  await Promise.all(started.map((t) => t.close()));
});

async function metricsOf(t: TGateway): Promise<string> {
  return (await fetch(`${t.url}/metrics`)).text();
}

describe('listen with a cluster configured', () => {
  it('answers only once Redis is connected and the peer channels are subscribed: the first scrape already sees it up', async () => {
    const keyPrefix = `bgtest:start:${randomUUID()}:`;
    const t = await tgateway({ gateway: { cluster: { redis: { url: TEST_REDIS_URL, keyPrefix }, replicaId: 'start-up' } } });
    started.push(t);
    expect(await metricsOf(t)).toMatch(/^backup_graph_redis_up\{[^}]*\} 1$/m);
    expect(t.logs.join('')).not.toContain('not reachable at start');
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.pubsub('NUMSUB', `${keyPrefix}breaker`, `${keyPrefix}reference`)).toEqual([`${keyPrefix}breaker`, 1, `${keyPrefix}reference`, 1]);
    } finally {
      await redis.quit();
    }
  });

  it('serves anyway, on in-process state, when Redis is not reachable within the wait', async () => {
    const t = await tgateway({ gateway: { cluster: { redis: { url: 'redis://127.0.0.1:1/0', connectWaitMs: 200 }, replicaId: 'start-down' } } });
    started.push(t);
    expect(await metricsOf(t)).toMatch(/^backup_graph_redis_up\{[^}]*\} 0$/m);
    expect(t.logs.some((l) => l.includes('"level":40') && l.includes('Redis not reachable at start'))).toBe(true);
    const read = await t.gql('{ backups(first: 4) { nodes { id } } }');
    expect(read.errors).toBeUndefined();
    expect(read.data.backups.nodes).toHaveLength(4);
  });
});
