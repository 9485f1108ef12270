import { createManualClock } from '../../src/domain/clock.ts';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/errors.ts';
import { checkCron, checkNonNegative, checkTimeZone } from '../../src/domain/validation.ts';
import { createIdempotencyStore } from '../../src/mutations/idempotency.ts';
import { MutationRefused, fieldPath, mutationPayload, refusalOf, toUserErrors } from '../../src/resolvers/_shared/user-errors.ts';
import { ProviderHttpError, ProviderNetworkError, ProviderResponseError, ProviderUnavailableError } from '../../src/upstream/errors.ts';

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

describe('user errors: which failures a mutation answers as data', () => {
  const http = (status: number, message: string | null = 'this backup policy is already attached') => new ProviderHttpError('norcube', status, 'req-1', 'CONFLICT', message);

  it.each([
    ['input.dbCron', ['input', 'dbCron']],
    ['input.retention.retainDaily', ['input', 'retention', 'retainDaily']],
    ['input.destinationIds[2]', ['input', 'destinationIds', '2']],
    ['', null],
    [undefined, null],
  ])('field %j is the path %j', (field, path) => {
    expect(fieldPath(field)).toEqual(path);
  });

  it.each([400, 409, 422])('a provider\'s HTTP %i is REFUSED_BY_PROVIDER in the provider\'s own words', (status) => {
    expect(refusalOf(http(status))).toEqual([{ code: 'REFUSED_BY_PROVIDER', field: null, provider: 'norcube', message: `provider "norcube" answered HTTP ${status}: this backup policy is already attached` }]);
  });

  it('a 404 is NOT_FOUND and a 501 UNSUPPORTED_BY_PROVIDER; an adapter\'s own UPSTREAM_ERROR (a refusal read in a 2xx answer) is REFUSED_BY_PROVIDER', () => {
    expect(refusalOf(http(404))?.map((u) => u.code)).toEqual(['NOT_FOUND']);
    expect(refusalOf(http(501))?.map((u) => u.code)).toEqual(['UNSUPPORTED_BY_PROVIDER']);
    const refused = new GatewayError('UPSTREAM_ERROR', 'provider "norcube" refused the download link: missing_artifact', { provider: 'norcube' });
    expect(refusalOf(refused)).toEqual([{ code: 'REFUSED_BY_PROVIDER', field: null, provider: 'norcube', message: refused.message }]);
  });

  it.each([
    ['HTTP 401 (our credential)', http(401)],
    ['HTTP 403', http(403)],
    ['HTTP 429', http(429)],
    ['HTTP 500', http(500)],
    ['HTTP 503', http(503)],
    ['a timeout', new ProviderNetworkError('ocore', 'req-1', 'timeout')],
    ['an unusable body', new ProviderResponseError('ocore', 'req-1', 'body is not JSON')],
    ['an open circuit', new ProviderUnavailableError('ocore', 'req-1', 'circuit-open', 5000)],
    ['RATE_LIMITED', new GatewayError('RATE_LIMITED', 'at its rate limit', { provider: 'ocore' })],
    ['COST_LIMIT_EXCEEDED', new GatewayError('COST_LIMIT_EXCEEDED', 'budget spent')],
    ['UPSTREAM_UNAVAILABLE', new GatewayError('UPSTREAM_UNAVAILABLE', 'lease expired')],
    ['FORBIDDEN', new GatewayError('FORBIDDEN', 'needs the admin role')],
    ['a bug', new TypeError('x is undefined')],
  ])('%s is unexpected: a top-level error', (_n, e) => {
    expect(refusalOf(e)).toBeNull();
    expect(toUserErrors(e)).toBeNull();
  });

  it('after the action, only the gateway\'s own expected codes are user errors: a coded UPSTREAM_ERROR replayed by a shared store stays top-level', () => {
    expect(toUserErrors(new GatewayError('BAD_USER_INPUT', 'input.timezone must be an IANA time zone name', { field: 'input.timezone' }))).toEqual([
      { code: 'BAD_USER_INPUT', field: ['input', 'timezone'], provider: null, message: 'input.timezone must be an IANA time zone name' },
    ]);
    expect(toUserErrors(new GatewayError('UNSUPPORTED_BY_PROVIDER', 'not supported by provider "bocada"', { provider: 'bocada' }))?.[0]).toMatchObject({ code: 'UNSUPPORTED_BY_PROVIDER', provider: 'bocada' });
    expect(toUserErrors(new GatewayError('UPSTREAM_ERROR', 'provider "ocore" answered with an unusable response', { provider: 'ocore' }))).toBeNull();
    const refused = new MutationRefused([{ code: 'NOT_FOUND', field: null, message: 'gone', provider: 'ocore' }]);
    expect(toUserErrors(refused)).toBe(refused.userErrors);
  });

  it('mutationPayload: the data with no user errors, an expected failure as user errors alone, an unexpected one thrown', async () => {
    const ctx = {} as never;
    const info = {} as never;
    const ok = mutationPayload<'dismissAlert'>(async () => ({ alert: null }));
    expect(await ok({}, { input: { alertId: 'a' } }, ctx, info)).toEqual({ alert: null, userErrors: [] });
    const bad = mutationPayload<'dismissAlert'>(async () => {
      throw new GatewayError('BAD_USER_INPUT', '"a" is not a valid Backup Graph id', { field: 'input.alertId' });
    });
    expect(await bad({}, { input: { alertId: 'a' } }, ctx, info)).toEqual({ userErrors: [{ code: 'BAD_USER_INPUT', field: ['input', 'alertId'], provider: null, message: '"a" is not a valid Backup Graph id' }] });
    const down = new ProviderNetworkError('ocore', 'req-1', 'connect');
    const failing = mutationPayload<'dismissAlert'>(async () => {
      throw down;
    });
    await expect(failing({}, { input: { alertId: 'a' } }, ctx, info)).rejects.toBe(down);
  });
});
