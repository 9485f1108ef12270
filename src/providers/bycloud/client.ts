/**
 * The ByCloud client: bearer auth, the routes in one place, marker paging read from `meta` (the
 * docs' `links` point at the wrong collection), and light checks of every body.
 */
import { pathSegment } from '../../domain/ids.ts';
import { createUpstreamClient, type ProviderClientOptions } from '../../upstream/client.ts';
import { ProviderResponseError } from '../../upstream/errors.ts';
import type { RequestContext } from '../contract/index.ts';
import type { BycloudCreateBackupDto, BycloudDatabaseBackupDto, BycloudMetaDto, BycloudVolumeBackupDto } from './wire.ts';

/** ByCloud's largest page. */
export const BYCLOUD_MAX_PAGE_SIZE = 1000;

/** Each interpolated id, encoded whole; `.`, `..` and empty refused (see `pathSegment`). */
const seg = pathSegment;
/** Every path the adapter calls, relative to `<baseUrl>/v1`. */
export const BYCLOUD_ROUTES = {
  volumeBackups: () => '/backups',
  volumeBackup: (id: string) => `/backups/${seg(id)}`,
  databaseBackups: () => '/database-backups',
  databaseBackup: (id: string) => `/database-backups/${seg(id)}`,
} as const;

/** A marker page request with filters. */
export interface BycloudListRequest {
  marker: string | null;
  limit: number;
  status?: string;
  name?: string;
}

/** One page: items, the marker of the next page (null at the end) and the filtered total. */
export interface BycloudPage<T> {
  items: T[];
  next: string | null;
  total: number | null;
}

/** Typed calls of the ByCloud API. */
export interface BycloudClient {
  listVolumeBackups(req: BycloudListRequest & { volumeId?: string }, ctx: RequestContext): Promise<BycloudPage<BycloudVolumeBackupDto>>;
  listDatabaseBackups(req: BycloudListRequest & { instanceId?: string }, ctx: RequestContext): Promise<BycloudPage<BycloudDatabaseBackupDto>>;
  getVolumeBackup(id: string, ctx: RequestContext): Promise<BycloudVolumeBackupDto>;
  getDatabaseBackup(id: string, ctx: RequestContext): Promise<BycloudDatabaseBackupDto>;
  /** `POST /backups`: never retried. */
  createVolumeBackup(body: BycloudCreateBackupDto, ctx: RequestContext): Promise<BycloudVolumeBackupDto>;
  close(): Promise<void>;
}

/** Reads ByCloud's `{ error: { code, message } }` body. */
export function describeBycloudError(_status: number, body: unknown) {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return { code: e?.code != null ? String(e.code) : null, message: typeof e?.message === 'string' ? e.message : null };
}


const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBackup = (v: unknown) => isObj(v) && typeof v.id === 'string' && typeof v.status === 'string';

/** Options of {@link createBycloudClient}. */
export interface BycloudClientOptions extends ProviderClientOptions {
  /** The bearer token. Never logged or put in an error. */
  token: string;
}

/** Creates the client of one ByCloud instance. */
export function createBycloudClient(options: BycloudClientOptions): BycloudClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const http = createUpstreamClient({
    routes: BYCLOUD_ROUTES,
    provider: options.provider,
    baseUrl: base.endsWith('/v1') ? base : `${base}/v1`,
    authHeaders: () => ({ authorization: `Bearer ${options.token}` }),
    describeError: describeBycloudError,
    settings: options.settings,
    observer: options.observer,
  });
  const bad = (ctx: RequestContext, path: string) => new ProviderResponseError(options.provider.id, ctx.requestId, `${path}: unexpected body`);
  const clamp = (n: number) => Math.max(1, Math.min(BYCLOUD_MAX_PAGE_SIZE, Math.floor(n)));

  async function page<T>(path: string, key: string, query: Record<string, string | number | undefined | null>, ctx: RequestContext): Promise<BycloudPage<T>> {
    const body = await http.get<Record<string, unknown>>(path, query, ctx);
    const items = isObj(body) ? body[key] : undefined;
    const meta = isObj(body) && isObj(body.meta) ? (body.meta as unknown as BycloudMetaDto) : undefined;
    if (!Array.isArray(items) || !items.every(isBackup) || !meta) throw bad(ctx, path);
    const last = items.at(-1) as { id: string } | undefined;
    return { items: items as T[], next: meta.has_more && last ? last.id : null, total: typeof meta.total === 'number' ? meta.total : null };
  }
  async function one<T>(path: string, ctx: RequestContext): Promise<T> {
    const body = await http.get<T>(path, undefined, ctx);
    if (!isBackup(body)) throw bad(ctx, path);
    return body;
  }

  return {
    listVolumeBackups: (req, ctx) =>
      page(BYCLOUD_ROUTES.volumeBackups(), 'backups', { limit: clamp(req.limit), marker: req.marker, status: req.status, name: req.name, volume_id: req.volumeId }, ctx),
    listDatabaseBackups: (req, ctx) =>
      page(BYCLOUD_ROUTES.databaseBackups(), 'database_backups', { limit: clamp(req.limit), marker: req.marker, status: req.status, name: req.name, instance_id: req.instanceId }, ctx),
    getVolumeBackup: (id, ctx) => one(BYCLOUD_ROUTES.volumeBackup(id), ctx),
    getDatabaseBackup: (id, ctx) => one(BYCLOUD_ROUTES.databaseBackup(id), ctx),
    async createVolumeBackup(body, ctx) {
      const res = await http.send<unknown>('POST', BYCLOUD_ROUTES.volumeBackups(), body, ctx);
      const b = isObj(res.body) && isObj(res.body.backup) ? res.body.backup : res.body;
      if (!isBackup(b)) throw bad(ctx, BYCLOUD_ROUTES.volumeBackups());
      return b as BycloudVolumeBackupDto;
    },
    close: () => http.close(),
  };
}
