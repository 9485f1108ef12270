/**
 * The Bocada Cloud adapter: read-only organizations, resources and backup jobs (with timelines and
 * connections as provider-specific fields). Lookups use list calls where that is cheaper, so a
 * nested query costs a bounded number of upstream calls.
 */
import { badUserInput } from '../../domain/errors.ts';
import type { JobModel, ResourceModel } from '../../domain/models.ts';
import type { JobStatus } from '../../domain/statuses.ts';
import { ProviderHttpError } from '../../upstream/errors.ts';
import type { ProviderAdapter, ProviderAdapterFactory, ProviderCapabilities, RequestContext } from '../provider.ts';
import { BOCADA_MAX_PAGE_SIZE, createBocadaClient, isBocadaNotFound, readAllBocadaPages, type BocadaPage } from './client.ts';
import { bocadaJobStatus, toConnection, toJobModel, toOrganizationModel, toResourceModel, toTimelineEvent } from './mapper.ts';
import type { BocadaConnectionDto, BocadaOrganizationDto, BocadaResourceDto } from './wire.ts';
import { mapLimit } from '../../upstream/map-limit.ts';

/** What Bocada can do: read. */
export const BOCADA_CAPABILITIES: ProviderCapabilities = {
  lists: ['organization', 'resource', 'job'],
  progress: null,
  triggerBackup: false, restoreBackup: false, deleteBackup: false, manageAlerts: false,
  manageSchedules: false, managePolicies: false, verifyBackup: false, downloadBackup: false,
};

/** Lookups of more ids than this read the whole resource list instead of one call per id. */
const LIST_INSTEAD_OF_GETS = 3;
/** Most detail calls in flight at once for one batch lookup. */
const CONCURRENCY = 8;

/** Creates the adapter of one Bocada instance. */
export const createBocadaAdapter: ProviderAdapterFactory = (options) => {
  const { ref } = options;
  const client = createBocadaClient({ provider: ref, baseUrl: options.baseUrl, apiKey: options.secret, settings: options.upstream, observer: options.onUpstreamCall });

  /** One promise per key per request (failures are forgotten so a retry can try again). */
  function memo<T>(ctx: RequestContext, key: string, fn: () => Promise<T>): Promise<T> {
    const k = `${ref.id}:${key}`;
    let p = ctx.memo.get(k) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      ctx.memo.set(k, p);
      p.catch(() => ctx.memo.delete(k));
    }
    return p;
  }
  const readAll = <T>(ctx: RequestContext, read: (cursor: string | null) => Promise<BocadaPage<T>>) => readAllBocadaPages(ref.id, ctx, read);
  const allOrganizations = (ctx: RequestContext) =>
    memo(ctx, 'organizations', () => readAll<BocadaOrganizationDto>(ctx, (cursor) => client.listOrganizations({ cursor, pageSize: BOCADA_MAX_PAGE_SIZE }, ctx)));
  const allResources = (ctx: RequestContext) =>
    memo(ctx, 'resources', () => readAll<BocadaResourceDto>(ctx, (cursor) => client.listResources({ cursor, pageSize: BOCADA_MAX_PAGE_SIZE }, ctx)));
  const connectionsOf = (orgId: string, ctx: RequestContext) =>
    memo(ctx, `connections:${orgId}`, () => readAll<BocadaConnectionDto>(ctx, (cursor) => client.listConnections(orgId, { cursor, pageSize: BOCADA_MAX_PAGE_SIZE }, ctx)));

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
    capabilities: BOCADA_CAPABILITIES,
    lists: {
      organization: (req, ctx) =>
        guard(req.after, async () => {
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
          // Statuses Bocada never reports (PARTIAL, UNKNOWN): nothing can match, no call needed.
          if (filter.status?.length && raw.length === 0) return { items: [], next: null, total: null };
          const p = await client.listJobs({
            cursor: req.after, pageSize: pageSize(req.limit),
            organizationId: filter.organizationId, resourceId: filter.resourceId,
            status: raw.length === 1 ? raw[0] : undefined,
            startedAfter: filter.since?.toISOString(), startedBefore: filter.until?.toISOString(),
          }, ctx);
          return { items: p.items.map((j) => toJobModel(ref, j)), next: p.next, total: null };
        }),
    },
    lookups: {
      organization: async (ids, ctx) => {
        const all = await allOrganizations(ctx);
        return ids.map((id) => {
          const o = all.find((x) => x.id === id);
          return o ? toOrganizationModel(ref, o) : null;
        });
      },
      resource: async (ids, ctx) => {
        if (ids.length > LIST_INSTEAD_OF_GETS) {
          const all = await allResources(ctx);
          const byId = new Map(all.map((r) => [r.id, r]));
          return ids.map((id) => {
            const r = byId.get(id);
            return r ? toResourceModel(ref, r) : null;
          });
        }
        return mapLimit(ids, CONCURRENCY, async (id): Promise<ResourceModel | null | Error> => {
          try {
            return toResourceModel(ref, await client.getResource(id, ctx));
          } catch (e) {
            if (isBocadaNotFound(e)) return null;
            return e as Error;
          }
        });
      },
      job: (ids, ctx) =>
        mapLimit(ids, CONCURRENCY, async (id): Promise<JobModel | null | Error> => {
          try {
            return toJobModel(ref, await client.getJob(id, ctx));
          } catch (e) {
            if (isBocadaNotFound(e)) return null;
            return e as Error;
          }
        }),
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
        timeline: async (m: JobModel, _args, ctx) => (await client.listTimeline(m.nativeId, ctx)).map(toTimelineEvent),
      },
    },
    async health(ctx) {
      const started = performance.now();
      try {
        await client.status(ctx);
        return { status: 'UP', latencyMs: Math.round(performance.now() - started), message: null };
      } catch (e) {
        const limited = e instanceof ProviderHttpError && e.status === 429;
        return {
          status: limited ? 'DEGRADED' : 'DOWN',
          latencyMs: Math.round(performance.now() - started),
          message: e instanceof ProviderHttpError ? `HTTP ${e.status}` : (e as Error).name,
        };
      }
    },
    close: () => client.close(),
  };
  return adapter;
};

