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
});
