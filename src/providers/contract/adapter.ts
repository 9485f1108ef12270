/**
 * The adapter of one configured provider instance, and what its factory receives.
 */
import type { ReferenceCache } from '../../upstream/reference-cache.ts';
import type { ProviderRef } from '../../domain/models.ts';
import type { UpstreamCallObserver, UpstreamSettings } from '../../upstream/client.ts';
import type { RequestContext } from '../../upstream/request-context.ts';
import type { UpstreamState } from '../../upstream/guard.ts';
import type { ProviderActions } from './actions.ts';
import type { ProviderFieldResolvers, ProviderLists, ProviderLookups } from './lists.ts';
import type { ProviderOrders } from './orders.ts';
import type { ProviderProgress } from './progress.ts';
import type { ProviderProtection } from './protection.ts';

/** Result of a health probe. */
export interface ProviderHealthModel {
  status: 'UP' | 'DEGRADED' | 'DOWN';
  latencyMs: number | null;
  message: string | null;
}

/** A configured provider instance. */
export interface ProviderAdapter {
  readonly ref: ProviderRef;
  readonly lists: ProviderLists;
  readonly lookups: ProviderLookups;
  /** Orders its lists deliver besides each list's default (see `orders.ts`); absent: defaults only. */
  readonly orders?: ProviderOrders;
  /** Provider-specific fields that need their own upstream call. */
  readonly fieldResolvers?: ProviderFieldResolvers;
  /** Actions, when the provider can take any. */
  readonly actions?: ProviderActions;
  /** Live progress, when the provider can report it. */
  readonly progress?: ProviderProgress;
  /** Protection evidence (last success, attempts, schedules), batched per request; without it protection is UNKNOWN. */
  readonly protection?: ProviderProtection;
  /** Probes the provider cheaply; never throws. */
  health(ctx: RequestContext): Promise<ProviderHealthModel>;
  /**
   * The state of this instance's upstream guard (breaker, bulkhead, retry budget), read without
   * calling upstream (metrics read it at scrape time). Absent when the adapter has no guard.
   */
  upstreamState?(): UpstreamState;
  /** Releases pools and timers. */
  close(): Promise<void>;
}

/** Everything an adapter factory receives. */
export interface ProviderAdapterOptions {
  ref: ProviderRef;
  baseUrl: string;
  /** The credential (Bocada API key or bearer token). Never log or return it. */
  secret: string;
  /** Shared upstream settings (timeouts, retries); see `src/upstream`. */
  upstream?: UpstreamSettings;
  /** Observes every upstream call (for metrics and logs); must not see the secret. */
  onUpstreamCall?: UpstreamCallObserver;
  /**
   * How long the adapter may serve reference data (oCore projects, environments and schedules,
   * Norcube data sources) from its own cache across requests, ms; see `src/upstream/reference-cache.ts`.
   * Config `cache.referenceTtlMs`. @default 0 (off: every read goes upstream)
   */
  referenceTtlMs?: number;
  /**
   * How long past `referenceTtlMs` a kept answer is still given while one read refreshes it
   * (src/upstream/reference-cache.ts). Config `cache.referenceStaleMs`. @default 0 (a stale entry waits for a fresh read)
   */
  referenceStaleMs?: number;
  /**
   * The reference cache to use instead of one of its own (made from `referenceTtlMs`): the gateway
   * passes one that also clears the provider's protection evidence, shared with the other replicas
   * when they share Redis. An adapter clears it after every change it makes through the provider,
   * whether or not it reads reference data itself. @default a cache of its own
   */
  referenceCache?: ReferenceCache;
}

/** Builds an adapter for one configured provider instance. */
export type ProviderAdapterFactory = (options: ProviderAdapterOptions) => ProviderAdapter;

/** What the gateway needs to know of a provider kind: one registry line points at this. */
export interface ProviderKindEntry {
  /** Builds the adapter of one configured instance. */
  createAdapter: ProviderAdapterFactory;
  /** The config key of the credential under `auth:`. */
  secretKey: 'apiKey' | 'token';
  /** Display name used when the config gives none. */
  displayName: string;
  /** The provider's SDL: its concrete types and its `extend enum ProviderKind` value. */
  typeDefs: URL;
  /**
   * The quota the provider documents, the default outbound rate budget of its instances
   * (`providers[].rateLimit` overrides it). @default none: no outbound budget unless configured
   */
  rateLimit?: { requestsPerMinute?: number; requestsPerSecond?: number };
}
