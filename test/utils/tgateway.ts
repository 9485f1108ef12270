/**
 * The gateway harness: the simulators plus a gateway on port 0, a GraphQL-over-HTTP client and a
 * capture of everything the gateway logged (to scan for secrets). A started gateway is a leftover
 * of its test file: it is closed after the file's tests (closing it earlier is fine).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/gateway.ts';
import { startAllSimulators, type StartAllOptions, type StartedSimulators } from '../../src/simulators/start-all.ts';
import type { ProviderAdapterOptions } from '../../src/providers/contract/index.ts';
import { disposeAfterAll } from './leftovers.ts';

/** A GraphQL response as the tests read it. */
export interface GqlResponse<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, any> }>;
  raw: string;
}

/** A running gateway over the simulators. */
export interface TGateway {
  url: string;
  sims: StartedSimulators;
  gateway: Gateway;
  /** Every log line the gateway wrote. */
  logs: string[];
  /** Every response body the harness received. */
  bodies: string[];
  /** Every credential in play (to scan for leaks). */
  secrets: string[];
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  /** Zeroes every simulator's request counters. */
  resetStats(): void;
  /** Stops the gateway, then the simulators; later calls wait for the first. */
  close(): Promise<void>;
}

/** Options of {@link tgateway}. */
export interface TGatewayOptions extends StartAllOptions {
  /** Rewrites the provider instances the gateway is given (one per started simulator by default). */
  providers?: (p: ProviderAdapterOptions[]) => ProviderAdapterOptions[];
  /** Gateway options on top of the harness's own (shutdown tuning, readiness checks). */
  gateway?: Partial<Omit<GatewayOptions, 'providers' | 'logger' | 'registry'>>;
  /** Access control of the gateway (gateway `access`). @default none: open */
  access?: GatewayOptions['access'];
  /** `Authorization` header `t.gql` sends unless its `headers` name one (any case). @default none */
  authorization?: string;
}

/**
 * Starts the simulators and a gateway over them. `simulators` and `registry` (as for
 * `startAllSimulators`) choose the provider kinds: the registry is the gateway's too.
 */
export async function tgateway(options: TGatewayOptions = {}): Promise<TGateway> {
  const { providers: rewrite, gateway: gatewayOptions, access, authorization, ...simOptions } = options;
  const sims = await startAllSimulators({ stepMs: 40, scheduleEveryMs: 0, ...simOptions });
  // Tests that are about rate limits set their own; the others must not trip the defaults.
  for (const s of sims.list) s.simulator.setRateLimit({ limit: 1_000_000, windowMs: 60_000 });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  // No outbound budget either (tests about it set their own): the simulators' limits are lifted above.
  let providers = sims.list.map((s): ProviderAdapterOptions => ({ ...s.provider, upstream: { ...s.provider.upstream, rateLimit: 'none' } }));
  if (rewrite) providers = rewrite(providers);
  // Poll fast: the simulators move every few tens of milliseconds in tests.
  const gateway = createGateway({
    providers, logger, registry: simOptions.registry, progress: { poll: { runningMs: 15, queuedMs: 15 }, relay: { baseDelayMs: 20 } }, ...(access ? { access } : {}), ...gatewayOptions,
  });
  const { url } = await gateway.listen(0);
  const bodies: string[] = [];
  let closed: Promise<void> | undefined;
  const t: TGateway = {
    url,
    sims,
    gateway,
    logs,
    bodies,
    secrets: providers.map((p) => p.secret),
    async gql(query, variables, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json', accept: 'application/graphql-response+json, application/json',
          ...(authorization && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization') ? { authorization } : {}),
          ...headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const raw = await res.text();
      bodies.push(raw);
      const json = JSON.parse(raw);
      return { status: res.status, data: json.data, errors: json.errors, raw };
    },
    resetStats() {
      for (const s of sims.list) s.simulator.resetStats();
    },
    close() {
      closed ??= (async () => {
        await gateway.close();
        await sims.close();
      })();
      return closed;
    },
  };
  return disposeAfterAll(t);
}

/** Upstream requests per simulator kind since the last reset. */
export function upstreamCounts(t: TGateway): Record<string, number> {
  return Object.fromEntries(t.sims.list.map((s) => [s.kind, s.simulator.stats.total]));
}
