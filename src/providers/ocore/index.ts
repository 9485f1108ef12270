/**
 * The oCore adapter: environments (Resources) of every project, backups, backup runs and restores
 * (Jobs), alerts and schedules, read through the oCore API, paged with oCore's `limit` + `offset`.
 *
 * Backups and jobs are newest first: each is several upstream lists, each newest first (backups:
 * one per project, or the environment's under a resource filter; jobs: those backups as runs,
 * plus the restore logs of each environment), merged by creation time (`mergedPage`); the resume
 * token holds every list's offset, keyed `p<projectIndex>`, `e` (the filtered environment) and
 * `r<environmentIndex>`. Restore logs cannot be filtered upstream: each environment's are read
 * whole once per request (one call per environment) and filtered here; a BACKUP-only job filter
 * reads none.
 *
 * Other resume tokens (before encoding), `<list>:<phase>:<segment>:<offset>`:
 * - resource `resource:0:<projectIndex>:<offset>` (environments of each project in turn), or
 *   `resname:0:0:<offset>` ordered by name (every environment read once per request, sorted here);
 * - alert `alert:0:0:<offset>` (in memory: the API has no offset, so the first 100 alerts are read
 *   once per request, put newest first and paged here); schedule `schedule:0:<environmentIndex>:0`.
 * Indexes refer to the provider's own project / environment order.
 *
 * Backups, runs and alerts name their environment from the record (`environmentName`); backup
 * lists filtered in memory read full pages, and under `since` end one queue grace
 * ({@link OCORE_QUEUE_GRACE_MS}) past it; projects, environments and schedules are reference data
 * (kept across requests for `referenceTtlMs`, forgotten after our own changes).
 */
import { systemClock } from '../../domain/clock.ts';
import { badUserInput } from '../../domain/errors.ts';
import { matchesFilter } from '../../domain/filter.ts';
import { decodeSegmentToken, memorySegment, mergedPage, type Segment } from '../../domain/merge.ts';
import { DEFAULT_ORDERS, compareIn, orderingOf } from '../../domain/merge-order.ts';
import type { AlertModel, BackupModel, JobModel, ResourceModel, ScheduleModel } from '../../domain/models.ts';
import { ProviderHttpError, isNotFound, nullIfNotFound, lookupEntry } from '../../upstream/errors.ts';
import type {
  ListFilter, Page, PageRequest, ProviderAdapter, ProviderAdapterFactory, ProviderLookups, ProviderKindEntry } from '../contract/index.ts';
import { createHealthProbe, orderKeysOf, orderedBy, withResourceRef } from '../contract/index.ts';
import { PromiseMemo, perRequest, type RequestContext } from '../../upstream/request-context.ts';
import { OCORE_MAX_PAGE_SIZE, createOcoreClient, type OcoreOffsetPage } from './client.ts';
import {
  OCORE_ORGANIZATION_ID, OCORE_TYPENAMES, ocoreBackupStatus, ocoreJobStatus, parseJobNativeId, restoreEnvironmentId,
  toAlertModel, toBackupModel, toBackupType, toBackupRunModel, toEnvironmentModel, toOperationStepModels, toOrganizationModel,
  toPitrCoverageModel, toRestoreModel, toScheduleModel, toProgressUpdate,
} from './mapper.ts';
import type { OcoreBackupDto, OcoreEnvironmentDto, OcoreProjectDto, OcoreRestoreLogDto } from './wire.ts';
import { mapLimit } from '../../upstream/map-limit.ts';
import { createUpstreamGuard } from '../../upstream/guard.ts';
import { createReferenceCache } from '../../upstream/reference-cache.ts';
import { createOcoreProtection } from './protection.ts';

/** How many upstream calls a lookup or a schedule scan runs at once. */
const CONCURRENCY = 8;
/** Pages of one environment list or restore-log list read at most when reading it whole. */
const MAX_WHOLE_LIST_PAGES = 200;
/**
 * How long before it starts a backup can have been created. Backup lists are newest first by
 * creation and take no time filter, while a backup's (and a run's) time is its start: a list under
 * `filter.since` ends at the first page whose last backup was created this long before `since`,
 * instead of reading the whole history. oCore starts a backup within minutes of creating it; one
 * created longer than this before starting would be missed.
 */
export const OCORE_QUEUE_GRACE_MS = 60 * 60_000;


// ---- resume tokens -------------------------------------------------------------------------

/** Where a list resumes: phase (e.g. backup runs, then restores), upstream list, offset in it. */
interface Position {
  phase: number;
  seg: number;
  offset: number;
}

const START: Position = { phase: 0, seg: 0, offset: 0 };
const TOKEN = /^([a-z]+):(\d{1,9}):(\d{1,9}):(\d{1,9})$/;

function encodeToken(list: string, p: Position): string {
  return Buffer.from(`${list}:${p.phase}:${p.seg}:${p.offset}`, 'utf8').toString('base64url');
}

/** Decodes a resume token of `list`; null token = the start; anything else is BAD_USER_INPUT. */
function decodeToken(raw: string | null, list: string, phases: number): Position {
  if (raw === null) return START;
  const m = /^[A-Za-z0-9_-]{1,64}$/.test(raw) ? TOKEN.exec(Buffer.from(raw, 'base64url').toString('utf8')) : null;
  if (!m || m[1] !== list || Number(m[2]) >= phases) throw badUserInput('malformed cursor', 'after');
  return { phase: Number(m[2]), seg: Number(m[3]), offset: Number(m[4]) };
}

// ---- paging over a sequence of offset-paged upstream lists -----------------------------------

/** What one read of an upstream list gave: items kept (mapped), how many it read, its total, whether nothing after it can match. */
interface Chunk<T> {
  items: T[];
  read: number;
  total: number | null;
  /** True when the list need not be read further (a `since` filter is past; see OCORE_QUEUE_GRACE_MS). */
  ended?: boolean;
}

/** Reads one page of one upstream list at `offset`, asking for `limit` records. */
type OffsetList<T> = (offset: number, limit: number) => Promise<Chunk<T>>;

/** The upstream lists of one phase, resolved when the phase is reached. */
type Phase<T> = () => Promise<OffsetList<T>[]>;

/**
 * An offset-paged upstream list as a segment of a merged list (`next` is the offset after the
 * records read). `fullPages`: the gateway filters this list in memory, so every read asks a full
 * page (the merge takes what it needs and resumes inside it).
 */
function offsetSegment<T>(key: string, read: OffsetList<T>, fullPages = false): Segment<T> {
  return {
    key,
    list: async (req) => {
      const offset = offsetOf(req.after);
      const want = fullPages ? OCORE_MAX_PAGE_SIZE : Math.max(1, Math.min(OCORE_MAX_PAGE_SIZE, Math.floor(req.limit)));
      const chunk = await read(offset, want);
      const exhausted = chunk.ended === true || chunk.read < want || (chunk.total !== null && offset + chunk.read >= chunk.total);
      return { items: chunk.items, next: exhausted ? null : String(offset + chunk.read), total: chunk.total };
    },
  };
}

/** A segment's position: an offset (anything else in a token was not issued by us). */
function offsetOf(after: string | null): number {
  if (after === null) return 0;
  if (!/^\d{1,9}$/.test(after)) throw badUserInput('malformed cursor', 'after');
  return Number(after);
}

/** Backups and jobs: newest first by creation, the same comparison the gateway merges with. */
const NEWEST_FIRST = orderingOf(DEFAULT_ORDERS.backup!);
/** Orders the environment list can be sorted in (it is read whole for them, so any order is exact). */
const RESOURCE_SORTS = { NAME_ASC: compareIn({ field: 'NAME', direction: 'ASC' }), NAME_DESC: compareIn({ field: 'NAME', direction: 'DESC' }) };
/** Alerts arrive whole (the first 100): put newest first here, whatever order upstream used. */
const alertsNewestFirst = compareIn(DEFAULT_ORDERS.alert!);

/**
 * Reads one logical page from `from`: the first upstream page with kept items, skipping exhausted
 * and empty lists (an empty page would tell the gateway the list ended). `next` resumes right after
 * the last upstream record read; `total` is the upstream total when the whole list is a single
 * upstream list (the caller decides whether every filter was pushed down).
 */
async function readPage<T>(phases: Phase<T>[], from: Position, limit: number): Promise<{ items: T[]; next: Position | null; total: number | null }> {
  const want = Math.max(1, Math.min(OCORE_MAX_PAGE_SIZE, Math.floor(limit)));
  let pos: Position | null = from;
  let total: number | null = null;
  while (pos !== null && pos.phase < phases.length) {
    const segments = await phases[pos.phase]();
    const single = phases.length === 1 && segments.length === 1;
    if (pos.seg >= segments.length) {
      pos = pos.phase + 1 < phases.length ? { phase: pos.phase + 1, seg: 0, offset: 0 } : null;
      continue;
    }
    const chunk = await segments[pos.seg](pos.offset, want);
    if (single) total = chunk.total;
    const exhausted = chunk.read < want || (chunk.total !== null && pos.offset + chunk.read >= chunk.total);
    let after: Position | null = { ...pos, offset: pos.offset + chunk.read };
    if (exhausted) {
      if (pos.seg + 1 < segments.length) after = { phase: pos.phase, seg: pos.seg + 1, offset: 0 };
      else if (pos.phase + 1 < phases.length) after = { phase: pos.phase + 1, seg: 0, offset: 0 };
      else after = null;
    }
    if (chunk.items.length > 0) return { items: chunk.items, next: after, total };
    pos = after;
  }
  return { items: [], next: null, total };
}

/** Wraps `readPage` into the adapter's page contract. */
async function listPage<T>(list: string, phases: Phase<T>[], from: Position, limit: number, exactTotal: boolean): Promise<Page<T>> {
  const r = await readPage(phases, from, limit);
  return { items: r.items, next: r.next ? encodeToken(list, r.next) : null, total: exactTotal ? r.total : null };
}

// ---- filters -------------------------------------------------------------------------------

/** How a normalized status filter goes upstream: not at all, as one raw value, or "nothing can match". */
type StatusPush = { kind: 'all' } | { kind: 'one'; raw: string } | { kind: 'none' } | { kind: 'memory' };

/**
 * oCore filters by one raw status only. A filter whose statuses all come from one raw value is
 * pushed down; one no raw value maps to matches nothing; UNKNOWN (any value outside the table) or
 * several raw values stay in memory.
 */
function statusPush<S extends string>(mapper: { rawFor(wanted: readonly S[]): string[] }, status: ListFilter['status']): StatusPush {
  if (!status || status.length === 0) return { kind: 'all' };
  if (status.includes('UNKNOWN')) return { kind: 'memory' };
  const raw = mapper.rawFor(status as readonly S[]);
  if (raw.length === 0) return { kind: 'none' };
  return raw.length === 1 ? { kind: 'one', raw: raw[0] } : { kind: 'memory' };
}

/** True when the filter names another organization than the token's: nothing can match. */
const otherOrganization = (f: ListFilter) => f.organizationId !== undefined && f.organizationId !== OCORE_ORGANIZATION_ID;
const hasTimeRange = (f: ListFilter) => f.since !== undefined || f.until !== undefined;
/** Whether the last of `backups` was created so long before `since` that no later one can match it. */
const pastSince = (backups: readonly OcoreBackupDto[], since: Date | undefined) => {
  const created = backups.at(-1)?.createdAt;
  return since !== undefined && typeof created === 'string' && Date.parse(created) < since.getTime() - OCORE_QUEUE_GRACE_MS;
};
const EMPTY: Page<never> = { items: [], next: null, total: 0 };

// ---- helpers -------------------------------------------------------------------------------

/** Maps with at most `cap` calls in flight, keeping order; rejects with the first failure. */

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
const emptyOn404 = <T>(e: unknown): Chunk<T> => {
  if (isNotFound(e)) return { items: [], read: 0, total: 0 };
  throw e;
};

/** An environment with the project it belongs to. */
interface EnvironmentEntry {
  project: OcoreProjectDto;
  env: OcoreEnvironmentDto;
}

// ---- the adapter ---------------------------------------------------------------------------

/** Builds the adapter of one oCore instance. The secret is only ever sent as the bearer token. */
export const createOcoreAdapter: ProviderAdapterFactory = (options) => {
  const { ref } = options;
  // One breaker, retry budget and bulkhead for this instance; the health probe reads its state.
  const upstreamGuard = createUpstreamGuard(ref.id, options.upstream);
  const clock = options.upstream?.clock ?? systemClock;
  const upstreamClient = createOcoreClient({
    provider: ref,
    baseUrl: options.baseUrl,
    token: options.secret,
    settings: { ...options.upstream, guard: upstreamGuard },
    observer: options.onUpstreamCall,
  });
  // Projects, environments and schedules are reference data: served across requests for
  // `referenceTtlMs` by what was asked (project, offset, limit; environment), and forgotten after
  // any change made through this adapter (forgetReads, upsertSchedule).
  const reference = options.referenceCache ?? createReferenceCache({ ttlMs: options.referenceTtlMs, staleMs: options.referenceStaleMs, clock: options.upstream?.clock });
  const client: typeof upstreamClient = {
    ...upstreamClient,
    listProjects: (ctx) => reference.read('projects', () => upstreamClient.listProjects(ctx)),
    listEnvironments: (projectId, req, ctx) =>
      reference.read(`environments:${projectId}:${req.offset}:${req.limit}`, () => upstreamClient.listEnvironments(projectId, req, ctx)),
    getBackupSchedule: (envId, ctx) => reference.read(`schedule:${envId}`, () => upstreamClient.getBackupSchedule(envId, ctx)),
  };
  /** Backups, runs and alerts, each naming its environment as its record does (`resource { name }` needs no lookup). */
  const named = <T extends BackupModel | JobModel | AlertModel>(m: T, environmentName: unknown): T => withResourceRef(m, OCORE_TYPENAMES.resource, environmentName);
  const backupModel = (b: OcoreBackupDto) => named(toBackupModel(ref, b), b.environmentName);
  const runModel = (b: OcoreBackupDto) => named(toBackupRunModel(ref, b), b.environmentName);

  /** This adapter's state of one request: reads memoized once (projects, environments). */
  const sessionOf = perRequest(() => ({ reads: new PromiseMemo() }));
  const memo = <T>(ctx: RequestContext, key: string, fn: () => Promise<T>): Promise<T> => sessionOf(ctx).reads.get(key, fn);
  /** After a change: this request's later reads go upstream again (the client forgets its GETs itself). */
  const forgetReads = (ctx: RequestContext) => {
    sessionOf(ctx).reads.clear();
    reference.clear();
  };

  const projects = (ctx: RequestContext) => memo(ctx, 'projects', () => client.listProjects(ctx));

  /** Reads a whole offset-paged list, 100 at a time. */
  async function readWhole<T>(read: (offset: number, limit: number) => Promise<OcoreOffsetPage<T>>): Promise<T[]> {
    const out: T[] = [];
    for (let n = 0; n < MAX_WHOLE_LIST_PAGES; n++) {
      const p = await read(out.length, OCORE_MAX_PAGE_SIZE);
      out.push(...p.items);
      if (p.items.length < OCORE_MAX_PAGE_SIZE || (p.total !== null && out.length >= p.total)) break;
    }
    return out;
  }

  /** Every environment of every project, in project order then the provider's order. */
  const environments = (ctx: RequestContext): Promise<EnvironmentEntry[]> =>
    memo(ctx, 'environments', async () => {
      const all = await projects(ctx);
      // Errors propagate: a partial environment list would make lookups answer null for real ids.
      const perProject = await mapLimit(all, CONCURRENCY, async (project) => {
        const envs = await readWhole((offset, limit) => client.listEnvironments(project.id, { offset, limit }, ctx));
        return envs.map((env) => ({ project, env }));
      });
      return perProject.flat();
    });

  /** Every restore log listed under an environment. */
  const restoreLogs = (envId: string, ctx: RequestContext): Promise<OcoreRestoreLogDto[]> =>
    memo(ctx, `restore-logs:${envId}`, () => readWhole((offset, limit) => client.listRestoreLogs(envId, { offset, limit }, ctx)));

  /** The first 100 alerts (the API has no offset), as models, and whether that is all of them. */
  const alerts = (includeDismissed: boolean, ctx: RequestContext) =>
    memo(ctx, `alerts:${includeDismissed}`, async () => {
      const p = await client.listAlerts({ includeDismissed, limit: OCORE_MAX_PAGE_SIZE }, ctx);
      return { models: p.items.map((a) => named(toAlertModel(ref, a), a.environmentName)), complete: p.total === null ? p.items.length < OCORE_MAX_PAGE_SIZE : p.items.length >= p.total };
    });

  /**
   * The backup stream's segments: one upstream list per project (`p<index>`), or the environment's
   * (`e`) under a resource filter, each newest first, with a single raw status pushed down. Their
   * totals are exact when `exact` (every filter went upstream), else null.
   */
  async function backupSegments<T extends BackupModel | JobModel>(filter: ListFilter, status: StatusPush, exact: boolean, map: (b: OcoreBackupDto) => T, ctx: RequestContext): Promise<Segment<T>[]> {
    if (status.kind === 'none') return [];
    const raw = status.kind === 'one' ? status.raw : undefined;
    const chunkOf = (p: OcoreOffsetPage<OcoreBackupDto>): Chunk<T> => ({ items: p.items.map(map), read: p.items.length, total: exact ? p.total : null, ended: pastSince(p.items, filter.since) });
    // Anything filtered in memory: full pages from the first read.
    const fullPages = !exact;
    if (filter.resourceId !== undefined) {
      const envId = filter.resourceId;
      return [offsetSegment('e', (offset, limit) => client.listEnvironmentBackups(envId, { offset, limit, status: raw }, ctx).then(chunkOf, emptyOn404<T>), fullPages)];
    }
    return (await projects(ctx)).map((project, i) =>
      offsetSegment(`p${i}`, (offset, limit) => client.listProjectBackups(project.id, { offset, limit, status: raw }, ctx).then(chunkOf, emptyOn404<T>), fullPages));
  }

  /**
   * The restore segments (`r<index>`): each environment's restore logs (or the filtered one's),
   * read whole once per request, each restore kept under its own (target) environment only, with
   * every filter applied here (so their totals are exact), newest first.
   */
  async function restoreSegments(filter: ListFilter, ctx: RequestContext): Promise<Segment<JobModel>[]> {
    const ids = filter.resourceId !== undefined ? [filter.resourceId] : (await environments(ctx)).map((e) => e.env.id);
    return ids.map((envId, i) => memorySegment(`r${i}`, async () => {
      const logs = await restoreLogs(envId, ctx).catch((e) => (isNotFound(e) ? [] : Promise.reject(e)));
      return logs
        .filter((log) => restoreEnvironmentId(log, envId) === envId)
        .map((log) => toRestoreModel(ref, log, envId))
        .filter((m) => matchesFilter(m, filter))
        .sort(compareIn(DEFAULT_ORDERS.job!));
    }));
  }

  /**
   * Schedules of environments from index `from`, up to `limit`: reads as many environments at once
   * as schedules are still wanted, at most 8 (an environment without a schedule answers 404).
   */
  async function schedulePage(envIds: readonly string[], from: number, limit: number, ctx: RequestContext): Promise<{ items: ScheduleModel[]; next: number | null }> {
    const items: ScheduleModel[] = [];
    for (let i = from; i < envIds.length;) {
      const batch = envIds.slice(i, i + Math.min(CONCURRENCY, limit - items.length));
      const found = await Promise.all(batch.map((id) => client.getBackupSchedule(id, ctx)));
      for (let j = 0; j < batch.length; j++) {
        const s = found[j];
        if (!s) continue;
        items.push(toScheduleModel(ref, batch[j], s));
        if (items.length >= limit) return { items, next: i + j + 1 < envIds.length ? i + j + 1 : null };
      }
      i += batch.length;
    }
    return { items, next: null };
  }

  /** Batch lookups by native id; actions read their own writes back through these too. */
  const lookups: ProviderLookups = {
    async organization(ids) {
      return ids.map((id) => (id === OCORE_ORGANIZATION_ID ? toOrganizationModel(ref) : null));
    },

    async resource(ids, ctx) {
      let all: EnvironmentEntry[];
      try {
        all = await environments(ctx);
      } catch (e) {
        return ids.map(() => asError(e));
      }
      const byId = new Map(all.map((e) => [e.env.id, e]));
      return ids.map((id) => {
        const e = byId.get(id);
        return e ? toEnvironmentModel(ref, e.project, e.env) : null;
      });
    },

    async backup(ids, ctx) {
      return mapLimit(ids, CONCURRENCY, async (id) => {
        return lookupEntry(async () => backupModel(await client.getBackup(id, ctx)));
      });
    },

    async job(ids, ctx) {
      return mapLimit(ids, CONCURRENCY, async (id): Promise<JobModel | null | Error> => {
        const parsed = parseJobNativeId(id);
        if (!parsed) return null;
        try {
          if (parsed.kind === 'backup') return runModel(await client.getBackup(parsed.backupId, ctx));
          const log = (await restoreLogs(parsed.environmentId, ctx)).find((l) => l.id === parsed.restoreLogId);
          // Only the environment the restore is listed under (its target) names it.
          if (!log || restoreEnvironmentId(log, parsed.environmentId) !== parsed.environmentId) return null;
          return toRestoreModel(ref, log, parsed.environmentId);
        } catch (e) {
          return isNotFound(e) ? null : asError(e);
        }
      });
    },

    async alert(ids, ctx) {
      let all: AlertModel[];
      try {
        all = (await alerts(true, ctx)).models;
      } catch (e) {
        return ids.map(() => asError(e));
      }
      const byId = new Map(all.map((a) => [a.nativeId, a]));
      return ids.map((id) => byId.get(id) ?? null);
    },

    async schedule(ids, ctx) {
      return mapLimit(ids, CONCURRENCY, async (id) => {
        return lookupEntry(async () => {
          const s = await client.getBackupSchedule(id, ctx);
          return s ? toScheduleModel(ref, id, s) : null;
        });
      });
    },
  };

  const adapter: ProviderAdapter = {
    ref,

    lists: {
      async organization(req) {
        if (req.after !== null) throw badUserInput('malformed cursor', 'after');
        if (otherOrganization(req.filter)) return EMPTY;
        return { items: [toOrganizationModel(ref)], next: null, total: 1 };
      },

      async resource(req, ctx) {
        const sort = orderedBy(RESOURCE_SORTS, 'resource', req.order);
        if (sort) return sortedEnvironments(req, sort, ctx);
        const from = decodeToken(req.after, 'resource', 1);
        if (otherOrganization(req.filter)) return EMPTY;
        const phase: Phase<ResourceModel> = async () =>
          (await projects(ctx)).map((project): OffsetList<ResourceModel> => (offset, limit) =>
            client.listEnvironments(project.id, { offset, limit }, ctx).then(
              (p) => ({ items: p.items.map((env) => toEnvironmentModel(ref, project, env)), read: p.items.length, total: p.total }),
              emptyOn404<ResourceModel>,
            ));
        return listPage('resource', [phase], from, req.limit, !hasTimeRange(req.filter) && !req.filter.nameContains);
      },

      async backup(req, ctx) {
        const { filter } = req;
        if (otherOrganization(filter)) return emptyMerged('backup', req);
        const status = statusPush(ocoreBackupStatus, filter.status);
        const exact = status.kind !== 'memory' && !hasTimeRange(filter) && !filter.nameContains;
        return merged('backup', await backupSegments(filter, status, exact, backupModel, ctx), req);
      },

      async job(req, ctx) {
        const { filter } = req;
        if (otherOrganization(filter)) return emptyMerged('job', req);
        const status = statusPush(ocoreJobStatus, filter.status);
        const wants = (op: 'backup' | 'restore') => !filter.operation?.length || filter.operation.includes(op);
        const exact = status.kind !== 'memory' && !hasTimeRange(filter) && !filter.nameContains;
        const runs = wants('backup') ? await backupSegments(filter, status, exact, runModel, ctx) : [];
        // Restore logs cannot be filtered upstream: a status nothing maps to, or a BACKUP-only filter, skips them.
        const restores = wants('restore') && status.kind !== 'none' ? await restoreSegments(filter, ctx) : [];
        return merged('job', [...runs, ...restores], req);
      },

      async alert(req, ctx) {
        const { filter } = req;
        const from = decodeToken(req.after, 'alert', 1);
        if (otherOrganization(filter)) return EMPTY;
        const { models, complete } = await alerts(filter.includeDismissed === true, ctx);
        // The whole (first-100) list is in memory: apply every filter here, so the total is exact.
        const matching = models.filter((m) => matchesFilter(m, filter)).sort(alertsNewestFirst);
        const items = matching.slice(from.offset, from.offset + Math.max(1, req.limit));
        const end = from.offset + items.length;
        return {
          items,
          next: end < matching.length ? encodeToken('alert', { phase: 0, seg: 0, offset: end }) : null,
          total: complete ? matching.length : null,
        };
      },

      async schedule(req, ctx) {
        const { filter } = req;
        const from = decodeToken(req.after, 'schedule', 1);
        if (otherOrganization(filter)) return EMPTY;
        const envIds = filter.resourceId !== undefined ? [filter.resourceId] : (await environments(ctx)).map((e) => e.env.id);
        const page = await schedulePage(envIds, from.seg, Math.max(1, req.limit), ctx);
        return {
          items: page.items,
          next: page.next === null ? null : encodeToken('schedule', { phase: 0, seg: page.next, offset: 0 }),
          // A scan from the start to the end has seen every schedule.
          total: req.after === null && page.next === null ? page.items.length : null,
        };
      },
    },

    orders: { resource: orderKeysOf(RESOURCE_SORTS) },

    lookups,

    actions: {
      async triggerBackup(input, ctx) {
        const type = input.backupType === 'full' ? 'full' : 'db';
        const { backupId } = await client.createBackup(input.resourceNativeId, type, ctx);
        forgetReads(ctx);
        const b = await client.getBackup(backupId, ctx);
        return { backup: toBackupModel(ref, b), job: toBackupRunModel(ref, b), progress: { kind: 'backup', nativeId: backupId } };
      },
      async restoreBackup(input, ctx) {
        const res = await client.restoreBackup(input.backupNativeId, {
          backupId: input.backupNativeId,
          targetType: input.targetType,
          ...(input.targetResourceNativeId ? { targetEnvironmentId: input.targetResourceNativeId } : {}),
          ...(input.pointInTime ? { pitrTimestamp: input.pointInTime } : {}),
        }, ctx);
        forgetReads(ctx);
        const b = await client.getBackup(input.backupNativeId, ctx);
        let job: JobModel | null = null;
        const targetEnv = input.targetType === 'other' ? input.targetResourceNativeId! : b.environmentId;
        if (res.restoreLogId && targetEnv) {
          const found = await lookups.job!([`restore:${targetEnv}:${res.restoreLogId}`], ctx);
          job = found[0] instanceof Error ? null : (found[0] as JobModel | null);
        }
        return { backup: toBackupModel(ref, b), job, progress: { kind: 'backup', nativeId: input.backupNativeId } };
      },
      async deleteBackup(backupNativeId, ctx) {
        await client.deleteBackup(backupNativeId, ctx);
        forgetReads(ctx);
        const b = await nullIfNotFound(client.getBackup(backupNativeId, ctx));
        return b && toBackupModel(ref, b);
      },
      async dismissAlert(alertNativeId, ctx) {
        await client.alertAction(alertNativeId, 'dismiss', ctx);
        forgetReads(ctx);
        const [a] = await lookups.alert!([alertNativeId], ctx);
        return a instanceof Error ? null : (a as AlertModel | null);
      },
      async markAlertRead(alertNativeId, ctx) {
        await client.alertAction(alertNativeId, 'read', ctx);
        forgetReads(ctx);
        const [a] = await lookups.alert!([alertNativeId], ctx);
        return a instanceof Error ? null : (a as AlertModel | null);
      },
      async upsertSchedule(envId, input, ctx) {
        const s = await client.putBackupSchedule(envId, { ...input }, ctx);
        reference.clear();
        return toScheduleModel(ref, envId, s);
      },
      async retentionPreview(envId, retention, ctx) {
        const p = await client.retentionPreview(envId, retention as Record<string, number>, ctx);
        return {
          totalSizeBytes: typeof p.totalSizeBytes === 'number' ? p.totalSizeBytes : null,
          items: p.items.map((i) => ({
            backupNativeId: i.backupId, backupType: toBackupType(i.backupType),
            createdAt: i.createdAt && !Number.isNaN(Date.parse(i.createdAt)) ? new Date(i.createdAt).toISOString() : null,
            gfsTiers: i.gfsTiers ?? [], reason: i.reason ?? null, sizeBytes: typeof i.sizeBytes === 'number' ? i.sizeBytes : null,
          })),
        };
      },
      cronPresets: (ctx) => client.cronPresets(ctx),
    },

    progress: {
      async *stream(op, nativeId, lastEventId, signal, ctx) {
        // Jobs (backup runs) are followed through their backup; restores through the backup they restore.
        let backupId = nativeId.startsWith('backup:') ? nativeId.slice('backup:'.length) : nativeId;
        if (nativeId.startsWith('restore:')) {
          const [restore] = await lookups.job!([nativeId], ctx);
          if (!restore || restore instanceof Error || !restore.backupNativeId) throw restore instanceof Error ? restore : new ProviderHttpError(ref.id, 404, ctx.requestId, null, null);
          backupId = restore.backupNativeId;
        }
        for await (const e of client.streamProgress(op, backupId, lastEventId, { ...ctx, signal })) {
          yield { id: e.id, update: toProgressUpdate(e.event, e.data, clock.now()) };
        }
      },
    },

    fieldResolvers: {
      [OCORE_TYPENAMES.resource]: {
        async pitrCoverage(m: ResourceModel, _args, ctx) {
          const coverage = await nullIfNotFound(client.getPitrCoverage(m.nativeId, ctx));
          return coverage && toPitrCoverageModel(coverage);
        },
      },
      [OCORE_TYPENAMES.backupRun]: {
        steps: (m: JobModel, _args, ctx) => stepsOf('backup', m.backupNativeId, ctx),
      },
      [OCORE_TYPENAMES.restore]: {
        steps: (m: JobModel, _args, ctx) => stepsOf('restore', m.restoreLogId as string | null, ctx),
      },
    },

    protection: createOcoreProtection(client),
    health: createHealthProbe((ctx) => client.getAlertCount(ctx), upstreamGuard),
    upstreamState: () => upstreamGuard.state(),

    close: () => upstreamClient.close(),
  };

  /** A merged page of `segments` in the merged list `name`; none: an empty list (exact total). */
  function merged<T extends BackupModel | JobModel>(name: string, segments: Segment<T>[], req: PageRequest): Promise<Page<T>> {
    return segments.length === 0 ? emptyMerged(name, req) : mergedPage(name, segments, req, NEWEST_FIRST);
  }

  /** The empty merged list `name` (its token still checked, so a foreign one is refused). */
  async function emptyMerged<T>(name: string, req: PageRequest): Promise<Page<T>> {
    decodeSegmentToken(name, req.after);
    return { items: [], next: null, total: 0 };
  }

  /** Every environment (read once per request), filtered and sorted by `sort`, paged by offset. */
  async function sortedEnvironments(req: PageRequest, sort: (a: ResourceModel, b: ResourceModel) => number, ctx: RequestContext): Promise<Page<ResourceModel>> {
    const from = decodeToken(req.after, 'resname', 1);
    if (otherOrganization(req.filter)) return EMPTY;
    const all = (await environments(ctx)).map((e) => toEnvironmentModel(ref, e.project, e.env)).filter((m) => matchesFilter(m, req.filter)).sort(sort);
    const items = all.slice(from.offset, from.offset + Math.max(1, req.limit));
    const end = from.offset + items.length;
    return { items, next: end < all.length ? encodeToken('resname', { phase: 0, seg: 0, offset: end }) : null, total: all.length };
  }

  async function stepsOf(type: 'backup' | 'restore', id: string | null, ctx: RequestContext) {
    if (!id) return [];
    return toOperationStepModels((await nullIfNotFound(client.listOperationSteps(type, id, ctx))) ?? []);
  }

  return adapter;
};

/** The oCore provider kind: its adapter factory, credential key and SDL, for the registry. */
export const ocoreProvider: ProviderKindEntry = {
  createAdapter: createOcoreAdapter, secretKey: 'token', displayName: 'oCore', typeDefs: new URL('./schema.graphql', import.meta.url),
};
