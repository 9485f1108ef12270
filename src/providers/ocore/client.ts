/**
 * The oCore HTTP client: bearer auth, the routes in one place (under `/api`), the `{ error }` error
 * body, offset paging (`limit` + `offset` -> `{ <items>, total }`) and light validation of every
 * body the adapter reads, through the schemas of `wire.ts`. Built on the shared upstream layer, so
 * retries, deadlines, request ids and per-request GET dedupe come from there.
 */
import type { z } from 'zod';
import { pathSegment } from '../../domain/ids.ts';
import { createUpstreamClient, type QueryInit, type ProviderClientOptions } from '../../upstream/client.ts';
import { ProviderResponseError, nullIfNotFound } from '../../upstream/errors.ts';
import { readSseEvents } from '../../upstream/sse.ts';
import type { RequestContext } from '../contract/index.ts';
import { checkOnce } from '../../upstream/check-once.ts';
import {
  OcoreAlertCountDto, OcoreAlertListDto, OcoreBackupDto, OcoreBackupListDto, OcoreCreateBackupResponseDto, OcoreCronPresetListDto,
  OcoreEnvironmentListDto, OcoreErrorDto, OcoreOperationStepListDto, OcorePitrCoverageDto, OcoreProgressEventDto, OcoreProjectListDto,
  OcoreRestoreLogListDto, OcoreRestoreResponseDto, OcoreRetentionPreviewDto, OcoreScheduleDto,
  type OcoreAlertDto, type OcoreEnvironmentDto, type OcoreOperationStepDto, type OcoreOperationTypeValue, type OcoreProjectDto,
  type OcoreRestoreLogDto, type OcoreRestoreRequestDto,
} from './wire.ts';

/** Largest `limit` any oCore list accepts *(doc: "max 100")*. */
export const OCORE_MAX_PAGE_SIZE = 100;

/** The path prefix every oCore route lives under *(doc)*. */
export const OCORE_API_PREFIX = '/api';

/** Pages of `GET /projects` read at most, so a server that ignores `offset` cannot loop us forever. */
const MAX_PROJECT_PAGES = 100;

/** Each interpolated id, encoded whole; `.`, `..` and empty refused (see `pathSegment`). */
const seg = pathSegment;

/** Every path the adapter calls, relative to `<baseUrl>/api`. */
export const OCORE_ROUTES = {
  projects: () => '/projects',
  projectEnvironments: (projectId: string) => `/projects/${seg(projectId)}/environments`,
  projectBackups: (projectId: string) => `/projects/${seg(projectId)}/backups`,
  environmentBackups: (envId: string) => `/environments/${seg(envId)}/backups`,
  backup: (id: string) => `/backups/${seg(id)}`,
  backupSchedule: (envId: string) => `/environments/${seg(envId)}/backup-schedule`,
  pitrCoverage: (envId: string) => `/environments/${seg(envId)}/pitr-coverage`,
  restoreLogs: (envId: string) => `/environments/${seg(envId)}/restore-logs`,
  alerts: () => '/backup-alerts',
  alertCount: () => '/backup-alerts/count',
  operationSteps: (type: OcoreOperationTypeValue, id: string) => `/operations/${type}/${seg(id)}/steps`,
  backupProgress: (id: string) => `/backups/${seg(id)}/progress`,
  environmentBackupsCreate: (envId: string) => `/environments/${seg(envId)}/backups`,
  restore: (id: string) => `/backups/${seg(id)}/restore`,
  alertDismiss: (id: string) => `/backup-alerts/${seg(id)}/dismiss`,
  alertRead: (id: string) => `/backup-alerts/${seg(id)}/read`,
  retentionPreview: (envId: string) => `/environments/${seg(envId)}/backup-schedule/retention-preview`,
  cronPresets: () => '/backup-schedule/presets',
  restoreProgress: (id: string) => `/backups/${seg(id)}/restore/progress`,
} as const;

/** Reads the provider's message from its error body `{ "error": "<message>" }`; oCore sends no code. */
export function describeOcoreError(_status: number, body: unknown): { code: string | null; message: string | null } {
  const parsed = OcoreErrorDto.safeParse(body);
  return { code: null, message: parsed.success && parsed.data.error !== '' ? parsed.data.error : null };
}


/** The `<baseUrl>/api` root the routes are appended to; a base URL that already ends in `/api` is kept. */
export function ocoreApiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  return trimmed.endsWith(OCORE_API_PREFIX) ? trimmed : trimmed + OCORE_API_PREFIX;
}

/** One offset page request; `limit` is clamped to 1..{@link OCORE_MAX_PAGE_SIZE}. */
export interface OcoreOffsetRequest {
  limit: number;
  offset: number;
}

/** One offset page, validated. */
export interface OcoreOffsetPage<T> {
  items: T[];
  /** The body's `total` (matching records across all pages); null when the body had none. */
  total: number | null;
}

/** A list body as its wire schema gives it: the items under `K`, and `total`. */
type OcoreListBody<K extends string> = { [P in K]: unknown[] } & { total?: number | null };

/** Options of {@link createOcoreClient}. */
export interface OcoreClientOptions extends ProviderClientOptions {
  /** The bearer token (a JWT). Never logged or put in an error. */
  token: string;
}

/** Typed reads of the oCore API. Every method throws the shared typed upstream errors. */
export interface OcoreClient {
  /** `GET /projects`, every page: the projects the token sees, in the provider's order. */
  listProjects(ctx: RequestContext): Promise<OcoreProjectDto[]>;
  /** `GET /projects/{id}/environments`: one page. */
  listEnvironments(projectId: string, req: OcoreOffsetRequest, ctx: RequestContext): Promise<OcoreOffsetPage<OcoreEnvironmentDto>>;
  /** `GET /projects/{id}/backups`: one page of the project's backups, optionally of one raw status. */
  listProjectBackups(
    projectId: string, req: OcoreOffsetRequest & { status?: string }, ctx: RequestContext,
  ): Promise<OcoreOffsetPage<OcoreBackupDto>>;
  /** `GET /environments/{id}/backups`: one page of the environment's backups, optionally of one raw status / type. */
  listEnvironmentBackups(
    envId: string, req: OcoreOffsetRequest & { status?: string; type?: string }, ctx: RequestContext,
  ): Promise<OcoreOffsetPage<OcoreBackupDto>>;
  /** `GET /backups/{id}`. */
  getBackup(id: string, ctx: RequestContext): Promise<OcoreBackupDto>;
  /** `GET /environments/{id}/backup-schedule`; null on 404 (the environment has no schedule). */
  getBackupSchedule(envId: string, ctx: RequestContext): Promise<OcoreScheduleDto | null>;
  /** `GET /environments/{id}/pitr-coverage`. */
  getPitrCoverage(envId: string, ctx: RequestContext): Promise<OcorePitrCoverageDto>;
  /** `GET /environments/{id}/restore-logs`: one page of restores whose source or target is the environment. */
  listRestoreLogs(envId: string, req: OcoreOffsetRequest, ctx: RequestContext): Promise<OcoreOffsetPage<OcoreRestoreLogDto>>;
  /** `GET /backup-alerts`: the first `limit` alerts (the API has no offset). */
  listAlerts(req: { includeDismissed: boolean; limit: number }, ctx: RequestContext): Promise<OcoreOffsetPage<OcoreAlertDto>>;
  /** `GET /backup-alerts/count`. */
  getAlertCount(ctx: RequestContext): Promise<OcoreAlertCountDto>;
  /** `GET /operations/{type}/{id}/steps`: the steps of an operation, as sent. */
  listOperationSteps(type: OcoreOperationTypeValue, id: string, ctx: RequestContext): Promise<OcoreOperationStepDto[]>;
  /**
   * `GET /backups/{id}/progress` or `/backups/{id}/restore/progress` (SSE), resuming after
   * `lastEventId`: yields each event with its id, type and parsed data until the server closes.
   */
  streamProgress(
    op: 'backup' | 'restore', backupId: string, lastEventId: string | null, ctx: RequestContext,
  ): AsyncGenerator<{ id: string | null; event: string; data: OcoreProgressEventDto }>;
  /** `POST /environments/{id}/backups`: starts a backup (never retried). */
  createBackup(envId: string, type: 'db' | 'full', ctx: RequestContext): Promise<{ backupId: string }>;
  /** `POST /backups/{id}/restore`: starts a restore (never retried). */
  restoreBackup(backupId: string, body: OcoreRestoreRequestDto, ctx: RequestContext): Promise<OcoreRestoreResponseDto>;
  /** `DELETE /backups/{id}`: marks it for deletion (202). */
  deleteBackup(backupId: string, ctx: RequestContext): Promise<void>;
  /** `POST /backup-alerts/{id}/dismiss` or `/read`. */
  alertAction(alertId: string, action: 'dismiss' | 'read', ctx: RequestContext): Promise<void>;
  /** `PUT /environments/{id}/backup-schedule`: creates or updates it, answers the schedule. */
  putBackupSchedule(envId: string, body: Record<string, unknown>, ctx: RequestContext): Promise<OcoreScheduleDto>;
  /** `POST /environments/{id}/backup-schedule/retention-preview`. */
  retentionPreview(envId: string, body: Record<string, number>, ctx: RequestContext): Promise<OcoreRetentionPreviewDto>;
  /** `GET /backup-schedule/presets`. */
  cronPresets(ctx: RequestContext): Promise<Array<{ cron: string; label: string }>>;
  close(): Promise<void>;
}

/** Creates the client of one oCore instance. */
export function createOcoreClient(options: OcoreClientOptions): OcoreClient {
  const { provider, token } = options;
  const http = createUpstreamClient({
    routes: OCORE_ROUTES,
    provider,
    baseUrl: ocoreApiRoot(options.baseUrl),
    authHeaders: () => ({ authorization: `Bearer ${token}` }),
    describeError: describeOcoreError,
    settings: options.settings,
    observer: options.observer,
    dispatcher: options.dispatcher,
  });
  const bad = (ctx: RequestContext, detail: string) => new ProviderResponseError(provider.id, ctx.requestId, detail);

  async function* streamProgress(op: 'backup' | 'restore', backupId: string, lastEventId: string | null, ctx: RequestContext) {
    const path = op === 'backup' ? OCORE_ROUTES.backupProgress(backupId) : OCORE_ROUTES.restoreProgress(backupId);
    const res = await http.stream(path, lastEventId ? { 'last-event-id': lastEventId } : {}, ctx);
    try {
      for await (const e of readSseEvents(res.body)) {
        let data: unknown;
        try {
          data = JSON.parse(e.data);
        } catch {
          throw bad(ctx, `${path}: event data is not JSON`);
        }
        const event = OcoreProgressEventDto.safeParse(data);
        if (!event.success) throw bad(ctx, `${path}: malformed progress event`);
        yield { id: e.id ?? null, event: e.event ?? 'message', data: event.data };
      }
    } finally {
      res.body.destroy();
    }
  }
  const clamp = (limit: number) => Math.max(1, Math.min(OCORE_MAX_PAGE_SIZE, Math.floor(limit)));
  const offsetOf = (offset: number) => Math.max(0, Math.floor(offset));

  /**
   * One page of an offset list: `{ <key>: [...], total }` checked by the list's schema, one bad item
   * failing the page. The failure names the first problem in the order the body is read: the list,
   * an item, then `total`.
   */
  async function page<K extends string, S extends z.ZodType<OcoreListBody<K>>>(
    path: string, query: QueryInit | undefined, key: K, list: S, ctx: RequestContext,
  ): Promise<OcoreOffsetPage<z.output<S>[K][number]>> {
    const body = await http.get<unknown>(path, query, ctx);
    const parsed = checkOnce(list, body);
    if (!parsed.success) {
      const at = parsed.error.issues.map((i) => i.path);
      if (at.some((p) => p.length === 0 || (p.length === 1 && p[0] === key))) throw bad(ctx, `${path}: no ${key} list`);
      if (at.some((p) => p[0] === key)) throw bad(ctx, `${path}: malformed item`);
      throw bad(ctx, `${path}: total is not a count`);
    }
    return { items: parsed.data[key], total: parsed.data.total ?? null };
  }

  /** A body checked by `schema`; `detail` names what failed (after the path). */
  function check<T>(path: string, schema: z.ZodType<T>, body: unknown, detail: string, ctx: RequestContext): T {
    const parsed = checkOnce(schema, body);
    if (!parsed.success) throw bad(ctx, `${path}: ${detail}`);
    return parsed.data;
  }

  async function one<T>(path: string, schema: z.ZodType<T>, ctx: RequestContext): Promise<T> {
    return check(path, schema, await http.get<unknown>(path, undefined, ctx), 'malformed record', ctx);
  }

  return {
    streamProgress,
    async createBackup(envId, type, ctx) {
      const path = OCORE_ROUTES.environmentBackupsCreate(envId);
      const res = await http.send<unknown>('POST', path, { type }, ctx);
      return { backupId: check(path, OcoreCreateBackupResponseDto, res.body, 'no backupId', ctx).backupId };
    },
    async restoreBackup(backupId, body, ctx) {
      const path = OCORE_ROUTES.restore(backupId);
      const res = await http.send<unknown>('POST', path, body, ctx);
      return check(path, OcoreRestoreResponseDto, res.body, 'unexpected body', ctx);
    },
    async deleteBackup(backupId, ctx) {
      await http.send('DELETE', OCORE_ROUTES.backup(backupId), undefined, ctx);
    },
    async alertAction(alertId, action, ctx) {
      await http.send('POST', action === 'dismiss' ? OCORE_ROUTES.alertDismiss(alertId) : OCORE_ROUTES.alertRead(alertId), undefined, ctx);
    },
    async putBackupSchedule(envId, body, ctx) {
      const path = OCORE_ROUTES.backupSchedule(envId);
      const res = await http.send<unknown>('PUT', path, body, ctx);
      return check(path, OcoreScheduleDto, res.body, 'unexpected body', ctx);
    },
    async retentionPreview(envId, body, ctx) {
      const path = OCORE_ROUTES.retentionPreview(envId);
      const res = await http.send<unknown>('POST', path, body, ctx);
      return check(path, OcoreRetentionPreviewDto, res.body, 'unexpected body', ctx);
    },
    async cronPresets(ctx) {
      const path = OCORE_ROUTES.cronPresets();
      return check(path, OcoreCronPresetListDto, await http.get<unknown>(path, undefined, ctx), 'unexpected body', ctx);
    },
    async listProjects(ctx) {
      // The route is assumed (PROVIDERS.md): read the default page, then follow `offset` while the
      // body's total says there is more; stop if a page adds nothing new (offset not honoured).
      const out: OcoreProjectDto[] = [];
      const seen = new Set<string>();
      for (let n = 0; n < MAX_PROJECT_PAGES; n++) {
        const query = n === 0 ? undefined : { offset: out.length };
        const p = await page(OCORE_ROUTES.projects(), query, 'projects', OcoreProjectListDto, ctx);
        const fresh = p.items.filter((x) => !seen.has(x.id));
        for (const x of fresh) {
          seen.add(x.id);
          out.push(x);
        }
        if (fresh.length === 0 || p.total === null || out.length >= p.total) break;
      }
      return out;
    },
    listEnvironments: (projectId, req, ctx) =>
      page(OCORE_ROUTES.projectEnvironments(projectId), { limit: clamp(req.limit), offset: offsetOf(req.offset) }, 'environments', OcoreEnvironmentListDto, ctx),
    listProjectBackups: (projectId, req, ctx) =>
      page(
        OCORE_ROUTES.projectBackups(projectId),
        { status: req.status, limit: clamp(req.limit), offset: offsetOf(req.offset) },
        'backups', OcoreBackupListDto, ctx,
      ),
    listEnvironmentBackups: (envId, req, ctx) =>
      page(
        OCORE_ROUTES.environmentBackups(envId),
        { status: req.status, type: req.type, limit: clamp(req.limit), offset: offsetOf(req.offset) },
        'backups', OcoreBackupListDto, ctx,
      ),
    getBackup: (id, ctx) => one(OCORE_ROUTES.backup(id), OcoreBackupDto, ctx),
    async getBackupSchedule(envId, ctx) {
      return nullIfNotFound(one(OCORE_ROUTES.backupSchedule(envId), OcoreScheduleDto, ctx));
    },
    getPitrCoverage: (envId, ctx) => one(OCORE_ROUTES.pitrCoverage(envId), OcorePitrCoverageDto, ctx),
    listRestoreLogs: (envId, req, ctx) =>
      page(OCORE_ROUTES.restoreLogs(envId), { limit: clamp(req.limit), offset: offsetOf(req.offset) }, 'restoreLogs', OcoreRestoreLogListDto, ctx),
    listAlerts: (req, ctx) =>
      page(OCORE_ROUTES.alerts(), { include_dismissed: req.includeDismissed, limit: clamp(req.limit) }, 'alerts', OcoreAlertListDto, ctx),
    async getAlertCount(ctx) {
      const path = OCORE_ROUTES.alertCount();
      const { undismissed, unread } = check(path, OcoreAlertCountDto, await http.get<unknown>(path, undefined, ctx), 'malformed count', ctx);
      return { undismissed, unread };
    },
    async listOperationSteps(type, id, ctx) {
      const p = await page(OCORE_ROUTES.operationSteps(type, id), undefined, 'steps', OcoreOperationStepListDto, ctx);
      return p.items;
    },
    close: () => http.close(),
  };
}
