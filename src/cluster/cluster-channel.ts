/**
 * One Redis pub/sub channel (under the key prefix) that replicas tell each other things on: each
 * message is JSON with the sender's replica id, a replica never hears its own, and a message that
 * does not parse is ignored. Best effort by design: publishing never throws and never waits for a
 * Redis that is away (commands fail at once), so a message can be lost; the subscription
 * reconnects and resubscribes by itself (ioredis).
 */
import type { Redis } from 'ioredis';
import type { RedisConnection } from './redis-connection.ts';

/** What a channel reports through `onEvent`. */
export type ClusterChannelEvent =
  /** Redis took a message of this replica. */
  | 'published'
  /** A message of this replica was dropped (Redis unreachable). */
  | 'dropped'
  /** A peer's message arrived (this replica's own are never reported). */
  | 'received';

/** Options of {@link createClusterChannel}. */
export interface ClusterChannelOptions<T> {
  /** The shared Redis connection: its commands for PUBLISH, a duplicate of it (same URL and reconnects) for SUBSCRIBE. */
  connection: RedisConnection;
  /** The channel's name under the key prefix (`breaker`, `reference`). */
  name: string;
  /** This replica's id: its own messages are ignored when they come back. */
  replicaId: string;
  /** A received message's payload, or null when it is not one (it is then ignored). */
  parse: (message: Record<string, unknown>) => T | null;
  /** Told of every publish and every peer message (logs, tests). @default none */
  onEvent?: (event: ClusterChannelEvent, message: T & { replicaId: string }) => void;
}

/** One replica's end of a channel. */
export interface ClusterChannel<T> {
  /** Sends `message` to the other replicas: resolves true once Redis took it, false when it was dropped. Never throws. */
  publish(message: T): Promise<boolean>;
  /**
   * Calls `handler` with every peer's message. Resolves once Redis confirmed the subscription;
   * while Redis is away that waits for it to come back, so callers that must not wait should not
   * await it.
   */
  subscribe(handler: (message: T & { replicaId: string }) => void): Promise<void>;
  /** Stops the subscription and closes its connection (the shared connection is the caller's). */
  close(): Promise<void>;
}

/** Creates replica `replicaId`'s end of channel `name`; subscribes only when asked. */
export function createClusterChannel<T extends object>(options: ClusterChannelOptions<T>): ClusterChannel<T> {
  const { connection, replicaId, parse, onEvent } = options;
  const channel = connection.key(options.name);
  const handlers = new Set<(message: T & { replicaId: string }) => void>();
  let subscriber: Redis | undefined;
  let subscribed: Promise<void> | undefined;
  let closed = false;

  const deliver = (from: string, raw: string) => {
    if (from !== channel) return;
    let message: (T & { replicaId: string }) | null = null;
    try {
      const m = JSON.parse(raw) as Record<string, unknown>;
      const body = typeof m === 'object' && m !== null && typeof m.replicaId === 'string' ? parse(m) : null;
      if (body) message = { ...body, replicaId: m.replicaId as string };
    } catch {
      // Not JSON: not one of ours.
    }
    if (!message || message.replicaId === replicaId) return;
    onEvent?.('received', message);
    for (const handler of handlers) {
      try {
        handler(message);
      } catch {
        // One handler's failure is not the channel's.
      }
    }
  };

  return {
    async publish(message) {
      const full = { ...message, replicaId };
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
