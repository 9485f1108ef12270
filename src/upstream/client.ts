/**
 * The shared upstream HTTP layer on undici: one keep-alive pool per provider instance, connect /
 * headers / body timeouts, an overall per-request deadline, retries with backoff and jitter for
 * idempotent reads that honour `Retry-After`, `RateLimit-Reset` and `X-RateLimit-Reset` (never past
 * the deadline), `X-Request-Id` sent upstream, in-flight GET dedupe per request, bodies read
 * chunk by chunk under a size cap, and every failure turned into one typed error. Every attempt goes
 * through the provider's guard (`guard.ts`: circuit breaker, retry budget, bulkhead). Provider
 * clients build on `createUpstreamClient`.
 */
import { systemClock, type Clock } from '../domain/clock.ts';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import type { ProviderRef } from '../domain/models.ts';
import { PromiseMemo, perRequest, type RequestContext } from './request-context.ts';
import { ProviderHttpError, ProviderNetworkError, ProviderResponseError, ProviderUnavailableError } from './errors.ts';
import { createUpstreamGuard, type AttemptOutcome, type BreakerSettings, type BulkheadSettings, type RetryBudgetSettings, type UpstreamGuard, type UpstreamState } from './guard.ts';
import { isRetryableStatus, nextRetryDelay, type RetryPolicy } from './retry.ts';
import { sleep } from './sleep.ts';
import { createRouteMatcher, type RouteTable } from './routes.ts';
import { createCallDeadlines } from './call-deadlines.ts';
import { DEFAULT_UPSTREAM_CONNECTIONS } from './connections.ts';
import { GatewayError } from '../domain/errors.ts';

/** Timeouts, retry tuning, resilience and limits shared by all provider clients. */
export interface UpstreamSettings {
  /** @default 2000 */
  connectTimeoutMs?: number;
  /** Time to first response headers. @default 10000 */
  headersTimeoutMs?: number;
  /** Max idle time between body chunks. @default 10000 */
  bodyTimeoutMs?: number;
  /** Overall deadline for one logical call, retries included. @default 15000 */
  deadlineMs?: number;
  /** Keep-alive connections per provider (and the bulkhead's default cap). @default DEFAULT_UPSTREAM_CONNECTIONS (64) */
  connections?: number;
  /** Retry tuning for idempotent reads. */
  retry?: Partial<RetryPolicy>;
  /** Circuit breaker: consecutive failed attempts open it. @default 10 failures, open for 10000 ms */
  breaker?: BreakerSettings;
  /** Retries as a share of calls (429 waits are not counted: the provider said when). @default ratio 0.2, 10 tokens */
  retryBudget?: RetryBudgetSettings;
  /** Concurrency cap per provider. @default `connections` in flight, 256 queued */
  bulkhead?: BulkheadSettings;
  /**
   * Largest response body read, in bytes; a longer one (by `content-length` or while streaming) is
   * dropped unread: on a 2xx it is a `ProviderResponseError`, on an error status the status stands.
   * SSE streams are not capped. @default 4194304 (4 MiB)
   */
  maxBodyBytes?: number;
  /**
   * The breaker, budget and bulkhead this client runs through; clients of one provider instance
   * share it, and its `state()` feeds the health probe. @default a new guard from these settings
   */
  guard?: UpstreamGuard;
  /**
   * The provider's quota, which the gateway sizes its outbound rate budget by; `'none'` turns off the
   * budget a provider kind documents by default. @default the kind's documented quota, else none
   */
  rateLimit?: { requestsPerMinute?: number; requestsPerSecond?: number } | 'none';
  /**
   * The provider's outbound rate budget (shared by replicas when the gateway has Redis): every
   * attempt takes from it first, waiting while its deadline allows; a 429's reset is reported to it
   * so every caller holds off. @default none (no outbound budget)
   */
  rateBudget?: OutboundRateBudget;
  /** Where deadlines, `RateLimit-Reset` waits and the breaker's `retryAfter` read the time. @default the system clock */
  clock?: Clock;
  /** Told of every retry of an idempotent read, before its wait (metrics). @default none */
  onRetry?: UpstreamRetryObserver;
  /** Wraps every attempt and stream opening (tracing: a client span, `traceparent` sent). @default none: nothing wrapped, no header added */
  tracer?: UpstreamTracer;
}

/** One upstream attempt as a tracer sees it: the route template, never the real path or query. */
export interface UpstreamAttempt {
  provider: string;
  method: string;
  /** The path's route template (`/backup-jobs/:id`). */
  route: string;
  /** 0 for the first attempt, n for the n-th retry. */
  attempt: number;
  /** True when this opens an SSE stream (the span ends once the headers are in). */
  stream: boolean;
}

/**
 * Wraps one upstream attempt: may add headers (`traceparent`) to `headers` before `run` sends them,
 * and answers what `run` answers (or throws what it throws); `statusOf` reads the HTTP status.
 */
export interface UpstreamTracer {
  attempt<T>(call: UpstreamAttempt, headers: Record<string, string>, run: () => Promise<T>, statusOf: (value: T) => number): Promise<T>;
}

/** One retry about to wait, as metrics see it. Never carries ids, headers or secrets. */
export interface UpstreamRetry {
  provider: string;
  /** The route template of the retried path (`/backup-jobs/:id`). */
  route: string;
  /** `rate-limited`: the provider answered 429 (the wait is the one it asked for); `error`: a 5xx or network failure. */
  reason: 'rate-limited' | 'error';
  /** How long the client waits before the next attempt. */
  waitMs: number;
}

/** Observes every retry. */
export type UpstreamRetryObserver = (retry: UpstreamRetry) => void;

/** An outbound rate budget as the client uses it (`src/cluster/rate-budget.ts` builds one). */
export interface OutboundRateBudget {
  /**
   * Resolves when a call may go, with `settle` (if any) to call once its answer is back (its slot then
   * counts from then: the provider saw the call by then); throws a `RATE_LIMITED` GatewayError when
   * the wait would pass `deadlineAt` (clock ms).
   */
  take(deadlineAt: number, signal?: AbortSignal): Promise<(() => void) | void>;
  /** Holds every caller's calls for `ms` (a 429's reset). */
  blockFor(ms: number): Promise<void>;
}

/** One finished upstream attempt, as metrics and logs see it. Never carries headers or secrets. */
export interface UpstreamCall {
  provider: string;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The path's route template (`/backup-jobs/:id`), for labels: never an id. */
  route: string;
  status: number | null;
  attempt: number;
  durationMs: number;
  requestId: string;
  error?: string;
}

/** Observes every upstream attempt. */
export type UpstreamCallObserver = (call: UpstreamCall) => void;

/** Query parameters; arrays repeat the key, undefined/null values are left out. */
export type QueryInit = Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>;

/** What every provider client's factory takes besides its credential. */
export interface ProviderClientOptions {
  provider: ProviderRef;
  /** The provider's base URL (each client documents what it appends). */
  baseUrl: string;
  settings?: UpstreamSettings;
  observer?: UpstreamCallObserver;
  /** Replaces the connection pool (tests, proxies). */
  dispatcher?: Dispatcher;
}

/** Options of {@link createUpstreamClient}. */
export interface UpstreamClientOptions {
  provider: ProviderRef;
  /** Base URL including any path prefix, e.g. `https://bocada.example.com/api/v1`. */
  baseUrl: string;
  /** Auth headers added to every request. Their values are never logged. */
  authHeaders: () => Record<string, string>;
  /** The provider's routes table: upstream calls are labelled with its templates. @default every call is `other` */
  routes?: RouteTable;
  /** Reads the provider's error code and message from an error body. */
  describeError?: (status: number, body: unknown) => { code?: string | null; message?: string | null };
  settings?: UpstreamSettings;
  observer?: UpstreamCallObserver;
  /** Replaces the pool (tests, proxies). */
  dispatcher?: Dispatcher;
}

/** A response of a non-retried call. */
export interface UpstreamResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

/** A provider's HTTP client. */
export interface UpstreamClient {
  /** Idempotent GET: retried, deduped per request (until this client's next `send` in it), parsed as JSON. Throws typed upstream errors. */
  get<T>(path: string, query: QueryInit | undefined, ctx: RequestContext): Promise<T>;
  /** A call that changes state: never retried. Throws typed upstream errors on non-2xx. */
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: unknown, ctx: RequestContext): Promise<UpstreamResponse<T>>;
  /** Opens a streaming GET (SSE); the caller reads and destroys the body. Not retried. */
  stream(path: string, headers: Record<string, string>, ctx: RequestContext): Promise<Dispatcher.ResponseData>;
  /** The guard's breaker, bulkhead and budget state. */
  state(): UpstreamState;
  close(): Promise<void>;
}

/** Builds the query string; arrays repeat the key. */
export function buildQuery(query: QueryInit | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item));
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

const neverAborted = new AbortController().signal;

function networkReason(e: unknown): ProviderNetworkError['reason'] {
  if (e instanceof undiciErrors.ConnectTimeoutError || e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError) {
    return 'timeout';
  }
  const code = (e as { code?: string })?.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect';
  return 'reset';
}

/** True for answers the breaker counts as the provider failing: 5xx, except 501 (a deployment without the feature). */
function isFailureStatus(status: number): boolean {
  return status >= 500 && status !== 501;
}

/** True when `b` starts with the UTF-8 byte order mark (which decoding drops, as TextDecoder does). */
const hasBom = (b: Buffer) => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/** Reads a body as UTF-8 text, chunk by chunk; null (and the body destroyed, the rest never read) once it passes `limit` bytes. */
async function readCapped(body: Dispatcher.ResponseData['body'], headers: Dispatcher.ResponseData['headers'], limit: number): Promise<string | null> {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    body.destroy();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) break;
    chunks.push(chunk as Buffer);
  }
  if (size > limit) {
    body.destroy();
    return null;
  }
  // Most bodies are one chunk: decoded where it lies, not copied first.
  const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
  return all.toString('utf8', hasBom(all) ? 3 : 0);
}

/** `path` without its query string. */
const pathOnly = (path: string) => {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
};

/** Creates the client of one provider instance. */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { provider, authHeaders, describeError, observer } = options;
  const s = options.settings ?? {};
  const connectTimeoutMs = s.connectTimeoutMs ?? 2000;
  const headersTimeoutMs = s.headersTimeoutMs ?? 10_000;
  const bodyTimeoutMs = s.bodyTimeoutMs ?? 10_000;
  const deadlineMs = s.deadlineMs ?? 15_000;
  const deadlines = createCallDeadlines(deadlineMs);
  const clock = s.clock ?? systemClock;
  const maxBodyBytes = s.maxBodyBytes ?? 4 * 1024 * 1024;
  const guard = s.guard ?? createUpstreamGuard(provider.id, s);
  const tracer = s.tracer;
  const routeOf = createRouteMatcher(options.routes ?? {});
  const rateBudget = s.rateBudget;
  const policy: RetryPolicy = { maxRetries: 4, baseDelayMs: 100, maxDelayMs: 2000, ...(s.retry ?? {}) };
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const dispatcher =
    options.dispatcher ??
    new Pool(base.origin, {
      connections: s.connections ?? DEFAULT_UPSTREAM_CONNECTIONS,
      connect: { timeout: connectTimeoutMs },
      headersTimeout: headersTimeoutMs,
      bodyTimeout: bodyTimeoutMs,
      keepAliveTimeout: 10_000,
    });

  /** One attempt; with a tracer, in its span (the span's `traceparent` goes upstream). */
  function attempt(method: string, path: string, body: string | undefined, ctx: RequestContext, signal: AbortSignal, n: number) {
    if (!tracer) return sendOnce(method, path, body, ctx, signal, n);
    const traceHeaders: Record<string, string> = {};
    return tracer.attempt({ provider: provider.id, method, route: routeOf(path), attempt: n, stream: false }, traceHeaders, () => sendOnce(method, path, body, ctx, signal, n, traceHeaders), (r) => r.status);
  }

  async function sendOnce(method: string, path: string, body: string | undefined, ctx: RequestContext, signal: AbortSignal, n: number, traceHeaders?: Record<string, string>) {
    const started = performance.now();
    // One headers object, written in place (the auth headers last, as before: nothing overrides them).
    const headers: Record<string, string> = { accept: 'application/json', 'x-request-id': ctx.requestId };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (traceHeaders) Object.assign(headers, traceHeaders);
    Object.assign(headers, authHeaders());
    try {
      const res = await dispatcher.request({
        origin: base.origin,
        method: method as Dispatcher.HttpMethod,
        path: prefix + path,
        headers,
        body,
        signal,
        headersTimeout: headersTimeoutMs,
        bodyTimeout: bodyTimeoutMs,
      });
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      const read = await readCapped(res.body, res.headers, maxBodyBytes);
      observer?.({ provider: provider.id, method, path: pathOnly(path), route: routeOf(path), status: res.statusCode, attempt: n, durationMs: performance.now() - started, requestId: ctx.requestId });
      // Too long: a 2xx body is unusable; an error status is still that error, without its body.
      if (read === null && ok) throw new ProviderResponseError(provider.id, ctx.requestId, `body over ${maxBodyBytes} bytes`);
      return { status: res.statusCode, headers: res.headers, text: read ?? '' };
    } catch (e) {
      observer?.({ provider: provider.id, method, path: pathOnly(path), route: routeOf(path), status: null, attempt: n, durationMs: performance.now() - started, requestId: ctx.requestId, error: (e as Error).name });
      throw e;
    }
  }

  /**
   * One attempt through the guard: refused at once while the breaker is open, in a bulkhead slot
   * unless it is a stream. Counted as a failure: network errors and timeouts (not the client going
   * away, not an unusable body) and 5xx answers other than 501.
   */
  async function guarded<T>(ctx: RequestContext, signal: AbortSignal, deadlineAt: number, status: (value: T) => number, call: () => Promise<T>, useSlot = true): Promise<T> {
    // Before the breaker, so neither refusal counts as the provider failing: the request's call
    // budget, then the provider's outbound rate budget (which may wait until the deadline).
    ctx.budget?.take(provider.id);
    const settle = await rateBudget?.take(deadlineAt, signal);
    try {
      return await guard.run({
        requestId: ctx.requestId,
        signal,
        bulkhead: useSlot,
        call,
        isFailure: (o: AttemptOutcome<T>) =>
          'error' in o ? !ctx.signal?.aborted && !(o.error instanceof ProviderResponseError) : isFailureStatus(status(o.value)),
      });
    } finally {
      settle?.(); // the answer is back (or none will come): the rate slot counts from now
    }
  }

  function parse(text: string, ctx: RequestContext): unknown {
    if (text.length === 0) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new ProviderResponseError(provider.id, ctx.requestId, 'body is not JSON');
    }
  }

  function httpError(status: number, text: string, ctx: RequestContext): ProviderHttpError {
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const d = describeError?.(status, body) ?? {};
    return new ProviderHttpError(provider.id, status, ctx.requestId, d.code ?? null, d.message ?? null);
  }

  /**
   * Runs a call with its deadline (`deadlineMs` from now, retries included), translating aborts and
   * network failures. The call's one signal aborts at the deadline or when the client goes away
   * (`call-deadlines.ts`: one timer for the client, one listener per request, no signals combined).
   */
  async function withDeadline<T>(ctx: RequestContext, fn: (signal: AbortSignal, deadlineAt: number) => Promise<T>): Promise<T> {
    const deadlineAt = clock.now() + deadlineMs;
    const deadline = deadlines.start(ctx);
    try {
      return await fn(deadline.signal, deadlineAt);
    } catch (e) {
      if (e instanceof ProviderHttpError || e instanceof ProviderResponseError || e instanceof ProviderNetworkError || e instanceof ProviderUnavailableError) throw e;
      if (e instanceof GatewayError) throw e; // the request's upstream call budget is spent
      if (ctx.signal?.aborted) throw e; // the client went away: not a provider failure
      if (deadline.expired) throw new ProviderNetworkError(provider.id, ctx.requestId, 'deadline');
      throw new ProviderNetworkError(provider.id, ctx.requestId, networkReason(e));
    } finally {
      deadline.end();
    }
  }

  /**
   * This client's in-flight and finished GETs of one request, by path and query. A 404 is an answer
   * too (it stays for the request); other failures are forgotten so the request may ask again.
   */
  const dedupeOf = perRequest(() => new PromiseMemo({ keepRejection: (e) => e instanceof ProviderHttpError && e.status === 404 }));

  async function getUncached<T>(path: string, ctx: RequestContext): Promise<T> {
    guard.admit();
    return withDeadline(ctx, async (signal, deadlineAt) => {
      for (let n = 0; ; n++) {
        let res: Awaited<ReturnType<typeof attempt>> | undefined;
        let netErr: unknown;
        try {
          res = await guarded(ctx, signal, deadlineAt, (r) => r.status, () => attempt('GET', path, undefined, ctx, signal, n));
        } catch (e) {
          // Not worth another attempt: the call is over, the body was unusable, the guard refused, or a budget did.
          if (signal.aborted || e instanceof ProviderResponseError || e instanceof ProviderUnavailableError || e instanceof GatewayError) throw e;
          netErr = e;
        }
        if (res && res.status >= 200 && res.status < 300) return parse(res.text, ctx) as T;
        const retryable = netErr !== undefined || (res !== undefined && isRetryableStatus(res.status));
        let wait = retryable
          ? nextRetryDelay({ attempt: n, policy, headers: res?.headers, status: res?.status, nowMs: clock.now(), deadlineAt })
          : null;
        // No retry once this failure opened the breaker; a 429 retry waits as long as the provider
        // asked; any other retry spends the budget.
        if (wait !== null && guard.state().circuit === 'open') wait = null;
        if (wait !== null && res?.status !== 429 && !guard.tryRetry()) wait = null;
        if (wait === null) {
          if (netErr !== undefined) throw netErr;
          throw httpError(res!.status, res!.text, ctx);
        }
        s.onRetry?.({ provider: provider.id, route: routeOf(path), reason: res?.status === 429 ? 'rate-limited' : 'error', waitMs: wait });
        // The provider said when: every caller of it (every replica, with Redis) holds off until then.
        if (res?.status === 429) await rateBudget?.blockFor(wait);
        await sleep(wait, signal);
        if (signal.aborted) throw new ProviderNetworkError(provider.id, ctx.requestId, 'deadline');
      }
    });
  }

  return {
    get<T>(path: string, query: QueryInit | undefined, ctx: RequestContext): Promise<T> {
      const full = path + buildQuery(query);
      return dedupeOf(ctx).get(full, () => getUncached<T>(full, ctx));
    },
    send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body: unknown, ctx: RequestContext) {
      // A write may change what this request's GETs read: before and after it, reads go upstream again.
      const dedupe = dedupeOf(ctx);
      dedupe.clear();
      guard.admit();
      return withDeadline(ctx, async (signal, deadlineAt) => {
        try {
          const json = body === undefined ? undefined : JSON.stringify(body);
          const res = await guarded(ctx, signal, deadlineAt, (r) => r.status, () => attempt(method, path, json, ctx, signal, 0));
          if (res.status < 200 || res.status >= 300) throw httpError(res.status, res.text, ctx);
          return { status: res.status, body: parse(res.text, ctx) as T, headers: res.headers };
        } finally {
          dedupe.clear();
        }
      });
    },
    async stream(path: string, headers: Record<string, string>, ctx: RequestContext) {
      try {
        const open = (traceHeaders?: Record<string, string>) =>
          dispatcher.request({
            origin: base.origin,
            method: 'GET',
            path: prefix + path,
            headers: { accept: 'text/event-stream', 'x-request-id': ctx.requestId, ...headers, ...traceHeaders, ...authHeaders() },
            signal: ctx.signal,
            headersTimeout: headersTimeoutMs,
            bodyTimeout: 0,
          });
        // With a tracer, the opening (up to the headers) is a client span and its `traceparent` goes upstream.
        const traced = (traceHeaders: Record<string, string> = {}) =>
          tracer!.attempt({ provider: provider.id, method: 'GET', route: routeOf(path), attempt: 0, stream: true }, traceHeaders, () => open(traceHeaders), (r) => r.statusCode);
        // Through the breaker (its opening counts), not the bulkhead: a stream may stay open for long.
        const res = await guarded(ctx, ctx.signal ?? neverAborted, clock.now() + deadlineMs, (r) => r.statusCode, () => (tracer ? traced() : open()), false);
        observer?.({ provider: provider.id, method: 'GET', path: pathOnly(path), route: routeOf(path), status: res.statusCode, attempt: 0, durationMs: 0, requestId: ctx.requestId });
        if (res.statusCode < 200 || res.statusCode >= 300) {
          const text = await readCapped(res.body, res.headers, maxBodyBytes);
          throw httpError(res.statusCode, text ?? '', ctx);
        }
        return res;
      } catch (e) {
        if (e instanceof ProviderHttpError || e instanceof ProviderUnavailableError || e instanceof GatewayError || ctx.signal?.aborted) throw e;
        throw new ProviderNetworkError(provider.id, ctx.requestId, networkReason(e));
      }
    },
    state: () => guard.state(),
    close: () => dispatcher.close(),
  };
}
