/**
 * `Query.jobStats`: jobs per normalized status in a time window (`filter.since`, default 24 hours
 * before now; `filter.until`, default now), per provider and in total. Each provider's matching
 * jobs are read whole (the filter pushed down where the adapter can, checked in memory otherwise),
 * at most {@link MAX_STATS_PAGES} pages of 100; past that, or when a provider fails, its counts
 * are what was read and not exact (a failure adds one error beside the data).
 */
import { responsePathAsArray } from 'graphql';
import { badUserInput } from '../../domain/errors.ts';
import { JOB_STATUSES, type JobStatus } from '../../domain/statuses.ts';
import type { QueryResolvers } from '../../generated/graphql.ts';
import { walkList } from '../../insight/walk.ts';
import { providerFailureError } from '../../server/errors.ts';
import { jobOperationsOf, toSources } from '../_shared/list-args.ts';

/** Pages of jobs (100 each) one provider's count reads at most; past them it is not exact. */
export const MAX_STATS_PAGES = 50;
/** The window when `filter.since` is absent: the last 24 hours. */
export const DEFAULT_STATS_WINDOW_MS = 24 * 3_600_000;

/** `byStatus`: statuses with at least one job, in the order of `JobStatus`. */
function byStatus(counts: Map<JobStatus, number>) {
  return JOB_STATUSES.filter((s) => (counts.get(s) ?? 0) > 0).map((status) => ({ status, count: counts.get(status)! }));
}

/** Resolves `Query.jobStats`: BAD_USER_INPUT for a bad filter (or a window that ends before it starts) before any upstream call. */
export const jobStats: NonNullable<QueryResolvers['jobStats']> = async (_p, { filter }, ctx, info) => {
  const now = ctx.insight.now;
  const until = filter?.until ? filter.until : new Date(now).toISOString();
  const since = filter?.since ? filter.since : new Date(Math.min(now, Date.parse(until)) - DEFAULT_STATS_WINDOW_MS).toISOString();
  if (Date.parse(since) >= Date.parse(until)) throw badUserInput('filter.since must be before filter.until', 'filter.since');
  const selected = toSources(ctx.providers, { ...(filter ?? {}), since, until, operation: jobOperationsOf(filter) });
  const path = responsePathAsArray(info.path);
  const all = new Map<JobStatus, number>();
  const providers = await Promise.all(selected.map(async ({ adapter, filter: native }) => {
    const counts = new Map<JobStatus, number>();
    const list = adapter.lists.job;
    if (!list) return { provider: adapter.ref, total: 0, byStatus: [], exact: true };
    const walked = await walkList((req) => list(req, ctx.upstream), native, MAX_STATS_PAGES);
    for (const job of walked.items) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
    if (walked.error !== null) ctx.partialErrors.push(providerFailureError(adapter.ref.id, walked.error, path));
    for (const [s, n] of counts) all.set(s, (all.get(s) ?? 0) + n);
    return { provider: adapter.ref, total: walked.items.length, byStatus: byStatus(counts), exact: walked.complete };
  }));
  return {
    since: new Date(since).toISOString(), until: new Date(until).toISOString(),
    total: providers.reduce((n, p) => n + p.total, 0), byStatus: byStatus(all), providers, exact: providers.every((p) => p.exact),
  };
};
