/**
 * The shared idempotency store against the real Redis on 127.0.0.1:6379: two stores stand for two
 * replicas (each its own connection); every test run writes under its own key prefix.
 */
import { describe, expect, it } from 'vitest';
import { createRedisIdempotencyStore } from '../../src/cluster/redis-idempotency.ts';
import { GatewayError } from '../../src/domain/errors.ts';
import { createIdempotencyStore, type IdempotencyStore } from '../../src/mutations/idempotency.ts';
import { once } from '../../src/resolvers/_shared/actions.ts';
import { MutationRefused, toUserErrors } from '../../src/resolvers/_shared/user-errors.ts';
import type { GatewayContext } from '../../src/server/context.ts';
import { ProviderHttpError, ProviderResponseError } from '../../src/upstream/errors.ts';
import { tredis } from '../utils/tredis.ts';

const redis = tredis();
const { prefix } = redis;

async function replica(options: { leaseMs?: number; waitMs?: number } = {}) {
  const connection = await redis.connect();
  const events: string[] = [];
  const store = createRedisIdempotencyStore({ connection, fallback: createIdempotencyStore(), pollMs: 10, ...options, onEvent: (e) => events.push(e) });
  return { connection, store, events };
}


describe('shared idempotency (real Redis)', () => {
  it('runs the action once for the same key sent to two replicas at once; both answer the same outcome', async () => {
    const [a, b] = [await replica(), await replica()];
    let calls = 0;
    let finish!: (v: { id: string }) => void;
    const action = () => {
      calls++;
      return new Promise<{ id: string }>((resolve) => (finish = resolve));
    };
    const first = a.store.run('triggerBackup', 'key-1', { resourceId: 'r1', idempotencyKey: 'key-1' }, action);
    // Wait until the claim is in Redis, then send the duplicate to the other replica.
    while ((await a.connection.redis.keys(`${prefix}idem:*`)).length === 0) await new Promise((r) => setImmediate(r));
    const second = b.store.run('triggerBackup', 'key-1', { resourceId: 'r1', idempotencyKey: 'key-1' }, action);
    finish({ id: 'job-7' });
    expect(await first).toEqual({ id: 'job-7' });
    expect(await second).toEqual({ id: 'job-7' });
    expect(calls).toBe(1);
    expect(b.events).toContain('replay');
    // Later, on either replica: the stored outcome, no call.
    expect(await b.store.run('triggerBackup', 'key-1', { resourceId: 'r1' }, action)).toEqual({ id: 'job-7' });
    expect(calls).toBe(1);
  });

  it('replays a coded failure on another replica, and refuses the key with a different input', async () => {
    const [a, b] = [await replica(), await replica()];
    const failing = () => Promise.reject(new GatewayError('NOT_FOUND', 'backup "b1" was not found', { provider: 'p1' }));
    await expect(a.store.run('deleteBackup', 'key-2', { id: 'b1' }, failing)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    let called = false;
    const e = await b.store.run('deleteBackup', 'key-2', { id: 'b1' }, async () => (called = true)).catch((x) => x);
    expect(e).toBeInstanceOf(GatewayError);
    expect(e).toMatchObject({ code: 'NOT_FOUND', message: 'backup "b1" was not found', extensions: { provider: 'p1' } });
    expect(called).toBe(false);
    await expect(b.store.run('deleteBackup', 'key-2', { id: 'b2' }, async () => 1)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('keeps keys of different scopes apart', async () => {
    const a = await replica();
    expect(await a.store.run('caller-1:verifyBackup', 'k', {}, async () => 'one')).toBe('one');
    expect(await a.store.run('caller-2:verifyBackup', 'k', {}, async () => 'two')).toBe('two');
  });

  it('releases the claim of a replica that died mid-call after its lease: the waiter is told, the retry runs', async () => {
    const b = await replica();
    // What a replica that died mid-call leaves behind: a pending claim nobody renews.
    const { createHash } = await import('node:crypto');
    const k = `${prefix}idem:${createHash('sha256').update('restoreBackup\u0000key-3').digest('base64url')}`;
    const inputHash = createHash('sha256').update(JSON.stringify({ id: 'b1' })).digest('base64url');
    await b.connection.redis.set(k, JSON.stringify({ state: 'pending', inputHash, owner: 'dead-replica' }), 'PX', 200);
    let calls = 0;
    const err = await b.store.run('restoreBackup', 'key-3', { id: 'b1' }, async () => ++calls).catch((x) => x);
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', extensions: { idempotency: 'lease-expired' } });
    expect(calls).toBe(0);
    expect(b.events).toContain('lease-expired');
    expect(await b.store.run('restoreBackup', 'key-3', { id: 'b1' }, async () => ++calls)).toBe(1);
  });

  it('falls back to the process-local store while Redis is unreachable', async () => {
    const connection = redis.unreachable();
    const events: string[] = [];
    const store = createRedisIdempotencyStore({ connection, fallback: createIdempotencyStore(), onEvent: (e) => events.push(e) });
    let calls = 0;
    expect(await store.run('triggerBackup', 'key-4', {}, async () => ++calls)).toBe(1);
    expect(await store.run('triggerBackup', 'key-4', {}, async () => ++calls)).toBe(1);
    expect(calls).toBe(1);
    expect(events).toContain('fallback');
  });

  it('a mutation\'s refusal replays on another replica as the same user errors; an unexpected failure replays as a top-level error, never as a user error', async () => {
    const [a, b] = [await replica(), await replica()];
    const ctxOf = (store: IdempotencyStore) => ({ idempotency: store }) as unknown as GatewayContext;
    let calls = 0;
    const refusing = async () => {
      calls++;
      throw new ProviderHttpError('norcube', 409, 'req-1', 'CONFLICT', 'this backup policy is already attached to this datasource');
    };
    const input = { resourceId: 'r1', policyId: 'p1', idempotencyKey: 'key-5' };
    const first = await once(ctxOf(a.store), 'attachPolicy', input, refusing).catch((e) => e);
    expect(first).toBeInstanceOf(MutationRefused);
    const replayed = await once(ctxOf(b.store), 'attachPolicy', input, refusing).catch((e) => e);
    expect(replayed).toBeInstanceOf(MutationRefused);
    expect(toUserErrors(replayed)).toEqual(toUserErrors(first));
    expect(toUserErrors(first)).toEqual([{ code: 'REFUSED_BY_PROVIDER', field: null, provider: 'norcube', message: 'provider "norcube" answered HTTP 409: this backup policy is already attached to this datasource' }]);
    expect(calls).toBe(1);

    const unusable = async () => {
      calls++;
      throw new ProviderResponseError('norcube', 'req-2', 'body is not JSON');
    };
    const other = { ...input, idempotencyKey: 'key-6' };
    const raw = await once(ctxOf(a.store), 'attachPolicy', other, unusable).catch((e) => e);
    expect(raw).toBeInstanceOf(ProviderResponseError);
    const coded = await once(ctxOf(b.store), 'attachPolicy', other, unusable).catch((e) => e);
    expect(coded).toMatchObject({ code: 'UPSTREAM_ERROR', extensions: { provider: 'norcube' } });
    expect(toUserErrors(raw)).toBeNull();
    expect(toUserErrors(coded)).toBeNull();
    expect(calls).toBe(2);
  });
});
