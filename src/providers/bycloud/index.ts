/**
 * The ByCloud adapter: volume and database backups (one newest-first stream merging the two
 * collections, each newest first upstream), the same records as jobs (each backup's creation is a
 * job: ByCloud reports no jobs), volumes and database instances derived from them, the token's
 * organization, polled progress and on-demand volume backups.
 *
 * Resume tokens of backups and jobs: the merge's token (`mergedPage`), holding each collection's
 * marker (`v` volumes, `d` databases). Resources: an offset into the derived list.
 * Filters: status pushed down when it is one raw value per collection; `name` upstream is exact or a
 * case-sensitive prefix, which cannot express a case-insensitive substring, so `nameContains` is
 * checked in memory (pushing a prefix down would drop names that contain the text further on).
 * Under `since` both collections end at the first page reaching past it (they are newest first by
 * creation, a backup's time). Backups and jobs name their volume or instance from the record.
 * The derived volumes and instances are kept across requests for `referenceTtlMs`.
 */
import { badUserInput, unsupportedByProvider } from '../../domain/errors.ts';
import { matchesFilter } from '../../domain/filter.ts';
import { mergedPage, type Segment } from '../../domain/merge.ts';
import { DEFAULT_ORDERS, compareIn, orderingOf } from '../../domain/merge-order.ts';
import type { BackupModel, JobModel, ResourceModel } from '../../domain/models.ts';
import type { BackupStatus, JobStatus } from '../../domain/statuses.ts';
import { toTimestamp } from '../../domain/timestamps.ts';
import { systemClock } from '../../domain/clock.ts';
import { isNotFound, nullIfNotFound } from '../../upstream/errors.ts';
import { createReferenceCache } from '../../upstream/reference-cache.ts';
import type { ListFilter, Page, PageRequest, ProviderAdapter, ProviderAdapterFactory, ProviderKindEntry } from '../contract/index.ts';
import { createHealthProbe, orderKeysOf, orderedBy, withResourceRef } from '../contract/index.ts';
import { perRequest, type RequestContext } from '../../upstream/request-context.ts';
import { BYCLOUD_MAX_PAGE_SIZE, createBycloudClient } from './client.ts';
import type { BycloudDatabaseBackupDto, BycloudVolumeBackupDto } from './wire.ts';
import {
  BYCLOUD_ORGANIZATION_ID, databaseBackupJobStatus, databaseBackupStatus, parseNativeId, toBackupJobModel, toDatabaseBackupModel,
  toOrganizationModel, toProgressUpdate, toResourceModel, toVolumeBackupModel, volumeBackupJobStatus, volumeBackupStatus,
} from './mapper.ts';
import { mapLimit } from '../../upstream/map-limit.ts';
import { createUpstreamGuard } from '../../upstream/guard.ts';
import { createBycloudProtection } from './protection.ts';

const CONCURRENCY = 8;
const EMPTY = { items: [], next: null, total: 0 };

/** Backups and jobs come newest first: the merge of the two collections compares creation times. */
const NEWEST_FIRST = orderingOf(DEFAULT_ORDERS.backup!);
/** Orders the derived resource list can be sorted in (it is read whole, so any order is exact). */
const RESOURCE_SORTS = { NAME_ASC: compareIn({ field: 'NAME', direction: 'ASC' }), NAME_DESC: compareIn({ field: 'NAME', direction: 'DESC' }) };
/**
 * A backup (and its job) names its volume or instance as the resource list would, from the record
 * itself: a volume's `metadata.volume_name` tag, an instance's stamped backup name (the mapper's own
 * rule, `toResourceModel`, applied to this record); nothing when the record gives only the id.
 */
function namedByRecord<T extends BackupModel | JobModel>(ref: Parameters<typeof toResourceModel>[0], m: T, b: BycloudVolumeBackupDto | BycloudDatabaseBackupDto, collection: 'vol' | 'db'): T {
  const id = collection === 'vol' ? (b as BycloudVolumeBackupDto).volume_id : (b as BycloudDatabaseBackupDto).instance_id;
  const r = toResourceModel(ref, { collection, id, datastoreType: null, firstSeen: null, backupCount: 0, newest: b });
  return r.name === id ? m : withResourceRef(m, r.typename, r.name);
}

/** A marker is a ByCloud id; anything else in a token was not issued by us. */
const MARKER = /^[A-Za-z0-9-]{1,64}$/;

/** A collection's status table (raw values -> normalized), read backwards to push a status filter down. */
interface StatusTable {
  rawFor(wanted: readonly (JobStatus | BackupStatus)[]): string[];
}

/** How a normalized status filter goes to one collection: no filter, one raw value, nothing can match, or in memory. */
function statusPush(table: StatusTable, status: ListFilter['status']): { raw?: string; none: boolean; exact: boolean } {
  if (!status?.length) return { none: false, exact: true };
  // UNKNOWN is any value outside the table: only the gateway's check can find those.
  if (status.includes('UNKNOWN')) return { none: false, exact: false };
  const raw = table.rawFor(status);
  if (raw.length === 0) return { none: true, exact: true };
  return raw.length === 1 ? { raw: raw[0], none: false, exact: true } : { none: false, exact: false };
}


/** Creates the adapter of one ByCloud instance. */
export const createBycloudAdapter: ProviderAdapterFactory = (options) => {
  const { ref } = options;
  // One breaker, retry budget and bulkhead for this instance; the health probe reads its state.
  const upstreamGuard = createUpstreamGuard(ref.id, options.upstream);
  const clock = options.upstream?.clock ?? systemClock;
  const client = createBycloudClient({ provider: ref, baseUrl: options.baseUrl, token: options.secret, settings: { ...options.upstream, guard: upstreamGuard }, observer: options.onUpstreamCall });
  const otherOrganization = (orgId: string | undefined) => orgId !== undefined && orgId !== BYCLOUD_ORGANIZATION_ID;

  /** This adapter's state of one request: the full resource scan, once read. */
  const sessionOf = perRequest((): { resources?: Promise<ResourceModel[]> } => ({}));
  // The derived resources are reference data: kept across requests for `referenceTtlMs` (deriving
  // them reads every backup: 56,000 records at simulator scale 100), forgotten after our own backups.
  const reference = options.referenceCache ?? createReferenceCache({ ttlMs: options.referenceTtlMs, staleMs: options.referenceStaleMs, clock });

  /** Every volume and instance, derived from a full scan of both collections, once per request (and kept across requests for `referenceTtlMs`). */
  function resources(ctx: RequestContext): Promise<ResourceModel[]> {
    const session = sessionOf(ctx);
    let p = session.resources;
    if (!p) {
      p = reference.read('resources', async () => {
        const seen = new Map<string, Parameters<typeof toResourceModel>[1]>();
        const note = (collection: 'vol' | 'db', id: string, createdAt: string | null, ds: string | null, newest: BycloudVolumeBackupDto | BycloudDatabaseBackupDto) => {
          const k = `${collection}:${id}`;
          const e = seen.get(k) ?? { collection, id, datastoreType: ds, firstSeen: createdAt, backupCount: 0, newest };
          e.backupCount++;
          if (createdAt !== null && (e.firstSeen === null || createdAt < e.firstSeen)) e.firstSeen = createdAt;
          seen.set(k, e);
        };
        let marker: string | null = null;
        do {
          const pg = await client.listVolumeBackups({ marker, limit: BYCLOUD_MAX_PAGE_SIZE }, ctx);
          for (const b of pg.items) note('vol', b.volume_id, toTimestamp(b.created_at), null, b);
          marker = pg.next;
        } while (marker);
        do {
          const pg = await client.listDatabaseBackups({ marker, limit: BYCLOUD_MAX_PAGE_SIZE }, ctx);
          for (const b of pg.items) note('db', b.instance_id, toTimestamp(b.created_at), b.datastore?.type ?? null, b);
          marker = pg.next;
        } while (marker);
        const all = [...seen.values()].sort((a, b) => (a.collection === b.collection ? (a.id < b.id ? -1 : 1) : a.collection === 'vol' ? -1 : 1));
        return all.map((r) => toResourceModel(ref, r));
      });
      session.resources = p;
      p.catch(() => {
        if (session.resources === p) session.resources = undefined;
      });
    }
    return p;
  }

  /**
   * The collections' segments of a backup or job list under `filter` (the volume or instance of a
   * resource filter alone), each mapped by `toVolume` / `toDatabase`, with the status pushed down
   * through that kind's status tables. `exact` says whether every filter went upstream (totals hold).
   */
  function segmentsOf<T extends BackupModel | JobModel>(
    filter: ListFilter,
    statuses: { vol: StatusTable; db: StatusTable },
    toVolume: (b: BycloudVolumeBackupDto) => T,
    toDatabase: (b: BycloudDatabaseBackupDto) => T,
    ctx: RequestContext,
  ): { segments: Segment<T>[]; exact: boolean } {
    const resource = filter.resourceId !== undefined ? parseNativeId(filter.resourceId) : undefined;
    if (otherOrganization(filter.organizationId) || resource === null) return { segments: [], exact: true };
    const vol = statusPush(statuses.vol, filter.status);
    const db = statusPush(statuses.db, filter.status);
    const exact = vol.exact && db.exact && !filter.since && !filter.until && !filter.nameContains;
    const markerOf = (after: string | null) => {
      if (after !== null && !MARKER.test(after)) throw badUserInput('malformed cursor', 'after');
      return after;
    };
    const limitOf = (n: number) => Math.max(1, Math.min(BYCLOUD_MAX_PAGE_SIZE, n));
    // Both collections are newest first by creation, which is a backup's (and its job's) time: under
    // `since`, a page ending before it ends the list.
    const nextOf = (next: string | null, items: ReadonlyArray<{ created_at?: string | null }>) => {
      const last = items.at(-1)?.created_at;
      return filter.since !== undefined && typeof last === 'string' && Date.parse(last) < filter.since.getTime() ? null : next;
    };
    const segments: Segment<T>[] = [];
    if (resource?.collection !== 'db' && !vol.none) {
      segments.push({
        key: 'v',
        list: async (req) => {
          const pg = await client.listVolumeBackups({ marker: markerOf(req.after), limit: limitOf(req.limit), status: vol.raw, volumeId: resource?.id }, ctx);
          return { items: pg.items.map(toVolume), next: nextOf(pg.next, pg.items), total: exact ? pg.total : null };
        },
      });
    }
    if (resource?.collection !== 'vol' && !db.none) {
      segments.push({
        key: 'd',
        list: async (req) => {
          const pg = await client.listDatabaseBackups({ marker: markerOf(req.after), limit: limitOf(req.limit), status: db.raw, instanceId: resource?.id }, ctx);
          return { items: pg.items.map(toDatabase), next: nextOf(pg.next, pg.items), total: exact ? pg.total : null };
        },
      });
    }
    return { segments, exact };
  }

  /** A merged page of `segments`; with none, an empty list (its total exact when every filter was). */
  async function pageOf<T extends BackupModel | JobModel>(name: string, seg: { segments: Segment<T>[]; exact: boolean }, req: PageRequest): Promise<Page<T>> {
    if (seg.segments.length === 0) {
      if (req.after !== null) throw badUserInput('malformed cursor', 'after');
      return { items: [], next: null, total: seg.exact ? 0 : null };
    }
    return mergedPage(name, seg.segments, req, NEWEST_FIRST);
  }

  /** Volume and database backups, newest first. */
  const listBackups = (req: PageRequest, ctx: RequestContext): Promise<Page<BackupModel>> =>
    pageOf('backup', segmentsOf<BackupModel>(req.filter, { vol: volumeBackupStatus, db: databaseBackupStatus }, (b) => namedByRecord(ref, toVolumeBackupModel(ref, b), b, 'vol'), (b) => namedByRecord(ref, toDatabaseBackupModel(ref, b), b, 'db'), ctx), req);

  /** The backups' creations as jobs, newest first (the same stream as the backups). */
  const listJobs = (req: PageRequest, ctx: RequestContext): Promise<Page<JobModel>> => {
    if (req.filter.operation?.length && !req.filter.operation.includes('backup')) {
      if (req.after !== null) throw badUserInput('malformed cursor', 'after');
      return Promise.resolve({ items: [], next: null, total: 0 });
    }
    return pageOf('job', segmentsOf<JobModel>(req.filter, { vol: volumeBackupJobStatus, db: databaseBackupJobStatus }, (b) => namedByRecord(ref, toBackupJobModel(ref, b, 'vol'), b, 'vol'), (b) => namedByRecord(ref, toBackupJobModel(ref, b, 'db'), b, 'db'), ctx), req);
  };

  const adapter: ProviderAdapter = {
    ref,
    lists: {
      organization: async (req) => {
        if (req.after !== null) throw badUserInput('malformed cursor', 'after');
        return otherOrganization(req.filter.organizationId) ? EMPTY : { items: [toOrganizationModel(ref)], next: null, total: 1 };
      },
      resource: async (req, ctx) => {
        if (otherOrganization(req.filter.organizationId)) return EMPTY;
        const sort = orderedBy(RESOURCE_SORTS, 'resource', req.order);
        // The list is read whole: every filter applies here, so the total is exact.
        const matching = (await resources(ctx)).filter((r) => matchesFilter(r, req.filter));
        const all = sort ? [...matching].sort(sort) : matching;
        const start = req.after === null ? 0 : Number(req.after);
        if (!Number.isInteger(start) || start < 0 || start > all.length) throw badUserInput('malformed cursor', 'after');
        const items = all.slice(start, start + Math.max(1, req.limit));
        const end = start + items.length;
        return { items, next: end < all.length ? String(end) : null, total: all.length };
      },
      backup: listBackups,
      job: listJobs,
    },
    orders: { resource: orderKeysOf(RESOURCE_SORTS) },
    lookups: {
      organization: async (ids) => ids.map((id) => (id === BYCLOUD_ORGANIZATION_ID ? toOrganizationModel(ref) : null)),
      // One small filtered call per volume / instance (limit 1: existence, total and datastore),
      // instead of scanning every backup; a full list already read in this request is reused.
      resource: async (ids, ctx) => {
        const listed = sessionOf(ctx).resources;
        if (listed) {
          const byId = new Map((await listed).map((r) => [r.nativeId, r]));
          return ids.map((id) => byId.get(id) ?? null);
        }
        return mapLimit(ids, CONCURRENCY, async (id): Promise<ResourceModel | null | Error> => {
          const p = parseNativeId(id);
          if (!p) return null;
          try {
            if (p.collection === 'vol') {
              const pg = await client.listVolumeBackups({ marker: null, limit: 1, volumeId: p.id }, ctx);
              const last = pg.items.at(-1);
              return last ? toResourceModel(ref, { collection: 'vol', id: p.id, datastoreType: null, firstSeen: null, backupCount: pg.total ?? pg.items.length, newest: last }) : null;
            }
            const pg = await client.listDatabaseBackups({ marker: null, limit: 1, instanceId: p.id }, ctx);
            const first = pg.items[0];
            return first ? toResourceModel(ref, { collection: 'db', id: p.id, datastoreType: first.datastore?.type ?? null, firstSeen: null, backupCount: pg.total ?? 1, newest: first }) : null;
          } catch (e) {
            return e as Error;
          }
        });
      },
      backup: (ids, ctx) =>
        mapLimit(ids, CONCURRENCY, async (id): Promise<BackupModel | null | Error> => {
          const p = parseNativeId(id);
          if (!p) return null;
          try {
            return p.collection === 'vol'
              ? toVolumeBackupModel(ref, await client.getVolumeBackup(p.id, ctx))
              : toDatabaseBackupModel(ref, await client.getDatabaseBackup(p.id, ctx));
          } catch (e) {
            return isNotFound(e) ? null : (e as Error);
          }
        }),
      // A job is a backup's creation: the same record, read by the backup's id.
      job: (ids, ctx) =>
        mapLimit(ids, CONCURRENCY, async (id): Promise<JobModel | null | Error> => {
          const p = parseNativeId(id);
          if (!p) return null;
          try {
            return toBackupJobModel(ref, p.collection === 'vol' ? await client.getVolumeBackup(p.id, ctx) : await client.getDatabaseBackup(p.id, ctx), p.collection);
          } catch (e) {
            return isNotFound(e) ? null : (e as Error);
          }
        }),
    },
    progress: {
      async snapshot(op, nativeId, ctx) {
        if (op !== 'backup') throw unsupportedByProvider(ref.id, 'restore progress');
        const p = parseNativeId(nativeId);
        if (!p) return null;
        const b = await nullIfNotFound<BycloudVolumeBackupDto | BycloudDatabaseBackupDto>(
          p.collection === 'vol' ? client.getVolumeBackup(p.id, ctx) : client.getDatabaseBackup(p.id, ctx),
        );
        return b && toProgressUpdate(b, clock.now());
      },
    },
    actions: {
      async triggerBackup(input, ctx) {
        const r = parseNativeId(input.resourceNativeId);
        if (!r) throw badUserInput('input.resourceId is not a ByCloud volume', 'input.resourceId');
        if (r.collection === 'db') throw unsupportedByProvider(ref.id, 'triggering a database backup');
        const created = await client.createVolumeBackup({
          volume_id: r.id, name: input.name, description: input.description, incremental: input.incremental, force: input.force,
        }, ctx).finally(() => reference.clear());
        const backup = toVolumeBackupModel(ref, created);
        // The backup's creation is its job too (the same record, as the job list shows it).
        return { job: toBackupJobModel(ref, created, 'vol'), backup, progress: { kind: 'backup', nativeId: backup.nativeId } };
      },
    },
    protection: createBycloudProtection(client),
    health: createHealthProbe((ctx) => client.listVolumeBackups({ marker: null, limit: 1 }, ctx), upstreamGuard),
    upstreamState: () => upstreamGuard.state(),
    close: () => client.close(),
  };
  return adapter;
};

/** The ByCloud provider kind: its adapter factory, credential key and SDL, for the registry. */
export const bycloudProvider: ProviderKindEntry = {
  createAdapter: createBycloudAdapter, secretKey: 'token', displayName: 'ByCloud', typeDefs: new URL('./schema.graphql', import.meta.url),
};
