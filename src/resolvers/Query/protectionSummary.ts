/**
 * `Query.protectionSummary`: every selected resource's protection, counted per status, per
 * provider and in total. Each provider's resources are read whole (at most
 * {@link MAX_SUMMARY_PAGES} pages, each as large as the provider serves: see
 * {@link SUMMARY_PAGE_SIZE}) and their protection loaded in one batch per provider, the same way
 * `Resource.protection` is; a provider that fails (its list or its evidence) counts what it could,
 * is not exact, and adds one error beside the data. `ProtectionSummary.resources` lists the counted
 * resources worst first from the same reads (no further upstream call).
 */
import { responsePathAsArray } from 'graphql';
import type { ResourceModel } from '../../domain/models.ts';
import type { ProtectionStatus } from '../../domain/protection.ts';
import type { ProtectionSummaryResolvers, QueryResolvers } from '../../generated/graphql.ts';
import { loadProtectionStatus } from '../../insight/load-protection.ts';
import { walkList } from '../../insight/walk.ts';
import type { ProviderRef } from '../../domain/models.ts';
import { providerFailureError } from '../../server/errors.ts';
import { checkFirst, toSources } from '../_shared/list-args.ts';

/** Pages of resources one provider's summary reads at most; past them it is not exact. */
export const MAX_SUMMARY_PAGES = 50;
/**
 * Resources asked per page of the summary's walk: more than any provider serves, so each adapter
 * answers its largest page (Bocada 200, ByCloud 1000, Norcube and oCore 100) and the walk reads as
 * few pages, one after another, as the provider allows.
 */
export const SUMMARY_PAGE_SIZE = 1000;

/** `ProtectionCounts` */
interface Counts {
  protected: number;
  atRisk: number;
  unprotected: number;
  unknown: number;
  total: number;
}

/** One counted resource and the status it was counted in. */
interface RatedResource {
  resource: ResourceModel;
  status: ProtectionStatus;
}

/** What `ProtectionSummary` resolves from: the counts, and every counted resource in provider (config) order, then list order. */
export interface ProtectionSummaryModel {
  total: Counts;
  providers: Array<{ provider: ProviderRef; counts: Counts; exact: boolean }>;
  exact: boolean;
  asOf: string;
  /** Every counted resource with its status, providers in config order, each in its list order. */
  rated: RatedResource[];
}

const FIELD: Record<ProtectionStatus, keyof Omit<Counts, 'total'>> = { PROTECTED: 'protected', AT_RISK: 'atRisk', UNPROTECTED: 'unprotected', UNKNOWN: 'unknown' };
/** Worst first: the order of `ProtectionSummary.resources`. */
const RANK: Record<ProtectionStatus, number> = { UNPROTECTED: 0, AT_RISK: 1, UNKNOWN: 2, PROTECTED: 3 };
const zero = (): Counts => ({ protected: 0, atRisk: 0, unprotected: 0, unknown: 0, total: 0 });

/** Resolves `Query.protectionSummary`: BAD_USER_INPUT for a bad filter before any upstream call. */
export const protectionSummary: NonNullable<QueryResolvers['protectionSummary']> = async (_p, { filter }, ctx, info) => {
  const selected = toSources(ctx.providers, filter);
  const path = responsePathAsArray(info.path);
  const providers = await Promise.all(selected.map(async ({ adapter, filter: native }) => {
    const counts = zero();
    const rated: RatedResource[] = [];
    const list = adapter.lists.resource;
    if (!list) return { provider: adapter.ref, counts, exact: true, rated };
    const walked = await walkList((req) => list({ ...req, limit: SUMMARY_PAGE_SIZE }, ctx.upstream), native, MAX_SUMMARY_PAGES);
    let failure = walked.error;
    const loaded = await Promise.all(walked.items.map((r) => loadProtectionStatus(r, ctx)));
    loaded.forEach(({ status, error }, i) => {
      counts[FIELD[status]]++;
      counts.total++;
      rated.push({ resource: walked.items[i], status });
      if (error !== null && failure === null) failure = error;
    });
    if (failure !== null) ctx.partialErrors.push(providerFailureError(adapter.ref.id, failure, path));
    return { provider: adapter.ref, counts, exact: walked.complete && failure === null, rated };
  }));
  const total = zero();
  for (const p of providers) for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += p.counts[k];
  return {
    total,
    providers: providers.map(({ provider, counts, exact }) => ({ provider, counts, exact })),
    exact: providers.every((p) => p.exact),
    asOf: new Date(ctx.insight.now).toISOString(),
    rated: providers.flatMap((p) => p.rated),
  };
};

/**
 * Resolvers of `ProtectionSummary`: `resources(status, first)` picks from the counted resources,
 * worst first, then in provider (config) and list order; BAD_USER_INPUT for `first` outside 0..100.
 * Their `protection` resolves from the request's loader, which already holds what was counted.
 */
export const ProtectionSummary: ProtectionSummaryResolvers = {
  resources: (m, { status, first }) => {
    const n = checkFirst(first ?? 10);
    const wanted = new Set<ProtectionStatus>(status ?? ['UNPROTECTED', 'AT_RISK']);
    // Array.prototype.sort is stable: equal ranks keep provider and list order.
    return m.rated.filter((r) => wanted.has(r.status)).sort((a, b) => RANK[a.status] - RANK[b.status]).slice(0, n).map((r) => r.resource);
  },
};
