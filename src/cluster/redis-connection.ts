/**
 * The gateway's one Redis connection (ioredis) for shared state across replicas. Commands never
 * queue while Redis is away: they fail at once, so every caller can fall back to in-process
 * behaviour instead of waiting; ioredis keeps reconnecting in the background. `up` says whether the
 * last state seen was connected; `onChange` reports every flip (for the warning and the metric).
 * The connection URL is never logged (it may hold a password).
 */
import { Redis } from 'ioredis';

/** How long a gateway waits for its first Redis connection before it serves without one. */
export const DEFAULT_REDIS_CONNECT_WAIT_MS = 5000;

/** Options of {@link createRedisConnection}. */
export interface RedisConnectionOptions {
  /** `redis://[:password@]host:port[/db]`. Never logged. */
  url: string;
  /** Prefix of every key this gateway writes (`bg:` by default); tests use one per run. @default 'bg:' */
  keyPrefix?: string;
  /** Called when the connection goes up or down. */
  onChange?: (up: boolean) => void;
  /** Longest wait between reconnect attempts. @default 2000 */
  maxReconnectDelayMs?: number;
}

/** A Redis connection with its key prefix and liveness. */
export interface RedisConnection {
  /** Commands (prefix applied by the caller through {@link RedisConnection.key}). */
  readonly redis: Redis;
  /** `name` under this gateway's key prefix. */
  key(name: string): string;
  /** True while connected and ready. */
  readonly up: boolean;
  /** Resolves true once the connection is up (at once when it is), false when `timeoutMs` passes first. */
  whenUp(timeoutMs: number): Promise<boolean>;
  /** A second connection for SUBSCRIBE / blocking reads (Redis forbids commands on a subscribed one). */
  duplicate(): Redis;
  close(): Promise<void>;
}

/** Connects (in the background) to Redis at `url`. */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { url, keyPrefix = 'bg:', onChange, maxReconnectDelayMs = 2000 } = options;
  const settings = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), maxReconnectDelayMs),
  };
  const redis = new Redis(url, settings);
  let up = false;
  const set = (next: boolean) => {
    if (next === up) return;
    up = next;
    onChange?.(up);
  };
  redis.on('ready', () => set(true));
  redis.on('close', () => set(false));
  redis.on('end', () => set(false));
  // ioredis emits 'error' on every failed reconnect; the flip is reported once through onChange.
  redis.on('error', () => undefined);
  const duplicates: Redis[] = [];
  return {
    redis,
    key: (name) => `${keyPrefix}${name}`,
    get up() {
      return up;
    },
    whenUp(timeoutMs) {
      if (up) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (answer: boolean) => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          resolve(answer);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(up), timeoutMs);
        redis.on('ready', onReady);
      });
    },
    duplicate() {
      const d = redis.duplicate({ ...settings, enableOfflineQueue: true, maxRetriesPerRequest: null });
      d.on('error', () => undefined);
      duplicates.push(d);
      return d;
    },
    async close() {
      // QUIT only on a live connection: on one that is reconnecting it would wait in the offline queue forever.
      await Promise.allSettled([redis, ...duplicates].map((r) => (r.status === 'ready' ? r.quit().catch(() => r.disconnect()) : r.disconnect())));
    },
  };
}
