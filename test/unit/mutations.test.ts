import { createManualClock } from '../../src/domain/clock.ts';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/errors.ts';
import { checkCron, checkNonNegative, checkTimeZone } from '../../src/domain/validation.ts';
import { createIdempotencyStore } from '../../src/mutations/idempotency.ts';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatewayError) return `${e.code}:${e.extensions.field}`;
    throw e;
  }
  return 'ok';
};

describe('input validation', () => {
  it.each(['*/5 * * * *', '0 3 * * 1-5', '30 2 1,15 * *', '0 0 * JAN MON'])('accepts cron %j', (c) => {
    expect(fieldOf(() => checkCron(c, 'input.dbCron'))).toBe('ok');
  });
  it.each(['', '* * * *', '0 0 * * * *', '61 * * * *', '* 25 * * *', 'every day'])('rejects cron %j naming the field', (c) => {
    expect(fieldOf(() => checkCron(c, 'input.dbCron'))).toBe('BAD_USER_INPUT:input.dbCron');
  });
  it.each(['UTC', 'Europe/Prague', 'America/Argentina/Buenos_Aires'])('accepts time zone %j', (z) => {
    expect(fieldOf(() => checkTimeZone(z, 'input.timezone'))).toBe('ok');
  });
  it.each(['Mars/Olympus', 'Europe/Prag', '', '+02:00'])('rejects time zone %j', (z) => {
    expect(fieldOf(() => checkTimeZone(z, 'input.timezone'))).toBe('BAD_USER_INPUT:input.timezone');
  });
  it.each([-1, 1.5])('rejects retention %j', (n) => {
    expect(fieldOf(() => checkNonNegative(n, 'input.retention.retainDaily'))).toBe('BAD_USER_INPUT:input.retention.retainDaily');
  });
});

describe('idempotency store', () => {
  it('runs once per key, also for concurrent calls, and replays the first outcome', async () => {
    const store = createIdempotencyStore();
    let calls = 0;
    const fn = async () => ({ n: ++calls });
    const [a, b] = await Promise.all([store.run('m', 'k1', { x: 1, idempotencyKey: 'k1' }, fn), store.run('m', 'k1', { idempotencyKey: 'k1', x: 1 }, fn)]);
    expect(a).toEqual({ n: 1 });
    expect(b).toBe(a);
    expect(await store.run('m', 'k1', { x: 1 }, fn)).toBe(a);
    expect(calls).toBe(1);
    await store.run('m', 'k2', { x: 1 }, fn);
    await store.run('other', 'k1', { x: 1 }, fn);
    await store.run('m', null, { x: 1 }, fn);
    expect(calls).toBe(4);
  });

  it('replays a failure too, without calling again', async () => {
    const store = createIdempotencyStore();
    let calls = 0;
    const fn = async () => {
      calls++;
      throw new Error('upstream said no');
    };
    await expect(store.run('m', 'k', {}, fn)).rejects.toThrow('upstream said no');
    await expect(store.run('m', 'k', {}, fn)).rejects.toThrow('upstream said no');
    expect(calls).toBe(1);
  });

  it('rejects a key reused with a different input, and forgets keys after the TTL', async () => {
    const clock = createManualClock(0);
    const store = createIdempotencyStore({ ttlMs: 1000, clock });
    let calls = 0;
    await store.run('m', 'k', { x: 1 }, async () => ++calls);
    expect(fieldOf(() => store.run('m', 'k', { x: 2 }, async () => ++calls))).toBe('BAD_USER_INPUT:input.idempotencyKey');
    clock.set(1001);
    await store.run('m', 'k', { x: 2 }, async () => ++calls);
    expect(calls).toBe(2);
  });
});
