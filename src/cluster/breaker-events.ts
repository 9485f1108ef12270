/**
 * Circuit-breaker opens and closes shared across replicas through Redis pub/sub, on one channel
 * (`breaker` under the key prefix). When a replica's breaker for a provider opens on its own
 * failures it publishes `open` with how long it stays open; every other replica holds its guard of
 * that provider open as long (`UpstreamGuard.holdOpen`: calls refused at once, nothing counted), so
 * the cluster stops calling a failing provider after one replica's threshold instead of N. When the
 * opener's probe succeeds it publishes `closed` and the others release their hold early.
 *
 * A replica that starts while an open is in force learns it from a key kept beside the message
 * (`breaker-open:<provider>`, expiring with the open). Best effort by design (`cluster-channel.ts`):
 * a message lost (Redis away) only means that replica finds out on its own, as it would without
 * Redis.
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
  /**
   * How much longer a breaker some replica published open for `provider` stays open, ms (0: none):
   * what a replica that joined after the open missed on the channel. Waits for the connection (up
   * to {@link RECALL_WAIT_MS}); 0 when Redis does not answer.
   */
  openFor(provider: string): Promise<number>;
}

/** How long {@link BreakerEvents.openFor} waits for the connection at most. */
const RECALL_WAIT_MS = 5000;

/** A transition off the channel; null when it is not one. */
function parse(m: Record<string, unknown>): Omit<BreakerEvent, 'replicaId'> | null {
  if (typeof m.provider !== 'string' || (m.state !== 'open' && m.state !== 'closed')) return null;
  const retryAfterMs = typeof m.retryAfterMs === 'number' && Number.isFinite(m.retryAfterMs) ? Math.max(0, m.retryAfterMs) : 0;
  return { provider: m.provider, state: m.state, retryAfterMs: m.state === 'open' ? retryAfterMs : 0 };
}

/**
 * Creates the breaker channel (`breaker`) of replica `replicaId` on `connection`; subscribes only
 * when asked. An open is also kept as a key (`breaker-open:<provider>`, expiring with the open) for
 * replicas that join later; a close deletes it.
 */
export function createBreakerEvents(options: BreakerEventsOptions): BreakerEvents {
  const { connection } = options;
  const channel = createClusterChannel({ connection, name: 'breaker', replicaId: options.replicaId, parse, onEvent: options.onEvent });
  const keyOf = (provider: string) => connection.key(`breaker-open:${provider}`);
  return {
    ...channel,
    async publish(event) {
      const retryAfterMs = event.state === 'open' ? Math.max(0, Math.round(event.retryAfterMs)) : 0;
      // Best effort, as the message: a command that fails (Redis away) is dropped at once.
      const kept = retryAfterMs > 0 ? connection.redis.set(keyOf(event.provider), options.replicaId, 'PX', retryAfterMs) : connection.redis.del(keyOf(event.provider));
      await kept.then(() => undefined, () => undefined);
      return channel.publish({ provider: event.provider, state: event.state, retryAfterMs });
    },
    async openFor(provider) {
      if (!(await connection.whenUp(RECALL_WAIT_MS))) return 0;
      const ms = await connection.redis.pttl(keyOf(provider)).catch(() => -2);
      return ms > 0 ? ms : 0;
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
  /** Resolves once every guard registered so far has learnt the opens it joined after (see {@link BreakerEvents.openFor}). */
  recalled(): Promise<void>;
  /** Stops listening and closes the channel. Holds already running run out on their own. */
  close(): Promise<void>;
}

/**
 * Wires the guards that register through `hooks.onGuard` to `events`: an open of a local breaker
 * is published; a peer's open holds this replica's guards of that provider open for the peer's
 * `retryAfterMs`; a peer's close releases them early (their own breaker state is untouched). A
 * guard registered while a peer's open is still in force (this replica started after it) is held
 * for what is left of it.
 */
export function shareBreakers(events: BreakerEvents): SharedBreakers {
  const guards = new Map<string, Set<UpstreamGuard>>();
  const ready = events.subscribe((event) => {
    for (const guard of guards.get(event.provider) ?? []) {
      if (event.state === 'open') guard.holdOpen(event.retryAfterMs);
      else guard.release();
    }
  });
  // Awaited by the gateway's listen for connectWaitMs at most: a Redis that is away must not hold up startup.
  ready.catch(() => undefined);
  const recalls = new Set<Promise<void>>();
  const hooks: SharedBreakers['hooks'] = {
    onGuard(guard) {
      const set = guards.get(guard.provider) ?? new Set();
      set.add(guard);
      guards.set(guard.provider, set);
      // An open published before this replica listened: hold for what is left of it.
      const recall = events.openFor(guard.provider).then((ms) => {
        if (ms > 0) guard.holdOpen(ms);
      }, () => undefined);
      recalls.add(recall);
      void recall.finally(() => recalls.delete(recall));
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
    recalled: async () => {
      await Promise.all([...recalls]);
    },
    close: () => events.close(),
  };
}
