/**
 * Protection evidence kept across requests for a short time. Assessing protection reads every
 * asked resource's attempts of the last days (at simulator scale 10, some 30,000 upstream records
 * for the dashboard's summary); a second dashboard opened a few seconds later, or four opened at
 * once, would read them all again. One cache per provider instance, keyed by the resource's native
 * id: the evidence of a resource is the same whoever asks (the tenant scope decides, above, which
 * resources a caller reaches; only their evidence is ever looked up).
 *
 * What is kept: a resource's evidence, for `ttlMs` after its provider answered; never an error
 * (a resource whose evidence failed is read again by the next request). A read in flight is
 * shared: a request asking about a resource another request is reading waits for that answer
 * instead of asking again; when it turns out an error, the waiter reads it for itself, under its
 * own deadline and budget. Statuses stay computed at each request's own "now": only the evidence
 * is shared, so a resource turns AT_RISK on time even from cached evidence.
 *
 * When it is forgotten: after `ttlMs`; at once after any change the adapter makes through the
 * provider, the moment it clears its reference cache (`src/upstream/reference-cache.ts`: every
 * adapter does after each change; the gateway clears both together, and with Redis on every
 * replica), so a backup started or a schedule written through any replica shows at once. What
 * happens after that without us (a run we started finishing, a backup made in a vendor's console)
 * shows once the entry is older than `ttlMs`. A `ttlMs` of 0 (the gateway's default; config
 * defaults to {@link DEFAULT_EVIDENCE_TTL_MS}) turns it off.
 */
import { systemClock, type Clock } from '../domain/clock.ts';
import type { ResourceModel } from '../domain/models.ts';
import type { ProviderAdapter, ProviderProtection, ResourceEvidence } from '../providers/contract/index.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { RequestContext } from '../upstream/request-context.ts';

/** How long evidence is kept when the config does not say (`cache.evidenceTtlMs`), ms. */
export const DEFAULT_EVIDENCE_TTL_MS = 5_000;
/** Resources one provider's cache holds at most (the oldest go first). */
const MAX_ENTRIES = 100_000;

/** Options of {@link createEvidenceCache}. */
export interface EvidenceCacheOptions {
  /** How long a resource's evidence is served from the cache, ms; 0 = off. @default 0 */
  ttlMs?: number;
  /** Where entry ages are read. @default the system clock */
  clock?: Clock;
  /** Resources kept at most; past it the oldest are dropped. @default 100000 */
  maxEntries?: number;
  /** Told, per batch asked, how many resources were answered from memory, from another request's read, and read upstream. @default none */
  onAnswered?: (counts: EvidenceAnswers) => void;
}

/** Where one batch's evidence came from, in resources. */
export interface EvidenceAnswers {
  /** Kept from an earlier read, younger than the TTL. */
  kept: number;
  /** Waited for from another request's read in flight (a waiter that then read for itself counts as `read`). */
  shared: number;
  /** Read upstream by this request. */
  read: number;
}

/** One provider instance's evidence cache. */
export interface EvidenceCache {
  /** False when `ttlMs` is 0: {@link EvidenceCache.wrap} answers `protection` itself. */
  readonly enabled: boolean;
  /** `protection` answering each resource from the cache while fresh, and from `protection` otherwise. */
  wrap(protection: ProviderProtection): ProviderProtection;
  /** Forgets every resource's evidence (after a change made through the provider). */
  clear(): void;
}

/** Creates one provider instance's evidence cache. */
export function createEvidenceCache(options: EvidenceCacheOptions = {}): EvidenceCache {
  const { ttlMs = 0, clock = systemClock, maxEntries = MAX_ENTRIES, onAnswered } = options;
  const entries = new Map<string, { at: number; value: ResourceEvidence }>();
  const inFlight = new Map<string, Promise<ResourceEvidence | Error>>();
  // Bumped by clear(): a read that started before a change must not store its (older) answer after it.
  let generation = 0;
  let sweptAt = clock.now();

  /** Drops entries past their TTL, at most once a TTL (so an idle cache does not hold them). */
  function sweep(now: number): void {
    if (now - sweptAt < ttlMs) return;
    sweptAt = now;
    for (const [key, e] of entries) if (now - e.at >= ttlMs) entries.delete(key);
  }

  /** Reads `resources` through `protection`, sharing each resource's answer with requests that ask meanwhile. */
  async function readShared(protection: ProviderProtection, resources: readonly ResourceModel[], since: Date, ctx: RequestContext) {
    const started = generation;
    const settle: Array<(v: ResourceEvidence | Error) => void> = [];
    const mine = resources.map((r) => {
      const p = new Promise<ResourceEvidence | Error>((resolve) => settle.push(resolve));
      inFlight.set(r.nativeId, p);
      return p;
    });
    let answers: Array<ResourceEvidence | Error> | undefined;
    try {
      answers = await protection.evidence(resources, since, ctx);
      return answers;
    } finally {
      const now = clock.now();
      resources.forEach((r, i) => {
        const value = answers ? answers[i] : new Error('evidence read failed');
        if (answers && !(value instanceof Error) && started === generation) {
          entries.delete(r.nativeId);
          entries.set(r.nativeId, { at: now, value });
        }
        settle[i](value);
        if (inFlight.get(r.nativeId) === mine[i]) inFlight.delete(r.nativeId);
      });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    }
  }

  return {
    enabled: ttlMs > 0,
    wrap(protection) {
      if (ttlMs <= 0) return protection;
      return {
        async evidence(resources, since, ctx) {
          const now = clock.now();
          sweep(now);
          const out = new Array<ResourceEvidence | Error>(resources.length);
          const own: number[] = [];
          const waiting: Array<Promise<void>> = [];
          const retry: number[] = [];
          resources.forEach((r, i) => {
            const hit = entries.get(r.nativeId);
            if (hit && now - hit.at < ttlMs) {
              out[i] = hit.value;
              return;
            }
            const running = inFlight.get(r.nativeId);
            if (running) {
              waiting.push(running.then((v) => (v instanceof Error ? void retry.push(i) : void (out[i] = v))));
              return;
            }
            own.push(i);
          });
          if (own.length) {
            const answers = await readShared(protection, own.map((i) => resources[i]), since, ctx);
            own.forEach((i, k) => (out[i] = answers[k]));
          }
          await Promise.all(waiting);
          if (retry.length) {
            // Another request's read failed (perhaps only its deadline ran out): read these for ourselves.
            const answers = await protection.evidence(retry.map((i) => resources[i]), since, ctx);
            retry.forEach((i, k) => (out[i] = answers[k]));
          }
          onAnswered?.({ kept: resources.length - own.length - waiting.length, shared: waiting.length - retry.length, read: own.length + retry.length });
          return out;
        },
      };
    },
    clear() {
      generation++;
      entries.clear();
      inFlight.clear();
    },
  };
}

/**
 * `registry` whose factories build adapters answering protection through their instance's cache
 * in `caches` (by provider instance id; an instance without an enabled cache keeps its own);
 * kinds, SDL, lists, lookups and actions unchanged.
 */
export function cacheEvidenceOf(registry: ProviderRegistry, caches: ReadonlyMap<string, EvidenceCache>): ProviderRegistry {
  return Object.fromEntries(
    Object.entries(registry).map(([kind, entry]) => [
      kind,
      {
        ...entry,
        createAdapter: (options) => {
          const adapter: ProviderAdapter = entry.createAdapter(options);
          const cache = caches.get(options.ref.id);
          return adapter.protection && cache?.enabled ? { ...adapter, protection: cache.wrap(adapter.protection) } : adapter;
        },
      },
    ]),
  );
}
