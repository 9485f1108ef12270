/**
 * The ByCloud client: bearer auth, the routes in one place, marker paging read from `meta` (the
 * docs' `links` point at the wrong collection), and every body checked by its wire schema
 * (`wire.ts`): one backup it cannot use fails its page.
 */
import { pathSegment } from '../../domain/ids.ts';
import { createUpstreamClient, type ProviderClientOptions } from '../../upstream/client.ts';
import { ProviderResponseError } from '../../upstream/errors.ts';
import type { RequestContext } from '../contract/index.ts';
import type { z } from 'zod';
import { checkOnce } from '../../upstream/check-once.ts';
import {
  BycloudCreatedBackupDto, BycloudDatabaseBackupDto, BycloudDatabaseBackupListDto, BycloudErrorDto, BycloudVolumeBackupDto, BycloudVolumeBackupListDto,
  type BycloudCreateBackupDto,
} from './wire.ts';

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
  const parsed = BycloudErrorDto.safeParse(body);
  const e = parsed.success ? parsed.data.error : undefined;
  return { code: e?.code != null ? String(e.code) : null, message: e?.message ?? null };
}


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

  /** One page of the list `schema` checks, its items under `key`. */
  async function page<K extends string, T>(
    path: string, key: K, schema: z.ZodType<{ [k in K]: T[] } & { meta: { has_more?: boolean | null; total?: number | null } }>,
    query: Record<string, string | number | undefined | null>, ctx: RequestContext,
  ): Promise<BycloudPage<T>> {
    const parsed = checkOnce(schema, await http.get<unknown>(path, query, ctx));
    if (!parsed.success) throw bad(ctx, path);
    const items = parsed.data[key];
    const last = items.at(-1) as { id: string } | undefined;
    return { items, next: parsed.data.meta.has_more && last ? last.id : null, total: parsed.data.meta.total ?? null };
  }
  async function one<T>(path: string, schema: z.ZodType<T>, ctx: RequestContext): Promise<T> {
    const parsed = checkOnce(schema, await http.get<unknown>(path, undefined, ctx));
    if (!parsed.success) throw bad(ctx, path);
    return parsed.data;
  }

  return {
    listVolumeBackups: (req, ctx) =>
      page(BYCLOUD_ROUTES.volumeBackups(), 'backups', BycloudVolumeBackupListDto, { limit: clamp(req.limit), marker: req.marker, status: req.status, name: req.name, volume_id: req.volumeId }, ctx),
    listDatabaseBackups: (req, ctx) =>
      page(BYCLOUD_ROUTES.databaseBackups(), 'database_backups', BycloudDatabaseBackupListDto, { limit: clamp(req.limit), marker: req.marker, status: req.status, name: req.name, instance_id: req.instanceId }, ctx),
    getVolumeBackup: (id, ctx) => one(BYCLOUD_ROUTES.volumeBackup(id), BycloudVolumeBackupDto, ctx),
    getDatabaseBackup: (id, ctx) => one(BYCLOUD_ROUTES.databaseBackup(id), BycloudDatabaseBackupDto, ctx),
    async createVolumeBackup(body, ctx) {
      const res = await http.send<unknown>('POST', BYCLOUD_ROUTES.volumeBackups(), body, ctx);
      const parsed = BycloudCreatedBackupDto.safeParse(res.body);
      if (!parsed.success) throw bad(ctx, BYCLOUD_ROUTES.volumeBackups());
      return parsed.data;
    },
    close: () => http.close(),
  };
}
