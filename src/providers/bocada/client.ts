/**
 * The Bocada Cloud client: `X-Api-Key` auth, the routes in one place, cursor paging, and every
 * body checked by its wire schema (`wire.ts`): one record without an id fails its page. Built on the
 * shared upstream layer (retries, deadlines, request ids).
 */
import { pathSegment } from '../../domain/ids.ts';
import { createUpstreamClient, type QueryInit, type ProviderClientOptions } from '../../upstream/client.ts';
import { ProviderResponseError } from '../../upstream/errors.ts';
import type { z } from 'zod';
import type { RequestContext } from '../contract/index.ts';
import { checkOnce } from '../../upstream/check-once.ts';
import {
  BocadaBackupJobDto, BocadaConnectionDto, BocadaOrganizationDto, BocadaResourceDto, BocadaStatusDto, BocadaTimelineEventDto, bocadaPageDto,
} from './wire.ts';

/** Bocada's largest page. */
export const BOCADA_MAX_PAGE_SIZE = 200;

/** Each interpolated id, encoded whole; `.`, `..` and empty refused (see `pathSegment`). */
const seg = pathSegment;
/** Every path the adapter calls, relative to `<baseUrl>/api/v1`. */
export const BOCADA_ROUTES = {
  status: () => '/system/status',
  organizations: () => '/organizations',
  organization: (id: string) => `/organizations/${seg(id)}`,
  connections: () => '/connections',
  resources: () => '/resources',
  resource: (id: string) => `/resources/${seg(id)}`,
  jobs: () => '/backup-jobs',
  job: (id: string) => `/backup-jobs/${seg(id)}`,
  timeline: (id: string) => `/backup-jobs/${seg(id)}/timeline`,
} as const;

/** A page request: Bocada's own cursor and a page size. */
export interface BocadaPageRequest {
  cursor: string | null;
  pageSize: number;
}

/** One page: items and the cursor of the next page (null at the end). */
export interface BocadaPage<T> {
  items: T[];
  next: string | null;
}

/** Filters of `GET /backup-jobs`. */
export interface BocadaJobQuery {
  organizationId?: string;
  resourceId?: string;
  status?: string;
  startedAfter?: string;
  startedBefore?: string;
  /** `-startedAt` (newest first, Bocada's default) or `startedAt`. */
  sort?: '-startedAt' | 'startedAt';
}

/** Typed reads of the Bocada API. */
export interface BocadaClient {
  status(ctx: RequestContext): Promise<BocadaStatusDto>;
  listOrganizations(req: BocadaPageRequest, ctx: RequestContext): Promise<BocadaPage<BocadaOrganizationDto>>;
  getOrganization(id: string, ctx: RequestContext): Promise<BocadaOrganizationDto>;
  listConnections(organizationId: string, req: BocadaPageRequest, ctx: RequestContext): Promise<BocadaPage<BocadaConnectionDto>>;
  listResources(req: BocadaPageRequest & { organizationId?: string }, ctx: RequestContext): Promise<BocadaPage<BocadaResourceDto>>;
  getResource(id: string, ctx: RequestContext): Promise<BocadaResourceDto>;
  listJobs(req: BocadaPageRequest & BocadaJobQuery, ctx: RequestContext): Promise<BocadaPage<BocadaBackupJobDto>>;
  getJob(id: string, ctx: RequestContext): Promise<BocadaBackupJobDto>;
  listTimeline(jobId: string, ctx: RequestContext): Promise<BocadaTimelineEventDto[]>;
  close(): Promise<void>;
}

/** Options of {@link createBocadaClient}. */
export interface BocadaClientOptions extends ProviderClientOptions {
  apiKey: string;
}

/** Reads Bocada's `{ code, message }` error body. */
export function describeBocadaError(_status: number, body: unknown) {
  const b = body as { code?: unknown; message?: unknown } | undefined;
  return { code: typeof b?.code === 'string' ? b.code : null, message: typeof b?.message === 'string' ? b.message : null };
}


/**
 * Reads every page of a list by following `next` until Bocada omits it. A cursor that comes back
 * twice would loop forever: that is an unusable answer ({@link ProviderResponseError}).
 */
export async function readAllBocadaPages<T>(
  provider: string,
  ctx: RequestContext,
  read: (cursor: string | null) => Promise<BocadaPage<T>>,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const p: BocadaPage<T> = await read(cursor);
    out.push(...p.items);
    cursor = p.next;
    if (cursor !== null) {
      if (seen.has(cursor)) throw new ProviderResponseError(provider, ctx.requestId, 'pagination cursor repeats');
      seen.add(cursor);
    }
  } while (cursor !== null);
  return out;
}

/** The page schema of each list (built once). */
const PAGES = {
  organizations: bocadaPageDto(BocadaOrganizationDto),
  connections: bocadaPageDto(BocadaConnectionDto),
  resources: bocadaPageDto(BocadaResourceDto),
  jobs: bocadaPageDto(BocadaBackupJobDto),
  timeline: bocadaPageDto(BocadaTimelineEventDto),
};

/** A page schema giving items of type `T`. */
type PageSchema<T> = z.ZodType<{ data: T[]; pagination?: { nextCursor?: string | null } | null }>;

/** Creates the client of one Bocada instance. */
export function createBocadaClient(options: BocadaClientOptions): BocadaClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const http = createUpstreamClient({
    routes: BOCADA_ROUTES,
    provider: options.provider,
    baseUrl: base.endsWith('/api/v1') ? base : `${base}/api/v1`,
    authHeaders: () => ({ 'x-api-key': options.apiKey }),
    describeError: describeBocadaError,
    settings: options.settings,
    observer: options.observer,
  });
  const bad = (ctx: RequestContext, path: string) => new ProviderResponseError(options.provider.id, ctx.requestId, `${path}: unexpected body`);
  const clamp = (n: number) => Math.max(1, Math.min(BOCADA_MAX_PAGE_SIZE, Math.floor(n)));

  async function page<T>(path: string, schema: PageSchema<T>, query: QueryInit, req: BocadaPageRequest, ctx: RequestContext): Promise<BocadaPage<T>> {
    const body = await http.get<unknown>(path, { ...query, pageSize: clamp(req.pageSize), cursor: req.cursor }, ctx);
    const parsed = checkOnce(schema, body);
    if (!parsed.success) throw bad(ctx, path);
    return { items: parsed.data.data, next: parsed.data.pagination?.nextCursor ?? null };
  }
  async function one<T extends z.ZodType>(path: string, schema: T, ctx: RequestContext): Promise<z.output<T>> {
    const parsed = checkOnce(schema, await http.get<unknown>(path, undefined, ctx));
    if (!parsed.success) throw bad(ctx, path);
    return parsed.data;
  }

  return {
    status: (ctx) => one(BOCADA_ROUTES.status(), BocadaStatusDto, ctx),
    listOrganizations: (req, ctx) => page(BOCADA_ROUTES.organizations(), PAGES.organizations, {}, req, ctx),
    getOrganization: (id, ctx) => one(BOCADA_ROUTES.organization(id), BocadaOrganizationDto, ctx),
    listConnections: (organizationId, req, ctx) => page(BOCADA_ROUTES.connections(), PAGES.connections, { organizationId }, req, ctx),
    listResources: (req, ctx) => page(BOCADA_ROUTES.resources(), PAGES.resources, { organizationId: req.organizationId }, req, ctx),
    getResource: (id, ctx) => one(BOCADA_ROUTES.resource(id), BocadaResourceDto, ctx),
    listJobs: (req, ctx) =>
      page(BOCADA_ROUTES.jobs(), PAGES.jobs, {
        organizationId: req.organizationId, resourceId: req.resourceId, status: req.status,
        startedAfter: req.startedAfter, startedBefore: req.startedBefore, sort: req.sort,
      }, req, ctx),
    getJob: (id, ctx) => one(BOCADA_ROUTES.job(id), BocadaBackupJobDto, ctx),
    listTimeline: (jobId, ctx) =>
      readAllBocadaPages(options.provider.id, ctx, (cursor) =>
        page(BOCADA_ROUTES.timeline(jobId), PAGES.timeline, {}, { cursor, pageSize: BOCADA_MAX_PAGE_SIZE }, ctx)),
    close: () => http.close(),
  };
}
