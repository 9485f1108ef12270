import { describe, expect, it } from 'vitest';
import { createReferenceCache } from '../../src/upstream/reference-cache.ts';

/** A clock the test moves. */
const clockAt = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

describe('reference cache', () => {
  it('serves an answer while younger than the TTL, then loads again', async () => {
    const clock = clockAt();
    const cache = createReferenceCache({ ttlMs: 1000, clock });
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.read('k', load)).toBe(1);
    clock.advance(999);
    expect(await cache.read('k', load)).toBe(1);
    clock.advance(1);
    expect(await cache.read('k', load)).toBe(2);
    expect(await cache.read('other', load)).toBe(3);
  });

  it('is off at a TTL of 0: every read loads', async () => {
    const cache = createReferenceCache({ ttlMs: 0, clock: clockAt() });
    let loads = 0;
    await cache.read('k', async () => ++loads);
    await cache.read('k', async () => ++loads);
    expect(loads).toBe(2);
    expect(cache.enabled).toBe(false);
  });

  it('keeps no failure', async () => {
    const cache = createReferenceCache({ ttlMs: 1000, clock: clockAt() });
    await expect(cache.read('k', async () => { throw new Error('upstream down'); })).rejects.toThrow('upstream down');
    expect(await cache.read('k', async () => 'fresh')).toBe('fresh');
  });

  it('forgets everything on clear, and keeps no answer of a read that started before it', async () => {
    const cache = createReferenceCache({ ttlMs: 1000, clock: clockAt() });
    await cache.read('k', async () => 'old');
    cache.clear();
    expect(await cache.read('k', async () => 'new')).toBe('new');
    let release!: () => void;
    const slow = cache.read('s', () => new Promise<string>((r) => (release = () => r('before the change'))));
    cache.clear();
    release();
    expect(await slow).toBe('before the change');
    expect(await cache.read('s', async () => 'after the change')).toBe('after the change');
  });

  it('drops the oldest entries past its size', async () => {
    const cache = createReferenceCache({ ttlMs: 1000, clock: clockAt(), maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) await cache.read(k, async () => k);
    expect(await cache.read('a', async () => 'reloaded')).toBe('reloaded');
    expect(await cache.read('c', async () => 'reloaded')).toBe('c');
  });
});

describe('reference cache: reads in flight', () => {
  it('shares a read in flight; a waiter reads for itself when it fails', async () => {
    const cache = createReferenceCache({ ttlMs: 1000, clock: clockAt() });
    let loads = 0;
    let release!: (v: string) => void;
    const first = cache.read('k', () => { loads++; return new Promise<string>((r) => (release = r)); });
    const second = cache.read('k', async () => { loads++; return 'own'; });
    release('shared');
    expect(await Promise.all([first, second])).toEqual(['shared', 'shared']);
    expect(loads).toBe(1);

    let fail!: (e: Error) => void;
    const failing = cache.read('f', () => new Promise<string>((_, reject) => (fail = reject)));
    const waiter = cache.read('f', async () => 'read for itself');
    fail(new Error('the first request\'s deadline ended'));
    await expect(failing).rejects.toThrow('deadline');
    expect(await waiter).toBe('read for itself');
  });

  describe('stale while refreshing (`staleMs`)', () => {
    /** A load the test answers: each call is one pending read. */
    const pendingLoads = () => {
      const calls: Array<{ resolve: (v: string) => void; reject: (e: Error) => void }> = [];
      const load = () => new Promise<string>((resolve, reject) => calls.push({ resolve, reject }));
      return { calls, load };
    };
    /** A cache (TTL 1 s, stale 5 s) that keeps "v1" under `k`, read through a pending load. */
    const keepingV1 = async () => {
      const clock = clockAt();
      const cache = createReferenceCache({ ttlMs: 1000, staleMs: 5000, clock });
      const { calls, load } = pendingLoads();
      const first = cache.read('k', load);
      calls[0].resolve('v1');
      expect(await first).toBe('v1');
      return { clock, cache, calls, load };
    };
    /** Lets settled promises run their continuations (a refresh storing its answer). */
    const nextTurn = () => new Promise<void>((r) => setImmediate(r));

    it('answers a stale entry at once while one read refreshes it, then the refreshed answer', async () => {
      const { clock, cache, calls, load } = await keepingV1();
      clock.advance(1000);
      // Stale: the kept answer, and one refresh started, however many read meanwhile.
      expect(await cache.read('k', load)).toBe('v1');
      expect(await cache.read('k', load)).toBe('v1');
      expect(calls).toHaveLength(2);
      calls[1].resolve('v2');
      await nextTurn();
      expect(await cache.read('k', load)).toBe('v2');
      expect(calls).toHaveLength(2);
    });

    it('keeps the stale entry when its refresh fails, and waits for a fresh read once past the stale window', async () => {
      const { clock, cache, calls, load } = await keepingV1();
      clock.advance(2000);
      expect(await cache.read('k', load)).toBe('v1');
      calls[1].reject(new Error('upstream down'));
      await nextTurn();
      // The failure was not kept: the next stale read starts another refresh.
      expect(await cache.read('k', load)).toBe('v1');
      expect(calls).toHaveLength(3);
      calls[2].reject(new Error('still down'));
      await nextTurn();
      clock.advance(4000);
      // Past ttl + staleMs: the read waits for the provider.
      const waited = cache.read('k', load);
      let settled = false;
      void waited.then(() => (settled = true), () => (settled = true));
      await nextTurn();
      expect(settled).toBe(false);
      calls[3].resolve('v3');
      expect(await waited).toBe('v3');
    });

    it('never answers from before a clear, stale or not', async () => {
      const clock = clockAt();
      const cache = createReferenceCache({ ttlMs: 1000, staleMs: 60_000, clock });
      await cache.read('k', async () => 'before');
      clock.advance(1500);
      cache.clear();
      expect(await cache.read('k', async () => 'after')).toBe('after');
    });

    it('is off by default: a stale entry waits for a fresh read', async () => {
      const clock = clockAt();
      const cache = createReferenceCache({ ttlMs: 1000, clock });
      await cache.read('k', async () => 'old');
      clock.advance(1000);
      expect(await cache.read('k', async () => 'new')).toBe('new');
    });
  });
});
