/**
 * Per-caller budgets shared by replicas, against the real Redis on 127.0.0.1:6379: two limiters on
 * two connections stand for two replicas; every run writes under its own key prefix.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/access/rate-limit.ts';
import { createRedisRateLimiter } from '../../src/cluster/redis-rate-limiter.ts';
import { tredis } from '../utils/tredis.ts';

const redis = tredis();

async function replica() {
  return createRedisRateLimiter({ connection: await redis.connect(), fallback: createRateLimiter() });
}

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
    const connection = redis.unreachable();
    let fallbacks = 0;
    const limiter = createRedisRateLimiter({ connection, fallback: createRateLimiter(), onFallback: () => fallbacks++ });
    expect(await limiter.take('k', 1)).toEqual({ ok: true });
    expect(await limiter.take('k', 1)).toMatchObject({ ok: false });
    expect(fallbacks).toBe(2);
  });
});
