/**
 * Per-caller budgets shared by replicas, against the real Redis on 127.0.0.1:6379: two limiters on
 * two connections stand for two replicas; every run writes under its own key prefix.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/access/rate-limit.ts';
import { createRedisConnection, type RedisConnection } from '../../src/cluster/redis-connection.ts';
import { createRedisRateLimiter } from '../../src/cluster/redis-rate-limiter.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const prefix = `bgtest:${randomUUID()}:`;
const connections: RedisConnection[] = [];

async function replica() {
  const connection = createRedisConnection({ url: REDIS_URL, keyPrefix: prefix });
  connections.push(connection);
  if (!connection.up) await once(connection.redis, 'ready');
  return createRedisRateLimiter({ connection, fallback: createRateLimiter() });
}

afterAll(async () => {
  const [c] = connections;
  const keys = c?.up ? await c.redis.keys(`${prefix}*`) : [];
  if (keys.length) await c!.redis.del(...keys);
  await Promise.all(connections.map((c) => c.close()));
});

describe('shared caller budgets (real Redis)', () => {
  it('a caller spread over two replicas gets its budget once, and the refusal says when to come back', async () => {
    const [a, b] = [await replica(), await replica()];
    const caller = `api-key:${randomUUID()}`;
    const decisions = [await a.take(caller, 3), await b.take(caller, 3), await a.take(caller, 3), await b.take(caller, 3)];
    expect(decisions.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(decisions[3]).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
    expect((decisions[3] as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Another caller has its own budget.
    expect(await b.take(`api-key:${randomUUID()}`, 3)).toEqual({ ok: true });
  });

  it('answers from the in-process limiter while Redis is unreachable', async () => {
    const connection = createRedisConnection({ url: 'redis://127.0.0.1:1/0', keyPrefix: prefix });
    connections.push(connection);
    let fallbacks = 0;
    const limiter = createRedisRateLimiter({ connection, fallback: createRateLimiter(), onFallback: () => fallbacks++ });
    expect(await limiter.take('k', 1)).toEqual({ ok: true });
    expect(await limiter.take('k', 1)).toMatchObject({ ok: false });
    expect(fallbacks).toBe(2);
  });
});
