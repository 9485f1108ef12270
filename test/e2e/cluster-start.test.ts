/**
 * A replica's start with Redis configured: `listen` waits for the first connection, so the replica
 * never serves its first requests on in-process state just because its own connection was still
 * opening (that once gave an operation two upstream readers); with Redis unreachable it serves
 * anyway after `cluster.redis.connectWaitMs`, degraded, and says so.
 */
import { randomUUID } from 'node:crypto';
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
  it('answers only once Redis is connected: the first scrape already sees it up', async () => {
    const t = await tgateway({ gateway: { cluster: { redis: { url: TEST_REDIS_URL, keyPrefix: `bgtest:start:${randomUUID()}:` }, replicaId: 'start-up' } } });
    started.push(t);
    expect(await metricsOf(t)).toMatch(/^backup_graph_redis_up\{[^}]*\} 1$/m);
    expect(t.logs.join('')).not.toContain('not reachable at start');
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
