/**
 * Circuit-breaker opens and closes shared across replicas through Redis pub/sub, on one channel
 * (`breaker` under the key prefix). When a replica's breaker for a provider opens on its own
 * failures it publishes `open` with how long it stays open; every other replica holds its guard of
 * that provider open as long (`UpstreamGuard.holdOpen`: calls refused at once, nothing counted), so
 * the cluster stops calling a failing provider after one replica's threshold instead of N. When the
 * opener's probe succeeds it publishes `closed` and the others release their hold early.
 *
 * Best effort by design: a message lost (Redis away, a replica started after the open) only means
 * that replica finds out on its own, as it would without Redis. Publishing never throws and never
 * waits for Redis (commands fail at once while it is away); the subscription reconnects and
 * resubscribes by itself (ioredis).
 */
import type { Redis } from 'ioredis';
import type { BreakerSettings, UpstreamGuard } from '../upstream/guard.ts';
import type { RedisConnection } from './redis-connection.ts';

/** One breaker transition as it travels between replicas. */
export interface BreakerEvent {
  /** The replica whose breaker moved. */
  replicaId: string;
  /** The provider instance id (the same in every replica's config). */
  provider: string;
  /** `open`: it opened on its own failures; `closed`: a probe succeeded. */
  state: 'open' | 'closed';
  /** While `open`: how long it stays open before its next probe; 0 for `closed`. */
  retryAfterMs: number;
}

/** What {@link BreakerEvents} reports through `onEvent`. */
export type BreakerEventsEvent =
  /** Redis took a message of this replica. */
  | 'published'
  /** A message of this replica was dropped (Redis unreachable). */
  | 'dropped'
  /** A peer's message arrived (this replica's own are never reported). */
  | 'received';

/** Options of {@link createBreakerEvents}. */
export interface BreakerEventsOptions {
  /** The shared Redis connection: its commands for PUBLISH, a duplicate of it (same URL and reconnects) for SUBSCRIBE. */
  connection: RedisConnection;
  /** This replica's id: its own messages are ignored when they come back. */
  replicaId: string;
  /** Told of every publish and every peer message (logs, tests). @default none */
  onEvent?: (event: BreakerEventsEvent, breaker: BreakerEvent) => void;
}

/** The breaker channel of one replica. */
export interface BreakerEvents {
  /**
   * Sends a transition of this replica's breaker to the other replicas. Never throws and never
   * waits for a Redis that is away: resolves true once Redis took it, false when it was dropped.
   */
  publish(event: Omit<BreakerEvent, 'replicaId'>): Promise<boolean>;
  /**
   * Calls `handler` with every peer's transition (never this replica's own, never a malformed
   * message). Resolves once Redis confirmed the subscription; while Redis is away that waits for it
   * to come back, so callers that must not wait should not await it.
   */
  subscribe(handler: (event: BreakerEvent) => void): Promise<void>;
  /** Stops the subscription and closes its connection (the shared connection is the caller's). */
  close(): Promise<void>;
}

/** Reads a message off the channel; null when it is not one of ours. */
function parse(message: string): BreakerEvent | null {
  try {
    const m = JSON.parse(message) as Partial<BreakerEvent>;
    if (typeof m.replicaId !== 'string' || typeof m.provider !== 'string' || (m.state !== 'open' && m.state !== 'closed')) return null;
    const retryAfterMs = typeof m.retryAfterMs === 'number' && Number.isFinite(m.retryAfterMs) ? Math.max(0, m.retryAfterMs) : 0;
    return { replicaId: m.replicaId, provider: m.provider, state: m.state, retryAfterMs };
  } catch {
    return null;
  }
}

/** Creates the breaker channel of replica `replicaId` on `connection`; subscribes only when asked. */
export function createBreakerEvents(options: BreakerEventsOptions): BreakerEvents {
  const { connection, replicaId, onEvent } = options;
  const channel = connection.key('breaker');
  const handlers = new Set<(event: BreakerEvent) => void>();
  let subscriber: Redis | undefined;
  let subscribed: Promise<void> | undefined;
  let closed = false;

  const deliver = (from: string, message: string) => {
    if (from !== channel) return;
    const event = parse(message);
    if (!event || event.replicaId === replicaId) return;
    onEvent?.('received', event);
    for (const handler of handlers) {
      try {
        handler(event);
      } catch {
        // One handler's failure is not the channel's.
      }
    }
  };

  return {
    async publish(event) {
      const full: BreakerEvent = { replicaId, provider: event.provider, state: event.state, retryAfterMs: event.state === 'open' ? event.retryAfterMs : 0 };
      // The command connection has no offline queue: while Redis is away this rejects at once.
      const sent = !closed && (await connection.redis.publish(channel, JSON.stringify(full)).then(() => true, () => false));
      onEvent?.(sent ? 'published' : 'dropped', full);
      return sent;
    },
    subscribe(handler) {
      handlers.add(handler);
      if (!subscribed) {
        // Not `connection.duplicate()`: the connection's close() QUITs its duplicates, and QUIT on one
        // that is reconnecting (Redis away) waits forever; this one is closed here, without waiting.
        subscriber = connection.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
        subscriber.on('error', () => undefined);
        subscriber.on('message', deliver);
        subscribed = subscriber.subscribe(channel).then(() => undefined);
      }
      return subscribed;
    },
    async close() {
      closed = true;
      handlers.clear();
      const s = subscriber;
      subscriber = undefined;
      // QUIT would sit in the subscriber's offline queue while Redis is away: then just drop the socket.
      if (s?.status === 'ready') await s.quit().then(() => undefined, () => s.disconnect());
      else s?.disconnect();
    },
  };
}

/** Every replica's guards wired to the breaker channel: see {@link shareBreakers}. */
export interface SharedBreakers {
  /**
   * The breaker hooks to merge into every provider's `UpstreamSettings.breaker`: `onGuard`
   * registers each guard created, `onBreak` / `onReset` publish its own transitions.
   */
  readonly hooks: Required<Pick<BreakerSettings, 'onBreak' | 'onReset' | 'onGuard'>>;
  /** `base` (a provider's breaker settings) with {@link hooks} added; hooks already in `base` are still called, first. */
  breakerSettings(base?: BreakerSettings): BreakerSettings;
  /** Resolves once peers' messages are being received (see {@link BreakerEvents.subscribe}). */
  readonly ready: Promise<void>;
  /** Stops listening and closes the channel. Holds already running run out on their own. */
  close(): Promise<void>;
}

/**
 * Wires the guards that register through `hooks.onGuard` to `events`: an open of a local breaker
 * is published; a peer's open holds this replica's guards of that provider open for the peer's
 * `retryAfterMs`; a peer's close releases them early (their own breaker state is untouched).
 */
export function shareBreakers(events: BreakerEvents): SharedBreakers {
  const guards = new Map<string, Set<UpstreamGuard>>();
  const ready = events.subscribe((event) => {
    for (const guard of guards.get(event.provider) ?? []) {
      if (event.state === 'open') guard.holdOpen(event.retryAfterMs);
      else guard.release();
    }
  });
  // Not awaited by the gateway: a Redis that is away must not hold up startup.
  ready.catch(() => undefined);
  const hooks: SharedBreakers['hooks'] = {
    onGuard(guard) {
      const set = guards.get(guard.provider) ?? new Set();
      set.add(guard);
      guards.set(guard.provider, set);
    },
    onBreak({ provider, retryAfterMs }) {
      void events.publish({ provider, state: 'open', retryAfterMs });
    },
    onReset({ provider }) {
      void events.publish({ provider, state: 'closed', retryAfterMs: 0 });
    },
  };
  return {
    hooks,
    breakerSettings(base = {}) {
      return {
        ...base,
        onGuard: (guard) => (base.onGuard?.(guard), hooks.onGuard(guard)),
        onBreak: (info) => (base.onBreak?.(info), hooks.onBreak(info)),
        onReset: (info) => (base.onReset?.(info), hooks.onReset(info)),
      };
    },
    ready,
    close: () => events.close(),
  };
}
