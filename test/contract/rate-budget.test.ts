/**
 * The shared outbound rate budget against the real Redis on 127.0.0.1:6379: two budgets of the same
 * provider stand for two replicas; every run writes under its own key prefix.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRateBudget, windowOf } from '../../src/cluster/rate-budget.ts';
import { createManualClock } from '../../src/domain/clock.ts';
import { tredis } from '../utils/tredis.ts';

const redis = tredis();
const connect = () => redis.connect();

describe('windowOf', () => {
  it.each([
    [{ requestsPerSecond: 5 }, { limit: 5, windowMs: 1000 }],
    [{ requestsPerMinute: 600 }, { limit: 600, windowMs: 60_000 }],
    [{ requestsPerSecond: 2, requestsPerMinute: 600 }, { limit: 2, windowMs: 1000 }],
    [{}, { limit: 600, windowMs: 60_000 }],
  ])('%j -> %j', (quota, expected) => expect(windowOf(quota)).toEqual(expected));
});

describe('shared rate budget (real Redis)', () => {
  it('two replicas together never get more than the quota within any window', async () => {
    const provider = `p-${randomUUID()}`;
    const [a, b] = [await connect(), await connect()];
    const waits: number[] = [];
    const budgets = [a, b].map((connection) => createRateBudget({ provider, quota: { requestsPerSecond: 5 }, connection, onWait: (ms) => waits.push(ms) }));
    const grantedAt: number[] = [];
    // 12 calls at once, half on each replica: 5 now, 5 a window later, 2 after that.
    await Promise.all(Array.from({ length: 12 }, (_, i) => budgets[i % 2].take(Date.now() + 10_000).then(() => grantedAt.push(performance.now()))));
    grantedAt.sort((x, y) => x - y);
    expect(grantedAt).toHaveLength(12);
    expect(waits.length).toBeGreaterThan(0);
    // Any 6 consecutive grants span at least a window (the 6th waits for the 1st to leave it; less a margin for the replies' own latency).
    for (let i = 5; i < grantedAt.length; i++) expect(grantedAt[i] - grantedAt[i - 5]).toBeGreaterThanOrEqual(950);
  });

  it('refuses with RATE_LIMITED and retryAfter when the wait would pass the deadline, without waiting', async () => {
    const provider = `p-${randomUUID()}`;
    const budget = createRateBudget({ provider, quota: { requestsPerMinute: 2 }, connection: await connect() });
    await budget.take(Date.now() + 1000);
    await budget.take(Date.now() + 1000);
    await expect(budget.take(Date.now() + 1000)).rejects.toMatchObject({ code: 'RATE_LIMITED', extensions: { provider, retryAfter: expect.any(Number) } });
  });

  it("a 429's reset learnt by one replica holds the other", async () => {
    const provider = `p-${randomUUID()}`;
    const [a, b] = [await connect(), await connect()];
    const one = createRateBudget({ provider, quota: { requestsPerSecond: 100 }, connection: a });
    const other = createRateBudget({ provider, quota: { requestsPerSecond: 100 }, connection: b });
    await one.blockFor(30_000);
    const e = await other.take(Date.now() + 1000).catch((x) => x);
    expect(e).toMatchObject({ code: 'RATE_LIMITED' });
    expect(e.extensions.retryAfter).toBeGreaterThanOrEqual(29);
  });

  it('runs in process while Redis is unreachable, on the injected clock', async () => {
    const connection = redis.unreachable();
    const clock = createManualClock(Date.UTC(2030, 0, 1));
    let fallbacks = 0;
    const budget = createRateBudget({ provider: 'p', quota: { requestsPerSecond: 2 }, connection, clock, onFallback: () => fallbacks++ });
    await budget.take(clock.now() + 100);
    await budget.take(clock.now() + 100);
    await expect(budget.take(clock.now() + 100)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    clock.advance(1001);
    await budget.take(clock.now() + 100);
    expect(fallbacks).toBe(4);
  });

  it("a settled call's slot counts from its answer, not its grant (the provider saw it by then)", async () => {
    const clock = createManualClock(Date.UTC(2030, 0, 1));
    const budget = createRateBudget({ provider: 'p', quota: { requestsPerSecond: 2 }, clock });
    const slow = await budget.take(clock.now() + 100);
    await budget.take(clock.now() + 100);
    clock.advance(500);
    slow(); // its answer came back 500 ms after the grant
    clock.advance(501);
    // The unsettled slot left the window; the settled one counts until 500 + 1000.
    await budget.take(clock.now() + 100);
    await expect(budget.take(clock.now() + 100)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    clock.advance(500);
    await budget.take(clock.now() + 100);
  });
});
