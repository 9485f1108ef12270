/**
 * The upstream client against small misbehaving upstreams (real HTTP on port 0, no mocks): the
 * circuit breaker (what opens it, failing fast while open, half-open probes), the retry budget, the
 * per-provider bulkhead, the body size cap (memory never taken), health following the breaker, and
 * call deadlines (each call its own, none made of per-call timeout and combined signals).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUpstreamClient, type UpstreamClient, type UpstreamSettings } from '../../src/upstream/client.ts';
import { ProviderNetworkError, ProviderResponseError, ProviderUnavailableError, toGatewayError } from '../../src/upstream/errors.ts';
import { createUpstreamGuard } from '../../src/upstream/guard.ts';
import { DEFAULT_UPSTREAM_CONNECTIONS } from '../../src/upstream/connections.ts';
import { parseConfig, providerOptionsFrom } from '../../src/server/config.ts';
import { createHealthProbe } from '../../src/providers/contract/health.ts';
import { disposeAfterEach } from '../utils/leftovers.ts';
import { tctx } from '../utils/tupstream.ts';

/** A node:http upstream whose behaviour a test swaps; counts requests and open sockets. */
interface TUpstream {
  url: string;
  /** Requests received since the start. */
  requests: number;
  /** Sockets open now, and the most open at once. */
  sockets: number;
  maxSockets: number;
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

async function tupstream(handle: TUpstream['handle']): Promise<TUpstream> {
  const server = createServer((req, res) => {
    t.requests++;
    t.handle(req, res);
  });
  server.on('connection', (socket) => {
    t.sockets++;
    t.maxSockets = Math.max(t.maxSockets, t.sockets);
    socket.on('close', () => t.sockets--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const t: TUpstream = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: 0,
    sockets: 0,
    maxSockets: 0,
    handle,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return disposeAfterEach(t);
}

const json = (status: number, body: unknown = {}) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

const ref = { id: 'flaky', kind: 'bocada' as const, name: 'Flaky' };
/** Fast retries; a huge breaker threshold unless a test is about the breaker. */
const FAST: UpstreamSettings = { retry: { baseDelayMs: 1, maxDelayMs: 2 } };
function tclient(up: TUpstream, settings: UpstreamSettings = {}): UpstreamClient {
  return disposeAfterEach(createUpstreamClient({ provider: ref, baseUrl: up.url, authHeaders: () => ({}), settings: { ...FAST, ...settings } }));
}

/** Resolves once `check()` holds, polling every few ms; fails after `withinMs`. */
async function until(check: () => boolean, withinMs = 3000): Promise<void> {
  const end = performance.now() + withinMs;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs `n` calls one after another, each its own request; answers every failure. */
async function calls(n: number, c: UpstreamClient, path = '/x'): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let i = 0; i < n; i++) await c.get(path, {}, tctx(`r${i}`)).catch((e) => errors.push(e));
  return errors;
}

describe('circuit breaker', () => {
  it('opens after consecutive 503s: 200 calls cost the provider a handful of requests, the rest fail at once', async () => {
    const up = await tupstream(json(503));
    const c = tclient(up, { breaker: { halfOpenAfterMs: 60_000 } });
    const errors = await calls(200, c);
    expect(errors).toHaveLength(200);
    // Default threshold 10: two calls of five attempts each open it; nothing goes upstream after that.
    expect(up.requests).toBe(10);
    expect(up.requests).toBeLessThanOrEqual(1.2 * 200);
    expect(c.state()).toMatchObject({ circuit: 'open', retryAfterMs: expect.any(Number) });
    expect(c.state().retryAfterMs).toBeGreaterThan(50_000);

    const refused = errors.slice(2);
    for (const e of refused) expect(e).toBeInstanceOf(ProviderUnavailableError);
    const gw = toGatewayError(refused[0] as ProviderUnavailableError);
    expect({ code: gw.code, message: gw.message, ...gw.extensions }).toEqual({
      code: 'UPSTREAM_UNAVAILABLE', message: 'provider "flaky" is unavailable (circuit open)', provider: 'flaky', requestId: 'r2', retryAfter: 60,
    });
    // While open a call sends nothing at all.
    const before = up.requests;
    await expect(c.get('/x', {}, tctx())).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(c.send('POST', '/x', {}, tctx())).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(up.requests).toBe(before);
  });

  it('lets one probe through after the open window: a failing probe reopens it, a good one closes it', async () => {
    const up = await tupstream(json(503));
    const c = tclient(up, { breaker: { consecutiveFailures: 3, halfOpenAfterMs: 100 }, retry: { maxRetries: 0 } });
    await calls(3, c);
    expect(c.state().circuit).toBe('open');

    await until(() => c.state().circuit !== 'open');
    expect(c.state().circuit).toBe('half-open');
    let sent = up.requests;
    await expect(c.get('/x', {}, tctx())).rejects.toMatchObject({ status: 503 });
    expect(up.requests - sent).toBe(1);
    expect(c.state().circuit).toBe('open');

    up.handle = json(200, { ok: true });
    await until(() => c.state().circuit !== 'open');
    sent = up.requests;
    await expect(c.get('/x', {}, tctx())).resolves.toEqual({ ok: true });
    expect(up.requests - sent).toBe(1);
    expect(c.state()).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
  });

  it.each([[400], [404], [429], [501]])('is not opened by %i answers', async (status) => {
    const up = await tupstream(json(status));
    const c = tclient(up, { breaker: { consecutiveFailures: 3 }, retry: { maxRetries: 0 } });
    await calls(20, c);
    expect(up.requests).toBe(20);
    expect(c.state()).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
  });

  // Only the timeout case waits for its deadline; the others keep the default, so a loaded machine
  // cannot turn their slow first connection into a deadline that never reached the upstream.
  it.each([
    ['a reset connection', (req: IncomingMessage) => req.socket.destroy(), undefined],
    ['a 500', json(500), undefined],
    ['a timeout (no answer within the deadline)', () => undefined, 300],
  ])('is opened by %s', async (_name, handle, deadlineMs) => {
    const up = await tupstream(handle);
    const c = tclient(up, { breaker: { consecutiveFailures: 3 }, retry: { maxRetries: 0 }, deadlineMs });
    const errors = await calls(5, c);
    expect(up.requests).toBe(3);
    expect(errors.slice(3).every((e) => e instanceof ProviderUnavailableError)).toBe(true);
    expect(c.state().circuit).toBe('open');
  });

  it('does not count a client that went away', async () => {
    const up = await tupstream(() => undefined);
    const c = tclient(up, { breaker: { consecutiveFailures: 2 } });
    for (let i = 0; i < 4; i++) {
      const ac = new AbortController();
      const p = c.get('/x', {}, { requestId: `gone-${i}`, signal: ac.signal });
      await until(() => up.requests > i);
      ac.abort();
      await expect(p).rejects.toThrow();
    }
    expect(c.state()).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
  });
});

describe('retry budget', () => {
  it('keeps a provider answering 503 under ~1.2x the client load (breaker out of the way)', async () => {
    const up = await tupstream(json(503));
    const c = tclient(up, { breaker: { consecutiveFailures: 1e9 } });
    await calls(200, c);
    // 200 first attempts; retries: the starting 10 tokens, then 0.2 per call.
    expect(up.requests).toBeGreaterThan(200);
    expect(up.requests).toBeLessThanOrEqual(1.2 * 200 + 10);
    const more = up.requests;
    await calls(200, c);
    // Once the starting balance is spent, exactly the ratio.
    expect(up.requests - more).toBeLessThanOrEqual(1.2 * 200 + 1);
    expect(c.state().retryTokens).toBe(0);
  });

  it('still rides out a short outage on a quiet client', async () => {
    let failures = 3;
    const up = await tupstream((req, res) => (failures-- > 0 ? json(503)(req, res) : json(200, { ok: 1 })(req, res)));
    await expect(tclient(up).get('/x', {}, tctx())).resolves.toEqual({ ok: 1 });
    expect(up.requests).toBe(4);
  });
});

describe('bulkhead', () => {
  it('a hung provider holds at most maxConcurrent sockets; a call queued past its deadline fails as a deadline', async () => {
    const up = await tupstream(() => undefined);
    // Two clients of one provider instance share its guard; the second's calls have the shorter deadline.
    const guard = createUpstreamGuard(ref.id, { bulkhead: { maxConcurrent: 3, maxQueued: 50 }, breaker: { consecutiveFailures: 1e9 } });
    const slow = tclient(up, { guard, deadlineMs: 700, retry: { maxRetries: 0 } });
    const quick = tclient(up, { guard, deadlineMs: 150, retry: { maxRetries: 0 } });
    const holding = Array.from({ length: 3 }, (_, i) => slow.get('/x', {}, tctx(`s${i}`)).catch((e) => e));
    const queued = Array.from({ length: 15 }, (_, i) => quick.get('/x', {}, tctx(`q${i}`)).catch((e) => e));
    await until(() => up.requests === 3);
    expect(guard.state()).toMatchObject({ inFlight: 3, queued: 15 });
    for (const e of await Promise.all(queued)) expect(e).toMatchObject({ name: 'ProviderNetworkError', reason: 'deadline', provider: 'flaky' });
    expect(guard.state()).toMatchObject({ inFlight: 3, queued: 0 });
    const held = await Promise.all(holding);
    expect(held.every((e) => e instanceof ProviderNetworkError && e.reason === 'deadline')).toBe(true);
    expect(up.maxSockets).toBeLessThanOrEqual(3);
    expect(up.requests).toBe(3);
    expect(guard.state()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('refuses calls beyond the queue as overloaded (UPSTREAM_UNAVAILABLE)', async () => {
    const up = await tupstream(() => undefined);
    const c = tclient(up, { bulkhead: { maxConcurrent: 2, maxQueued: 3 }, deadlineMs: 300, retry: { maxRetries: 0 } });
    const errors = await Promise.all(Array.from({ length: 8 }, (_, i) => c.get('/x', {}, tctx(`o${i}`)).catch((e) => e)));
    const refused = errors.filter((e) => e instanceof ProviderUnavailableError);
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({ reason: 'overloaded' });
    expect(toGatewayError(refused[0]).code).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('body size cap', () => {
  const MB = 1024 * 1024;
  /** Streams `total` bytes of JSON-looking filler in 64 KiB chunks, honouring backpressure; counts what it could write. */
  function hugeBody(total: number, withLength: boolean, sent: { bytes: number; peakRss: number }) {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    return (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(total) } : {}) });
      const pump = () => {
        while (sent.bytes < total && !res.destroyed) {
          sent.bytes += chunk.length;
          sent.peakRss = Math.max(sent.peakRss, process.memoryUsage.rss());
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    };
  }

  it.each([['with content-length', true], ['chunked, no content-length', false]])(
    'a 100 MB body (%s) is UPSTREAM_ERROR and never taken into memory',
    async (_name, withLength) => {
      const sent = { bytes: 0, peakRss: 0 };
      const up = await tupstream(json(200, { warm: true }));
      const c = tclient(up);
      await c.get('/warm', {}, tctx()); // code paths loaded before measuring
      up.handle = hugeBody(100 * MB, withLength, sent);
      const rssBefore = process.memoryUsage.rss();
      const err = await c.get('/huge', {}, tctx('big')).catch((e) => e);
      const rssAfter = process.memoryUsage.rss();
      expect(err).toBeInstanceOf(ProviderResponseError);
      expect(toGatewayError(err as ProviderResponseError)).toMatchObject({ code: 'UPSTREAM_ERROR', extensions: { provider: 'flaky', requestId: 'big' } });
      expect(up.requests).toBe(2); // not retried
      const grew = Math.max(rssAfter, sent.peakRss) - rssBefore;
      expect(grew).toBeLessThan(10 * MB);
      // The server could not push much past the 4 MiB cap (plus socket buffers) before the client hung up.
      expect(sent.bytes).toBeLessThan(withLength ? 16 * MB : 4 * MB + 16 * MB);
      console.info(`body cap (${_name}): rss +${(grew / MB).toFixed(1)} MB, server wrote ${(sent.bytes / MB).toFixed(1)} MB`);
    },
  );

  it('takes a body up to the cap, and refuses one byte more; an oversized error body keeps its status', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(1000) });
    const up = await tupstream(json(200, JSON.parse(body)));
    await expect(tclient(up, { maxBodyBytes: body.length }).get('/x', {}, tctx())).resolves.toMatchObject({ pad: expect.any(String) });
    await expect(tclient(up, { maxBodyBytes: body.length - 1 }).get('/x', {}, tctx())).rejects.toBeInstanceOf(ProviderResponseError);
    up.handle = json(404, JSON.parse(body));
    await expect(tclient(up, { maxBodyBytes: 10 }).get('/x', {}, tctx())).rejects.toMatchObject({ name: 'ProviderHttpError', status: 404 });
  });
});

describe('health follows the breaker', () => {
  it('is DOWN "circuit open" without calling upstream while open, UP again once a probe closes it', async () => {
    const up = await tupstream(json(503));
    const c = tclient(up, { breaker: { consecutiveFailures: 3, halfOpenAfterMs: 150 }, retry: { maxRetries: 0 } });
    const health = createHealthProbe((ctx) => c.get('/status', {}, ctx), c);
    expect(await health(tctx())).toMatchObject({ status: 'DOWN', message: 'HTTP 503' });
    await calls(2, c);
    expect(c.state().circuit).toBe('open');

    const sent = up.requests;
    expect(await health(tctx())).toEqual({ status: 'DOWN', latencyMs: null, message: 'circuit open' });
    expect(up.requests).toBe(sent);

    up.handle = json(200, {});
    await until(() => c.state().circuit !== 'open');
    expect(await health(tctx())).toMatchObject({ status: 'UP', message: null });
    expect(up.requests).toBe(sent + 1);
    expect(c.state().circuit).toBe('closed');
  });
});

describe('call deadlines', () => {
  afterEach(() => vi.restoreAllMocks());

  it('are made without AbortSignal.timeout or AbortSignal.any, also for a request with its own signal', async () => {
    const timeout = vi.spyOn(AbortSignal, 'timeout');
    const any = vi.spyOn(AbortSignal, 'any');
    const up = await tupstream(json(200, { ok: true }));
    const c = tclient(up);
    const request = new AbortController();
    for (let i = 0; i < 5; i++) await expect(c.get(`/x${i}`, {}, { requestId: 'own-signal', signal: request.signal })).resolves.toEqual({ ok: true });
    await expect(c.send('POST', '/x', { a: 1 }, tctx())).resolves.toMatchObject({ status: 200 });
    expect(up.requests).toBe(6);
    expect(timeout).not.toHaveBeenCalled();
    expect(any).not.toHaveBeenCalled();
  });

  it('are per call: a later call of the same request gets its whole deadline, and a hung one fails as a deadline', async () => {
    // Each answer takes more than half the deadline: one deadline for the whole request would cut the second call.
    const DEADLINE_MS = 1000;
    const up = await tupstream((req, res) => (req.url === '/hang' ? undefined : setTimeout(() => json(200, { ok: req.url })(req, res), 600)));
    const c = tclient(up, { deadlineMs: DEADLINE_MS, retry: { maxRetries: 0 } });
    const request = new AbortController();
    const ctx = { requestId: 'sequential', signal: request.signal };
    await expect(c.get('/first', {}, ctx)).resolves.toEqual({ ok: '/first' });
    await expect(c.get('/second', {}, ctx)).resolves.toEqual({ ok: '/second' });
    await expect(c.get('/hang', {}, ctx)).rejects.toMatchObject({ name: 'ProviderNetworkError', reason: 'deadline', requestId: 'sequential' });
    // The client going away ends a call at once, as the client's own abort (not a provider failure).
    const gone = c.get('/hang', {}, { requestId: 'gone', signal: request.signal }).catch((e) => e);
    await until(() => up.requests === 4);
    request.abort();
    expect(await gone).not.toBeInstanceOf(ProviderNetworkError);
    expect(c.state()).toMatchObject({ consecutiveFailures: 1, inFlight: 0 });
  });
});

describe('connections per provider', () => {
  /** Starts `n` calls at a hung upstream; answers the most sockets it saw at once, once they all hang, then lets them go. */
  async function socketsFor(n: number, settings: UpstreamSettings): Promise<{ sockets: number; queued: number }> {
    const held: ServerResponse[] = [];
    const up = await tupstream((_req, res) => void held.push(res));
    const c = tclient(up, { retry: { maxRetries: 0 }, ...settings });
    const running = Array.from({ length: n }, (_, i) => c.get(`/x${i}`, {}, tctx(`c${i}`)).catch((e) => e));
    const expected = Math.min(n, settings.connections ?? DEFAULT_UPSTREAM_CONNECTIONS);
    await until(() => up.requests === expected);
    const seen = { sockets: up.maxSockets, queued: c.state().queued };
    up.handle = json(200, {});
    for (const res of held) json(200, {})(undefined as never, res);
    await Promise.all(running);
    return seen;
  }

  it(`default to ${DEFAULT_UPSTREAM_CONNECTIONS} (more than 16), the bulkhead's cap too`, async () => {
    expect(DEFAULT_UPSTREAM_CONNECTIONS).toBeGreaterThan(16);
    expect(await socketsFor(DEFAULT_UPSTREAM_CONNECTIONS + 6, {})).toEqual({ sockets: DEFAULT_UPSTREAM_CONNECTIONS, queued: 6 });
  });

  it('follow upstream.connections from the config, a provider overriding the default section', async () => {
    const config = parseConfig(`
upstream: { connections: 12 }
providers:
  - { id: a, kind: norcube, baseUrl: "http://127.0.0.1:1", auth: { token: t } }
  - { id: b, kind: norcube, baseUrl: "http://127.0.0.1:1", auth: { token: t }, upstream: { connections: 5 } }
`);
    const [a, b] = providerOptionsFrom(config).map((p) => p.upstream!);
    expect(await socketsFor(15, a)).toEqual({ sockets: 12, queued: 3 });
    expect(await socketsFor(7, b)).toEqual({ sockets: 5, queued: 2 });
    for (const bad of [0, 1025, 2.5]) {
      expect(() => parseConfig(`upstream: { connections: ${bad} }\nproviders: [{ id: a, kind: norcube, baseUrl: "http://127.0.0.1:1", auth: { token: t } }]`)).toThrow(/upstream\.connections/);
    }
  });
});
