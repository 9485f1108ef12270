import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUpstreamClient } from '../../src/upstream/client.ts';
import { ProviderHttpError, ProviderNetworkError, ProviderResponseError } from '../../src/upstream/errors.ts';
import { SimHttpError, delay, startSimulator, type RunningSimulator } from '../../src/simulators/kit/index.ts';

/** A tiny real HTTP upstream built on the simulator kit. */
let sim: RunningSimulator;
const seenRequestIds: string[] = [];
beforeAll(async () => {
  sim = await startSimulator({
    name: 'upstream-test',
    echoRequestId: true,
    routes: (r) => {
      r.get('/v1/items', (req) => {
        seenRequestIds.push(req.requestId);
        return { status: 200, body: { items: [1, 2, 3], q: req.query.getAll('id') } };
      });
      r.get('/v1/slow', async (req) => {
        await delay(2000, req.signal);
        return { status: 200, body: {} };
      });
      r.post('/v1/items', () => ({ status: 201, body: { ok: true } }));
      r.get('/v1/missing', () => {
        throw new SimHttpError(404, 'not_found', 'no such item');
      });
    },
    authenticate: (req) => (req.headers['x-api-key'] === 'k-secret' ? null : new SimHttpError(401, 'authentication_failed', 'bad key')),
    errorBody: (e, req) => ({ code: e.code, message: e.message, requestId: req.requestId }),
    rateLimitHeaders: (s) => ({ 'ratelimit-limit': String(s.limit), 'ratelimit-remaining': String(s.remaining), 'ratelimit-reset': String(Math.ceil((s.resetAtMs - s.now) / 1000)) }),
    retryAfterHeaders: (s) => ({ 'retry-after': String(Math.max(1, Math.ceil((s.resetAtMs - s.now) / 1000))) }),
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearFaults();
  sim.resetStats();
  sim.setRateLimit({ limit: 1000, windowMs: 60_000 });
});

const ref = { id: 'test', kind: 'bocada' as const, name: 'Test' };
const ctx = (id = 'req-1') => ({ requestId: id, memo: new Map<string, Promise<unknown>>() });
const client = (settings = {}, secret = 'k-secret') =>
  createUpstreamClient({
    provider: ref,
    baseUrl: `${sim.url}/v1`,
    authHeaders: () => ({ 'x-api-key': secret }),
    describeError: (_s, body) => ({ code: (body as { code?: string })?.code, message: (body as { message?: string })?.message }),
    settings: { retry: { baseDelayMs: 10, maxDelayMs: 50 }, ...settings },
  });

describe('upstream client', () => {
  it('sends X-Request-Id and repeated query keys', async () => {
    const body = await client().get<{ q: string[] }>('/items', { id: ['a', 'b'], skip: undefined }, ctx('trace-42'));
    expect(body.q).toEqual(['a', 'b']);
    expect(seenRequestIds.at(-1)).toBe('trace-42');
  });

  it('dedupes identical in-flight GETs of one request', async () => {
    const c = client();
    const x = ctx();
    await Promise.all([c.get('/items', {}, x), c.get('/items', {}, x), c.get('/items', {}, ctx('other'))]);
    expect(sim.stats.byRoute['GET /v1/items']).toBe(2);
  });

  it('rides out 503s with backoff', async () => {
    sim.setFault('GET /v1/items', { forceStatusTimes: 3, errorStatus: 503 });
    await expect(client().get('/items', {}, ctx())).resolves.toMatchObject({ items: [1, 2, 3] });
    expect(sim.stats.byRoute['GET /v1/items']).toBe(4);
  });

  it('waits as long as RateLimit-Reset / Retry-After say on 429, then succeeds', async () => {
    sim.setRateLimit({ limit: 1, windowMs: 1000 });
    const c = client();
    await c.get('/items', {}, ctx('a'));
    const started = Date.now();
    await expect(c.get('/items', {}, ctx('b'))).resolves.toMatchObject({ items: [1, 2, 3] });
    expect(sim.stats.rateLimited).toBeGreaterThanOrEqual(1);
    // The retry was not sent before the window reset the provider announced.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('gives up at once when the provider asks for a wait past the deadline', async () => {
    sim.setRateLimit({ limit: 1, windowMs: 60_000 });
    const c = client({ deadlineMs: 2000 });
    await c.get('/items', {}, ctx('a'));
    const err = await c.get('/items', {}, ctx('b')).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err).toMatchObject({ status: 429, requestId: 'b', providerCode: 'rate_limit_exceeded' });
    expect(sim.stats.byRoute['GET /v1/items']).toBe(2);
  });

  it('never retries a POST', async () => {
    sim.setFault('POST /v1/items', { forceStatusTimes: 1, errorStatus: 503 });
    await expect(client().send('POST', '/items', { a: 1 }, ctx())).rejects.toMatchObject({ status: 503 });
    expect(sim.stats.byRoute['POST /v1/items']).toBe(1);
  });

  it('does not retry a 404 and reads the provider error body', async () => {
    const err = await client().get('/missing', {}, ctx()).catch((e) => e);
    expect(err).toMatchObject({ name: 'ProviderHttpError', status: 404, providerCode: 'not_found' });
    expect(sim.stats.byRoute['GET /v1/missing']).toBe(1);
  });

  it('turns a garbage body into a ProviderResponseError', async () => {
    sim.setFault('GET /v1/items', { garbageBody: '<html>maintenance</html>' });
    await expect(client().get('/items', {}, ctx())).rejects.toBeInstanceOf(ProviderResponseError);
  });

  it('turns a slow provider into a timeout and a refused connection into a connect error', async () => {
    const slow = await client({ headersTimeoutMs: 200, retry: { maxRetries: 0 } }).get('/slow', {}, ctx()).catch((e) => e);
    expect(slow).toBeInstanceOf(ProviderNetworkError);
    const closed = createUpstreamClient({ provider: ref, baseUrl: 'http://127.0.0.1:1', authHeaders: () => ({}), settings: { retry: { maxRetries: 1, baseDelayMs: 1 } } });
    await expect(closed.get('/x', {}, ctx())).rejects.toMatchObject({ name: 'ProviderNetworkError', reason: 'connect' });
  });

  it('keeps the secret out of errors', async () => {
    const err: any = await client({}, "wrong-secret-value").get("/items", {}, ctx()).catch((e) => e);
    expect(err).toMatchObject({ status: 401 });
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain('wrong-secret-value');
  });
});
