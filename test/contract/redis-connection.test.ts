/**
 * The gateway's Redis connection against the real server: `whenUp` answers once it is connected,
 * and gives up (false) after its wait on a port nothing listens on.
 */
import { describe, expect, it } from 'vitest';
import { createRedisConnection } from '../../src/cluster/redis-connection.ts';
import { disposeAfterAll } from '../utils/leftovers.ts';
import { TEST_REDIS_URL } from '../utils/tredis.ts';

describe('createRedisConnection().whenUp', () => {
  it('resolves true once the connection is ready, and at once after that', async () => {
    const c = disposeAfterAll(createRedisConnection({ url: TEST_REDIS_URL, keyPrefix: 'bgtest:connection:' }));
    expect(c.up).toBe(false); // connecting in the background: nothing is ready synchronously
    expect(await c.whenUp(10_000)).toBe(true);
    expect(c.up).toBe(true);
    expect(await c.whenUp(0)).toBe(true);
    expect(c.redis.listenerCount('ready')).toBe(1); // its own; the wait left nothing behind
  });

  it('resolves false when the wait passes first, and the connection keeps trying', async () => {
    const c = disposeAfterAll(createRedisConnection({ url: 'redis://127.0.0.1:1/0' }));
    expect(await c.whenUp(200)).toBe(false);
    expect(c.up).toBe(false);
    expect(c.redis.listenerCount('ready')).toBe(1);
    expect(c.redis.status).not.toBe('end');
  });
});
