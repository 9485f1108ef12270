/**
 * The shared plumbing of every provider simulator: a tiny router on node:http, fault injection,
 * rate limiting, request accounting, a seeded random source and SSE helpers.
 *
 * A simulator (`src/providers/<name>/simulator.ts`) describes its routes, its auth check and its
 * error shape; everything cross-cutting lives here so the four simulators behave alike where the
 * providers do, and differ only where their wire contracts differ.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createShiftedClock, systemClock, type Clock } from '../domain/clock.ts';

/** A parsed request as route handlers see it. */
export interface SimRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v1/organizations/o1`. */
  path: string;
  /** Values of `:name` segments of the matched route pattern. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, `undefined` when there was none. */
  body: unknown;
  /** The request id the simulator uses for this request (echoed from `X-Request-Id` or generated). */
  requestId: string;
  /** Aborted when the client disconnects; SSE handlers stop on it. */
  signal: AbortSignal;
}

/** A JSON (or empty) response. */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An SSE stream: the handler writes events until done; the kit counts it and applies drop faults. */
export interface SseWriter {
  /** Writes one event; returns false when the stream is closed (client gone or drop fault). */
  event(e: { id?: string | number; event?: string; data: unknown }): boolean;
  /** Writes a comment line (`: text`), used for keep-alives. */
  comment(text: string): boolean;
  /** Ends the stream. */
  close(): void;
  readonly closed: boolean;
  /** Aborted when the stream closes for any reason. */
  readonly signal: AbortSignal;
}

/** What a route handler may return. */
export type SimResult = SimResponse | { sse: (w: SseWriter) => Promise<void> | void; headers?: Record<string, string> };

/** A route handler; thrown `SimHttpError`s become the provider's error shape. */
export type SimHandler = (req: SimRequest) => SimResult | Promise<SimResult>;

/** Thrown by handlers to answer an error in the provider's own error shape. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'SimHttpError';
  }
}

/** Faults that can be injected on one route (keyed `METHOD /pattern`) or on every route (`*`). */
export interface RouteFault {
  /** Added latency in milliseconds before the handler runs. */
  latencyMs?: number;
  /** Probability 0..1 that a request answers `errorStatus` (default 503) instead of the handler. */
  errorRate?: number;
  /** Status used by `errorRate`. @default 503 */
  errorStatus?: number;
  /** Every request answers this status (the provider's error shape). */
  forceStatus?: number;
  /** Forced statuses for the next N requests only, then the route behaves again. */
  forceStatusTimes?: number;
  /** SSE streams on this route are cut (socket destroyed, no terminal event) after N events. */
  dropSseAfterEvents?: number;
  /** Raw body to answer with status 200 (upstream garbage), e.g. `'<html>oops'`. */
  garbageBody?: string;
}

/** Rate limit settings for one simulator. */
export interface RateLimitSettings {
  /** Requests per window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

/** Live counters a test or benchmark can read. */
export interface SimStats {
  /** Requests per route key (`GET /api/v1/organizations/:id`), including rejected ones. */
  byRoute: Record<string, number>;
  total: number;
  /** Connections open right now and the highest seen. */
  openConnections: number;
  maxOpenConnections: number;
  /** SSE streams open right now, opened in total, per route key. */
  openSseStreams: number;
  sseStreamsOpened: number;
  sseOpenedByRoute: Record<string, number>;
  rateLimited: number;
}

/** How a simulator plugs into the kit. */
export interface SimulatorDefinition {
  /** Short name, used in logs. */
  name: string;
  /** Registers routes; called once. */
  routes: (r: Router) => void;
  /** Returns null when the request is authenticated, or the error to answer (401 in the provider's shape). */
  authenticate: (req: SimRequest) => SimHttpError | null;
  /** The provider's error body for an error. */
  errorBody: (err: SimHttpError, req: SimRequest) => unknown;
  /** Rate-limit headers for a response, given the window state. */
  rateLimitHeaders?: (s: { limit: number; remaining: number; resetAtMs: number; now: number }) => Record<string, string>;
  /** Headers added to a 429 on top of `rateLimitHeaders` (e.g. `Retry-After`). */
  retryAfterHeaders?: (s: { resetAtMs: number; now: number }) => Record<string, string>;
  /** Whether `X-Request-Id` is echoed on responses. @default false */
  echoRequestId?: boolean;
}

/** Options common to every simulator. */
export interface SimulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Host to bind. @default '127.0.0.1' */
  host?: string;
  /** Rate limit. @default { limit: 600, windowMs: 60_000 } */
  rateLimit?: RateLimitSettings;
  /** Faults in force from the start, keyed by route key or `*`. */
  faults?: Record<string, RouteFault>;
  /** Seed of the random source used for fault injection. @default 1 */
  seed?: number;
}

/** A running simulator. */
export interface RunningSimulator {
  readonly name: string;
  /** Base URL with no trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly stats: SimStats;
  /** Zeroes the counters (open connections/streams keep their live values). */
  resetStats(): void;
  /** Replaces the faults of one route key (or `*`); `undefined` clears them. */
  setFault(routeKey: string, fault: RouteFault | undefined): void;
  clearFaults(): void;
  setRateLimit(settings: RateLimitSettings): void;
  close(): Promise<void>;
}

interface Route {
  method: string;
  pattern: string;
  key: string;
  regex: RegExp;
  names: string[];
  handler: SimHandler;
}

/** Registers routes on a simulator. Patterns use `:name` segments. */
export class Router {
  readonly routes: Route[] = [];
  on(method: string, pattern: string, handler: SimHandler): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          names.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern, key: `${method} ${pattern}`, regex: new RegExp(`^${source}$`), names, handler });
    return this;
  }
  get(p: string, h: SimHandler) { return this.on('GET', p, h); }
  post(p: string, h: SimHandler) { return this.on('POST', p, h); }
  put(p: string, h: SimHandler) { return this.on('PUT', p, h); }
  patch(p: string, h: SimHandler) { return this.on('PATCH', p, h); }
  delete(p: string, h: SimHandler) { return this.on('DELETE', p, h); }
}

/** A small, fast, seedable PRNG (mulberry32). Same seed, same sequence. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
    /** A deterministic RFC 4122 v4-shaped UUID. */
    uuid: () => {
      const h = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
      h[12] = '4';
      h[16] = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
  };
}
/** The random source returned by {@link createRandom}. */
export type Random = ReturnType<typeof createRandom>;

/** Reads a positive integer query parameter; `undefined` when absent, SimHttpError 400 when invalid. */
export function intParam(q: URLSearchParams, name: string, opts: { min: number; max: number; code?: string }): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw new SimHttpError(400, opts.code ?? 'bad_request', `${name} must be an integer`);
  const n = Number(raw);
  if (n < opts.min || n > opts.max) {
    throw new SimHttpError(400, opts.code ?? 'bad_request', `${name} must be between ${opts.min} and ${opts.max}`);
  }
  return n;
}

/** Opaque cursor helpers simulators use for their own cursor paging (base64url of a JSON offset). */
export const simCursor = {
  encode: (offset: number, salt = 'c'): string => Buffer.from(JSON.stringify({ [salt]: offset })).toString('base64url'),
  decode: (raw: string, salt = 'c'): number | null => {
    try {
      const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
      const n = v?.[salt];
      return Number.isInteger(n) && n >= 0 ? n : null;
    } catch {
      return null;
    }
  },
};

/** Resolves after `ms` unless `signal` aborts first (then resolves early). Uses an unref'd timer. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    t.unref?.();
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(t);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function emptyStats(): SimStats {
  return {
    byRoute: {}, total: 0, openConnections: 0, maxOpenConnections: 0,
    openSseStreams: 0, sseStreamsOpened: 0, sseOpenedByRoute: {}, rateLimited: 0,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a simulator on loopback. */
export async function startSimulator(def: SimulatorDefinition, options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const { port = 0, host = '127.0.0.1', seed = 1 } = options;
  let rateLimit: RateLimitSettings = options.rateLimit ?? { limit: 600, windowMs: 60_000 };
  const faults = new Map<string, RouteFault>(Object.entries(options.faults ?? {}));
  const rnd = createRandom(seed);
  const router = new Router();
  def.routes(router);
  let stats = emptyStats();
  let windowStart = Date.now();
  let windowCount = 0;
  const sockets = new Set<import('node:net').Socket>();
  const sseClosers = new Set<() => void>();

  function windowState(now: number) {
    if (now - windowStart >= rateLimit.windowMs) {
      windowStart = now;
      windowCount = 0;
    }
    return { limit: rateLimit.limit, remaining: Math.max(0, rateLimit.limit - windowCount), resetAtMs: windowStart + rateLimit.windowMs, now };
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) {
    if (res.headersSent || res.destroyed) return;
    const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8' }),
      'content-length': Buffer.byteLength(payload).toString(),
      ...headers,
    });
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && incomingId.length > 0 && incomingId.length <= 200 ? incomingId : randomUUID();
    const baseHeaders: Record<string, string> = def.echoRequestId ? { 'x-request-id': requestId } : {};
    const sreq: SimRequest = {
      method, path: url.pathname, params: {}, query: url.searchParams, headers: req.headers, body: undefined, requestId,
      signal: controller.signal,
    };
    const fail = (err: SimHttpError, extraHeaders: Record<string, string> = {}) =>
      send(res, err.status, def.errorBody(err, sreq), { ...baseHeaders, ...extraHeaders, ...(err.extra.headers ?? {}) });

    let route: Route | undefined;
    let methodMismatch = false;
    for (const r of router.routes) {
      const m = r.regex.exec(url.pathname);
      if (!m) continue;
      if (r.method !== method) { methodMismatch = true; continue; }
      route = r;
      r.names.forEach((n, i) => (sreq.params[n] = decodeURIComponent(m[i + 1])));
      break;
    }
    const key = route?.key ?? `${method} (unmatched)`;
    stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
    stats.total++;

    const fault = { ...(faults.get('*') ?? {}), ...(route ? faults.get(route.key) ?? {} : {}) };
    if (fault.latencyMs) await delay(fault.latencyMs, controller.signal);
    if (controller.signal.aborted) return;

    const now = Date.now();
    const w = windowState(now);
    const rlHeaders = () => def.rateLimitHeaders?.(windowState(Date.now())) ?? {};
    if (!route) {
      return fail(new SimHttpError(methodMismatch ? 405 : 404, 'not_found', methodMismatch ? 'method not allowed' : 'route not found'));
    }
    const authErr = def.authenticate(sreq);
    if (authErr) return fail(authErr);

    if (def.rateLimitHeaders) {
      if (w.remaining <= 0) {
        stats.rateLimited++;
        return fail(new SimHttpError(429, 'rate_limit_exceeded', 'rate limit exceeded, slow down'), {
          ...rlHeaders(),
          ...(def.retryAfterHeaders?.({ resetAtMs: w.resetAtMs, now }) ?? {}),
        });
      }
      windowCount++;
    }

    const forced = fault.forceStatus ?? (fault.forceStatusTimes && fault.forceStatusTimes > 0 ? fault.errorStatus ?? 503 : undefined);
    if (fault.forceStatusTimes && fault.forceStatusTimes > 0) {
      const f = faults.get(route.key) ?? faults.get('*');
      if (f) f.forceStatusTimes = (f.forceStatusTimes ?? 1) - 1;
    }
    if (forced !== undefined || (fault.errorRate && rnd.chance(fault.errorRate))) {
      const status = forced ?? fault.errorStatus ?? 503;
      if (status === 429) stats.rateLimited++;
      return fail(new SimHttpError(status, status === 429 ? 'rate_limit_exceeded' : 'injected_fault', `injected fault: ${status}`), {
        ...rlHeaders(),
        ...(status === 429 ? def.retryAfterHeaders?.({ resetAtMs: now + 1000, now }) ?? {} : {}),
      });
    }
    if (fault.garbageBody !== undefined) return send(res, 200, fault.garbageBody, baseHeaders);

    try {
      const raw = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
      if (raw.length > 0) {
        try {
          sreq.body = JSON.parse(raw);
        } catch {
          throw new SimHttpError(400, 'bad_request', 'request body is not valid JSON');
        }
      }
      const result = await route.handler(sreq);
      if ('sse' in result) return streamSse(res, route.key, result, { ...baseHeaders, ...rlHeaders() }, fault.dropSseAfterEvents, controller);
      send(res, result.status, result.body, { ...baseHeaders, ...rlHeaders(), ...(result.headers ?? {}) });
    } catch (e) {
      if (e instanceof SimHttpError) return fail(e, rlHeaders());
      console.error(`[${def.name} simulator]`, e);
      fail(new SimHttpError(500, 'internal_error', 'internal error'));
    }
  }

  async function streamSse(
    res: ServerResponse,
    key: string,
    result: Extract<SimResult, { sse: unknown }>,
    headers: Record<string, string>,
    dropAfter: number | undefined,
    controller: AbortController,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
      ...(result.headers ?? {}),
    });
    res.flushHeaders();
    stats.openSseStreams++;
    stats.sseStreamsOpened++;
    stats.sseOpenedByRoute[key] = (stats.sseOpenedByRoute[key] ?? 0) + 1;
    let closed = false;
    let sent = 0;
    const close = (destroy = false) => {
      if (closed) return;
      closed = true;
      stats.openSseStreams--;
      sseClosers.delete(closer);
      controller.abort();
      if (destroy) res.destroy();
      else res.end();
    };
    const closer = () => close(true);
    sseClosers.add(closer);
    res.on('close', () => close());
    const writer: SseWriter = {
      event(e) {
        if (closed) return false;
        if (dropAfter !== undefined && sent >= dropAfter) {
          close(true);
          return false;
        }
        let out = '';
        if (e.id !== undefined) out += `id: ${e.id}\n`;
        if (e.event) out += `event: ${e.event}\n`;
        out += `data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`;
        res.write(out);
        sent++;
        return true;
      },
      comment(text) {
        if (closed) return false;
        res.write(`: ${text}\n\n`);
        return true;
      },
      close: () => close(),
      get closed() { return closed; },
      signal: controller.signal,
    };
    try {
      await result.sse(writer);
    } catch (e) {
      console.error(`[${def.name} simulator] sse`, e);
    } finally {
      close();
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error(`[${def.name} simulator]`, e);
      if (!res.headersSent) send(res, 500, { error: 'internal error' }, {});
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    stats.openConnections++;
    stats.maxOpenConnections = Math.max(stats.maxOpenConnections, stats.openConnections);
    socket.on('close', () => {
      sockets.delete(socket);
      stats.openConnections--;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    name: def.name,
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    get stats() { return stats; },
    resetStats() {
      const live = { openConnections: stats.openConnections, openSseStreams: stats.openSseStreams };
      stats = { ...emptyStats(), ...live, maxOpenConnections: live.openConnections };
    },
    setFault(routeKey, fault) {
      if (fault) faults.set(routeKey, { ...fault });
      else faults.delete(routeKey);
    },
    clearFaults: () => faults.clear(),
    setRateLimit(settings) {
      rateLimit = settings;
      windowStart = Date.now();
      windowCount = 0;
    },
    async close() {
      for (const c of [...sseClosers]) c();
      server.closeIdleConnections?.();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The standard knobs shared by the simulators' data and live state. */
export interface SimDataOptions {
  /** Seed of the dataset. @default 42 */
  dataSeed?: number;
  /** Multiplies the dataset's size (1 = demo size; 100 for benchmarks). @default 1 */
  scale?: number;
  /** Milliseconds between two status steps of a triggered operation. @default 1500 */
  stepMs?: number;
  /** Milliseconds between two scheduled jobs appearing on their own; 0 disables. @default 20000 */
  scheduleEveryMs?: number;
  /**
   * The moment the seeded dataset is built around ("last night" is the night before it): the same
   * seed and anchor give the same data to the millisecond. Given without `clock`, the simulator's
   * clock starts at the anchor and runs at real speed, so live work follows the seeded data.
   * @default the clock's time when the simulator starts
   */
  anchor?: Date;
  /** Where the simulator reads "now" for data it stamps (live jobs, expiries, day windows). @default the system clock */
  clock?: Clock;
}

/** What every provider simulator adds to the kit's {@link RunningSimulator}. */
export interface SeededSimulator extends RunningSimulator {
  /** The credential the simulator accepts. */
  readonly credential: string;
  /** The moment its seeded data is relative to. */
  readonly anchor: Date;
  /** The clock it stamps live work with. */
  readonly clock: Clock;
}

/** A fixed anchor for tests that assert exact seeded timestamps. */
export const FIXED_ANCHOR = new Date('2026-11-20T12:00:00.000Z');

/** A simulator's resolved time: the anchor its data is seeded around and the clock it stamps with. */
export interface SimTime {
  /** Epoch ms the seeded data is relative to. */
  anchor: number;
  /** The simulator's "now". */
  clock: Clock;
}

/**
 * Resolves `anchor`/`clock` the one way every simulator uses: no anchor means "now" (so the demo
 * always shows last night), an anchor without a clock shifts the clock to start there.
 */
export function resolveSimTime(options: Pick<SimDataOptions, 'anchor' | 'clock'>): SimTime {
  const { anchor, clock } = options;
  if (clock) return { anchor: anchor?.getTime() ?? clock.now(), clock };
  if (anchor) return { anchor: anchor.getTime(), clock: createShiftedClock(anchor.getTime()) };
  return { anchor: systemClock.now(), clock: systemClock };
}

/** A repeating, unref'd timer that stops when `signal` aborts. */
export function every(ms: number, fn: () => void, signal: AbortSignal): void {
  if (ms <= 0) return;
  const t = setInterval(fn, ms);
  t.unref?.();
  signal.addEventListener('abort', () => clearInterval(t), { once: true });
}
