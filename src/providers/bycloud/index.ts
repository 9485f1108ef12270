/**
 * The ByCloud adapter: volume and database backups (one stream: volumes first, then databases),
 * volumes and database instances derived from them, the token's organization, polled progress and
 * on-demand volume backups.
 */
import { badUserInput, unsupportedByProvider } from '../../domain/errors.ts';
import type { BackupModel, ResourceModel } from '../../domain/models.ts';
import { isNotFound, nullIfNotFound } from '../../upstream/errors.ts';
import type { Page, ProviderAdapter, ProviderAdapterFactory, ProviderKindEntry } from '../contract/index.ts';
import { createHealthProbe } from '../contract/index.ts';
import { perRequest, type RequestContext } from '../../upstream/request-context.ts';
import { BYCLOUD_MAX_PAGE_SIZE, createBycloudClient } from './client.ts';
import type { BycloudDatabaseBackupDto, BycloudVolumeBackupDto } from './wire.ts';
import {
  BYCLOUD_ORGANIZATION_ID, databaseBackupStatus, parseNativeId, toDatabaseBackupModel, toOrganizationModel, toProgressUpdate,
  toResourceModel, toVolumeBackupModel, volumeBackupStatus,
} from './mapper.ts';
import { mapLimit } from '../../upstream/map-limit.ts';
import { createUpstreamGuard } from '../../upstream/guard.ts';

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
  // One breaker, retry budget and bulkhead for this instance; the health probe reads its state.
  const upstreamGuard = createUpstreamGuard(ref.id, options.upstream);
  const client = createBycloudClient({ provider: ref, baseUrl: options.baseUrl, token: options.secret, settings: { ...options.upstream, guard: upstreamGuard }, observer: options.onUpstreamCall });
  const otherOrganization = (orgId: string | undefined) => orgId !== undefined && orgId !== BYCLOUD_ORGANIZATION_ID;

  /** This adapter's state of one request: the full resource scan, once read. */
  const sessionOf = perRequest((): { resources?: Promise<ResourceModel[]> } => ({}));

  /** Every volume and instance, derived from a full scan of both collections, once per request. */
  function resources(ctx: RequestContext): Promise<ResourceModel[]> {
    const session = sessionOf(ctx);
    let p = session.resources;
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
      session.resources = p;
      p.catch(() => {
        if (session.resources === p) session.resources = undefined;
      });
    }
    return p;
  }

  async function listBackups(req: { after: string | null; limit: number; filter: import('../contract/index.ts').ListFilter }, ctx: RequestContext): Promise<Page<BackupModel>> {
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
        return b && toProgressUpdate(b);
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
