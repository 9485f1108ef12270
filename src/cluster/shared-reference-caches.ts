/**
 * Reference caches (`src/upstream/reference-cache.ts`) cleared across replicas: when an adapter
 * clears its provider's cache after a change it made (a schedule written, an alert dismissed), the
 * replica says so on one channel (`reference` under the key prefix) and every other replica clears
 * its cache of that provider too, so a change made through one replica is seen through all of them
 * at once rather than after the TTL. Best effort (`cluster-channel.ts`): a message lost (Redis away)
 * leaves the TTL to expire what it would have cleared, as without Redis.
 */
import type { ReferenceCache } from '../upstream/reference-cache.ts';
import { createClusterChannel, type ClusterChannelEvent } from './cluster-channel.ts';
import type { RedisConnection } from './redis-connection.ts';

/** Options of {@link createSharedReferenceCaches}. */
export interface SharedReferenceCachesOptions {
  connection: RedisConnection;
  /** This replica's id (its own messages are not heard back). */
  replicaId: string;
  /** Told of every publish and every peer message: the provider instance id. @default none */
  onEvent?: (event: ClusterChannelEvent, provider: string) => void;
}

/** This replica's reference caches, wired to its peers'. */
export interface SharedReferenceCaches {
  /**
   * `cache` (provider instance `provider`'s) shared: its `clear()` clears it and tells the other
   * replicas, and a peer's clear of that provider clears it here (without telling anyone).
   */
  share(provider: string, cache: ReferenceCache): ReferenceCache;
  /** Resolves once peers' messages are being received (the gateway's listen waits for it, up to `connectWaitMs`). */
  readonly ready: Promise<void>;
  /** Stops listening and closes the channel. */
  close(): Promise<void>;
}

/** Creates the shared reference caches of replica `replicaId`. */
export function createSharedReferenceCaches(options: SharedReferenceCachesOptions): SharedReferenceCaches {
  const caches = new Map<string, Set<ReferenceCache>>();
  const channel = createClusterChannel<{ provider: string }>({
    connection: options.connection,
    name: 'reference',
    replicaId: options.replicaId,
    parse: (m) => (typeof m.provider === 'string' ? { provider: m.provider } : null),
    onEvent: options.onEvent && ((event, m) => options.onEvent!(event, m.provider)),
  });
  const ready = channel.subscribe(({ provider }) => {
    for (const cache of caches.get(provider) ?? []) cache.clear();
  });
  ready.catch(() => undefined);
  return {
    share(provider, cache) {
      const set = caches.get(provider) ?? new Set();
      set.add(cache);
      caches.set(provider, set);
      return {
        get enabled() {
          return cache.enabled;
        },
        read: (key, load) => cache.read(key, load),
        clear() {
          cache.clear();
          void channel.publish({ provider });
        },
      };
    },
    ready,
    close: () => channel.close(),
  };
}
