import { describe, expect, it } from 'vitest';
import type { ResourceModel } from '../../src/domain/models.ts';
import { createEvidenceCache } from '../../src/insight/evidence-cache.ts';
import type { ProviderProtection, ResourceEvidence } from '../../src/providers/contract/index.ts';
import { tctx } from '../utils/tupstream.ts';

/** A clock the test moves. */
const clockAt = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
};

const resource = (nativeId: string) => ({ nativeId }) as ResourceModel;
const evidenceOf = (nativeId: string, read: number) => ({ lastSuccessAt: `read ${read} of ${nativeId}` }) as unknown as ResourceEvidence;
const since = new Date(0);

/**
 * A provider's protection that answers each resource with the number of the read that answered it,
 * records which resources every read asked for, and can be held open until the test releases it.
 */
function countingProtection() {
  const asked: string[][] = [];
  let hold: Promise<void> | null = null;
  let failWith: ((id: string, read: number) => Error | null) | null = null;
  const protection: ProviderProtection = {
    async evidence(resources) {
      asked.push(resources.map((r) => r.nativeId));
      const read = asked.length;
      if (hold) await hold;
      return resources.map((r) => failWith?.(r.nativeId, read) ?? evidenceOf(r.nativeId, read));
    },
  };
  return {
    protection,
    asked,
    /** Holds every read until the returned function is called. */
    holdReads() {
      let release!: () => void;
      hold = new Promise<void>((r) => (release = r));
      return () => {
        hold = null;
        release();
      };
    },
    failFor(fn: ((id: string, read: number) => Error | null) | null) {
      failWith = fn;
    },
  };
}

describe('evidence cache', () => {
  it('answers a resource from memory while younger than the TTL, asking upstream only for the others', async () => {
    const clock = clockAt();
    const source = countingProtection();
    const cached = createEvidenceCache({ ttlMs: 1000, clock }).wrap(source.protection);
    expect(await cached.evidence([resource('a'), resource('b')], since, tctx())).toEqual([evidenceOf('a', 1), evidenceOf('b', 1)]);
    clock.advance(999);
    expect(await cached.evidence([resource('b'), resource('c'), resource('a')], since, tctx())).toEqual([evidenceOf('b', 1), evidenceOf('c', 2), evidenceOf('a', 1)]);
    expect(source.asked).toEqual([['a', 'b'], ['c']]);
    clock.advance(1);
    expect(await cached.evidence([resource('a'), resource('c')], since, tctx())).toEqual([evidenceOf('a', 3), evidenceOf('c', 2)]);
    expect(source.asked.at(-1)).toEqual(['a']);
  });

  it('is off at a TTL of 0: the provider\'s own protection is used as it is', () => {
    const source = countingProtection();
    const cache = createEvidenceCache({ ttlMs: 0, clock: clockAt() });
    expect(cache.enabled).toBe(false);
    expect(cache.wrap(source.protection)).toBe(source.protection);
  });

  it('keeps no error: a resource whose evidence failed is asked again next time', async () => {
    const source = countingProtection();
    const cached = createEvidenceCache({ ttlMs: 1000, clock: clockAt() }).wrap(source.protection);
    source.failFor((id) => (id === 'bad' ? new Error('upstream down') : null));
    const first = await cached.evidence([resource('bad'), resource('good')], since, tctx());
    expect(first[0]).toBeInstanceOf(Error);
    source.failFor(null);
    expect(await cached.evidence([resource('bad'), resource('good')], since, tctx())).toEqual([evidenceOf('bad', 2), evidenceOf('good', 1)]);
    expect(source.asked).toEqual([['bad', 'good'], ['bad']]);
  });

  it('lets a read that failed as a whole fail, and keeps nothing of it', async () => {
    const failing: ProviderProtection = { evidence: async () => { throw new Error('budget spent'); } };
    const cache = createEvidenceCache({ ttlMs: 1000, clock: clockAt() });
    await expect(cache.wrap(failing).evidence([resource('a')], since, tctx())).rejects.toThrow('budget spent');
    const source = countingProtection();
    expect(await cache.wrap(source.protection).evidence([resource('a')], since, tctx())).toEqual([evidenceOf('a', 1)]);
  });

  it('forgets everything on clear, and keeps nothing of a read that started before it', async () => {
    const source = countingProtection();
    const cache = createEvidenceCache({ ttlMs: 1000, clock: clockAt() });
    const cached = cache.wrap(source.protection);
    await cached.evidence([resource('a')], since, tctx());
    cache.clear();
    expect(await cached.evidence([resource('a')], since, tctx())).toEqual([evidenceOf('a', 2)]);
    const release = source.holdReads();
    const before = cached.evidence([resource('b')], since, tctx());
    cache.clear();
    release();
    expect(await before).toEqual([evidenceOf('b', 3)]);
    expect(await cached.evidence([resource('b')], since, tctx())).toEqual([evidenceOf('b', 4)]);
  });

  it('drops the oldest resources past its size', async () => {
    const source = countingProtection();
    const cached = createEvidenceCache({ ttlMs: 1000, clock: clockAt(), maxEntries: 2 }).wrap(source.protection);
    for (const id of ['a', 'b', 'c']) await cached.evidence([resource(id)], since, tctx());
    expect(await cached.evidence([resource('a'), resource('c')], since, tctx())).toEqual([evidenceOf('a', 4), evidenceOf('c', 3)]);
  });
});

describe('evidence cache: reads in flight', () => {
  it('shares a read in flight: a second request waits for it and asks only for what it does not cover', async () => {
    const source = countingProtection();
    const answered: unknown[] = [];
    const cached = createEvidenceCache({ ttlMs: 1000, clock: clockAt(), onAnswered: (a) => answered.push(a) }).wrap(source.protection);
    const release = source.holdReads();
    const first = cached.evidence([resource('a'), resource('b')], since, tctx());
    const second = cached.evidence([resource('b'), resource('c')], since, tctx());
    release();
    expect(await first).toEqual([evidenceOf('a', 1), evidenceOf('b', 1)]);
    expect(await second).toEqual([evidenceOf('b', 1), evidenceOf('c', 2)]);
    expect(source.asked).toEqual([['a', 'b'], ['c']]);
    await cached.evidence([resource('a'), resource('d')], since, tctx());
    expect(answered).toEqual([{ kept: 0, shared: 0, read: 2 }, { kept: 0, shared: 1, read: 1 }, { kept: 1, shared: 0, read: 1 }]);
  });

  it('has a waiter read for itself when the shared read answered an error', async () => {
    const source = countingProtection();
    const cached = createEvidenceCache({ ttlMs: 1000, clock: clockAt() }).wrap(source.protection);
    source.failFor((_id, read) => (read === 1 ? new Error('the first request\'s deadline ended') : null));
    const release = source.holdReads();
    const first = cached.evidence([resource('a')], since, tctx());
    const second = cached.evidence([resource('a')], since, tctx());
    release();
    const [mine, theirs] = await Promise.all([first, second]);
    expect(mine[0]).toBeInstanceOf(Error);
    expect(theirs).toEqual([evidenceOf('a', 2)]);
    expect(source.asked).toEqual([['a'], ['a']]);
  });
});
