/**
 * `Subscription.jobUpdates`: every job of the selected providers as it appears or changes status,
 * ending never. Each provider is watched by a shared poller (src/progress/job-watch-hub.ts), one
 * per provider instance, tenant scope and filter shape (organization, resource, operation: what
 * the provider's list can be asked for): subscribers that differ only in `status` share it. Status
 * is never pushed to the list: a watch must see a job before it reaches the status asked for, to
 * tell a change from an appearance.
 */
import { Repeater } from 'graphql-yoga';
import { GatewayError, unsupportedByProvider } from '../../domain/errors.ts';
import type { JobModel, JobOperation } from '../../domain/models.ts';
import type { ListFilter } from '../../domain/page.ts';
import type { JobStatus } from '../../domain/statuses.ts';
import type { JobUpdatesFilter, SubscriptionResolvers } from '../../generated/graphql.ts';
import { createLoaders } from '../../loaders/loaders.ts';
import { newestFirst, type JobUpdateModel, type JobWatchSource } from '../../progress/job-watch.ts';
import type { ProviderAdapter } from '../../providers/contract/index.ts';
import type { GatewayContext } from '../../server/context.ts';
import { createUpstreamCallBudget } from '../../upstream/call-budget.ts';
import { jobOperationsOf, toSources, type SelectedProvider } from '../_shared/list-args.ts';

/** Most `INITIAL` updates one subscription starts with. */
export const JOB_UPDATES_INITIAL_LIMIT = 20;
/** Updates a subscriber may leave unread before its subscription ends with RATE_LIMITED (the shared watch goes on for the others). */
export const JOB_UPDATES_MAX_UNREAD = 1000;

/** The list filter a watch of `s` asks with: its organization, resource and operations (sorted, deduped), never a status. */
export function watchFilterOf(s: SelectedProvider, operation: readonly JobOperation[] | null | undefined): ListFilter {
  const ops = operation?.length ? [...new Set(operation)].sort() : undefined;
  return {
    ...(s.filter.organizationId !== undefined ? { organizationId: s.filter.organizationId } : {}),
    ...(s.filter.resourceId !== undefined ? { resourceId: s.filter.resourceId } : {}),
    ...(ops ? { operation: ops } : {}),
  };
}

/**
 * The key of the watch a subscriber shares at `providerId`: the provider instance, what the
 * caller's scope lets it see there (the organizations it is limited to, or all), and the filter
 * the watch asks with.
 */
export function jobWatchKey(providerId: string, organizationsInScope: readonly string[] | null, filter: ListFilter): string {
  const scope = organizationsInScope === null ? '*' : JSON.stringify(organizationsInScope);
  return ['jobs', providerId, scope, filter.organizationId ?? '', filter.resourceId ?? '', (filter.operation ?? []).join(',')].join('\u0000');
}

/** The watch source of one provider, read through the subscriber's (scoped) adapter. */
function sourceOf(adapter: ProviderAdapter, filter: ListFilter): JobWatchSource {
  const { job: list } = adapter.lists;
  const lookup = adapter.lookups.job;
  return {
    providerId: adapter.ref.id,
    list: (req, ctx) => list!(req, ctx),
    ...(lookup ? { lookup: (ids, ctx) => lookup(ids, ctx) } : {}),
    filter,
  };
}

/**
 * Gives the next event of a subscription a context of its own, as if it were a request: a fresh
 * upstream call budget (the cost estimate is per event) and fresh loaders and per-request memos
 * (a never-ending stream must neither run out of calls nor read what it cached hours ago). Events
 * are executed one after another, so the previous event is done with the old ones.
 */
function renewEventContext(ctx: GatewayContext): void {
  const limit = ctx.upstream.budget?.limit ?? Infinity;
  ctx.upstream = { ...ctx.upstream, budget: createUpstreamCallBudget(limit, ctx.upstream.requestId) };
  ctx.loaders = createLoaders(ctx.providers, ctx.upstream);
}

/** What a subscriber's `status` and `operation` let through. */
function matcherOf(filter: JobUpdatesFilter | null | undefined): (job: JobModel) => boolean {
  const status = filter?.status?.length ? new Set<JobStatus>(filter.status) : null;
  const operations = jobOperationsOf(filter);
  const operation = operations ? new Set(operations) : null;
  return (job) => (status === null || status.has(job.status)) && (operation === null || operation.has(job.operation));
}

/** Subscribes: validates the filter (BAD_USER_INPUT before anything runs), joins one watch per provider. */
async function subscribe(filter: JobUpdatesFilter | null | undefined, initial: boolean, ctx: GatewayContext): Promise<AsyncIterableIterator<JobUpdateModel>> {
  const selected = toSources(ctx.providers, { providers: filter?.providers, kinds: filter?.kinds, organizationId: filter?.organizationId, resourceId: filter?.resourceId });
  const watched = selected.filter((s) => s.adapter.lists.job);
  // Providers named on purpose that have no jobs: say so rather than wait forever.
  if (filter?.providers?.length && watched.length === 0 && selected.length > 0) throw unsupportedByProvider(selected[0].adapter.ref.id, 'listing jobs');
  const matches = matcherOf(filter);

  const updates = new Repeater<JobUpdateModel>(async (push, stop) => {
    let ready = !initial;
    const held: JobUpdateModel[] = [];
    let unread = 0;
    const send = (u: JobUpdateModel) => {
      if (unread >= JOB_UPDATES_MAX_UNREAD) {
        stop(new GatewayError('RATE_LIMITED', `this subscription left ${JOB_UPDATES_MAX_UNREAD} updates unread; read faster or narrow the filter`));
        return;
      }
      unread++;
      void push(u).then(() => unread--, () => undefined);
    };
    const deliver = (u: JobUpdateModel) => {
      if (!matches(u.job)) return;
      if (ready) send(u);
      else held.push(u);
    };
    const memberships = watched.map((s) => {
      const id = s.adapter.ref.id;
      const watchFilter = watchFilterOf(s, jobOperationsOf(filter));
      return ctx.jobWatch.join(jobWatchKey(id, ctx.scope.organizationsAt(id), watchFilter), () => sourceOf(s.adapter, watchFilter), {
        updates: (us) => us.forEach(deliver),
        end: () => stop(),
      });
    });
    try {
      if (initial) {
        const views = await Promise.race([Promise.all(memberships.map((m) => m.current())), stop.then(() => null)]);
        if (views) {
          const at = new Date(ctx.jobWatch.clock.now()).toISOString();
          const first = views.flat().filter(matches).sort(newestFirst).slice(0, JOB_UPDATES_INITIAL_LIMIT);
          for (const job of first) send({ job, change: 'INITIAL', previousStatus: null, at });
        }
        ready = true;
        for (const u of held.splice(0)) send(u);
      }
      await stop;
    } finally {
      for (const m of memberships) m.leave();
    }
  });

  // Not an async generator: one waiting for the next update could not be returned until an update
  // came, so a client leaving a quiet stream would keep its watches running.
  const inner = updates[Symbol.asyncIterator]();
  const events: AsyncIterableIterator<JobUpdateModel> = {
    next: async () => {
      const r = await inner.next();
      if (!r.done) renewEventContext(ctx);
      return r;
    },
    return: () => inner.return(),
    throw: (e?: unknown) => inner.throw(e),
    [Symbol.asyncIterator]() {
      return events;
    },
  };
  return events;
}

/** Resolves `Subscription.jobUpdates`: appearances and status changes of jobs, across providers, ending never. */
export const jobUpdates: NonNullable<SubscriptionResolvers['jobUpdates']> = {
  subscribe: (_p, { filter, initial }, ctx) => subscribe(filter, initial ?? false, ctx),
  resolve: (u: JobUpdateModel) => u,
};
