/**
 * Breaker opens and closes shared through the real Redis on 127.0.0.1:6379: each "replica" is its
 * own connection, channel and guards; every test run uses its own key prefix (so its own channel).
 * The held replica reads a manual clock, so a hold ends when the test says, not after a sleep.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createBreakerEvents, shareBreakers, type BreakerEvent, type BreakerEventsEvent } from '../../src/cluster/breaker-events.ts';
import { createRedisConnection, type RedisConnection } from '../../src/cluster/redis-connection.ts';
import { createManualClock, systemClock, type Clock } from '../../src/domain/clock.ts';
import { ProviderUnavailableError } from '../../src/upstream/errors.ts';
import { createUpstreamGuard, type BreakerSettings, type UpstreamGuard } from '../../src/upstream/guard.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const prefix = `bgtest:${randomUUID()}:`;
const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** One replica: its connection, channel, shared breakers and what its channel reported. */
async function replica(replicaId: string, url = REDIS_URL) {
  const connection: RedisConnection = createRedisConnection({ url, keyPrefix: prefix });
  closers.push(() => connection.close());
  const log: { event: BreakerEventsEvent; breaker: BreakerEvent }[] = [];
  const waiters: { event: BreakerEventsEvent; match: (b: BreakerEvent) => boolean; resolve: () => void }[] = [];
  const events = createBreakerEvents({
    connection,
    replicaId,
    onEvent: (event, breaker) => {
      log.push({ event, breaker });
      for (const w of waiters.splice(0)) (w.event === event && w.match(breaker) ? w.resolve() : waiters.push(w));
    },
  });
  const shared = shareBreakers(events);
  closers.push(() => shared.close());
  /** Resolves once the channel reported `event` for a message matching `match` (at once if it already did). */
  const seen = (event: BreakerEventsEvent, match: Partial<BreakerEvent>) => {
    const ok = (b: BreakerEvent) => Object.entries(match).every(([k, v]) => b[k as keyof BreakerEvent] === v);
    if (log.some((l) => l.event === event && ok(l.breaker))) return Promise.resolve();
    return new Promise<void>((resolve) => waiters.push({ event, match: ok, resolve }));
  };
  /** Resolves once a peer's message matching `match` has arrived (at once if one already did). */
  const received = (match: Partial<BreakerEvent>) => seen('received', match);
  /** A guard of `provider` on this replica, wired like the gateway wires its adapters' guards. */
  const guard = (provider: string, breaker: BreakerSettings, clock: Clock = systemClock) =>
    createUpstreamGuard(provider, { clock, retry: { maxRetries: 0 }, breaker: shared.breakerSettings(breaker) });
  return { connection, events, shared, log, seen, received, guard };
}

/** One attempt through `guard`; tells whether the upstream call ran. */
async function attempt(guard: UpstreamGuard, ok: boolean): Promise<{ called: boolean; error?: unknown }> {
  let called = false;
  try {
    await guard.run({
      requestId: 'req-1',
      signal: new AbortController().signal,
      bulkhead: true,
      isFailure: (o) => 'error' in o,
      call: async () => {
        called = true;
        if (!ok) throw new Error('503');
        return 'ok';
      },
    });
    return { called };
  } catch (error) {
    return { called, error };
  }
}

describe('shared breaker opens (real Redis)', () => {
  it("one replica's open makes the other refuse at once without calling, for the opener's window; then it calls again", async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await Promise.all([a.shared.ready, b.shared.ready]);
    const clockB = createManualClock(1_000_000);
    const guardA = a.guard('p1', { consecutiveFailures: 3, halfOpenAfterMs: 30_000 });
    const guardB = b.guard('p1', { consecutiveFailures: 3, halfOpenAfterMs: 30_000 }, clockB);
    const otherB = b.guard('p2', { consecutiveFailures: 3 }, clockB);
    await Promise.all([a.shared.recalled(), b.shared.recalled()]);

    for (let i = 0; i < 3; i++) expect((await attempt(guardA, false)).called).toBe(true);
    expect(guardA.state().circuit).toBe('open');
    await b.received({ replicaId: 'a', provider: 'p1', state: 'open' });
    expect(b.log.find((l) => l.event === 'received')?.breaker).toEqual({ replicaId: 'a', provider: 'p1', state: 'open', retryAfterMs: 30_000 });

    // B never saw a failure of its own, yet refuses p1 at once; p2 is not concerned.
    const refused = await attempt(guardB, true);
    expect(refused.called).toBe(false);
    expect(refused.error).toBeInstanceOf(ProviderUnavailableError);
    expect(refused.error).toMatchObject({ provider: 'p1', reason: 'circuit-open', retryAfterMs: 30_000 });
    expect(guardB.state()).toMatchObject({ circuit: 'open', retryAfterMs: 30_000, consecutiveFailures: 0 });
    expect(await attempt(otherB, true)).toEqual({ called: true });

    clockB.advance(29_999);
    expect((await attempt(guardB, true)).called).toBe(false);
    expect(guardB.state().retryAfterMs).toBe(1);
    clockB.advance(1);
    expect(guardB.state().circuit).toBe('closed');
    expect(await attempt(guardB, true)).toEqual({ called: true });
    // The hold on B was not published back.
    expect(b.log.filter((l) => l.event === 'published')).toEqual([]);
  });

  it("a peer's recovery (its probe closed the breaker) releases the hold early", async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await Promise.all([a.shared.ready, b.shared.ready]);
    const clockB = createManualClock(0);
    const guardA = a.guard('p-recovery', { consecutiveFailures: 2, halfOpenAfterMs: 20 });
    const guardB = b.guard('p-recovery', { consecutiveFailures: 2, halfOpenAfterMs: 60_000 }, clockB);
    await Promise.all([a.shared.recalled(), b.shared.recalled()]);
    await attempt(guardA, false);
    await attempt(guardA, false);
    await b.received({ provider: 'p-recovery', state: 'open' });
    expect(guardB.state().circuit).toBe('open');

    // A's probe goes through once its own (short) window is over, and succeeds.
    for (;;) {
      if ((await attempt(guardA, true)).called) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(guardA.state().circuit).toBe('closed');
    await b.received({ provider: 'p-recovery', state: 'closed' });
    // B's manual clock never moved: only the release can have let this through.
    expect(clockB.now()).toBe(0);
    expect(guardB.state()).toMatchObject({ circuit: 'closed', retryAfterMs: 0 });
    expect(await attempt(guardB, true)).toEqual({ called: true });
  });

  it("ignores its own messages and malformed ones, and only acts on its peers'", async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await Promise.all([a.shared.ready, b.shared.ready]);
    const guardA = a.guard('p-own', {}, createManualClock(0));
    await a.shared.recalled();
    expect(await a.events.publish({ provider: 'p-own', state: 'open', retryAfterMs: 5000 })).toBe(true);
    await a.connection.redis.publish(`${prefix}breaker`, 'not json');
    await a.connection.redis.publish(`${prefix}breaker`, JSON.stringify({ replicaId: 'x', provider: 'p-own', state: 'broken' }));
    // Redis delivers in order: once B's sentinel reached A, A's own message (sent before it) would have too.
    await b.received({ replicaId: 'a', provider: 'p-own', state: 'open' });
    expect(await b.events.publish({ provider: 'sentinel', state: 'closed', retryAfterMs: 0 })).toBe(true);
    await a.received({ provider: 'sentinel' });
    expect(a.log.filter((l) => l.event === 'received').map((l) => l.breaker)).toEqual([{ replicaId: 'b', provider: 'sentinel', state: 'closed', retryAfterMs: 0 }]);
    expect(guardA.state().circuit).toBe('closed');
    expect(b.log.filter((l) => l.event === 'received')).toHaveLength(1);
  });

  it('a replica started while a peer\'s open is in force holds it for what is left of it; one started after the close does not', async () => {
    const a = await replica('a');
    const guardA = a.guard('p-late', { consecutiveFailures: 1, halfOpenAfterMs: 60_000 });
    await a.shared.recalled();
    await attempt(guardA, false);
    expect(guardA.state().circuit).toBe('open');
    await a.seen('published', { provider: 'p-late', state: 'open', retryAfterMs: 60_000 });
    // C joins after the open was published: it never heard the message.
    const c = await replica('c');
    const clockC = createManualClock(0);
    const guardC = c.guard('p-late', { consecutiveFailures: 5 }, clockC);
    await c.shared.recalled();
    expect(c.log.filter((l) => l.event === 'received')).toEqual([]);
    const refused = await attempt(guardC, true);
    expect(refused.called).toBe(false);
    expect(refused.error).toMatchObject({ provider: 'p-late', reason: 'circuit-open' });
    const left = guardC.state().retryAfterMs;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(60_000);
    clockC.advance(left);
    expect(await attempt(guardC, true)).toEqual({ called: true });
    // Once the opener publishes its close, a replica joining later holds nothing.
    await a.events.publish({ provider: 'p-late', state: 'closed', retryAfterMs: 0 });
    const d = await replica('d');
    const guardD = d.guard('p-late', {}, createManualClock(0));
    await d.shared.recalled();
    expect(await attempt(guardD, true)).toEqual({ called: true });
  });

  it('with Redis unreachable, publishing neither throws nor waits, the local breaker works as before, and closing does not hang', async () => {
    const down = await replica('down', 'redis://127.0.0.1:1');
    expect(down.connection.up).toBe(false);
    const started = performance.now();
    await expect(down.events.publish({ provider: 'p1', state: 'open', retryAfterMs: 1000 })).resolves.toBe(false);
    const publishMs = performance.now() - started;
    console.info(`publish with Redis unreachable answered in ${publishMs.toFixed(2)} ms`);
    const guard = down.guard('p1', { consecutiveFailures: 2, halfOpenAfterMs: 60_000 });
    await attempt(guard, false);
    await attempt(guard, false);
    expect(guard.state().circuit).toBe('open');
    const out = await attempt(guard, true);
    expect(out.called).toBe(false);
    expect(out.error).toMatchObject({ reason: 'circuit-open' });
    await new Promise((r) => setImmediate(r));
    expect(down.log.map((l) => l.event)).toEqual(['dropped', 'dropped']);
    // Closing (as drain does) does not wait for a Redis that is away.
    await down.shared.close();
    await down.connection.close();
  });
});

describe('measured', () => {
  it('time from the opening failure on one replica to the peer holding open', async () => {
    const [a, b] = [await replica('m-a'), await replica('m-b')];
    await Promise.all([a.shared.ready, b.shared.ready]);
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) {
      const provider = `m${i}`;
      const guardA = a.guard(provider, { consecutiveFailures: 1, halfOpenAfterMs: 60_000 });
      const guardB = b.guard(provider, { consecutiveFailures: 1 }, createManualClock(0));
      const t0 = performance.now();
      await attempt(guardA, false);
      await b.received({ provider, state: 'open' });
      samples.push(performance.now() - t0);
      expect(guardB.state().circuit).toBe('open');
    }
    samples.sort((x, y) => x - y);
    console.info(`open shared to a peer: median ${samples[25]!.toFixed(2)} ms, p95 ${samples[47]!.toFixed(2)} ms, max ${samples[49]!.toFixed(2)} ms (50 opens, local Redis)`);
    // Only A's opens travelled: B's holds were not published back.
    expect(b.log.filter((l) => l.event === 'published')).toHaveLength(0);
    expect(b.log.filter((l) => l.event === 'received')).toHaveLength(50);
  });
});
