/**
 * The ByCloud adapter: volume and database backups (one stream: volumes first, then databases),
 * volumes and database instances derived from them, the token's organization, polled progress and
 * on-demand volume backups.
 */
import { badUserInput, unsupportedByProvider } from '../../domain/errors.ts';
import type { BackupModel, ResourceModel } from '../../domain/models.ts';
import { ProviderHttpError } from '../../upstream/errors.ts';
import type { Page, ProviderAdapter, ProviderAdapterFactory, ProviderCapabilities, RequestContext } from '../provider.ts';
import { BYCLOUD_MAX_PAGE_SIZE, createBycloudClient, isBycloudNotFound } from './client.ts';
import {
  BYCLOUD_ORGANIZATION_ID, databaseBackupStatus, parseNativeId, toDatabaseBackupModel, toOrganizationModel, toProgressUpdate,
  toResourceModel, toVolumeBackupModel, volumeBackupStatus,
} from './mapper.ts';
import { mapLimit } from '../../upstream/map-limit.ts';

/** What ByCloud can do. */
export const BYCLOUD_CAPABILITIES: ProviderCapabilities = {
  lists: ['organization', 'resource', 'backup'],
  progress: 'poll',
  triggerBackup: true,
  restoreBackup: false, deleteBackup: false, manageAlerts: false, manageSchedules: false, managePolicies: false,
  verifyBackup: false, downloadBackup: false,
};

const CONCURRENCY = 8;
const EMPTY = { items: [], next: null, total: 0 };

/** Resume token: which collection (`v` volumes, `d` databases) and the marker within it. */
function decodeToken(after: string | null): { collection: 'v' | 'd'; marker: string | null } {
  if (after === null) return { collection: 'v', marker: null };
  const m = /^([vd]):(.*)$/.exec(after);
  if (!m) throw badUserInput('malformed cursor', 'after');
  return { collection: m[1] as 'v' | 'd', marker: m[2] === '' ? null : m[2] };
}


/** Creates the adapter of one ByCloud instance. */
export const createBycloudAdapter: ProviderAdapterFactory = (options) => {
  const { ref } = options;
  const client = createBycloudClient({ provider: ref, baseUrl: options.baseUrl, token: options.secret, settings: options.upstream, observer: options.onUpstreamCall });
  const otherOrganization = (orgId: string | undefined) => orgId !== undefined && orgId !== BYCLOUD_ORGANIZATION_ID;

  /** Every volume and instance, derived from a full scan of both collections, once per request. */
  function resources(ctx: RequestContext): Promise<ResourceModel[]> {
    const key = `${ref.id}:resources`;
    let p = ctx.memo.get(key) as Promise<ResourceModel[]> | undefined;
    if (!p) {
      p = (async () => {
        const seen = new Map<string, { collection: 'vol' | 'db'; id: string; datastoreType: string | null; firstSeen: string | null; backupCount: number }>();
        const note = (collection: 'vol' | 'db', id: string, createdAt: string, ds: string | null) => {
          const k = `${collection}:${id}`;
          const e = seen.get(k) ?? { collection, id, datastoreType: ds, firstSeen: createdAt, backupCount: 0 };
          e.backupCount++;
          if (createdAt < (e.firstSeen ?? createdAt)) e.firstSeen = createdAt;
          seen.set(k, e);
        };
        let marker: string | null = null;
        do {
          const pg = await client.listVolumeBackups({ marker, limit: BYCLOUD_MAX_PAGE_SIZE }, ctx);
          for (const b of pg.items) note('vol', b.volume_id, b.created_at, null);
          marker = pg.next;
        } while (marker);
        do {
          const pg = await client.listDatabaseBackups({ marker, limit: BYCLOUD_MAX_PAGE_SIZE }, ctx);
          for (const b of pg.items) note('db', b.instance_id, b.created_at, b.datastore?.type ?? null);
          marker = pg.next;
        } while (marker);
        const all = [...seen.values()].sort((a, b) => (a.collection === b.collection ? (a.id < b.id ? -1 : 1) : a.collection === 'vol' ? -1 : 1));
        return all.map((r) => toResourceModel(ref, r));
      })();
      ctx.memo.set(key, p);
      p.catch(() => ctx.memo.delete(key));
    }
    return p;
  }

  async function listBackups(req: { after: string | null; limit: number; filter: import('../provider.ts').ListFilter }, ctx: RequestContext): Promise<Page<BackupModel>> {
    const { filter } = req;
    if (otherOrganization(filter.organizationId)) return EMPTY;
    const pos = decodeToken(req.after);
    const resource = filter.resourceId !== undefined ? parseNativeId(filter.resourceId) : undefined;
    if (resource === null) return EMPTY;
    const onlyVol = resource?.collection === 'vol';
    const onlyDb = resource?.collection === 'db';
    const volRaw = filter.status?.length ? volumeBackupStatus.rawFor(filter.status as never) : null;
    const dbRaw = filter.status?.length ? databaseBackupStatus.rawFor(filter.status as never) : null;
    const exactFilter = !filter.since && !filter.until && (!filter.status?.length || ((volRaw?.length ?? 1) <= 1 && (dbRaw?.length ?? 1) <= 1));
    const limit = Math.max(1, Math.min(BYCLOUD_MAX_PAGE_SIZE, req.limit));

    if (pos.collection === 'v' && !onlyDb && !(volRaw && volRaw.length === 0)) {
      const pg = await client.listVolumeBackups({ marker: pos.marker, limit, status: volRaw?.length === 1 ? volRaw[0] : undefined, volumeId: onlyVol ? resource!.id : undefined }, ctx);
      const next = pg.next ? `v:${pg.next}` : onlyVol ? null : 'd:';
      // Total across both collections when it can be exact and we start from the beginning.
      let total: number | null = null;
      if (exactFilter && pos.marker === null && pg.total !== null) {
        if (onlyVol) total = pg.total;
        else if (!(dbRaw && dbRaw.length === 0)) {
          const db = await client.listDatabaseBackups({ marker: null, limit: 1, status: dbRaw?.length === 1 ? dbRaw[0] : undefined }, ctx);
          total = db.total === null ? null : pg.total + db.total;
        } else total = pg.total;
      }
      if (pg.items.length > 0 || next === null) return { items: pg.items.map((b) => toVolumeBackupModel(ref, b)), next, total };
      pos.collection = 'd';
      pos.marker = null;
    }
    if (onlyVol || (dbRaw && dbRaw.length === 0)) return { items: [], next: null, total: exactFilter && req.after === null ? 0 : null };
    const pg = await client.listDatabaseBackups({ marker: pos.marker, limit, status: dbRaw?.length === 1 ? dbRaw[0] : undefined, instanceId: onlyDb ? resource!.id : undefined }, ctx);
    return {
      items: pg.items.map((b) => toDatabaseBackupModel(ref, b)),
      next: pg.next ? `d:${pg.next}` : null,
      total: exactFilter && req.after === null && onlyDb ? pg.total : null,
    };
  }

  const adapter: ProviderAdapter = {
    ref,
    capabilities: BYCLOUD_CAPABILITIES,
    lists: {
      organization: async (req) => {
        if (req.after !== null) throw badUserInput('malformed cursor', 'after');
        return otherOrganization(req.filter.organizationId) ? EMPTY : { items: [toOrganizationModel(ref)], next: null, total: 1 };
      },
      resource: async (req, ctx) => {
        if (otherOrganization(req.filter.organizationId)) return EMPTY;
        const all = await resources(ctx);
        const start = req.after === null ? 0 : Number(req.after);
        if (!Number.isInteger(start) || start < 0 || start > all.length) throw badUserInput('malformed cursor', 'after');
        const items = all.slice(start, start + Math.max(1, req.limit));
        const end = start + items.length;
        return { items, next: end < all.length ? String(end) : null, total: req.filter.since || req.filter.until ? null : all.length };
      },
      backup: listBackups,
    },
    lookups: {
      organization: async (ids) => ids.map((id) => (id === BYCLOUD_ORGANIZATION_ID ? toOrganizationModel(ref) : null)),
      // One small filtered call per volume / instance (limit 1: existence, total and datastore),
      // instead of scanning every backup; a full list already read in this request is reused.
      resource: async (ids, ctx) => {
        const listed = ctx.memo.get(`${ref.id}:resources`) as Promise<ResourceModel[]> | undefined;
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
              return last ? toResourceModel(ref, { collection: 'vol', id: p.id, datastoreType: null, firstSeen: null, backupCount: pg.total ?? pg.items.length }) : null;
            }
            const pg = await client.listDatabaseBackups({ marker: null, limit: 1, instanceId: p.id }, ctx);
            const first = pg.items[0];
            return first ? toResourceModel(ref, { collection: 'db', id: p.id, datastoreType: first.datastore?.type ?? null, firstSeen: null, backupCount: pg.total ?? 1 }) : null;
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
            return isBycloudNotFound(e) ? null : (e as Error);
          }
        }),
    },
    progress: {
      async snapshot(op, nativeId, ctx) {
        if (op !== 'backup') throw unsupportedByProvider(ref.id, 'restore progress');
        const p = parseNativeId(nativeId);
        if (!p) return null;
        try {
          return toProgressUpdate(p.collection === 'vol' ? await client.getVolumeBackup(p.id, ctx) : await client.getDatabaseBackup(p.id, ctx));
        } catch (e) {
          if (isBycloudNotFound(e)) return null;
          throw e;
        }
      },
    },
    actions: {
      async triggerBackup(input, ctx) {
        const r = parseNativeId(input.resourceNativeId);
        if (!r) throw badUserInput('input.resourceId is not a ByCloud volume', 'input.resourceId');
        if (r.collection === 'db') throw unsupportedByProvider(ref.id, 'triggering a database backup');
        const created = await client.createVolumeBackup({
          volume_id: r.id, name: input.name, description: input.description, incremental: input.incremental, force: input.force,
        }, ctx);
        const backup = toVolumeBackupModel(ref, created);
        return { job: null, backup, progress: { kind: 'backup', nativeId: backup.nativeId } };
      },
    },
    async health(ctx) {
      const started = performance.now();
      try {
        await client.listVolumeBackups({ marker: null, limit: 1 }, ctx);
        return { status: 'UP', latencyMs: Math.round(performance.now() - started), message: null };
      } catch (e) {
        const limited = e instanceof ProviderHttpError && e.status === 429;
        return { status: limited ? 'DEGRADED' : 'DOWN', latencyMs: Math.round(performance.now() - started), message: e instanceof ProviderHttpError ? `HTTP ${e.status}` : (e as Error).name };
      }
    },
    close: () => client.close(),
  };
  return adapter;
};
