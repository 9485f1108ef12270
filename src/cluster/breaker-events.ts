/**
 * Circuit-breaker opens and closes shared across replicas through Redis pub/sub, on one channel
 * (`breaker` under the key prefix). When a replica's breaker for a provider opens on its own
 * failures it publishes `open` with how long it stays open; every other replica holds its guard of
 * that provider open as long (`UpstreamGuard.holdOpen`: calls refused at once, nothing counted), so
 * the cluster stops calling a failing provider after one replica's threshold instead of N. When the
 * opener's probe succeeds it publishes `closed` and the others release their hold early.
 *
 * Best effort by design (`cluster-channel.ts`): a message lost (Redis away, a replica started after
 * the open) only means that replica finds out on its own, as it would without Redis.
 */
import type { BreakerSettings, UpstreamGuard } from '../upstream/guard.ts';
import { createClusterChannel, type ClusterChannel, type ClusterChannelEvent } from './cluster-channel.ts';
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
export type BreakerEventsEvent = ClusterChannelEvent;

/** Options of {@link createBreakerEvents}. */
export interface BreakerEventsOptions {
  /** The shared Redis connection: its commands for PUBLISH, a duplicate of it (same URL and reconnects) for SUBSCRIBE. */
  connection: RedisConnection;
  /** This replica's id: its own messages are ignored when they come back. */
  replicaId: string;
  /** Told of every publish and every peer message (logs, tests). @default none */
  onEvent?: (event: BreakerEventsEvent, breaker: BreakerEvent) => void;
}

/** The breaker channel of one replica (a {@link ClusterChannel} of transitions). */
export interface BreakerEvents extends ClusterChannel<Omit<BreakerEvent, 'replicaId'>> {
  subscribe(handler: (event: BreakerEvent) => void): Promise<void>;
}

/** A transition off the channel; null when it is not one. */
function parse(m: Record<string, unknown>): Omit<BreakerEvent, 'replicaId'> | null {
  if (typeof m.provider !== 'string' || (m.state !== 'open' && m.state !== 'closed')) return null;
  const retryAfterMs = typeof m.retryAfterMs === 'number' && Number.isFinite(m.retryAfterMs) ? Math.max(0, m.retryAfterMs) : 0;
  return { provider: m.provider, state: m.state, retryAfterMs: m.state === 'open' ? retryAfterMs : 0 };
}

/** Creates the breaker channel (`breaker`) of replica `replicaId` on `connection`; subscribes only when asked. */
export function createBreakerEvents(options: BreakerEventsOptions): BreakerEvents {
  const channel = createClusterChannel({ connection: options.connection, name: 'breaker', replicaId: options.replicaId, parse, onEvent: options.onEvent });
  return {
    ...channel,
    publish: (event) => channel.publish({ provider: event.provider, state: event.state, retryAfterMs: event.state === 'open' ? event.retryAfterMs : 0 }),
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
