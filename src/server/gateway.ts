/**
 * `createGateway`: the yoga app over a set of providers. No I/O happens at creation; `listen`
 * binds a port.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../domain/clock.ts';
import { createLoaders } from '../loaders/loaders.ts';
import type { ProgressUpdate, ProviderAdapterOptions } from '../providers/contract/index.ts';
import { createProgressHub, type ProgressHub } from '../progress/hub.ts';
import { createJobWatchHub, type JobWatchHub } from '../progress/job-watch-hub.ts';
import { createIdempotencyStore } from '../mutations/idempotency.ts';
import { createProviderSet, PROVIDERS, type ProviderRegistry, type ProviderSet } from '../providers/registry.ts';
import { createResolvers } from '../resolvers/index.ts';
import { createRateBudget } from '../cluster/rate-budget.ts';
import { createBreakerEvents, shareBreakers } from '../cluster/breaker-events.ts';
import { createRedisConnection, DEFAULT_REDIS_CONNECT_WAIT_MS } from '../cluster/redis-connection.ts';
import { createSharedReferenceCaches } from '../cluster/shared-reference-caches.ts';
import { createReferenceCache, type ReferenceCache } from '../upstream/reference-cache.ts';
import { cacheEvidenceOf, createEvidenceCache } from '../insight/evidence-cache.ts';
import { createRedisIdempotencyStore } from '../cluster/redis-idempotency.ts';
import { createRedisProgressHub } from '../cluster/redis-progress-hub.ts';
import { createRedisRateLimiter } from '../cluster/redis-rate-limiter.ts';
import { createUpstreamCallBudget, DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST } from '../upstream/call-budget.ts';
import { OPEN_CALLER, type Caller } from '../access/caller.ts';
import { createScope } from '../access/scope.ts';
import type { GatewayContext } from './context.ts';
import { DASHBOARD_QUERY, renderLocalGraphiQL } from './graphiql.ts';
import { useErrorMasking } from './plugins/use-error-masking.ts';
import { useCompiledExecution } from './plugins/use-compiled-execution.ts';
import { useAccessLog } from './plugins/use-access-log.ts';
import { yogaLogging } from './logger.ts';
import { useGraphiQLAssets } from './plugins/use-graphiql-assets.ts';
import { useGracefulShutdown } from './plugins/use-graceful-shutdown.ts';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/create-gateway-metrics.ts';
import { useMetrics } from './plugins/use-metrics.ts';
import { useSubscriptionFanOut, type SubscriptionFanOutPlugin } from './plugins/use-subscription-fan-out.ts';
import { useGraphQLSseSingleConnection, type GraphQLSseSingleConnectionOptions, type SingleConnectionLimits } from './plugins/use-graphql-sse-single-connection.ts';
import { createHttpServer, type HttpServerLimits } from './http-server.ts';
import { useHealthEndpoints, type ReadinessCheck } from './plugins/use-health-endpoints.ts';
import { usePartialErrors } from './plugins/use-partial-errors.ts';
import { useQueryLimits, type QueryLimitsOptions } from './plugins/use-query-limits.ts';
import { DEFAULT_MAX_COST, useQueryCost } from './plugins/use-query-cost.ts';
import { createGatewayCostModel } from './cost/gateway-cost-model.ts';
import { useRequestErrorCodes } from './plugins/use-request-error-codes.ts';
import { useRequestId } from './plugins/use-request-id.ts';
import { createAuthenticator, type AccessOptions } from '../access/authenticate.ts';
import { createAuditTrail } from '../access/audit.ts';
import { createRateLimiter } from '../access/rate-limit.ts';
import { GatewayError } from '../domain/errors.ts';
import { scopedIdempotencyStore } from '../mutations/idempotency.ts';
import { callerKey, useAuthentication } from './plugins/use-authentication.ts';
import { useCsrfPrevention } from './plugins/use-csrf-prevention.ts';
import { isLoopbackHost, loopbackHosts, useHostCheck } from './plugins/use-host-check.ts';
import { useSchemaExposure } from './plugins/use-schema-exposure.ts';
import { useTracing } from './plugins/use-tracing.ts';
import { createTracing, type TelemetryOptions, type Tracing } from './telemetry/create-tracing.ts';
import { traceRegistry } from './telemetry/trace-providers.ts';
import { createUpstreamTracer } from './telemetry/upstream-spans.ts';
import { loadTypeDefs } from './type-defs.ts';
import { createInsightContext, type InsightOptions } from '../insight/options.ts';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** The provider instances to serve, in order (order = list order). */
  providers: readonly ProviderAdapterOptions[];
  /** The provider kinds the instances may name: their adapters and SDL. @default PROVIDERS */
  registry?: ProviderRegistry;
  /** Where logs go. Never receives credentials. */
  logger: Logger;
  /** Serve GraphiQL on GET /graphql from a browser. @default true without `access`, false with it */
  graphiql?: boolean;
  /** Progress poll intervals and stream reconnect tuning; `watch`: the job watches of `jobUpdates` (intervals, page size, timers). */
  progress?: GatewayContext['progressOptions'];
  /** Where the gateway reads the time (deadlines, retry waits, idempotency expiry). @default the system clock */
  clock?: Clock;
  /**
   * How long {@link Gateway.drain} lets in-flight requests and streams finish before it closes
   * what is left by force. @default 10_000
   */
  drainTimeoutMs?: number;
  /**
   * Extra readiness checks by name (dependencies that must be reachable for this replica to take
   * traffic), reported by `/readyz`; true passes, false or a throw fails. Provider health is not one
   * (it is a GraphQL field). @default {}
   */
  readinessChecks?: Record<string, ReadinessCheck>;
  /**
   * Most upstream calls (attempts, retries and streams included) one client request may cause;
   * past it the request's further calls fail with `COST_LIMIT_EXCEEDED`. @default DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST (200)
   */
  maxUpstreamCallsPerRequest?: number;
  /**
   * Test hook: who calls, per request (the tenant scope and `viewer` read it). Real
   * authentication replaces this source of the caller. @default every request is `OPEN_CALLER`
   */
  callerOf?: (request: Request) => Caller;
  /**
   * Access control: every /graphql request authenticates (API keys, JWTs, or the anonymous reader),
   * with per-caller budgets, CSRF header checks, CORS for `access.cors.origins` only and the audit
   * file. Without it the gateway is open (every request is `OPEN_CALLER`, the embedded demo).
   * @default none (open)
   */
  access?: AccessOptions;
  /** Answer introspection (`__schema`, `__type`). @default true without `access`, false with it */
  introspection?: boolean;
  /** "Did you mean ...?" in validation errors. @default true without `access`, false with it */
  fieldSuggestions?: boolean;
  /**
   * Run a query or mutation compiled by graphql-jit from the second time its document runs
   * (`use-compiled-execution.ts`); false keeps every one on graphql-js's `execute`. @default true
   */
  compileQueries?: boolean;
  /**
   * Most upstream calls an operation's static estimate (variables and defaults applied) may come
   * to; over it the operation is refused with `COST_LIMIT_EXCEEDED` before anything runs. @default DEFAULT_MAX_COST (500)
   */
  maxCost?: number;
  /** Highest complexity (graphql-armor's formula, sizes applied) of an operation; over it refused like `maxCost`. @default DEFAULT_MAX_COMPLEXITY (20000) */
  maxComplexity?: number;
  /** The document limits (depth, aliases, tokens, directives). @default useQueryLimits' defaults */
  queryLimits?: QueryLimitsOptions;
  /** Client-side limits of the server `listen` starts: body size, request/headers/keep-alive timeouts. @default HTTP_SERVER_DEFAULTS */
  http?: HttpServerLimits;
  /**
   * graphql-sse single-connection reservations: expiry, per-client and total caps, who a client is,
   * a hook when one expires, and the timers expiries run on (tests fire them at will).
   * @default SINGLE_CONNECTION_DEFAULTS, clients by remote address, node's timers
   */
  singleConnection?: SingleConnectionLimits & Pick<GraphQLSseSingleConnectionOptions, 'clientOf' | 'onReservationExpired' | 'timers'>;
  /**
   * Shared state for several replicas: idempotency keys, one upstream progress reader per operation
   * for the whole cluster, and each provider's outbound rate budget live in Redis. Without it, all
   * of it stays in this process. A Redis outage degrades to in-process state (a warning and the
   * `backup_graph_redis_up` metric), never to errors for reads. @default none (in-process)
   */
  cluster?: ClusterOptions;
  /** Prometheus metrics on `GET /metrics`. @default enabled on `/metrics` */
  metrics?: MetricsOptions;
  /** OpenTelemetry traces over OTLP/HTTP; without `otlpEndpoint` there is no tracing at all. @default {} (off) */
  telemetry?: TelemetryOptions;
  /** Protection and RPO: where RPO targets come from (README "Protection and RPO"). @default {} (no rules, no default) */
  insight?: InsightOptions;
  /**
   * Kept across requests: `evidenceTtlMs`, how long a resource's protection evidence is served
   * from memory (src/insight/evidence-cache.ts; cleared by our own changes). @default { evidenceTtlMs: 0 } (off; config defaults to 5000)
   */
  cache?: { evidenceTtlMs?: number };
}

/** Where replicas share state. */
export interface ClusterOptions {
  redis: {
    /** `redis://[:password@]host:port[/db]`; never logged. */
    url: string;
    /** Prefix of every key. @default 'bg:' */
    keyPrefix?: string;
    /**
     * How long `listen` waits for the first connection before it serves anyway (on in-process state,
     * as during an outage): with Redis there, a replica's first requests never fall back just because
     * its own connection was still opening. @default DEFAULT_REDIS_CONNECT_WAIT_MS (5000)
     */
    connectWaitMs?: number;
  };
  /** This replica's name in metrics and logs. @default `<hostname>-<pid>` */
  replicaId?: string;
  /** How long a progress reader's lease lives unrenewed: a dead reader is replaced after about this long. @default 5000 */
  progressLeaseMs?: number;
}

/** The gateway's Prometheus metrics. */
export interface MetricsOptions {
  /** Collect metrics and serve them; false creates no registry and no endpoint. @default true */
  enabled?: boolean;
  /** Path of the scrape endpoint. @default '/metrics' */
  path?: string;
}

/** How a drain ended. */
export interface DrainOutcome {
  /** True when the drain timeout ran out and connections were closed by force. */
  forced: boolean;
}

/** A gateway ready to serve. */
export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  readonly providers: ProviderSet;
  /** Shared progress sources (counters for tests and benchmarks). */
  readonly progress: ProgressHub<ProgressUpdate>;
  /** Shared job watches of `jobUpdates` (counters for tests and benchmarks). */
  readonly jobWatch: JobWatchHub;
  /** Progress subscriptions shared by their subscribers: groups and their members right now. */
  readonly fanOut: Pick<SubscriptionFanOutPlugin, 'groups' | 'members'>;
  /** This gateway's metrics and their registry (its own, not prom-client's global one); undefined when disabled. */
  readonly metrics: GatewayMetrics | undefined;
  /** This gateway's tracer provider (`forceFlush` exports what has ended); undefined when tracing is off. */
  readonly tracing: Tracing | undefined;
  /** Starts an HTTP server on `port` (0 = any free port) on `host`. */
  listen(port: number, host?: string): Promise<{ server: Server; url: string }>;
  /**
   * Shuts down gracefully: `/readyz` answers 503 at once and new requests get 503
   * `SHUTTING_DOWN`; in-flight requests finish; every subscription completes (graphql-sse's
   * `complete`, either mode) and single-connection streams close after it; upstream streams close;
   * then the server and the provider pools. After `drainTimeoutMs`, what is left is closed by force.
   * Later calls return the first call's promise.
   */
  drain(): Promise<DrainOutcome>;
  /** Stops the gateway: {@link drain}, without the outcome. */
  close(): Promise<void>;
}

/** Waits for `p` (its failure ignored) at most `ms`. */
async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Builds the gateway. */
export function createGateway(options: GatewayOptions): Gateway {
  const { logger, graphiql = !options.access, clock = systemClock, registry = PROVIDERS, drainTimeoutMs = 10_000, readinessChecks = {}, maxUpstreamCallsPerRequest = DEFAULT_MAX_UPSTREAM_CALLS_PER_REQUEST, maxCost = DEFAULT_MAX_COST, maxComplexity, queryLimits = {} } = options;
  const { enabled: metricsEnabled = true, path: metricsPath = '/metrics' } = options.metrics ?? {};
  // Shared state (none = in process): one connection, failing fast while Redis is away.
  const replicaId = options.cluster?.replicaId ?? `${hostname()}-${process.pid}`;
  const redis = options.cluster
    ? createRedisConnection({
        url: options.cluster.redis.url,
        keyPrefix: options.cluster.redis.keyPrefix,
        onChange: (up) =>
          up ? logger.info({ replica: replicaId }, 'shared state: Redis connected') : logger.warn({ replica: replicaId }, 'shared state: Redis unreachable; running on in-process state until it is back'),
      })
    : undefined;
  const fellBack = (what: 'idempotency' | 'rate-budget' | 'progress' | 'caller-budget') => metrics?.observeClusterFallback(what);
  // Off (no endpoint): no provider, and neither adapters nor clients are wrapped.
  const tracing = createTracing(options.telemetry);
  const upstreamTracer = tracing && createUpstreamTracer(tracing);
  // Read at scrape time: the breakers' state, subscriptions, shared upstream streams.
  const metrics = metricsEnabled
    ? createGatewayMetrics({
        providers: () => providers.list.map((a) => ({ id: a.ref.id, upstreamState: a.upstreamState && (() => a.upstreamState!()) })),
        openSubscriptions: () => openSubscriptions(),
        upstreamStreams: () => progress.stats,
        subscriptionGroups: () => fanOut.groups,
        ...(redis ? { replicaId, redisUp: () => redis.up } : {}),
      })
    : undefined;
  // With Redis: a breaker opening on one replica holds that provider's breaker open on every replica.
  const sharedBreakers = redis
    ? shareBreakers(
        createBreakerEvents({
          connection: redis,
          replicaId,
          onEvent: (event, b) => {
            if (event === 'received') logger.info({ provider: b.provider, peer: b.replicaId, circuit: b.state, retryAfterMs: b.retryAfterMs }, b.state === 'open' ? 'circuit opened on a peer replica: holding it open here' : 'circuit closed on a peer replica: released here');
            if (event === 'dropped') logger.debug({ provider: b.provider, circuit: b.state }, 'circuit change not shared: Redis unreachable');
          },
        }),
      )
    : undefined;
  // With Redis: a provider's reference cache cleared after our own change on one replica is cleared on all.
  const sharedReference = redis
    ? createSharedReferenceCaches({
        connection: redis,
        replicaId,
        onEvent: (event, provider) => {
          if (event === 'received') logger.debug({ provider }, 'reference data changed through a peer replica: cache cleared here');
          if (event === 'dropped') logger.debug({ provider }, 'reference cache clear not shared: Redis unreachable');
        },
      })
    : undefined;
  /** A provider's outbound rate budget: its configured quota, else its kind's documented one; shared through Redis when there is one. */
  function rateBudgetOf(p: ProviderAdapterOptions) {
    const quota = p.upstream?.rateLimit ?? registry[p.ref.kind]?.rateLimit;
    if (!quota || quota === 'none') return undefined;
    return createRateBudget({ provider: p.ref.id, quota, connection: redis, clock, onFallback: () => fellBack('rate-budget') });
  }
  // Each provider's protection evidence cache is cleared with its reference cache: after any change
  // the adapter makes through the provider, and (with Redis) when a peer replica made one.
  const evidenceCaches = new Map(options.providers.map((p) => [p.ref.id, createEvidenceCache({
    ttlMs: options.cache?.evidenceTtlMs ?? 0, clock, onAnswered: (answers) => metrics?.observeEvidence(p.ref.id, answers),
  })]));
  /** Provider `p`'s reference cache: its own (or the one it was given), also clearing its evidence, shared through Redis when there is one. */
  function referenceCacheOf(p: ProviderAdapterOptions): ReferenceCache {
    const own = p.referenceCache ?? createReferenceCache({ ttlMs: p.referenceTtlMs, staleMs: p.referenceStaleMs, clock });
    const evidence = evidenceCaches.get(p.ref.id)!;
    const cache: ReferenceCache = {
      get enabled() {
        return own.enabled;
      },
      read: (key, load) => own.read(key, load),
      clear() {
        own.clear();
        evidence.clear();
      },
    };
    return sharedReference ? sharedReference.share(p.ref.id, cache) : cache;
  }
  const providers = createProviderSet(
    options.providers.map((p) => ({
      ...p,
      referenceCache: referenceCacheOf(p),
      upstream: {
        clock,
        ...p.upstream,
        ...(sharedBreakers ? { breaker: sharedBreakers.breakerSettings(p.upstream?.breaker) } : {}),
        rateBudget: rateBudgetOf(p),
        ...(upstreamTracer ? { tracer: upstreamTracer } : {}),
        onRetry: (retry) => {
          metrics?.observeRetry(retry);
          p.upstream?.onRetry?.(retry);
        },
      },
      onUpstreamCall: (call) => {
        if (logger.isLevelEnabled('debug')) logger.debug({ requestId: call.requestId, upstream: { provider: call.provider, method: call.method, route: call.route, status: call.status, attempt: call.attempt, durationMs: call.durationMs, ...(call.error ? { error: call.error } : {}) } }, 'upstream call');
        metrics?.observeUpstreamCall(call);
        p.onUpstreamCall?.(call);
      },
    })),
    cacheEvidenceOf(tracing ? traceRegistry(registry, tracing.tracer) : registry, evidenceCaches),
  );
  /** An operation's progress key as logged (its parts: provider, operation, native id). */
  const progressLabel = (key: string) => key.split('\u0000').join(' ');
  const progressSettings = {
    isFinal: (u: ProgressUpdate) => u.done,
    onSourceError: (key: string, e: unknown) => logger.warn({ progress: progressLabel(key), err: (e as Error)?.name }, 'progress source failed'),
  };
  // With Redis: one upstream reader per operation in the whole cluster, relayed to every replica's subscribers.
  const progress: ProgressHub<ProgressUpdate> = redis
    ? createRedisProgressHub<ProgressUpdate>({
        ...progressSettings,
        connection: redis,
        replicaId,
        leaseMs: options.cluster?.progressLeaseMs,
        fallback: createProgressHub(progressSettings),
        onEvent: (event, key) => {
          if (event === 'fallback') fellBack('progress');
          // Leadership changes: which replica reads an operation's upstream, and when that moved.
          else if (event === 'lead') logger.info({ progress: progressLabel(key) }, 'progress: this replica reads the upstream now');
          else if (event === 'lease-lost') logger.warn({ progress: progressLabel(key) }, 'progress: lease lost (expired or taken); stopped reading the upstream');
          else if (event === 'release') logger.debug({ progress: progressLabel(key) }, 'progress: lease released');
        },
      })
    : createProgressHub<ProgressUpdate>(progressSettings);
  const progressOptions = options.progress ?? {};
  // `jobUpdates`: one poller per provider, scope and filter shape in this process (not shared through Redis).
  const jobWatch = createJobWatchHub({
    clock,
    watch: progressOptions.watch,
    onTickError: (_key, provider, e) => logger.warn({ provider, err: (e as Error)?.name, code: (e as { code?: string })?.code }, 'job watch: a poll failed; retrying later'),
  });
  // Access control (none = open): who calls, at what rate, and the audit trail every mutation passes.
  const { access, introspection = !access, fieldSuggestions = !access } = options;
  const audit = createAuditTrail({ logger, file: access?.auditLog, clock });
  // Caller budgets: shared by replicas with Redis (a caller spread over N replicas gets its budget once).
  const localCallerBudgets = createRateLimiter({ clock });
  const callerBudgets = redis ? createRedisRateLimiter({ connection: redis, fallback: localCallerBudgets, onFallback: () => fellBack('caller-budget') }) : localCallerBudgets;
  const authentication = access
    ? useAuthentication({ endpoint: '/graphql', authenticator: createAuthenticator(access, { clock }), rateLimiter: callerBudgets, logger, requestIdOf: (r) => requestId.requestIdOf(r) })
    : undefined;
  const corsOrigins = new Set((access?.cors?.origins ?? []).map((o) => new URL(o).origin));
  /** `Host` values accepted while listening on loopback (DNS rebinding); null = any. */
  let allowedHosts: ReadonlySet<string> | null = null;
  const localIdempotency = createIdempotencyStore({ clock, onReplay: (mutation) => metrics?.observeIdempotencyReplay(mutation) });
  // With Redis: a key claimed by one replica is answered by every replica, never run twice.
  const idempotency = redis
    ? createRedisIdempotencyStore({
        connection: redis,
        fallback: localIdempotency,
        onEvent: (event, mutation) => {
          if (event === 'replay') metrics?.observeIdempotencyReplay(mutation);
          if (event === 'fallback') fellBack('idempotency');
          if (event === 'lease-expired') logger.warn({ mutation }, 'idempotency: the replica running the first request with this key went away; its claim expired');
        },
      })
    : localIdempotency;
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(registry),
    resolvers: createResolvers(providers, { audit }),
    inheritResolversFromInterfaces: true,
  });
  const requestId = useRequestId();
  const shutdown = useGracefulShutdown();
  const singleConnection = useGraphQLSseSingleConnection({
    endpoint: '/graphql',
    ...options.singleConnection,
    onReservationExpired: (token) => {
      logger.debug({ reservations: singleConnection.reservations }, 'single-connection reservation expired unused');
      options.singleConnection?.onReservationExpired?.(token);
    },
  });
  // Subscribers of the same progress subscription (caller, document, variables) share one execution.
  const fanOut = useSubscriptionFanOut({ fields: ['backupProgress', 'restoreProgress'] });
  /** Subscribers streaming: shutdown counts executions (a group's once), fan-out the subscribers of each group. */
  const openSubscriptions = () => shutdown.subscriptions - fanOut.groups + fanOut.members;
  const masking = useErrorMasking({ logger });
  let server: Server | undefined;
  /**
   * A caller's scope and idempotency store: pure functions of the caller (its per-request state
   * lives on the request context), so made once per caller object (API keys, the anonymous reader
   * and the open caller are the same object on every request) rather than on every request.
   */
  const callerViews = new WeakMap<Caller, { scope: ReturnType<typeof createScope>; idempotency: GatewayContext['idempotency'] }>();
  const callerViewOf = (caller: Caller) => {
    let view = callerViews.get(caller);
    if (!view) callerViews.set(caller, (view = { scope: createScope(caller, providers), idempotency: scopedIdempotencyStore(idempotency, callerKey(caller)) }));
    return view;
  };

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The body cap is the HTTP server's (`http.maxBodyBytes`, by Content-Length, counted only when
    // chunked: http-server.ts); yoga's own would pipe every body through a TransformStream.
    maxRequestBodySize: false,
    // No uploads: a multipart POST is refused (415) by useCsrfPrevention before any parser runs.
    multipart: false,
    // Cross-origin access only for `access.cors.origins`: never `*`, never with credentials (keys travel in headers).
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !corsOrigins.has(origin)) return false;
      return { origin, credentials: false, methods: ['GET', 'POST', 'PUT', 'DELETE'], allowedHeaders: ['authorization', 'content-type', 'accept', 'x-request-id', 'x-graphql-event-stream-token'], exposedHeaders: ['x-request-id', 'retry-after', 'www-authenticate'], maxAge: 600 };
    },
    // GraphiQL 4.5 ignores `defaultQuery`: open on the dashboard through `query`, unless the link
    // carries its own `?query=`.
    graphiql: graphiql
      ? (request) => ({
          title: 'Backup Graph',
          subscriptionsProtocol: 'GRAPHQL_SSE',
          ...(new URL(request.url).searchParams.has('query') ? {} : { query: DASHBOARD_QUERY }),
        })
      : false,
    renderGraphiQL: renderLocalGraphiQL,
    // yoga's own lines: fixed strings at their level; errors (its copy of every masked one) at debug, as names and codes.
    logging: yogaLogging(logger),
    context: ({ request }) => {
      const id = requestId.requestIdOf(request);
      const upstream = { requestId: id, signal: request.signal, budget: createUpstreamCallBudget(maxUpstreamCallsPerRequest, id) };
      const caller = authentication ? authentication.callerOf(request) : (options.callerOf?.(request) ?? OPEN_CALLER);
      // Fail closed: with access control, a request that did not authenticate never runs.
      if (!caller) throw new GatewayError('UNAUTHENTICATED', 'authentication required');
      // Tenant scope: resolvers and loaders see only the caller's providers and organizations.
      const { scope, idempotency: callerIdempotency } = callerViewOf(caller);
      return { caller, scope, providers: scope.providers, upstream, loaders: createLoaders(scope.providers, upstream, { clock }), insight: createInsightContext(options.insight, clock), partialErrors: [], progress, progressOptions, jobWatch, idempotency: callerIdempotency };
    },
    // Known failures keep their code; parse/validation errors pass; the rest is logged and masked.
    maskedErrors: masking,
    plugins: [
      // -6. One access line per request to /graphql (streams: when they end); first, so it sees every refusal too. Not there at all when `info` is off (the level is fixed at start).
      ...(logger.isLevelEnabled('info') ? [useAccessLog({ logger, endpoint: '/graphql', clock, requestIdOf: (r) => requestId.requestIdOf(r), callerOf: (ctx) => (ctx.caller && ctx.caller.kind !== 'open' ? ctx.caller.id : undefined) })] : []),
      // -5. DNS rebinding: on loopback, only requests for localhost / 127.0.0.1 / [::1] with our port.
      useHostCheck({ allowedHosts: () => allowedHosts }),
      // -4. A span per GraphQL request (incoming `traceparent` continued) and per root field; only with tracing on.
      ...(tracing ? [useTracing({ tracing, graphqlEndpoint: '/graphql', requestIdOf: requestId.requestIdOf })] : []),
      // -3. `GET /metrics` (answered while draining too); counts every GraphQL request once, refusals included.
      ...(metrics ? [useMetrics({ metrics, endpoint: metricsPath, graphqlEndpoint: '/graphql' })] : []),
      // -2. Liveness and readiness (answered while draining too); providers' health is not a reason to be unready.
      useHealthEndpoints({
        checks: { config: () => providers.list.length > 0, listening: () => server?.listening === true, ...readinessChecks },
        isDraining: () => shutdown.draining,
      }),
      // -1. Counts requests and subscriptions; once draining, refuses new requests and ends subscriptions.
      shutdown,
      // 0. GraphiQL's own files, served from here (no CDN needed).
      useGraphiQLAssets(),
      // 0b. Access control: 401 / 429 here, before parsing, so nothing runs upstream; the caller goes on the context.
      ...(authentication ? [authentication] : []),
      // 0c. Forms and plain-text POSTs never run; with access, a GET needs a header a cross-origin page cannot send unasked.
      useCsrfPrevention({ endpoint: '/graphql', requireHeaders: access ? ['authorization', 'x-graphql-event-stream-token', 'graphql-require-preflight'] : [] }),
      // 0d. What the schema tells strangers: introspection and "Did you mean" (off by default with access).
      useSchemaExposure({ introspection, fieldSuggestions }),
      // 1. Reject abusive documents before they cost anything upstream (depth, aliases, tokens, directives), each limit with its code.
      useQueryLimits(queryLimits),
      // 1b. Validation errors are BAD_USER_INPUT; yoga's empty 415/406 answers get a coded error body.
      useRequestErrorCodes(),
      // 2. The request id travels upstream (through the context) and back to the client.
      requestId,
      // 2b. Upstream calls and complexity estimated with variables and defaults: over maxCost/maxComplexity refused before any resolver; extensions.cost on every result.
      useQueryCost({ maxCost, maxComplexity, model: createGatewayCostModel({ providerCount: providers.list.length, lazyFields: providers.list.flatMap((a) => Object.entries(a.fieldResolvers ?? {}).flatMap(([type, fields]) => Object.keys(fields).map((f) => `${type}.${f}`))) }) }),
      // 3. Provider failures join the response next to the other providers' data.
      usePartialErrors(),
      // 4. graphql-sse single-connection mode on /graphql (yoga serves distinct connections itself).
      singleConnection,
      // 4b. Queries and mutations compiled by graphql-jit once they repeat, else on graphql-js's execute (no @defer/@stream to pay for on every field).
      useCompiledExecution({ compile: options.compileQueries !== false, onCompileError: (operationName, errors) => logger.warn({ operationName, errors: errors.map(String) }, 'graphql-jit could not compile an operation; it runs on graphql-js') }),
      // 4c. Progress subscribers of the same key share one execution and one serialization per event; after every plugin that counts, logs or ends streams.
      fanOut,
    ],
  });

  let drained: Promise<DrainOutcome> | undefined;
  async function drain(): Promise<DrainOutcome> {
    const started = Date.now();
    // 1. Not ready, new requests refused, every subscription told to complete.
    shutdown.startDraining();
    logger.info({ inFlight: shutdown.inFlight, subscriptions: openSubscriptions(), drainTimeoutMs }, 'draining');
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), drainTimeoutMs)));
    const inTime = (p: Promise<unknown>) => Promise.race([p.then(() => true as const), expired]);
    // 2. In-flight requests answered, subscriptions completed; single-connection streams flushed and closed.
    let clean = await inTime(shutdown.idle().then(() => singleConnection.drain()));
    // 3. Upstream streams and pollers closed (at once, whatever is left, when time is up).
    clean = (await inTime(Promise.all([progress.close(), jobWatch.close()]))) && clean;
    // 4. The server: idle keep-alive sockets close now, busy ones once their response is written.
    if (server) {
      const s = server;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections?.();
      if (!clean || !(await inTime(closed))) {
        clean = false;
        s.closeAllConnections?.();
      }
      await closed;
    }
    clearTimeout(timer);
    if (!clean) logger.warn({ inFlight: shutdown.inFlight, subscriptions: openSubscriptions(), streams: singleConnection.openStreams }, 'drain timed out: closed the rest by force');
    await providers.close();
    await audit.close();
    await sharedBreakers?.close();
    await sharedReference?.close();
    await redis?.close();
    // 5. The spans of everything above exported, then the tracer provider stopped.
    await tracing?.shutdown();
    logger.info({ ms: Date.now() - started, forced: !clean }, 'drained');
    return { forced: !clean };
  }

  return {
    yoga,
    providers,
    progress,
    jobWatch,
    fanOut,
    metrics,
    tracing,
    async listen(port, host = '127.0.0.1') {
      if (redis) {
        // Connected, listening to the peers' breaker and reference messages, and holding the breakers
        // they opened before this replica started, before serving.
        const waitMs = options.cluster?.redis.connectWaitMs ?? DEFAULT_REDIS_CONNECT_WAIT_MS;
        const startedAt = Date.now();
        const up = await redis.whenUp(waitMs);
        if (!up) logger.warn({ replica: replicaId }, 'shared state: Redis not reachable at start; serving on in-process state until it is');
        else await within(Math.max(0, waitMs - (Date.now() - startedAt)), Promise.all([sharedBreakers?.ready, sharedBreakers?.recalled(), sharedReference?.ready]));
      }
      server = createHttpServer(yoga, options.http);
      // Once draining, a finished response leaves an idle keep-alive socket: close it.
      server.on('request', (_req, res) => res.once('finish', () => shutdown.draining && server?.closeIdleConnections?.()));
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      allowedHosts = isLoopbackHost(host) ? loopbackHosts(host, addr.port) : null;
      return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}` };
    },
    drain() {
      drained ??= drain();
      return drained;
    },
    async close() {
      drained ??= drain();
      await drained;
    },
  };
}
