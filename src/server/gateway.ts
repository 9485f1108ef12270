/**
 * `createGateway`: the yoga app over a set of providers. No I/O happens at creation; `listen`
 * binds a port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../domain/clock.ts';
import { createLoaders } from '../loaders/loaders.ts';
import type { ProgressUpdate, ProviderAdapterOptions } from '../providers/contract/index.ts';
import { createProgressHub, type ProgressHub } from '../progress/hub.ts';
import { createIdempotencyStore } from '../mutations/idempotency.ts';
import { createProviderSet, PROVIDERS, type ProviderRegistry, type ProviderSet } from '../providers/registry.ts';
import { createResolvers } from '../resolvers/index.ts';
import { createUpstreamCallBudget } from '../upstream/call-budget.ts';
import { OPEN_CALLER } from '../access/caller.ts';
import type { GatewayContext } from './context.ts';
import { DASHBOARD_QUERY, renderLocalGraphiQL } from './graphiql.ts';
import { useErrorMasking } from './plugins/use-error-masking.ts';
import { useGraphiQLAssets } from './plugins/use-graphiql-assets.ts';
import { useGracefulShutdown } from './plugins/use-graceful-shutdown.ts';
import { useGraphQLSseSingleConnection } from './plugins/use-graphql-sse-single-connection.ts';
import { useHealthEndpoints, type ReadinessCheck } from './plugins/use-health-endpoints.ts';
import { usePartialErrors } from './plugins/use-partial-errors.ts';
import { useQueryLimits } from './plugins/use-query-limits.ts';
import { useRequestErrorCodes } from './plugins/use-request-error-codes.ts';
import { useRequestId } from './plugins/use-request-id.ts';
import { loadTypeDefs } from './type-defs.ts';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** The provider instances to serve, in order (order = list order). */
  providers: readonly ProviderAdapterOptions[];
  /** The provider kinds the instances may name: their adapters and SDL. @default PROVIDERS */
  registry?: ProviderRegistry;
  /** Where logs go. Never receives credentials. */
  logger: Logger;
  /** Serve GraphiQL on GET /graphql from a browser. @default true */
  graphiql?: boolean;
  /** Progress poll intervals and stream reconnect tuning. */
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
   * past it the request's further calls fail with `COST_LIMIT_EXCEEDED`. @default 1000
   */
  maxUpstreamCallsPerRequest?: number;
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

/** Builds the gateway. */
export function createGateway(options: GatewayOptions): Gateway {
  const { logger, graphiql = true, clock = systemClock, registry = PROVIDERS, drainTimeoutMs = 10_000, readinessChecks = {}, maxUpstreamCallsPerRequest = 1000 } = options;
  const providers = createProviderSet(
    options.providers.map((p) => ({
      ...p,
      upstream: { clock, ...p.upstream },
      onUpstreamCall: (call) => {
        logger.debug({ upstream: call }, 'upstream call');
        p.onUpstreamCall?.(call);
      },
    })),
    registry,
  );
  const progress = createProgressHub<ProgressUpdate>({
    isFinal: (u) => u.done,
    onSourceError: (key, e) => logger.warn({ progress: key.split('\u0000').join(' '), err: (e as Error)?.name }, 'progress source failed'),
  });
  const progressOptions = options.progress ?? {};
  const idempotency = createIdempotencyStore({ clock });
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(registry),
    resolvers: createResolvers(providers),
    inheritResolversFromInterfaces: true,
  });
  const requestId = useRequestId();
  const shutdown = useGracefulShutdown();
  const singleConnection = useGraphQLSseSingleConnection({ endpoint: '/graphql' });
  let server: Server | undefined;

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
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
    logging: {
      debug: (...a) => logger.debug(a.map(String).join(' ')),
      info: (...a) => logger.info(a.map(String).join(' ')),
      warn: (...a) => logger.warn(a.map(String).join(' ')),
      error: (...a) => logger.error(a.map(String).join(' ')),
    },
    context: ({ request }) => {
      const id = requestId.requestIdOf(request);
      const upstream = { requestId: id, signal: request.signal, budget: createUpstreamCallBudget(maxUpstreamCallsPerRequest, id) };
      return { caller: OPEN_CALLER, providers, upstream, loaders: createLoaders(providers, upstream), partialErrors: [], progress, progressOptions, idempotency };
    },
    // Known failures keep their code; parse/validation errors pass; the rest is logged and masked.
    maskedErrors: useErrorMasking({ logger }),
    plugins: [
      // -2. Liveness and readiness (answered while draining too); providers' health is not a reason to be unready.
      useHealthEndpoints({
        checks: { config: () => providers.list.length > 0, listening: () => server?.listening === true, ...readinessChecks },
        isDraining: () => shutdown.draining,
      }),
      // -1. Counts requests and subscriptions; once draining, refuses new requests and ends subscriptions.
      shutdown,
      // 0. GraphiQL's own files, served from here (no CDN needed).
      useGraphiQLAssets(),
      // 1. Reject abusive documents before they cost anything upstream (depth, aliases, tokens, cost), each limit with its code.
      useQueryLimits({ maxDepth: 12, maxAliases: 30, maxTokens: 8000, maxDirectives: 50, maxCost: 20000 }),
      // 1b. Validation errors are BAD_USER_INPUT; yoga's empty 415/406 answers get a coded error body.
      useRequestErrorCodes(),
      // 2. The request id travels upstream (through the context) and back to the client.
      requestId,
      // 3. Provider failures join the response next to the other providers' data.
      usePartialErrors(),
      // 4. graphql-sse single-connection mode on /graphql (yoga serves distinct connections itself).
      singleConnection,
    ],
  });

  let drained: Promise<DrainOutcome> | undefined;
  async function drain(): Promise<DrainOutcome> {
    const started = Date.now();
    // 1. Not ready, new requests refused, every subscription told to complete.
    shutdown.startDraining();
    logger.info({ inFlight: shutdown.inFlight, subscriptions: shutdown.subscriptions, drainTimeoutMs }, 'draining');
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), drainTimeoutMs)));
    const inTime = (p: Promise<unknown>) => Promise.race([p.then(() => true as const), expired]);
    // 2. In-flight requests answered, subscriptions completed; single-connection streams flushed and closed.
    let clean = await inTime(shutdown.idle().then(() => singleConnection.drain()));
    // 3. Upstream streams and pollers closed (at once, whatever is left, when time is up).
    clean = (await inTime(progress.close())) && clean;
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
    if (!clean) logger.warn({ inFlight: shutdown.inFlight, subscriptions: shutdown.subscriptions, streams: singleConnection.openStreams }, 'drain timed out: closed the rest by force');
    await providers.close();
    logger.info({ ms: Date.now() - started, forced: !clean }, 'drained');
    return { forced: !clean };
  }

  return {
    yoga,
    providers,
    progress,
    async listen(port, host = '127.0.0.1') {
      server = createServer(yoga);
      // Once draining, a finished response leaves an idle keep-alive socket: close it.
      server.on('request', (_req, res) => res.once('finish', () => shutdown.draining && server?.closeIdleConnections?.()));
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
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
