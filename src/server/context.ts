/**
 * The per-request GraphQL context: the request's upstream context, its loaders and the provider
 * failures collected for partial results. Built fresh for every request.
 */
import type { GraphQLError } from 'graphql';
import type { ProviderSet } from '../providers/registry.ts';
import type { RequestContext } from '../providers/contract/index.ts';
import type { Loaders } from '../loaders/loaders.ts';
import type { ProgressHub } from '../progress/hub.ts';
import type { IdempotencyStore } from '../mutations/idempotency.ts';
import type { ProgressUpdate } from '../providers/contract/index.ts';
import type { PollOptions } from '../progress/poller.ts';
import type { RelayOptions } from '../progress/relay.ts';
import type { JobWatchHub } from '../progress/job-watch-hub.ts';
import type { JobWatchOptions } from '../progress/job-watch.ts';
import type { Caller } from '../access/caller.ts';
import type { Scope } from '../access/scope.ts';
import type { InsightContext } from '../insight/options.ts';

/** What every resolver receives. */
export interface GatewayContext {
  /** Who is calling (set by authentication; `OPEN_CALLER` when the gateway has no access control). */
  caller: Caller;
  /** What the caller may see (tenant scope); `providers` and `loaders` already read through it. */
  scope: Scope;
  /** The provider instances as the caller sees them (the scope's per-request view). */
  providers: ProviderSet;
  /** Handed to adapters: request id, abort signal, per-request memo. */
  upstream: RequestContext;
  loaders: Loaders;
  /** Errors of single providers, appended to the response next to the data (partial results). */
  partialErrors: GraphQLError[];
  /** Shared progress sources of this gateway process. */
  progress: ProgressHub<ProgressUpdate>;
  /** Remembers idempotency keys of mutations. */
  idempotency: IdempotencyStore;
  /** Poll and reconnect tuning for progress; `watch` tunes the job watches of `jobUpdates`. */
  progressOptions: { poll?: PollOptions; relay?: RelayOptions; watch?: JobWatchOptions };
  /** Shared job watches of this gateway process (`jobUpdates`). */
  jobWatch: JobWatchHub;
  /** Protection and RPO: the `insight` options, the gateway's clock and this request's "now". */
  insight: InsightContext;
}
