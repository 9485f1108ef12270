/**
 * The Redis harness of the contract tests: the real server on 127.0.0.1:6379 (`TEST_REDIS_URL` to
 * use another), shared with other test files running at once, so every harness writes under a key
 * prefix of its own and deletes its keys after the file. Each `connect()` is one replica's
 * connection; `unreachable()` is one to a port nothing listens on.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createRedisConnection, type RedisConnection } from '../../src/cluster/redis-connection.ts';
import { disposeAfterAll } from './leftovers.ts';

/** The Redis the tests use. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** A key prefix and the connections made under it. */
export interface TRedis {
  readonly prefix: string;
  /** A new connection under the prefix, once it is ready. */
  connect(): Promise<RedisConnection>;
  /** A connection that never comes up (Redis "down"). */
  unreachable(): RedisConnection;
}

/** A fresh prefix; its keys and connections are cleaned up after the file's tests. */
export function tredis(): TRedis {
  const prefix = `bgtest:${randomUUID()}:`;
  const connections: RedisConnection[] = [];
  disposeAfterAll({
    async close() {
      const live = connections.find((c) => c.up);
      const keys = live ? await live.redis.keys(`${prefix}*`) : [];
      if (keys.length) await live!.redis.del(...keys);
      await Promise.all(connections.map((c) => c.close()));
    },
  });
  return {
    prefix,
    async connect() {
      const c = createRedisConnection({ url: TEST_REDIS_URL, keyPrefix: prefix });
      connections.push(c);
      if (!c.up) await once(c.redis, 'ready');
      return c;
    },
    unreachable() {
      const c = createRedisConnection({ url: 'redis://127.0.0.1:1/0', keyPrefix: prefix });
      connections.push(c);
      return c;
    },
  };
}
