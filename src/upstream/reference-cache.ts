/**
 * Reference data kept across requests for a short time: what a provider answers about things that
 * change seldom (oCore projects, environments and schedules; Norcube data sources), so a dashboard
 * opened again within a few seconds does not read them again. One cache per provider instance (so
 * per credential), keyed by what was asked upstream (route, path and query, which carry any
 * organization filter): two callers share an entry only when they asked the provider the very same
 * thing, and the tenant scope, applied above the adapters, filters a cached answer as it filters a
 * fresh one.
 *
 * Only answers are kept, never failures. A read in flight is shared: a request asking the same
 * while it runs waits for it instead of asking again; when it fails (it ran under its own request's
 * deadline, which may have ended), each waiter reads for itself. The adapter clears the whole cache
 * after any change it makes through the provider, so our own mutations are seen at once (with
 * Redis, on every replica: `src/cluster/shared-reference-caches.ts`); changes made elsewhere are
 * seen once the entry is older than `ttlMs`. A `ttlMs` of 0 turns the cache off: every read goes
 * upstream.
 *
 * Past its TTL an entry is stale, and for `staleMs` more it is still answered while one read
 * refreshes it (stale while revalidate): a dashboard polled by several callers does not wait, every
 * few seconds, on a long walk of reference data (50 pages of Bocada resources at simulator scale
 * 100). The refresh runs in the request that found the entry stale (its calls count in that
 * request's budget, under its deadline); it replaces the entry when it succeeds and leaves the
 * stale one when it fails. Past `ttlMs + staleMs` a read waits for a fresh answer, as without it;
 * `clear()` forgets stale entries too, so our own changes are never answered from before them.
 */
import { systemClock, type Clock } from '../domain/clock.ts';

/** How long reference data is kept when the gateway's config does not say (`cache.referenceTtlMs`), ms. */
export const DEFAULT_REFERENCE_TTL_MS = 5_000;
/** How long past its TTL an entry is still answered while it is refreshed, when the config does not say (`cache.referenceStaleMs`), ms. */
export const DEFAULT_REFERENCE_STALE_MS = 60_000;
/** Entries one provider's cache holds at most (the oldest go first). */
const MAX_ENTRIES = 10_000;

/** Options of {@link createReferenceCache}. */
export interface ReferenceCacheOptions {
  /** How long an answer is served from the cache, ms; 0 = off. @default 0 */
  ttlMs?: number;
  /** How long past `ttlMs` an entry is answered while one read refreshes it, ms; 0 = never (a stale entry waits for a fresh read). @default 0 */
  staleMs?: number;
  /** Where entry ages are read. @default the system clock */
  clock?: Clock;
  /** Entries kept at most; past it the oldest are dropped. @default 10000 */
  maxEntries?: number;
}

/** A provider instance's reference cache. */
export interface ReferenceCache {
  /** False when `ttlMs` is 0: {@link ReferenceCache.read} always loads. */
  readonly enabled: boolean;
  /**
   * The answer kept under `key` while younger than the TTL; while stale (younger than the TTL plus
   * `staleMs`), that answer too, with `load()` started once to refresh it; otherwise `load()`'s
   * answer, kept from now on when it succeeds (a failure is thrown and not kept).
   */
  read<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Forgets every entry (after a change made through the provider). */
  clear(): void;
}

/** Creates one provider instance's reference cache. */
export function createReferenceCache(options: ReferenceCacheOptions = {}): ReferenceCache {
  const { ttlMs = 0, staleMs = 0, clock = systemClock, maxEntries = MAX_ENTRIES } = options;
  const entries = new Map<string, { at: number; value: unknown }>();
  const inFlight = new Map<string, Promise<unknown>>();
  // Bumped by clear(): a load that started before a change must not store its (older) answer after it.
  let generation = 0;

  /** Runs `load()` as the read in flight of `key`, keeping its answer unless the cache was cleared meanwhile. */
  async function loadAndKeep<T>(key: string, load: () => Promise<T>): Promise<T> {
    const started = generation;
    const p = load();
    inFlight.set(key, p);
    try {
      const value = await p;
      if (started === generation) {
        entries.delete(key);
        entries.set(key, { at: clock.now(), value });
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      }
      return value;
    } finally {
      if (inFlight.get(key) === p) inFlight.delete(key);
    }
  }

  return {
    enabled: ttlMs > 0,
    async read<T>(key: string, load: () => Promise<T>): Promise<T> {
      if (ttlMs <= 0) return load();
      const hit = entries.get(key);
      const age = hit ? clock.now() - hit.at : Infinity;
      if (hit && age < ttlMs) return hit.value as T;
      const running = inFlight.get(key) as Promise<T> | undefined;
      if (hit && age < ttlMs + staleMs) {
        // Stale: answered now; one refresh at a time, its failure leaving the stale entry.
        if (!running) loadAndKeep(key, load).catch(() => undefined);
        return hit.value as T;
      }
      if (running) return running.catch(() => load());
      return loadAndKeep(key, load);
    },
    clear() {
      generation++;
      entries.clear();
      inFlight.clear();
    },
  };
}
