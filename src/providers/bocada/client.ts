/**
 * The Bocada Cloud client: `X-Api-Key` auth, the routes in one place, cursor paging and light
 * checks of every body. Built on the shared upstream layer (retries, deadlines, request ids).
 */
import { pathSegment } from '../../domain/ids.ts';
import { createUpstreamClient, type QueryInit, type ProviderClientOptions } from '../../upstream/client.ts';
import { ProviderResponseError } from '../../upstream/errors.ts';
import type { RequestContext } from '../contract/index.ts';
import type {
  BocadaBackupJobDto, BocadaConnectionDto, BocadaOrganizationDto, BocadaPageDto, BocadaResourceDto, BocadaStatusDto, BocadaTimelineEventDto,
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

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasId = (v: unknown): boolean => isObj(v) && typeof v.id === 'string';

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

  async function page<T>(path: string, query: QueryInit, req: BocadaPageRequest, ctx: RequestContext): Promise<BocadaPage<T>> {
    const body = await http.get<BocadaPageDto<T>>(path, { ...query, pageSize: clamp(req.pageSize), cursor: req.cursor }, ctx);
    if (!isObj(body) || !Array.isArray(body.data) || !body.data.every(hasId)) throw bad(ctx, path);
    const next = isObj(body.pagination) && typeof body.pagination.nextCursor === 'string' ? body.pagination.nextCursor : null;
    return { items: body.data, next };
  }
  async function one<T>(path: string, ctx: RequestContext): Promise<T> {
    const body = await http.get<T>(path, undefined, ctx);
    if (!hasId(body)) throw bad(ctx, path);
    return body;
  }

  return {
    async status(ctx) {
      const body = await http.get<BocadaStatusDto>(BOCADA_ROUTES.status(), undefined, ctx);
      if (!isObj(body) || typeof body.status !== 'string') throw bad(ctx, BOCADA_ROUTES.status());
      return body;
    },
    listOrganizations: (req, ctx) => page(BOCADA_ROUTES.organizations(), {}, req, ctx),
    getOrganization: (id, ctx) => one(BOCADA_ROUTES.organization(id), ctx),
    listConnections: (organizationId, req, ctx) => page(BOCADA_ROUTES.connections(), { organizationId }, req, ctx),
    listResources: (req, ctx) => page(BOCADA_ROUTES.resources(), { organizationId: req.organizationId }, req, ctx),
    getResource: (id, ctx) => one(BOCADA_ROUTES.resource(id), ctx),
    listJobs: (req, ctx) =>
      page(BOCADA_ROUTES.jobs(), {
        organizationId: req.organizationId, resourceId: req.resourceId, status: req.status,
        startedAfter: req.startedAfter, startedBefore: req.startedBefore, sort: req.sort,
      }, req, ctx),
    getJob: (id, ctx) => one(BOCADA_ROUTES.job(id), ctx),
    listTimeline: (jobId, ctx) =>
      readAllBocadaPages(options.provider.id, ctx, (cursor) =>
        page<BocadaTimelineEventDto>(BOCADA_ROUTES.timeline(jobId), {}, { cursor, pageSize: BOCADA_MAX_PAGE_SIZE }, ctx)),
    close: () => http.close(),
  };
}
