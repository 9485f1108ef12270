/**
 * `createGatewayMetrics`: the Prometheus metrics of one gateway, in a registry of its own (never
 * prom-client's global one: a process may run several gateways, tests do). The gateway feeds it
 * events (requests, upstream attempts, retries, idempotency replays); gauges of state (breakers,
 * subscriptions, upstream streams) are read when scraped, never polled.
 *
 * Every label value is bounded: provider ids from the config, route templates from the provider
 * clients' route tables, HTTP methods and statuses, operation types, error codes. Never an id, a URL,
 * a token, a caller key or a client-chosen name (operation names are left out).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamCall, UpstreamRetry } from '../../upstream/client.ts';
import type { UpstreamState } from '../../upstream/guard.ts';
import { boundedLabel, nameLabel } from './labels.ts';

/** The prefix of the gateway's own metrics (Node's default metrics keep their usual names). */
export const METRIC_PREFIX = 'backup_graph_';

/** The breaker states a provider's `upstream_breaker_state` gauge has a series for. */
export const BREAKER_STATES: readonly UpstreamState['circuit'][] = ['closed', 'open', 'half-open'];

/** What the metrics read at scrape time. */
export interface GatewayMetricsSources {
  /** The provider instances with their guard state (absent when an adapter has none: no breaker series). */
  providers: () => readonly { id: string; upstreamState?: () => UpstreamState }[];
  /** Subscriptions streaming right now. */
  openSubscriptions: () => number;
  /** The shared upstream sources (SSE streams and pollers): open now, opened since start. */
  upstreamStreams: () => { openSources: number; sourcesOpened: number };
  /** Subscription fan-out: executions shared by subscribers right now (one per group). @default none (no series) */
  subscriptionGroups?: () => number;
}

/** Options of {@link createGatewayMetrics}. */
export interface GatewayMetricsOptions extends GatewayMetricsSources {
  /** Also collect Node's default process metrics (CPU, memory, GC, event-loop lag) into the registry. @default true */
  defaultMetrics?: boolean;
  /** This replica's id, a `replica` label on every series (several replicas feed one Prometheus). @default none */
  replicaId?: string;
  /** Whether the shared-state Redis is connected; absent = the gateway has none (no series). */
  redisUp?: () => boolean;
}

/** One finished client request. */
export interface RequestObservation {
  /** `query`, `mutation`, `subscription`, or `unknown` when the document did not parse. */
  operationType: string;
  /** `OK`, or the code of the first error. */
  outcome: string;
  durationMs: number;
}

/** The metrics of one gateway. */
export interface GatewayMetrics {
  /** The registry every metric of this gateway is in. */
  readonly registry: Registry;
  /** Counts one client request and its duration. */
  observeRequest(request: RequestObservation): void;
  /** Counts one upstream attempt (the gateway's `onUpstreamCall`). */
  observeUpstreamCall(call: UpstreamCall): void;
  /** Counts one retry (and, for a 429, its wait). */
  observeRetry(retry: UpstreamRetry): void;
  /** Counts one mutation answered from the idempotency store. */
  observeIdempotencyReplay(mutation: string): void;
  /** Counts where one protection batch's evidence came from (`src/insight/evidence-cache.ts`), in resources. */
  observeEvidence(provider: string, answers: { kept: number; shared: number; read: number }): void;
  /** Counts one use of in-process state because the shared Redis was unreachable (`idempotency`, `rate-budget`, `progress`, `caller-budget`). */
  observeClusterFallback(what: 'idempotency' | 'rate-budget' | 'progress' | 'caller-budget'): void;
  /** The registry in Prometheus text format. */
  text(): Promise<string>;
  /** The content type of {@link text}. */
  readonly contentType: string;
}

/** Most label sets one {@link labelSets} remembers; past it they are made anew each time (still correct, only slower). */
const MAX_REMEMBERED_LABEL_SETS = 4096;

/**
 * `make`, remembered per distinct arguments (nested maps: no key is built per call), up to
 * {@link MAX_REMEMBERED_LABEL_SETS} sets.
 */
function labelSets<A extends unknown[], L>(make: (...args: A) => L): (...args: A) => L {
  const root = new Map<unknown, unknown>();
  let size = 0;
  return (...args: A): L => {
    let level = root;
    for (let i = 0; i < args.length - 1; i++) {
      let next = level.get(args[i]) as Map<unknown, unknown> | undefined;
      if (!next) {
        if (size >= MAX_REMEMBERED_LABEL_SETS) return make(...args);
        level.set(args[i], (next = new Map()));
      }
      level = next;
    }
    const last = args[args.length - 1];
    let labels = level.get(last) as L | undefined;
    if (labels === undefined) {
      labels = make(...args);
      if (size < MAX_REMEMBERED_LABEL_SETS) {
        level.set(last, labels);
        size++;
      }
    }
    return labels;
  };
}

const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
const UPSTREAM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/** Creates the registry and the gateway's metrics in it. */
export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const { providers, openSubscriptions, upstreamStreams, subscriptionGroups, defaultMetrics = true, replicaId, redisUp } = options;
  const registry = new Registry();
  if (replicaId) registry.setDefaultLabels({ replica: replicaId });
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const name = (n: string) => `${METRIC_PREFIX}${n}`;

  const requests = new Counter({
    name: name('requests_total'), help: 'Client GraphQL requests, by operation type and outcome (OK or the first error code).',
    labelNames: ['operation_type', 'outcome'], registers,
  });
  const requestDuration = new Histogram({
    name: name('request_duration_seconds'), help: 'Time from a client request to its response (a subscription: to its stream starting).',
    labelNames: ['operation_type', 'outcome'], buckets: REQUEST_BUCKETS, registers,
  });
  const upstreamRequests = new Counter({
    name: name('upstream_requests_total'), help: 'Upstream HTTP attempts (retries included), by provider, route template, method and status ("error": no answer).',
    labelNames: ['provider', 'route', 'method', 'status'], registers,
  });
  const upstreamDuration = new Histogram({
    name: name('upstream_request_duration_seconds'), help: 'Duration of upstream attempts, headers and body.',
    labelNames: ['provider', 'route'], buckets: UPSTREAM_BUCKETS, registers,
  });
  const retries = new Counter({
    name: name('upstream_retries_total'), help: 'Retries of idempotent upstream reads, by reason (rate-limited: after a 429; error: after a 5xx or network failure).',
    labelNames: ['provider', 'route', 'reason'], registers,
  });
  const rateLimitWaits = new Counter({
    name: name('upstream_rate_limit_waits_total'), help: 'Waits a provider asked for with a 429 (Retry-After / RateLimit-Reset) before retrying.',
    labelNames: ['provider'], registers,
  });
  const rateLimitWaitSeconds = new Counter({
    name: name('upstream_rate_limit_wait_seconds_total'), help: 'Time spent in those waits.',
    labelNames: ['provider'], registers,
  });
  new Gauge({
    name: name('upstream_breaker_state'), help: "Each provider's circuit breaker: 1 for its current state (closed, open, half-open), 0 for the others.",
    labelNames: ['provider', 'state'], registers,
    collect() {
      this.reset();
      for (const p of providers()) {
        const current = p.upstreamState?.().circuit;
        if (current === undefined) continue;
        for (const state of BREAKER_STATES) this.set({ provider: boundedLabel(p.id), state }, state === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: name('open_subscriptions'), help: 'Client subscriptions streaming right now.', registers,
    collect() {
      this.set(openSubscriptions());
    },
  });
  new Gauge({
    name: name('upstream_streams_open'), help: 'Shared upstream progress sources (SSE streams and pollers) open right now.', registers,
    collect() {
      this.set(upstreamStreams().openSources);
    },
  });
  new Counter({
    name: name('upstream_streams_opened_total'), help: 'Shared upstream progress sources opened since start.', registers,
    collect() {
      this.reset();
      this.inc(upstreamStreams().sourcesOpened);
    },
  });
  if (subscriptionGroups) {
    new Gauge({
      name: name('subscription_groups'), help: 'Subscription executions shared by every subscriber of the same progress subscription, caller and variables, open right now.', registers,
      collect() {
        this.set(subscriptionGroups());
      },
    });
  }
  if (redisUp) {
    new Gauge({
      name: name('redis_up'), help: '1 while the shared-state Redis is connected, 0 while the replica runs on in-process state.', registers,
      collect() {
        this.set(redisUp() ? 1 : 0);
      },
    });
  }
  const fallbacks = new Counter({
    name: name('cluster_fallbacks_total'), help: 'Uses of in-process state because the shared Redis was unreachable, by what fell back.',
    labelNames: ['what'], registers,
  });
  const evidence = new Counter({
    name: name('protection_evidence_total'),
    help: 'Resources whose protection evidence was answered, by provider and source: kept (from the evidence cache), shared (another request\'s read in flight) or read (upstream).',
    labelNames: ['provider', 'source'], registers,
  });
  const replays = new Counter({
    name: name('idempotency_replays_total'), help: 'Mutations answered from the idempotency store (the provider not called again), by mutation.',
    labelNames: ['mutation'], registers,
  });

  // Label sets are made (and their values checked) once per distinct set, not once per request:
  // their values are bounded anyway, and prom-client keeps a series for each of them.
  const requestLabels = labelSets((operationType: string, outcome: string) => ({ operation_type: boundedLabel(operationType), outcome: boundedLabel(outcome) }));
  const callLabels = labelSets((provider: string, route: string, method: string, status: number | null) => {
    const [p, r] = [boundedLabel(provider), boundedLabel(route)];
    return { requests: { provider: p, route: r, method: boundedLabel(method), status: status === null ? 'error' : String(status) }, duration: { provider: p, route: r } };
  });

  return {
    registry,
    contentType: registry.contentType,
    observeRequest({ operationType, outcome, durationMs }) {
      const labels = requestLabels(operationType, outcome);
      requests.inc(labels);
      requestDuration.observe(labels, durationMs / 1000);
    },
    observeUpstreamCall(call) {
      const labels = callLabels(call.provider, call.route, call.method, call.status);
      upstreamRequests.inc(labels.requests);
      upstreamDuration.observe(labels.duration, call.durationMs / 1000);
    },
    observeRetry({ provider, route, reason, waitMs }) {
      const p = boundedLabel(provider);
      retries.inc({ provider: p, route: boundedLabel(route), reason });
      if (reason === 'rate-limited') {
        rateLimitWaits.inc({ provider: p });
        rateLimitWaitSeconds.inc({ provider: p }, waitMs / 1000);
      }
    },
    observeIdempotencyReplay(mutation) {
      replays.inc({ mutation: nameLabel(mutation) });
    },
    observeEvidence(provider, { kept, shared, read }) {
      const p = boundedLabel(provider);
      if (kept) evidence.inc({ provider: p, source: 'kept' }, kept);
      if (shared) evidence.inc({ provider: p, source: 'shared' }, shared);
      if (read) evidence.inc({ provider: p, source: 'read' }, read);
    },
    observeClusterFallback(what) {
      fallbacks.inc({ what });
    },
    text: () => registry.metrics(),
  };
}
