/**
 * The simulator server: one node:http server on loopback that matches a request to its route,
 * counts it, applies the faults and the rate limit in force, parses its JSON body, runs the
 * handler and answers in the simulator's own error shape. A simulator describes its routes, its
 * auth check and its error shape ({@link SimulatorDefinition}); everything cross-cutting is here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createFaultTable, type RouteFault } from './faults.ts';
import { SimHttpError } from './http-errors.ts';
import { createRandom } from './random.ts';
import { createRateLimiter, type RateLimitSettings, type RateLimitWindow } from './rate-limit.ts';
import { Router, type SimRequest } from './router.ts';
import { streamSse } from './sse.ts';
import { delay } from './timers.ts';

/** Live counters a test or benchmark can read. */
export interface SimStats {
  /** Requests per route key (`GET /api/v1/organizations/:id`), including rejected ones. */
  byRoute: Record<string, number>;
  total: number;
  /** Connections open right now and the highest seen. */
  openConnections: number;
  maxOpenConnections: number;
  /**
   * Requests being answered right now (from arrival until the response closes, SSE streams and
   * injected latency included) and the highest seen: what tests check a client's concurrency with,
   * without timing it.
   */
  inFlight: number;
  maxInFlight: number;
  /** SSE streams open right now, opened in total, per route key. */
  openSseStreams: number;
  sseStreamsOpened: number;
  sseOpenedByRoute: Record<string, number>;
  rateLimited: number;
  /** The latest requests, oldest first (at most {@link REQUEST_LOG_SIZE}): what tests check that the gateway asked for. */
  requests: SimRequestRecord[];
}

/** One request as the simulator received it (no headers: they may hold credentials). */
export interface SimRequestRecord {
  method: string;
  /** The route key (`GET /api/v1/resources`), or `<method> (unmatched)`. */
  route: string;
  path: string;
  /** The query parameters, as sent. */
  query: URLSearchParams;
  /** When it arrived (epoch ms, the simulator's `Date.now()`): what rate tests count windows with. */
  at: number;
}

/** How many requests {@link SimStats.requests} keeps. */
export const REQUEST_LOG_SIZE = 2000;

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
  /**
   * Rate-limit headers for a response, given the window state. The rate limit is enforced only
   * when this is given (return `{}` to enforce it without sending headers).
   */
  rateLimitHeaders?: (s: RateLimitWindow) => Record<string, string>;
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
  /** Switches the rate limit and starts a fresh window. */
  setRateLimit(settings: RateLimitSettings): void;
  /** Cuts open SSE streams and connections, then stops listening. */
  close(): Promise<void>;
}

function emptyStats(): SimStats {
  return {
    byRoute: {}, total: 0, openConnections: 0, maxOpenConnections: 0, inFlight: 0, maxInFlight: 0,
    openSseStreams: 0, sseStreamsOpened: 0, sseOpenedByRoute: {}, rateLimited: 0, requests: [],
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Answers JSON (an object), `text/html` (a string) or nothing (`undefined`); a no-op once answered. */
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

/** Starts a simulator on loopback; resolves once it listens. */
export async function startSimulator(def: SimulatorDefinition, options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const { port = 0, host = '127.0.0.1', seed = 1 } = options;
  const faults = createFaultTable(options.faults, createRandom(seed));
  const router = new Router();
  def.routes(router);
  let stats = emptyStats();
  const limiter = createRateLimiter(options.rateLimit ?? { limit: 600, windowMs: 60_000 });
  const sockets = new Set<Socket>();
  const sseClosers = new Set<() => void>();

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

    const { route, params, methodMismatch } = router.match(method, url.pathname);
    sreq.params = params;
    const key = route?.key ?? `${method} (unmatched)`;
    stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
    stats.total++;
    stats.requests.push({ method, route: key, path: url.pathname, query: new URLSearchParams(url.searchParams), at: Date.now() });
    if (stats.requests.length > REQUEST_LOG_SIZE) stats.requests.shift();

    const fault = faults.resolve(route?.key);
    if (fault.latencyMs) await delay(fault.latencyMs, controller.signal);
    if (controller.signal.aborted) return;

    const now = Date.now();
    const w = limiter.window(now);
    const rlHeaders = () => def.rateLimitHeaders?.(limiter.window(Date.now())) ?? {};
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
      limiter.take();
    }

    const status = faults.injectedStatus(fault, route.key);
    if (status !== undefined) {
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
      if ('sse' in result) {
        return streamSse(res, result.sse, {
          headers: { ...baseHeaders, ...rlHeaders(), ...(result.headers ?? {}) },
          dropAfterEvents: fault.dropSseAfterEvents,
          controller,
          onOpen(destroy) {
            stats.openSseStreams++;
            stats.sseStreamsOpened++;
            stats.sseOpenedByRoute[route.key] = (stats.sseOpenedByRoute[route.key] ?? 0) + 1;
            sseClosers.add(destroy);
          },
          onClose(destroy) {
            stats.openSseStreams--;
            sseClosers.delete(destroy);
          },
          onError: (e) => console.error(`[${def.name} simulator] sse`, e),
        });
      }
      send(res, result.status, result.body, { ...baseHeaders, ...rlHeaders(), ...(result.headers ?? {}) });
    } catch (e) {
      if (e instanceof SimHttpError) return fail(e, rlHeaders());
      console.error(`[${def.name} simulator]`, e);
      fail(new SimHttpError(500, 'internal_error', 'internal error'));
    }
  }

  const server: Server = createServer((req, res) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    res.once('close', () => {
      stats.inFlight--;
    });
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
      const live = { openConnections: stats.openConnections, openSseStreams: stats.openSseStreams, inFlight: stats.inFlight };
      stats = { ...emptyStats(), ...live, maxOpenConnections: live.openConnections, maxInFlight: live.inFlight };
    },
    setFault: (routeKey, fault) => faults.set(routeKey, fault),
    clearFaults: () => faults.clear(),
    setRateLimit: (settings) => limiter.reset(settings),
    async close() {
      for (const c of [...sseClosers]) c();
      server.closeIdleConnections?.();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
