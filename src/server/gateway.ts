/**
 * `createGateway`: the yoga app over a set of providers. No I/O happens at creation; `listen`
 * binds a port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, createYoga, type YogaServerInstance } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../domain/clock.ts';
import { createLoaders } from '../loaders/loaders.ts';
import type { ProgressUpdate, ProviderAdapterOptions } from '../providers/provider.ts';
import { createProgressHub, type ProgressHub } from '../progress/hub.ts';
import { createIdempotencyStore } from '../mutations/idempotency.ts';
import { createProviderSet, type ProviderSet } from '../providers/registry.ts';
import { createResolvers } from '../resolvers/index.ts';
import type { GatewayContext } from './context.ts';
import { toClientError } from './errors.ts';
import { DASHBOARD_QUERY, renderLocalGraphiQL, useGraphiQLAssets } from './graphiql.ts';
import { usePartialErrors, useRequestIdHeader } from './plugins.ts';
import { useGraphQLSseSingleConnection } from './use-graphql-sse-single-connection.ts';
import { loadTypeDefs } from './type-defs.ts';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** The provider instances to serve, in order (order = list order). */
  providers: readonly ProviderAdapterOptions[];
  /** Where logs go. Never receives credentials. */
  logger: Logger;
  /** Serve GraphiQL on GET /graphql from a browser. @default true */
  graphiql?: boolean;
  /** Progress poll intervals and stream reconnect tuning. */
  progress?: GatewayContext['progressOptions'];
  /** Where the gateway reads the time (deadlines, retry waits, idempotency expiry). @default the system clock */
  clock?: Clock;
}

/** A gateway ready to serve. */
export interface Gateway {
  readonly yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  readonly providers: ProviderSet;
  /** Shared progress sources (counters for tests and benchmarks). */
  readonly progress: ProgressHub<ProgressUpdate>;
  /** Starts an HTTP server on `port` (0 = any free port) on `host`. */
  listen(port: number, host?: string): Promise<{ server: Server; url: string }>;
  /** Stops the server (if listening) and the provider pools. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const requestIds = new WeakMap<Request, string>();
function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (!id) {
    const incoming = request.headers.get('x-request-id');
    id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

interface LocatedError {
  message: string;
  path?: readonly (string | number)[];
  originalError?: unknown;
  extensions?: Record<string, unknown>;
}
const isLocated = (e: unknown): e is LocatedError => typeof e === 'object' && e !== null && (e as Error).name === 'GraphQLError';
const isWrapped = (e: unknown): e is LocatedError & { originalError: unknown } => isLocated(e) && e.originalError != null;

/** Builds the gateway. */
export function createGateway(options: GatewayOptions): Gateway {
  const { logger, graphiql = true, clock = systemClock } = options;
  const providers = createProviderSet(
    options.providers.map((p) => ({
      ...p,
      upstream: { clock, ...p.upstream },
      onUpstreamCall: (call) => {
        logger.debug({ upstream: call }, 'upstream call');
        p.onUpstreamCall?.(call);
      },
    })),
  );
  const progress = createProgressHub<ProgressUpdate>({
    isFinal: (u) => u.done,
    onSourceError: (key, e) => logger.warn({ progress: key.split('\u0000').join(' '), err: (e as Error)?.name }, 'progress source failed'),
  });
  const progressOptions = options.progress ?? {};
  const idempotency = createIdempotencyStore({ clock });
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: createResolvers(providers) as never,
    inheritResolversFromInterfaces: true,
  });

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
      const upstream = { requestId: requestIdOf(request), signal: request.signal, memo: new Map<string, Promise<unknown>>() };
      return { providers, upstream, loaders: createLoaders(providers, upstream), partialErrors: [], progress, progressOptions, idempotency };
    },
    maskedErrors: {
      maskError(error, message) {
        // Unwrap located errors by shape, not by class: graphql may be loaded twice (ESM + CJS).
        let original: unknown = error;
        while (isWrapped(original)) original = original.originalError;
        const path = isLocated(error) ? error.path : undefined;
        const known = toClientError(original, path);
        if (known) return known;
        if (isLocated(error) && !isWrapped(error)) {
          // Parse, validation and coercion errors carry no original error and are safe to show.
          return error as GraphQLError;
        }
        const o = original as Error | undefined;
        logger.error({ err: { name: o?.name, message: o?.message, stack: o?.stack } }, 'unexpected error');
        return createGraphQLError(message, { path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    plugins: [
      // 0. GraphiQL's own files, served from here (no CDN needed).
      useGraphiQLAssets(),
      // 1. Reject abusive documents before they cost anything upstream (depth, aliases, tokens, cost).
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 30 },
        maxTokens: { n: 8000 },
        maxDirectives: { n: 50 },
        costLimit: { maxCost: 20000 },
        blockFieldSuggestion: { enabled: false }, // GraphiQL is public by design; suggestions help
      }),
      // 2. The request id travels upstream and back to the client.
      useRequestIdHeader(requestIdOf),
      // 3. Provider failures join the response next to the other providers' data.
      usePartialErrors(),
      // 4. graphql-sse single-connection mode on /graphql (yoga serves distinct connections itself).
      useGraphQLSseSingleConnection({ endpoint: '/graphql' }),
    ],
  });

  let server: Server | undefined;
  return {
    yoga,
    providers,
    progress,
    async listen(port, host = '127.0.0.1') {
      server = createServer(yoga);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}` };
    },
    async close() {
      progress.close();
      if (server) {
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await providers.close();
    },
  };
}
