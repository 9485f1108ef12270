/**
 * The Bocada Cloud adapter: read-only organizations, resources and backup jobs (with timelines and
 * connections as provider-specific fields). Lookups use list calls where that is cheaper, so a
 * nested query costs a bounded number of upstream calls.
 */
import { badUserInput } from '../../domain/errors.ts';
import type { JobModel, OrganizationModel, ResourceModel } from '../../domain/models.ts';
import type { JobStatus } from '../../domain/statuses.ts';
import { ProviderHttpError, lookupEntry } from '../../upstream/errors.ts';
import type { ProviderAdapter, ProviderAdapterFactory, ProviderKindEntry } from '../contract/index.ts';
import { createHealthProbe, orderKeysOf, orderedBy, organizationScopeOf } from '../contract/index.ts';
import { PromiseMemo, perRequest, type RequestContext } from '../../upstream/request-context.ts';
import { BOCADA_MAX_PAGE_SIZE, createBocadaClient, readAllBocadaPages, type BocadaPage } from './client.ts';
import { bocadaJobStatus, toConnection, toJobModel, toOrganizationModel, toResourceModel, toTimelineEvent } from './mapper.ts';
import type { BocadaConnectionDto, BocadaOrganizationDto, BocadaResourceDto } from './wire.ts';
import { mapLimit } from '../../upstream/map-limit.ts';
import { createUpstreamGuard } from '../../upstream/guard.ts';
import { createReferenceCache } from '../../upstream/reference-cache.ts';
import { createBocadaProtection } from './protection.ts';
import { bocadaFailureReasons } from './failure-reason.ts';

/**
 * Bocada's `sort` per order of the job list: newest first (its default, passed explicitly) and
 * oldest first. Job models carry the start as `createdAt`, so both are exact by `createdAt`.
 */
const JOB_SORTS = { CREATED_AT_DESC: '-startedAt', CREATED_AT_ASC: 'startedAt' } as const;

/**
 * Lookups of more ids than this read the whole resource list instead of one call per id. The
 * detail calls run in parallel (one or two trips); the list is read page after page (8 pages of
 * 200 at 1,500 resources), so it pays only for many ids: a dashboard's two short job lists (at most
 * 16 distinct resources) name theirs with detail calls.
 */
const LIST_INSTEAD_OF_GETS = 16;
/** Most detail calls in flight at once for one batch lookup. */
const CONCURRENCY = 8;

/** Creates the adapter of one Bocada instance. */
export const createBocadaAdapter: ProviderAdapterFactory = (options) => {
  const { ref } = options;
  // One breaker, retry budget and bulkhead for this instance; the health probe reads its state.
  const upstreamGuard = createUpstreamGuard(ref.id, options.upstream);
  const upstreamClient = createBocadaClient({ provider: ref, baseUrl: options.baseUrl, apiKey: options.secret, settings: { ...options.upstream, guard: upstreamGuard }, observer: options.onUpstreamCall });
  // Resources are reference data: their pages are served across requests for `referenceTtlMs`, by
  // what was asked (organization filter, cursor, page size). Bocada's API is read-only: nothing this
  // gateway does changes them, so only their age expires them.
  const reference = options.referenceCache ?? createReferenceCache({ ttlMs: options.referenceTtlMs, staleMs: options.referenceStaleMs, clock: options.upstream?.clock });
  const client: typeof upstreamClient = {
    ...upstreamClient,
    listResources: (req, ctx) =>
      reference.read(`resources?${req.organizationId ?? ''}&${req.cursor ?? ''}&${req.pageSize}`, () => upstreamClient.listResources(req, ctx)),
  };

  /** This adapter's state of one request: full lists read once (failures are forgotten so a retry can try again). */
  const sessionOf = perRequest(() => ({ lists: new PromiseMemo(), readsAllResources: false }));
  const memo = <T>(ctx: RequestContext, key: string, fn: () => Promise<T>): Promise<T> => sessionOf(ctx).lists.get(key, fn);
  const readAll = <T>(ctx: RequestContext, read: (cursor: string | null) => Promise<BocadaPage<T>>) => readAllBocadaPages(ref.id, ctx, read);
  const allOrganizations = (ctx: RequestContext) =>
    memo(ctx, 'organizations', () => readAll<BocadaOrganizationDto>(ctx, (cursor) => client.listOrganizations({ cursor, pageSize: BOCADA_MAX_PAGE_SIZE }, ctx)));
  /** Every resource, or, for a request limited to some organizations, only theirs (one filtered list each). */
  const allResources = (ctx: RequestContext) => {
    sessionOf(ctx).readsAllResources = true;
    const scope = organizationScopeOf(ctx);
    if (!scope) return memo(ctx, 'resources', () => readAll<BocadaResourceDto>(ctx, (cursor) => client.listResources({ cursor, pageSize: BOCADA_MAX_PAGE_SIZE }, ctx)));
    return memo(ctx, `resources:${scope.join(',')}`, async () =>
      (await Promise.all(scope.map((organizationId) =>
        readAll<BocadaResourceDto>(ctx, (cursor) => client.listResources({ cursor, pageSize: BOCADA_MAX_PAGE_SIZE, organizationId }, ctx))))).flat());
  };
  const connectionsOf = (orgId: string, ctx: RequestContext) =>
    memo(ctx, `connections:${orgId}`, () => readAll<BocadaConnectionDto>(ctx, (cursor) => client.listConnections(orgId, { cursor, pageSize: BOCADA_MAX_PAGE_SIZE }, ctx)));
  /** A job's timeline, read once per request: `timeline` and `failureReason` share it. */
  const timelineOf = (jobId: string, ctx: RequestContext) => memo(ctx, `timeline:${jobId}`, async () => (await client.listTimeline(jobId, ctx)).map(toTimelineEvent));
  const failureReasonOf = bocadaFailureReasons(timelineOf);

  const pageSize = (limit: number) => Math.max(1, Math.min(BOCADA_MAX_PAGE_SIZE, limit));
  /** Runs one list call; Bocada's 400 to a resume token it did not issue becomes the client's bad input. */
  const guard = async <T>(after: string | null, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (after !== null && e instanceof ProviderHttpError && e.status === 400 && e.providerCode === 'bad_request') {
        throw badUserInput('malformed cursor', 'after');
      }
      throw e;
    }
  };

  const adapter: ProviderAdapter = {
    ref,
    lists: {
      organization: (req, ctx) =>
        guard(req.after, async () => {
          // Bocada's list takes no organization filter: one organization is its detail call.
          if (req.filter.organizationId !== undefined) {
            if (req.after !== null) throw badUserInput('malformed cursor', 'after');
            const o = await lookupEntry(() => client.getOrganization(req.filter.organizationId!, ctx));
            if (o instanceof Error) throw o;
            return { items: o ? [toOrganizationModel(ref, o)] : [], next: null, total: o ? 1 : 0 };
          }
          const p = await client.listOrganizations({ cursor: req.after, pageSize: pageSize(req.limit) }, ctx);
          return { items: p.items.map((o) => toOrganizationModel(ref, o)), next: p.next, total: null };
        }),
      resource: (req, ctx) =>
        guard(req.after, async () => {
          const p = await client.listResources({ cursor: req.after, pageSize: pageSize(req.limit), organizationId: req.filter.organizationId }, ctx);
          return { items: p.items.map((r) => toResourceModel(ref, r)), next: p.next, total: null };
        }),
      job: (req, ctx) =>
        guard(req.after, async () => {
          const { filter } = req;
          const raw = filter.status?.length ? bocadaJobStatus.rawFor(filter.status as readonly JobStatus[]) : [];
          // Statuses Bocada never reports (PARTIAL, UNKNOWN), or restores only: nothing can match, no call needed.
          if ((filter.status?.length && raw.length === 0) || (filter.operation?.length && !filter.operation.includes('backup'))) {
            return { items: [], next: null, total: null };
          }
          const p = await client.listJobs({
            cursor: req.after, pageSize: pageSize(req.limit),
            organizationId: filter.organizationId, resourceId: filter.resourceId,
            status: raw.length === 1 ? raw[0] : undefined,
            startedAfter: filter.since?.toISOString(), startedBefore: filter.until?.toISOString(),
            sort: orderedBy(JOB_SORTS, 'job', req.order) ?? JOB_SORTS.CREATED_AT_DESC,
          }, ctx);
          return { items: p.items.map((j) => toJobModel(ref, j)), next: p.next, total: null };
        }),
    },
    orders: { job: orderKeysOf(JOB_SORTS) },
    lookups: {
      organization: async (ids, ctx) => {
        // Limited to some organizations: only those, one detail call each, never the whole list.
        const scope = organizationScopeOf(ctx);
        if (scope) {
          return mapLimit(ids, CONCURRENCY, (id): Promise<OrganizationModel | null | Error> =>
            scope.includes(id) ? lookupEntry(() => memo(ctx, `organization:${id}`, () => client.getOrganization(id, ctx)).then((o) => toOrganizationModel(ref, o))) : Promise.resolve(null));
        }
        const all = await allOrganizations(ctx);
        return ids.map((id) => {
          const o = all.find((x) => x.id === id);
          return o ? toOrganizationModel(ref, o) : null;
        });
      },
      resource: async (ids, ctx) => {
        // Many ids, or the request reads the whole list already: from the list.
        if (ids.length > LIST_INSTEAD_OF_GETS || sessionOf(ctx).readsAllResources) {
          const all = await allResources(ctx);
          const byId = new Map(all.map((r) => [r.id, r]));
          return ids.map((id) => {
            const r = byId.get(id);
            return r ? toResourceModel(ref, r) : null;
          });
        }
        return mapLimit(ids, CONCURRENCY, (id): Promise<ResourceModel | null | Error> => lookupEntry(async () => toResourceModel(ref, await client.getResource(id, ctx))));
      },
      job: (ids, ctx) =>
        mapLimit(ids, CONCURRENCY, (id): Promise<JobModel | null | Error> => lookupEntry(async () => toJobModel(ref, await client.getJob(id, ctx)))),
    },
    fieldResolvers: {
      BocadaResource: {
        connection: async (m: ResourceModel, _args, ctx) => {
          if (!m.organizationNativeId || !m.connectionId) return null;
          const c = (await connectionsOf(m.organizationNativeId, ctx)).find((x) => x.id === m.connectionId);
          return c ? toConnection(c) : null;
        },
      },
      BocadaJob: {
        timeline: (m: JobModel, _args, ctx) => timelineOf(m.nativeId, ctx),
        // Lazy: only FAILED/CANCELED/MISSED jobs read their timeline (memoized, bounded per request).
        failureReason: (m: JobModel, _args, ctx) => failureReasonOf(m, ctx),
      },
    },
    protection: createBocadaProtection(client),
    health: createHealthProbe((ctx) => client.status(ctx), upstreamGuard),
    upstreamState: () => upstreamGuard.state(),
    close: () => upstreamClient.close(),
  };
  return adapter;
};


/** The Bocada Cloud provider kind: its adapter factory, credential key and SDL, for the registry. */
export const bocadaProvider: ProviderKindEntry = {
  createAdapter: createBocadaAdapter, secretKey: 'apiKey', displayName: 'Bocada Cloud', typeDefs: new URL('./schema.graphql', import.meta.url),
  // Bocada Cloud's quota: 600 calls a minute per key (its 429s say when the window resets).
  rateLimit: { requestsPerMinute: 600 },
};
