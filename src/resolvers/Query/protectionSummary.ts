/**
 * `Query.protectionSummary`: every selected resource's protection, counted per status, per
 * provider and in total. Each provider's resources are read whole (at most
 * {@link MAX_SUMMARY_PAGES} pages of 100) and their protection loaded in one batch per provider,
 * the same way `Resource.protection` is; a provider that fails (its list or its evidence) counts
 * what it could, is not exact, and adds one error beside the data.
 */
import { responsePathAsArray } from 'graphql';
import type { ProtectionStatus } from '../../domain/protection.ts';
import type { QueryResolvers } from '../../generated/graphql.ts';
import { loadProtection } from '../../insight/load-protection.ts';
import { walkList } from '../../insight/walk.ts';
import { providerFailureError } from '../../server/errors.ts';
import { toSources } from '../_shared/list-args.ts';

/** Pages of resources (100 each) one provider's summary reads at most; past them it is not exact. */
export const MAX_SUMMARY_PAGES = 50;

/** `ProtectionCounts` */
interface Counts {
  protected: number;
  atRisk: number;
  unprotected: number;
  unknown: number;
  total: number;
}

const FIELD: Record<ProtectionStatus, keyof Omit<Counts, 'total'>> = { PROTECTED: 'protected', AT_RISK: 'atRisk', UNPROTECTED: 'unprotected', UNKNOWN: 'unknown' };
const zero = (): Counts => ({ protected: 0, atRisk: 0, unprotected: 0, unknown: 0, total: 0 });

/** Resolves `Query.protectionSummary`: BAD_USER_INPUT for a bad filter before any upstream call. */
export const protectionSummary: NonNullable<QueryResolvers['protectionSummary']> = async (_p, { filter }, ctx, info) => {
  const selected = toSources(ctx.providers, filter);
  const path = responsePathAsArray(info.path);
  const providers = await Promise.all(selected.map(async ({ adapter, filter: native }) => {
    const counts = zero();
    const list = adapter.lists.resource;
    if (!list) return { provider: adapter.ref, counts, exact: true };
    const walked = await walkList((req) => list(req, ctx.upstream), native, MAX_SUMMARY_PAGES);
    let failure = walked.error;
    const loaded = await Promise.all(walked.items.map((r) => loadProtection(r, ctx)));
    for (const { protection, error } of loaded) {
      counts[FIELD[protection.status]]++;
      counts.total++;
      if (error !== null && failure === null) failure = error;
    }
    if (failure !== null) ctx.partialErrors.push(providerFailureError(adapter.ref.id, failure, path));
    return { provider: adapter.ref, counts, exact: walked.complete && failure === null };
  }));
  const total = zero();
  for (const p of providers) for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += p.counts[k];
  return { total, providers, exact: providers.every((p) => p.exact), asOf: new Date(ctx.insight.now).toISOString() };
};
