/**
 * The Norcube Backup adapter: the token's organization, data sources (Resource), backup and
 * restore jobs (Job), backup jobs' files (Backup) and policies attached to data sources
 * (Schedule), read through the spec's routes with the fewest calls: the org-wide
 * `GET /backups?datasourceIDs=` batch for jobs and files, per-request memos, capped fan-out.
 *
 * Resume tokens (opaque to the gateway):
 * - resources, backups: the provider's `cursors.next` as is;
 * - jobs, newest first: the merge (`mergedPage`) of the backup jobs of `/backups` (newest first by
 *   creation; key `b`, its `cursors.next`) and each data source's manual restores (newest first;
 *   key `r<data source index>`, an offset: they are read whole once per request, one call per
 *   data source, and filtered here; a BACKUP-only filter reads none, a resource filter only its own);
 * - schedules: `<walk>`, base64url JSON `[dataSourcePageCursor, dataSourceId, indexInPage, subCursor]`.
 * A name filter on resources goes upstream as the spec's `query` name search (re-checked here).
 * Jobs and files name their data source from the record (`datasourceName`: `resource { name }`
 * needs no lookup); a job list filtered in memory reads full pages of 100, and under `since` ends
 * one queue grace ({@link NORCUBE_QUEUE_GRACE_MS}) past it; data source pages are reference data
 * (kept across requests for `referenceTtlMs`).
 *
 * Actions (run-now, restores, deletes, attachments, policies, verify, download links) go through
 * the client's never-retried calls; each then forgets the request's memoized reads of this
 * provider and reads the changed record back. A failed read-back after a change that went through
 * answers null where the interface allows it (never an error that would invite a second call).
 */
import { systemClock } from '../../domain/clock.ts';
import DataLoader from 'dataloader';
import { badUserInput, GatewayError } from '../../domain/errors.ts';
import { matchesFilter } from '../../domain/filter.ts';
import { memorySegment, mergedPage, type Segment } from '../../domain/merge.ts';
import { DEFAULT_ORDERS, compareIn, orderingOf } from '../../domain/merge-order.ts';
import type { BackupModel, JobModel, OrganizationModel, ResourceModel, ScheduleModel } from '../../domain/models.ts';
import { TERMINAL_JOB_STATUSES } from '../../domain/statuses.ts';
import { ProviderHttpError, ProviderResponseError, isNotFound, nullIfNotFound, lookupEntry } from '../../upstream/errors.ts';
import type {
  ListFilter, Page, PageRequest, ProgressOperation, ProgressUpdate, ProviderActions, ProviderAdapter, ProviderAdapterFactory, ProviderKindEntry } from '../contract/index.ts';
import { createHealthProbe, withResourceRef } from '../contract/index.ts';
import { PromiseMemo, perRequest, type RequestContext } from '../../upstream/request-context.ts';
import {
  createNorcubeClient, isNorcubeNotImplemented, NORCUBE_MAX_PAGE_SIZE,
} from './client.ts';
import {
  NORCUBE_TYPENAMES, defaultDestinationId, defaultRestoreDatabase, hasBackupFile, isNorcubeId, jobNativeId, norcubeJobStatus, parsePairNativeId,
  parseRestoreNativeId, restoreNativeId, scheduleNativeId, toBackupJobModel, toBackupModel, toDownloadLink, toOrganizationModel,
  toPolicyCreateRequest, toPolicyModel, toPolicyUpdateRequest, toResourceModel, toRestoreJobModel, toScheduleModel,
} from './mapper.ts';
import type {
  NorcubeBackupJobDto, NorcubeBackupPolicyDto, NorcubeDatasourcePolicyDto, NorcubeRestoreCreateRequestDto, NorcubeRestoreJobDto,
} from './wire.ts';
import { mapLimit } from '../../upstream/map-limit.ts';
import { createUpstreamGuard } from '../../upstream/guard.ts';
import { createReferenceCache } from '../../upstream/reference-cache.ts';
import { createNorcubeProtection } from './protection.ts';


/** Parallel upstream calls one lookup or list may make. */
const FAN_OUT = 8;
/** Data sources per `datasourceIDs` batch call. */
const IDS_PER_BATCH = 50;
/** Pages of one list read at most when reading it whole (data sources, one data source's restores). */
const MAX_WHOLE_LIST_PAGES = 100;
/** Jobs are newest first by creation: the merge of backup jobs and restores compares that. */
const NEWEST_FIRST = orderingOf(DEFAULT_ORDERS.job!);
const newestFirst = compareIn(DEFAULT_ORDERS.job!);
/**
 * How long before it starts a backup job can have been queued. `/backups` is newest first by
 * creation and has no time filter, while a job's time is its start (its creation until it starts):
 * a list under `filter.since` ends at the first page whose last job was created this long before
 * `since`, instead of reading the whole history. Norcube queues a job for its worker when it is
 * due and starts it within seconds; a job queued longer than this before starting would be missed.
 */
export const NORCUBE_QUEUE_GRACE_MS = 60 * 60_000;

/** Whether a job filter holds anything `/backups` cannot apply (the gateway filters those in memory). */
const filtersInMemory = (f: ListFilter) => Boolean(f.status?.length || f.since || f.until || f.nameContains);

/** Builds the adapter of one Norcube instance. */
export const createNorcubeAdapter: ProviderAdapterFactory = (options) => {
  const { ref } = options;
  // One breaker, retry budget and bulkhead for this instance; the health probe reads its state.
  const upstreamGuard = createUpstreamGuard(ref.id, options.upstream);
  const clock = options.upstream?.clock ?? systemClock;
  const upstreamClient = createNorcubeClient({
    provider: ref, baseUrl: options.baseUrl, token: options.secret, settings: { ...options.upstream, guard: upstreamGuard }, observer: options.onUpstreamCall,
  });
  // Data sources are reference data: pages of `/datasources` (by what was asked: cursor, limit,
  // name query) are served across requests for `referenceTtlMs`, and forgotten after any change
  // made through this adapter (see forgetReads). The health probe reads upstream every time.
  const reference = options.referenceCache ?? createReferenceCache({ ttlMs: options.referenceTtlMs, staleMs: options.referenceStaleMs, clock: options.upstream?.clock });
  const client: typeof upstreamClient = {
    ...upstreamClient,
    listDataSources: (req, ctx) =>
      reference.read(`datasources?${req.cursor ?? ''}&${req.limit}&${req.query ?? ''}`, () => upstreamClient.listDataSources(req, ctx)),
  };
  /** Jobs and files, each naming its data source as its record does (`resource { name }` needs no lookup). */
  const jobModel = (j: NorcubeBackupJobDto) => withResourceRef(toBackupJobModel(ref, j), NORCUBE_TYPENAMES.resource, j.datasourceName);
  const backupModel = (j: NorcubeBackupJobDto) => withResourceRef(toBackupModel(ref, j), NORCUBE_TYPENAMES.resource, j.datasourceName);
  /**
   * This adapter's state of one request: reads memoized once (organization id, policy list), backup
   * jobs by native id through one DataLoader (batched into `datasourceIDs` scans; jobs a scan sees
   * besides the wanted ones are primed), and whether the deployment answered 501 on restores.
   */
  const sessionOf = perRequest((ctx) => ({
    reads: new PromiseMemo(),
    backupJobs: new DataLoader<string, NorcubeBackupJobDto | null>((ids) => scanBackupJobs(ids, ctx), { maxBatchSize: 500 }),
    restoresUnsupported: false,
  }));
  const memo = <T>(ctx: RequestContext, key: string, fn: () => Promise<T>): Promise<T> => sessionOf(ctx).reads.get(key, fn);

  // ---- organization ------------------------------------------------------------------------

  /** The token's organization id, as records carry it (first data source, else first policy); null when the org has neither. */
  const organizationId = (ctx: RequestContext) =>
    memo(ctx, 'organization-id', async () => {
      const ds = await client.listDataSources({ cursor: null, limit: 1 }, ctx);
      if (ds.items.length > 0) return ds.items[0].organizationId;
      const policies = await client.listBackupPolicies({ cursor: null, limit: 1 }, ctx);
      return policies.items[0]?.organizationId ?? null;
    });

  /** True when the filter names another organization than the token's: nothing of ours can match. */
  async function otherOrganization(filter: ListFilter, ctx: RequestContext): Promise<boolean> {
    if (filter.organizationId === undefined) return false;
    const id = await organizationId(ctx);
    return id !== null && id !== filter.organizationId;
  }

  // ---- helpers shared by lists -------------------------------------------------------------

  /** Runs `fn`, turning the provider's "malformed cursor" 400 into BAD_USER_INPUT on `after`. */
  async function withCursor<T>(after: string | null, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (after !== null && e instanceof ProviderHttpError && e.status === 400 && /cursor/i.test(e.providerMessage ?? '')) {
        throw badUserInput('malformed cursor', 'after');
      }
      throw e;
    }
  }

  /** The attachments of a data source (memoized per request by the client's GET dedupe); null when it does not exist. */
  async function attachmentsOf(dataSourceId: string, ctx: RequestContext): Promise<NorcubeDatasourcePolicyDto[] | null> {
    return nullIfNotFound(client.listDataSourcePolicies(dataSourceId, ctx));
  }

  /** Every policy of the org, read once per request (only when an attachment embeds a thin policy). */
  const allPolicies = (ctx: RequestContext) =>
    memo(ctx, 'backup-policies', async () => {
      const byId = new Map<string, NorcubeBackupPolicyDto>();
      let cursor: string | null = null;
      do {
        const page = await client.listBackupPolicies({ cursor, limit: NORCUBE_MAX_PAGE_SIZE }, ctx);
        for (const p of page.items) byId.set(p.id.toLowerCase(), p);
        cursor = page.next;
      } while (cursor);
      return byId;
    });

  /** The full policy of an attachment: the embedded one when complete, else joined from `/backup-policies`. */
  async function policyOf(a: NorcubeDatasourcePolicyDto, ctx: RequestContext): Promise<NorcubeBackupPolicyDto> {
    const embedded = a.backupPolicy;
    if (typeof embedded.scheduleCron === 'string' && typeof embedded.timezone === 'string') return embedded;
    return (await allPolicies(ctx)).get(embedded.id.toLowerCase()) ?? embedded;
  }

  /** True once a restore route answered 501 in this request: the deployment has no restores. */
  const restoresUnsupported = (ctx: RequestContext) => sessionOf(ctx).restoresUnsupported;
  const markRestoresUnsupported = (ctx: RequestContext) => void (sessionOf(ctx).restoresUnsupported = true);

  /** Restore jobs of one data source from `sub` (a native cursor); a 404 data source has none. */
  async function restoresOf(dataSourceId: string, sub: string | null, limit: number, ctx: RequestContext): Promise<SubPage<NorcubeRestoreJobDto>> {
    try {
      return await client.listRestores(dataSourceId, { cursor: sub, limit, trigger: 'manual' }, ctx);
    } catch (e) {
      if (isNorcubeNotImplemented(e)) throw new RestoresUnsupported();
      if (isNotFound(e)) return { items: [], next: null };
      throw e;
    }
  }

  /** Walks data sources (all, or only `only`) from `start`, listing each one's sub-list; see {@link walkDataSources}. */
  const walk = <T>(start: WalkPosition, limit: number, only: string | undefined, sub: SubList<T>, ctx: RequestContext) =>
    walkDataSources(start, limit, sub, async (cursor) => {
      if (only !== undefined) return { ids: [only], next: null };
      const page = await client.listDataSources({ cursor, limit: NORCUBE_MAX_PAGE_SIZE }, ctx);
      return { ids: page.items.map((d) => d.id), next: page.next };
    });

  /** Every data source id of the org, in the provider's order, read once per request. */
  const dataSourceIds = (ctx: RequestContext) =>
    memo(ctx, 'datasource-ids', async () => {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < MAX_WHOLE_LIST_PAGES; pages++) {
        const page = await client.listDataSources({ cursor, limit: NORCUBE_MAX_PAGE_SIZE }, ctx);
        ids.push(...page.items.map((d) => d.id));
        if (!page.next) break;
        cursor = page.next;
      }
      return ids;
    });

  /** A data source's manual restores, read whole once per request; none where the deployment has no restores (501). */
  const allRestoresOf = (dataSourceId: string, ctx: RequestContext) =>
    memo(ctx, `restores:${dataSourceId.toLowerCase()}`, async (): Promise<NorcubeRestoreJobDto[]> => {
      if (restoresUnsupported(ctx)) return [];
      const out: NorcubeRestoreJobDto[] = [];
      let cursor: string | null = null;
      try {
        for (let pages = 0; pages < MAX_WHOLE_LIST_PAGES; pages++) {
          const page = await restoresOf(dataSourceId, cursor, NORCUBE_MAX_PAGE_SIZE, ctx);
          out.push(...page.items);
          if (!page.next) break;
          cursor = page.next;
        }
      } catch (e) {
        if (!(e instanceof RestoresUnsupported)) throw e;
        markRestoresUnsupported(ctx);
        return [];
      }
      return out;
    });

  // ---- lists -------------------------------------------------------------------------------

  const empty = <T>(): Page<T> => ({ items: [], next: null, total: null });

  async function listOrganizations(req: PageRequest, ctx: RequestContext): Promise<Page<OrganizationModel>> {
    if (req.after !== null) throw badUserInput('malformed cursor', 'after');
    const id = await organizationId(ctx);
    const items = id === null || (req.filter.organizationId !== undefined && req.filter.organizationId !== id) ? [] : [toOrganizationModel(ref, id)];
    return { items, next: null, total: items.length };
  }

  async function listResources(req: PageRequest, ctx: RequestContext): Promise<Page<ResourceModel>> {
    if (await otherOrganization(req.filter, ctx)) return empty();
    const query = req.filter.nameContains || undefined;
    const page = await withCursor(req.after, () => client.listDataSources({ cursor: req.after, limit: req.limit, query }, ctx));
    return { items: page.items.map((d) => toResourceModel(ref, d)), next: page.next, total: null };
  }

  /** Backup jobs from `/backups` (of `resourceId` when given), native cursor as the token. */
  async function backupJobsPage(req: PageRequest, ctx: RequestContext, cursor: string | null) {
    const only = req.filter.resourceId;
    return withCursor(cursor, () =>
      client.listBackupJobs({ cursor, limit: req.limit, dataSourceIds: only !== undefined ? [only] : undefined }, ctx));
  }

  /** A resource filter that names no Norcube id: nothing can match (and the service would answer 400). */
  const impossibleResource = (filter: ListFilter) => filter.resourceId !== undefined && !isNorcubeId(filter.resourceId);

  async function listBackups(req: PageRequest, ctx: RequestContext): Promise<Page<BackupModel>> {
    const { filter } = req;
    if (filter.status?.length && !filter.status.some((s) => s === 'AVAILABLE' || s === 'EXPIRED')) return empty();
    if (impossibleResource(filter) || (await otherOrganization(filter, ctx))) return empty();
    // Files are the file-bearing jobs of the job stream: keep reading until a page has one, so a
    // page is never empty while more may follow (each page asks at most `limit` jobs, so it never
    // holds more than `limit` files and `next` resumes right after the last job read).
    let cursor = req.after;
    for (;;) {
      const page = await backupJobsPage(req, ctx, cursor);
      const items = page.items.filter(hasBackupFile).map(backupModel);
      if (items.length > 0 || page.next === null) return { items, next: page.next, total: null };
      cursor = page.next;
    }
  }

  async function listJobs(req: PageRequest, ctx: RequestContext): Promise<Page<JobModel>> {
    const { filter } = req;
    const wants = (op: 'backup' | 'restore') => !filter.operation?.length || filter.operation.includes(op);
    const segments: Segment<JobModel>[] = [];
    if (!impossibleResource(filter) && !(await otherOrganization(filter, ctx))) {
      if (wants('backup')) {
        segments.push({
          key: 'b',
          // Filtered in memory: full pages from the first (the merge takes what it needs of each
          // and resumes inside a page). Under `since`, the stream ends past the queue grace.
          list: async (sub) => {
            const limit = filtersInMemory(filter) ? Math.max(sub.limit, NORCUBE_MAX_PAGE_SIZE) : sub.limit;
            const page = await backupJobsPage({ ...req, limit }, ctx, sub.after);
            const last = page.items.at(-1);
            const past = filter.since !== undefined && last !== undefined && Date.parse(last.jobCreatedAt) < filter.since.getTime() - NORCUBE_QUEUE_GRACE_MS;
            return { items: page.items.map(jobModel), next: past ? null : page.next, total: null };
          },
        });
      }
      if (wants('restore')) {
        const ids = filter.resourceId !== undefined ? [filter.resourceId] : await dataSourceIds(ctx);
        ids.forEach((id, i) => segments.push(memorySegment(`r${i}`, async () =>
          (await allRestoresOf(id, ctx)).map((r) => toRestoreJobModel(ref, r)).filter((m) => matchesFilter(m, filter)).sort(newestFirst))));
      }
    }
    if (segments.length === 0) {
      if (req.after !== null) throw badUserInput('malformed cursor', 'after');
      return empty();
    }
    return mergedPage('job', segments, req, NEWEST_FIRST);
  }

  async function listSchedules(req: PageRequest, ctx: RequestContext): Promise<Page<ScheduleModel>> {
    const { filter } = req;
    if (impossibleResource(filter) || (await otherOrganization(filter, ctx))) return empty();
    const start = req.after === null ? WALK_START : decodeWalk(req.after);
    const r = await withCursor(start.cursor, () =>
      walk(start, req.limit, filter.resourceId, async (id, sub, n) => {
        const all = (await attachmentsOf(id, ctx)) ?? [];
        const from = sub === null ? 0 : Number(sub);
        if (!Number.isSafeInteger(from) || from < 0) throw badUserInput('malformed cursor', 'after');
        const items = all.slice(from, from + n).map((a) => ({ id, a }));
        return { items, next: from + n < all.length ? String(from + n) : null };
      }, ctx));
    const items: ScheduleModel[] = [];
    for (const { id, a } of r.items) items.push(toScheduleModel(ref, id, a, await policyOf(a, ctx)));
    return { items, next: r.next ? encodeWalk(r.next) : null, total: null };
  }

  // ---- lookups -----------------------------------------------------------------------------

  /**
   * Finds backup jobs by native id (`<datasourceId>/<jobId>`, case-insensitive) through the
   * request's loader: concurrent lookups of the same jobs share one scan.
   */
  function findBackupJobs(nativeIds: readonly string[], ctx: RequestContext): Promise<Array<NorcubeBackupJobDto | null | Error>> {
    const loader = sessionOf(ctx).backupJobs;
    return Promise.all(nativeIds.map((id) => (parsePairNativeId(id) ? loader.load(id.toLowerCase()).catch(asError) : null)));
  }

  /**
   * The loader's batch: `GET /backups?datasourceIDs=` paged per group of data sources until every
   * wanted job is seen or the list ends. Answers one entry per id, in order; other jobs seen on
   * the way are primed for the rest of the request.
   */
  async function scanBackupJobs(lowerIds: readonly string[], ctx: RequestContext): Promise<Array<NorcubeBackupJobDto | null | Error>> {
    const found = new Map<string, NorcubeBackupJobDto | Error>();
    const byDataSource = new Map<string, Set<string>>();
    for (const id of lowerIds) {
      const ds = parsePairNativeId(id)!.dataSourceId;
      byDataSource.set(ds, (byDataSource.get(ds) ?? new Set<string>()).add(id));
    }
    const loader = sessionOf(ctx).backupJobs;
    await mapLimit(chunk([...byDataSource.keys()], IDS_PER_BATCH), FAN_OUT, async (dsIds) => {
      const wanted = new Set(dsIds.flatMap((ds) => [...byDataSource.get(ds)!]));
      try {
        let cursor: string | null = null;
        do {
          const page = await client.listBackupJobs({ cursor, limit: NORCUBE_MAX_PAGE_SIZE, dataSourceIds: dsIds }, ctx);
          for (const job of page.items) {
            const id = jobNativeId(job.datasourceId, job.jobId).toLowerCase();
            if (wanted.delete(id)) found.set(id, job);
            else loader.prime(id, job);
          }
          cursor = page.next;
        } while (wanted.size > 0 && cursor);
      } catch (e) {
        for (const id of wanted) found.set(id, asError(e));
      }
    });
    return lowerIds.map((id) => found.get(id) ?? null);
  }

  async function lookupRestore(restoreId: string, ctx: RequestContext): Promise<NorcubeRestoreJobDto | null> {
    if (restoresUnsupported(ctx)) return null;
    try {
      return await client.getRestore(restoreId, ctx);
    } catch (e) {
      if (isNorcubeNotImplemented(e)) {
        markRestoresUnsupported(ctx);
        return null;
      }
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async function lookupJobs(nativeIds: readonly string[], ctx: RequestContext): Promise<Array<JobModel | null | Error>> {
    const backupJobIds = nativeIds.filter((id) => parseRestoreNativeId(id) === null);
    const jobs = await findBackupJobs(backupJobIds, ctx);
    const byId = new Map(backupJobIds.map((id, i) => [id, jobs[i]]));
    return mapLimit(nativeIds, FAN_OUT, async (id) => {
      const restoreId = parseRestoreNativeId(id);
      if (restoreId !== null) {
        try {
          const r = await lookupRestore(restoreId, ctx);
          return r ? toRestoreJobModel(ref, r) : null;
        } catch (e) {
          return asError(e);
        }
      }
      const j = byId.get(id);
      return j instanceof Error ? j : j ? jobModel(j) : null;
    });
  }

  async function lookupBackups(nativeIds: readonly string[], ctx: RequestContext): Promise<Array<BackupModel | null | Error>> {
    const jobs = await findBackupJobs(nativeIds, ctx);
    return jobs.map((j) => (j instanceof Error ? j : j && hasBackupFile(j) ? backupModel(j) : null));
  }

  async function lookupResources(nativeIds: readonly string[], ctx: RequestContext): Promise<Array<ResourceModel | null | Error>> {
    return mapLimit(nativeIds, FAN_OUT, async (id) => {
      if (!isNorcubeId(id)) return null;
      return lookupEntry(async () => toResourceModel(ref, await client.getDataSource(id, ctx)));
    });
  }

  async function lookupOrganizations(nativeIds: readonly string[], ctx: RequestContext): Promise<Array<OrganizationModel | null | Error>> {
    try {
      const id = await organizationId(ctx);
      return nativeIds.map((n) => (id !== null && n === id ? toOrganizationModel(ref, id) : null));
    } catch (e) {
      return nativeIds.map(() => asError(e));
    }
  }

  async function lookupSchedules(nativeIds: readonly string[], ctx: RequestContext): Promise<Array<ScheduleModel | null | Error>> {
    return mapLimit(nativeIds, FAN_OUT, async (id) => {
      const pair = parsePairNativeId(id);
      if (!pair) return null;
      try {
        const attachments = await attachmentsOf(pair.dataSourceId, ctx);
        const a = attachments?.find((x) => x.backupPolicy.id.toLowerCase() === pair.childId.toLowerCase());
        return a ? toScheduleModel(ref, pair.dataSourceId, a, await policyOf(a, ctx)) : null;
      } catch (e) {
        return asError(e);
      }
    });
  }

  // ---- actions -----------------------------------------------------------------------------

  /**
   * Forgets this provider's reads memoized in the request (the client's GET dedupe, lookups, the
   * policy list): after a change they may be stale, so later reads of the request go upstream again.
   */
  function forgetReads(ctx: RequestContext): void {
    // The client forgets its own GET dedupe on every send; this adapter forgets its session's reads.
    const session = sessionOf(ctx);
    session.reads.clear();
    session.backupJobs.clearAll();
    reference.clear();
  }

  /**
   * A read after a change went through: its failure must not turn the (already made) change into an
   * error the caller would retry, so it answers null instead.
   */
  async function readBack<T>(fn: () => Promise<T | null | Error>): Promise<T | null> {
    try {
      const v = await fn();
      return v instanceof Error ? null : v;
    } catch {
      return null;
    }
  }

  /** The data source and job of a backup native id; BAD_USER_INPUT when it names no Norcube backup. */
  function backupPair(backupNativeId: string): { dataSourceId: string; childId: string } {
    const pair = parsePairNativeId(backupNativeId);
    if (!pair) throw badUserInput('input.backupId is not a Norcube backup', 'input.backupId');
    return pair;
  }

  const restoreUnsupported = () =>
    new GatewayError('UNSUPPORTED_BY_PROVIDER', `restore is not supported by provider "${ref.id}"`, { provider: ref.id });

  /** The schedule of an attachment just changed (read with the request's memo already forgotten). */
  async function scheduleAfterChange(dataSourceId: string, policyId: string, ctx: RequestContext): Promise<ScheduleModel> {
    const [schedule] = await lookupSchedules([scheduleNativeId(dataSourceId, policyId)], ctx);
    if (schedule instanceof Error) throw schedule;
    if (!schedule) throw new ProviderResponseError(ref.id, ctx.requestId, 'the policy attachment is not listed after the change');
    return schedule;
  }

  /** One policy of the org by id, paging `/backup-policies` (newest first) until it is seen; null when absent. */
  async function findPolicy(policyId: string, ctx: RequestContext): Promise<NorcubeBackupPolicyDto | null> {
    const wanted = policyId.toLowerCase();
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page = await client.listBackupPolicies({ cursor, limit: NORCUBE_MAX_PAGE_SIZE }, ctx);
      const hit = page.items.find((p) => p.id.toLowerCase() === wanted);
      if (hit) return hit;
      if (!page.next) break;
      cursor = page.next;
    }
    return null;
  }

  const actions: ProviderActions = {
    async triggerBackup(input, ctx) {
      // backupType, name, description, incremental and force have no Norcube counterpart: run-now takes a policy only.
      const res = await client.runBackupNow(input.resourceNativeId, input.policyId ? { policyId: input.policyId } : {}, ctx);
      forgetReads(ctx);
      const nativeId = jobNativeId(input.resourceNativeId, res.jobId);
      const job = await readBack(async () => (await lookupJobs([nativeId], ctx))[0]);
      return { job, backup: null, progress: { kind: 'job', nativeId } };
    },

    async restoreBackup(input, ctx) {
      const pair = backupPair(input.backupNativeId);
      if (input.pointInTime !== undefined) {
        throw new GatewayError('UNSUPPORTED_BY_PROVIDER', `point-in-time restore is not supported by provider "${ref.id}"`, { provider: ref.id });
      }
      if (input.targetType === 'other' && !input.targetResourceNativeId) {
        throw badUserInput('input.targetResourceId is required when input.target is OTHER', 'input.targetResourceId');
      }
      const mode = input.mode ?? 'new_database';
      let targetDatabase = input.targetDatabase;
      if (mode === 'new_database' && !targetDatabase) {
        // The spec needs the database to create: `<data source>_restore_<job>`, named from the backup when it can be read.
        const [job] = await findBackupJobs([input.backupNativeId], ctx).catch(() => [null]);
        targetDatabase = defaultRestoreDatabase(job instanceof Error ? null : job?.datasourceName, pair.childId);
      }
      const body: NorcubeRestoreCreateRequestDto = {
        dataSourceId: input.targetType === 'other' ? input.targetResourceNativeId! : pair.dataSourceId,
        sourceBackupId: pair.childId,
        mode,
        ...(targetDatabase ? { targetDatabase } : {}),
        ...(input.targetUri ? { targetUri: input.targetUri } : {}),
        ...(input.confirmOverwrite !== undefined ? { confirmOverwrite: input.confirmOverwrite } : {}),
      };
      let created;
      try {
        created = await client.createRestore(body, ctx);
      } catch (e) {
        if (isNorcubeNotImplemented(e)) throw restoreUnsupported();
        throw e;
      }
      forgetReads(ctx);
      const nativeId = restoreNativeId(created.id);
      const [job, backup] = await Promise.all([
        readBack(async () => (await lookupJobs([nativeId], ctx))[0]),
        readBack(async () => (await lookupBackups([input.backupNativeId], ctx))[0]),
      ]);
      return { job, backup, progress: { kind: 'job', nativeId } };
    },

    async deleteBackup(backupNativeId, ctx) {
      const pair = backupPair(backupNativeId);
      await client.deleteBackup(pair.dataSourceId, pair.childId, ctx);
      forgetReads(ctx);
      // The file as it is now: EXPIRED while the job is still listed, null once the job is gone.
      return readBack(async () => (await lookupBackups([backupNativeId], ctx))[0]);
    },

    async attachPolicy(dataSourceId, policyId, enabled, ctx) {
      await client.attachPolicy(dataSourceId, { policyId, enabled }, ctx);
      forgetReads(ctx);
      return scheduleAfterChange(dataSourceId, policyId, ctx);
    },

    async detachPolicy(dataSourceId, policyId, ctx) {
      await client.detachPolicy(dataSourceId, policyId, ctx);
      forgetReads(ctx);
    },

    async setPolicyEnabled(dataSourceId, policyId, enabled, ctx) {
      await client.updatePolicyAttachment(dataSourceId, policyId, { enabled }, ctx);
      forgetReads(ctx);
      return scheduleAfterChange(dataSourceId, policyId, ctx);
    },

    async createPolicy(input, ctx) {
      const { name, scheduleCron } = input;
      if (!name) throw badUserInput('input.name is required', 'input.name');
      if (!scheduleCron) throw badUserInput('input.scheduleCron is required', 'input.scheduleCron');
      const destinationId = input.destinationId ?? defaultDestinationId(await client.listStorageDestinations(ctx));
      if (!destinationId) {
        throw badUserInput(`input.destinationId is required: provider "${ref.id}" has no storage destination`, 'input.destinationId');
      }
      const body = toPolicyCreateRequest({ ...input, name, scheduleCron }, destinationId);
      const { id } = await client.createPolicy(body, ctx);
      forgetReads(ctx);
      const policy = await readBack(() => findPolicy(id, ctx));
      return toPolicyModel(ref, policy ?? { id, organizationId: '', ...body } as NorcubeBackupPolicyDto);
    },

    async updatePolicy(policyId, input, ctx) {
      if (input.destinationId !== undefined) {
        throw badUserInput('a Norcube policy keeps its storage destination; create another policy to write elsewhere', 'input.destinationId');
      }
      await client.updatePolicy(policyId, toPolicyUpdateRequest(input), ctx);
      forgetReads(ctx);
      const policy = await findPolicy(policyId, ctx);
      if (!policy) throw new GatewayError('NOT_FOUND', `no policy "${policyId}" at provider "${ref.id}"`, { provider: ref.id, requestId: ctx.requestId });
      return toPolicyModel(ref, policy);
    },

    async verifyBackup(backupNativeId, ctx) {
      const pair = backupPair(backupNativeId);
      const res = await client.verifyBackup(pair.dataSourceId, pair.childId, ctx);
      forgetReads(ctx);
      const restoreJobId = typeof res.restoreJobId === 'string' && res.restoreJobId !== '' ? res.restoreJobId : null;
      return { accepted: true, message: restoreJobId ? `restore test ${restoreJobId} queued` : 'restore test queued' };
    },

    async createDownloadLink(backupNativeId, ctx) {
      const pair = backupPair(backupNativeId);
      const res = await client.createDownloadLink(pair.dataSourceId, pair.childId, ctx);
      const link = toDownloadLink(res);
      if ('refused' in link) {
        // HTTP 200 with ok:false is the service's domain refusal, not a link.
        throw new GatewayError(link.refused === 'not_found' ? 'NOT_FOUND' : 'UPSTREAM_ERROR',
          `provider "${ref.id}" refused the download link: ${link.refused}`, { provider: ref.id, requestId: ctx.requestId });
      }
      return link;
    },
  };

  // ---- progress (polled) -------------------------------------------------------------------

  async function snapshot(op: ProgressOperation, nativeId: string, ctx: RequestContext): Promise<ProgressUpdate | null> {
    const restoreId = parseRestoreNativeId(nativeId);
    if (restoreId !== null) {
      if (op !== 'restore') return null;
      const r = await lookupRestore(restoreId, ctx);
      return r && restoreUpdate(r, clock.now());
    }
    const pair = parsePairNativeId(nativeId);
    if (!pair) return null;
    if (op === 'backup') {
      const [job] = await findBackupJobs([nativeId], ctx);
      if (job instanceof Error) throw job;
      return job && backupUpdate(job, clock.now());
    }
    // The newest restore of that backup file.
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      let page;
      try {
        page = await restoresOf(pair.dataSourceId, cursor, NORCUBE_MAX_PAGE_SIZE, ctx);
      } catch (e) {
        if (e instanceof RestoresUnsupported) throw restoreUnsupported();
        throw e;
      }
      const hit = page.items.find((r) => r.sourceBackupId?.toLowerCase() === pair.childId.toLowerCase());
      if (hit) return restoreUpdate(hit, clock.now());
      if (!page.next) return null;
      cursor = page.next;
    }
    return null;
  }

  // ---- the adapter -------------------------------------------------------------------------

  const adapter: ProviderAdapter = {
    ref,
    lists: {
      organization: listOrganizations,
      resource: listResources,
      backup: listBackups,
      job: listJobs,
      schedule: listSchedules,
    },
    lookups: {
      organization: lookupOrganizations,
      resource: lookupResources,
      backup: lookupBackups,
      job: lookupJobs,
      schedule: lookupSchedules,
    },
    progress: { snapshot },
    actions,
    protection: createNorcubeProtection(client),
    // A probe asks upstream every time, never the reference cache.
    health: createHealthProbe((ctx) => upstreamClient.listDataSources({ cursor: null, limit: 1 }, ctx), upstreamGuard),
    upstreamState: () => upstreamGuard.state(),
    close: () => upstreamClient.close(),
  };
  return adapter;
};

// ---- progress updates --------------------------------------------------------------------

const latest = (...ts: Array<string | null | undefined>) => ts.filter((t): t is string => !!t && !Number.isNaN(Date.parse(t))).sort((a, b) => Date.parse(b) - Date.parse(a))[0];

/** A job's state as a progress update, stamped `nowMs` when the record says no readable time. */
function update(raw: string, bytesDone: number | null, error: string | null, at: string | undefined, nowMs: number): ProgressUpdate {
  const status = norcubeJobStatus.map(raw);
  const done = TERMINAL_JOB_STATUSES.has(status);
  return {
    status,
    providerStatus: raw,
    percent: status === 'QUEUED' ? 0 : done && (status === 'SUCCEEDED' || status === 'PARTIAL') ? 100 : null,
    phase: raw,
    message: error,
    bytesDone,
    bytesTotal: null,
    at: new Date(at ? Date.parse(at) : nowMs).toISOString(),
    done,
    error: status === 'FAILED' || status === 'PARTIAL' ? error : null,
  };
}

function backupUpdate(j: NorcubeBackupJobDto, nowMs: number): ProgressUpdate {
  return update(j.jobStatus, j.jobBytesWritten ?? null, j.jobErrorSummary ?? null, latest(j.jobFinishedAt, j.jobStartedAt, j.jobCreatedAt), nowMs);
}

function restoreUpdate(r: NorcubeRestoreJobDto, nowMs: number): ProgressUpdate {
  return update(r.status, r.bytesRestored ?? r.bytesRead ?? null, r.errorSummary ?? null, latest(r.finishedAt, r.startedAt, r.createdAt), nowMs);
}

// ---- resume tokens and the data source walk ----------------------------------------------

/** A position in the walk over data sources: which data source page, which data source in it, and where in its sub-list. */
interface WalkPosition {
  /** `cursors.next` of the data source page holding the data source; null for the first page. */
  cursor: string | null;
  /** The data source; null = the first of the page. */
  dataSourceId: string | null;
  /** Its index in the page, used when it has gone since. */
  index: number;
  /** Where its sub-list resumes; null = its start. */
  sub: string | null;
}

const WALK_START: WalkPosition = { cursor: null, dataSourceId: null, index: 0, sub: null };

function encodeWalk(p: WalkPosition): string {
  return Buffer.from(JSON.stringify([p.cursor, p.dataSourceId, p.index, p.sub]), 'utf8').toString('base64url');
}

function decodeWalk(token: string): WalkPosition {
  const fail = () => badUserInput('malformed cursor', 'after');
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw fail();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  const strOrNull = (x: unknown) => x === null || (typeof x === 'string' && x.length > 0);
  if (!Array.isArray(v) || v.length !== 4 || !strOrNull(v[0]) || !strOrNull(v[1]) || !Number.isSafeInteger(v[2]) || v[2] < 0 || !strOrNull(v[3])) throw fail();
  return { cursor: v[0], dataSourceId: v[1], index: v[2], sub: v[3] };
}

/** One page of a data source's sub-list. */
interface SubPage<T> {
  items: T[];
  next: string | null;
}
type SubList<T> = (dataSourceId: string, sub: string | null, limit: number) => Promise<SubPage<T>>;

/**
 * Lists `sub` of data source after data source (a few in parallel), from `start`, returning at
 * most `limit` items and the exact position after the last one. A data source whose page would
 * overflow the page is left for the next call; a page is never empty while more may follow; the
 * walk crosses into the next data source page only while it has found nothing.
 */
async function walkDataSources<T>(
  start: WalkPosition,
  limit: number,
  sub: SubList<T>,
  dataSources: (cursor: string | null) => Promise<{ ids: string[]; next: string | null }>,
): Promise<{ items: T[]; next: WalkPosition | null }> {
  const out: T[] = [];
  let remaining = Math.max(1, Math.min(limit, NORCUBE_MAX_PAGE_SIZE));
  let pos = start;
  for (;;) {
    const page = await dataSources(pos.cursor);
    const { ids } = page;
    let first = pos.dataSourceId === null ? 0 : ids.findIndex((id) => id.toLowerCase() === pos.dataSourceId!.toLowerCase());
    const found = first >= 0;
    if (!found) first = Math.min(pos.index, ids.length);
    const at = (i: number, s: string | null): WalkPosition => ({ cursor: pos.cursor, dataSourceId: ids[i], index: i, sub: s });
    const after = (i: number): WalkPosition | null =>
      i + 1 < ids.length ? at(i + 1, null) : page.next ? { cursor: page.next, dataSourceId: null, index: 0, sub: null } : null;
    for (let b = first; b < ids.length; b += FAN_OUT) {
      const batch = ids.slice(b, b + FAN_OUT);
      const want = remaining;
      const subOf = (i: number) => (i === first && found ? pos.sub : null);
      const results = await Promise.all(batch.map((id, k) => sub(id, subOf(b + k), want)));
      for (let k = 0; k < batch.length; k++) {
        const i = b + k;
        const r = results[k];
        if (r.items.length > remaining) return { items: out, next: at(i, subOf(i)) };
        out.push(...r.items);
        remaining -= r.items.length;
        if (r.next !== null) return { items: out, next: at(i, r.next) };
        if (remaining === 0) return { items: out, next: after(i) };
      }
    }
    if (page.next === null) return { items: out, next: null };
    pos = { cursor: page.next, dataSourceId: null, index: 0, sub: null };
    if (out.length > 0) return { items: out, next: pos };
  }
}

/** Thrown inside a restore walk when the deployment answers 501 on restore routes. */
class RestoresUnsupported extends Error {
  constructor() {
    super('restores are not implemented by this deployment');
    this.name = 'RestoresUnsupported';
  }
}

// ---- small utilities ---------------------------------------------------------------------

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Maps with at most `limit` calls in flight; results in input order. */

/** The Norcube Backup provider kind: its adapter factory, credential key and SDL, for the registry. */
export const norcubeProvider: ProviderKindEntry = {
  createAdapter: createNorcubeAdapter, secretKey: 'token', displayName: 'Norcube Backup', typeDefs: new URL('./schema.graphql', import.meta.url),
};
