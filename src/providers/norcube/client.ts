/**
 * The Norcube Backup (snapdb) HTTP client: bearer auth, the routes in one place, the spec's and the
 * docs' error bodies, cursor paging (`cursor` + `limit` -> `{ list, cursors: { next } }`), and every
 * body the adapter reads checked by its wire schema (`wire.ts`; backup jobs by a hand check, see
 * there): one record it cannot use fails its page. Built on the shared upstream layer, so retries,
 * deadlines, request ids and per-request GET dedupe come from there.
 */
import { pathSegment } from '../../domain/ids.ts';
import { createUpstreamClient, type ProviderClientOptions } from '../../upstream/client.ts';
import { ProviderHttpError, ProviderResponseError } from '../../upstream/errors.ts';
import type { RequestContext } from '../contract/index.ts';
import { z } from 'zod';
import { checkOnce } from '../../upstream/check-once.ts';
import {
  NorcubeBackupPolicyDto, NorcubeCreatedDto, NorcubeDataSourceDto, NorcubeDatasourcePolicyDto, NorcubeDeleteBackupResponseDto,
  NorcubeDownloadLinkResponseDto, NorcubeRestoreJobDto, NorcubeRunBackupNowResponseDto, NorcubeStorageDestinationDto, NorcubeVerifyBackupResponseDto,
  norcubePageDto,
  type NorcubeBackupJobDto, type NorcubePolicyAttachmentUpdateRequestDto, type NorcubePolicyAttachRequestDto, type NorcubePolicyCreateRequestDto,
  type NorcubePolicyUpdateRequestDto, type NorcubeRestoreCreateRequestDto, type NorcubeRunBackupNowRequestDto,
} from './wire.ts';

/**
 * Largest `limit` the adapter asks of a cursor-paged list. The spec names the parameter without
 * bounds; 100 is what the deployments (and our simulator) accept.
 */
export const NORCUBE_MAX_PAGE_SIZE = 100;

/** Each interpolated id, encoded whole; `.`, `..` and empty refused (see `pathSegment`). */
const seg = pathSegment;

/** Every path the adapter calls, relative to the configured base URL (the spec's paths). */
export const NORCUBE_ROUTES = {
  dataSources: () => '/datasources',
  dataSource: (id: string) => `/datasources/${seg(id)}`,
  dataSourcePolicies: (dataSourceId: string) => `/datasources/${seg(dataSourceId)}/policies`,
  dataSourceRestores: (dataSourceId: string) => `/datasources/${seg(dataSourceId)}/restores`,
  /** Org-wide job list, newest first; `datasourceIDs` (repeated) narrows it to some data sources. */
  backupJobs: () => '/backups',
  backupPolicies: () => '/backup-policies',
  restore: (id: string) => `/restores/${seg(id)}`,
  restores: () => '/restores',
  runNow: (dataSourceId: string) => `/datasources/${seg(dataSourceId)}/backups/run-now`,
  backupFile: (dataSourceId: string, jobId: string) => `/datasources/${seg(dataSourceId)}/backups/${seg(jobId)}`,
  downloadLink: (dataSourceId: string, jobId: string) => `/datasources/${seg(dataSourceId)}/backups/${seg(jobId)}/download-link`,
  verify: (dataSourceId: string, jobId: string) => `/datasources/${seg(dataSourceId)}/backups/${seg(jobId)}/verify`,
  attachment: (dataSourceId: string, policyId: string) => `/datasources/${seg(dataSourceId)}/policies/${seg(policyId)}`,
  backupPolicy: (id: string) => `/backup-policies/${seg(id)}`,
  storageDestinations: () => '/storage-destinations',
} as const;

/**
 * Reads the provider's error code and message from an error body: the spec's `response.APIError`
 * `{ type, msg, fields? }` (fields are appended to the message, since `msg` is often "see fields")
 * or the docs' `{ code, message }`. Anything else gives nulls.
 */
export function describeNorcubeError(_status: number, body: unknown): { code: string | null; message: string | null } {
  if (!isObject(body)) return { code: null, message: null };
  const code = str(body.type) ?? str(body.code);
  let message = str(body.msg) ?? str(body.message);
  if (isObject(body.fields)) {
    const parts = Object.entries(body.fields).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k}: ${v}`);
    if (parts.length > 0) message = message && message !== 'see fields' ? `${message} (${parts.join('; ')})` : parts.join('; ');
  }
  return { code, message };
}


/** True when `e` is the 501 older deployments answer on restore routes *(doc)*. */
export function isNorcubeNotImplemented(e: unknown): boolean {
  return e instanceof ProviderHttpError && e.status === 501;
}

/** One page request of a cursor-paged list. */
export interface NorcubePageRequest {
  /** The provider's `cursors.next` of the previous page, null for the first page. */
  cursor: string | null;
  /** Page size; capped at {@link NORCUBE_MAX_PAGE_SIZE}. */
  limit: number;
}

/** One page of a cursor-paged list, validated. */
export interface NorcubePage<T> {
  items: T[];
  /** `cursors.next`, null on the last page. */
  next: string | null;
}

/** Options of {@link createNorcubeClient}. */
export interface NorcubeClientOptions extends ProviderClientOptions {
  /** The bearer token (a JWT). Never logged or put in an error. */
  token: string;
}

/**
 * Typed calls of the Norcube API. Every method throws the shared typed upstream errors
 * (`ProviderHttpError` keeps the provider's `type` and `msg`; never the token).
 */
export interface NorcubeClient {
  /** `GET /datasources`: the organization's data sources, newest first. */
  listDataSources(req: NorcubePageRequest & { /** The spec's name search (`query`). */ query?: string }, ctx: RequestContext): Promise<NorcubePage<NorcubeDataSourceDto>>;
  /** `GET /datasources/{id}`. */
  getDataSource(id: string, ctx: RequestContext): Promise<NorcubeDataSourceDto>;
  /** `GET /backups`: backup jobs across the organization (or of `dataSourceIds`), newest first. */
  listBackupJobs(req: NorcubePageRequest & { dataSourceIds?: readonly string[] }, ctx: RequestContext): Promise<NorcubePage<NorcubeBackupJobDto>>;
  /** `GET /datasources/{id}/policies`: the policies attached to a data source (not paged). */
  listDataSourcePolicies(dataSourceId: string, ctx: RequestContext): Promise<NorcubeDatasourcePolicyDto[]>;
  /** `GET /backup-policies`: one page of the organization's policies. */
  listBackupPolicies(req: NorcubePageRequest, ctx: RequestContext): Promise<NorcubePage<NorcubeBackupPolicyDto>>;
  /** `GET /datasources/{id}/restores`: restore jobs of a data source, newest first (`trigger` manual by default). */
  listRestores(
    dataSourceId: string, req: NorcubePageRequest & { trigger?: 'manual' | 'verification' }, ctx: RequestContext,
  ): Promise<NorcubePage<NorcubeRestoreJobDto>>;
  /** `GET /restores/{id}`. */
  getRestore(id: string, ctx: RequestContext): Promise<NorcubeRestoreJobDto>;
  /** `GET /storage-destinations` (not paged): where policies may write, oldest first. */
  listStorageDestinations(ctx: RequestContext): Promise<NorcubeStorageDestinationDto[]>;

  // Calls that change state: sent once, never retried (see `UpstreamClient.send`).

  /** `POST /datasources/{id}/backups/run-now`: queues a manual backup job. */
  runBackupNow(dataSourceId: string, body: NorcubeRunBackupNowRequestDto, ctx: RequestContext): Promise<NorcubeRunBackupNowResponseDto>;
  /** `DELETE /datasources/{id}/backups/{jobId}`: deletes a backup job's file. */
  deleteBackup(dataSourceId: string, jobId: string, ctx: RequestContext): Promise<NorcubeDeleteBackupResponseDto>;
  /** `POST /datasources/{id}/backups/{jobId}/verify` (202): queues a restore test of the file. */
  verifyBackup(dataSourceId: string, jobId: string, ctx: RequestContext): Promise<NorcubeVerifyBackupResponseDto>;
  /**
   * `POST /datasources/{id}/backups/{jobId}/download-link`: answers the body as is, `ok: false`
   * included (the service answers domain failures with HTTP 200; the caller decides).
   */
  createDownloadLink(dataSourceId: string, jobId: string, ctx: RequestContext): Promise<NorcubeDownloadLinkResponseDto>;
  /** `POST /restores` (201): starts a restore; 501 on deployments without restores. */
  createRestore(body: NorcubeRestoreCreateRequestDto, ctx: RequestContext): Promise<NorcubeCreatedDto>;
  /** `POST /datasources/{id}/policies` (201): attaches a policy (409 when already attached). */
  attachPolicy(dataSourceId: string, body: NorcubePolicyAttachRequestDto, ctx: RequestContext): Promise<NorcubeCreatedDto>;
  /** `PATCH /datasources/{id}/policies/{policyId}` (204). */
  updatePolicyAttachment(dataSourceId: string, policyId: string, body: NorcubePolicyAttachmentUpdateRequestDto, ctx: RequestContext): Promise<void>;
  /** `DELETE /datasources/{id}/policies/{policyId}` (204). */
  detachPolicy(dataSourceId: string, policyId: string, ctx: RequestContext): Promise<void>;
  /** `POST /backup-policies` (201). */
  createPolicy(body: NorcubePolicyCreateRequestDto, ctx: RequestContext): Promise<NorcubeCreatedDto>;
  /** `PATCH /backup-policies/{id}` (204). */
  updatePolicy(id: string, body: NorcubePolicyUpdateRequestDto, ctx: RequestContext): Promise<void>;
  close(): Promise<void>;
}

/** Creates the client of one Norcube instance. */
export function createNorcubeClient(options: NorcubeClientOptions): NorcubeClient {
  const { provider, token } = options;
  const http = createUpstreamClient({
    routes: NORCUBE_ROUTES,
    provider,
    baseUrl: options.baseUrl,
    authHeaders: () => ({ authorization: `Bearer ${token}` }),
    describeError: describeNorcubeError,
    settings: options.settings,
    observer: options.observer,
    dispatcher: options.dispatcher,
  });
  const bad = (ctx: RequestContext, detail: string) => new ProviderResponseError(provider.id, ctx.requestId, detail);
  const size = (limit: number) => Math.max(1, Math.min(NORCUBE_MAX_PAGE_SIZE, Math.floor(limit)));

  async function page<T>(path: string, query: Record<string, string | number | readonly string[] | null | undefined>, schema: PageSchema<T>, what: string, ctx: RequestContext): Promise<NorcubePage<T>> {
    const parsed = checkOnce(schema, await http.get<unknown>(path, query, ctx));
    if (!parsed.success) {
      // Names the first problem in the order the body is read: the list, the cursors, an item.
      const at = parsed.error.issues.map((i) => i.path);
      if (at.some((p) => p.length === 0 || (p.length === 1 && p[0] === 'list'))) throw bad(ctx, `${what}: no list`);
      if (at.some((p) => p[0] === 'cursors')) throw bad(ctx, `${what}: cursors is not an object with a string next`);
      throw bad(ctx, `${what}: malformed item`);
    }
    const next = parsed.data.cursors?.next;
    return { items: parsed.data.list, next: next ? next : null };
  }

  /** A body checked by `schema`; `detail` names what failed (after `what`). */
  function check<T extends z.ZodType>(body: unknown, schema: T, what: string, detail: string, ctx: RequestContext): z.output<T> {
    const parsed = checkOnce(schema, body);
    if (!parsed.success) throw bad(ctx, `${what}: ${detail}`);
    return parsed.data;
  }

  async function one<T extends z.ZodType>(path: string, schema: T, what: string, ctx: RequestContext): Promise<z.output<T>> {
    return check(await http.get<unknown>(path, undefined, ctx), schema, what, 'malformed record', ctx);
  }

  /** A call that changes state: sent once, never retried; answers the parsed body (undefined when empty). */
  async function send(method: 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, ctx: RequestContext): Promise<unknown> {
    return (await http.send<unknown>(method, path, body, ctx)).body;
  }

  const created = (body: unknown, what: string, ctx: RequestContext): NorcubeCreatedDto => check(body, NorcubeCreatedDto, what, 'no id', ctx);

  return {
    async listStorageDestinations(ctx) {
      return check(await http.get<unknown>(NORCUBE_ROUTES.storageDestinations(), undefined, ctx), StorageDestinationList, 'storage-destinations', 'malformed list', ctx);
    },
    async runBackupNow(dataSourceId, body, ctx) {
      return check(await send('POST', NORCUBE_ROUTES.runNow(dataSourceId), body, ctx), NorcubeRunBackupNowResponseDto, 'run-now', 'no jobId', ctx);
    },
    async deleteBackup(dataSourceId, jobId, ctx) {
      // The file is gone once the call succeeded; what the body says about it is extra.
      const parsed = NorcubeDeleteBackupResponseDto.safeParse(await send('DELETE', NORCUBE_ROUTES.backupFile(dataSourceId, jobId), undefined, ctx));
      return parsed.success ? parsed.data : {};
    },
    async verifyBackup(dataSourceId, jobId, ctx) {
      const res = await send('POST', NORCUBE_ROUTES.verify(dataSourceId, jobId), undefined, ctx);
      return res === undefined ? {} : check(res, NorcubeVerifyBackupResponseDto, 'verify', 'not an object', ctx);
    },
    async createDownloadLink(dataSourceId, jobId, ctx) {
      const res = await send('POST', NORCUBE_ROUTES.downloadLink(dataSourceId, jobId), undefined, ctx);
      const parsed = NorcubeDownloadLinkResponseDto.safeParse(res);
      if (!parsed.success) throw bad(ctx, `download-link: ${parsed.error.issues.some((i) => i.path[0] === 'ok') ? 'no ok flag' : 'ok without url'}`);
      return parsed.data;
    },
    createRestore: async (body, ctx) => created(await send('POST', NORCUBE_ROUTES.restores(), body, ctx), 'restores', ctx),
    attachPolicy: async (dataSourceId, body, ctx) =>
      created(await send('POST', NORCUBE_ROUTES.dataSourcePolicies(dataSourceId), body, ctx), 'datasource policies', ctx),
    async updatePolicyAttachment(dataSourceId, policyId, body, ctx) {
      await send('PATCH', NORCUBE_ROUTES.attachment(dataSourceId, policyId), body, ctx);
    },
    async detachPolicy(dataSourceId, policyId, ctx) {
      await send('DELETE', NORCUBE_ROUTES.attachment(dataSourceId, policyId), undefined, ctx);
    },
    createPolicy: async (body, ctx) => created(await send('POST', NORCUBE_ROUTES.backupPolicies(), body, ctx), 'backup-policies', ctx),
    async updatePolicy(id, body, ctx) {
      await send('PATCH', NORCUBE_ROUTES.backupPolicy(id), body, ctx);
    },
    listDataSources: (req, ctx) =>
      page(NORCUBE_ROUTES.dataSources(), { cursor: req.cursor, limit: size(req.limit), query: req.query }, PAGES.dataSources, 'datasources', ctx),
    getDataSource: (id, ctx) => one(NORCUBE_ROUTES.dataSource(id), NorcubeDataSourceDto, 'datasource', ctx),
    listBackupJobs: (req, ctx) =>
      page(
        NORCUBE_ROUTES.backupJobs(),
        { cursor: req.cursor, limit: size(req.limit), datasourceIDs: req.dataSourceIds?.length ? req.dataSourceIds : undefined },
        PAGES.backupJobs, 'backups', ctx,
      ),
    async listDataSourcePolicies(dataSourceId, ctx) {
      return check(await http.get<unknown>(NORCUBE_ROUTES.dataSourcePolicies(dataSourceId), undefined, ctx), AttachmentList, 'datasource policies', 'malformed list', ctx);
    },
    listBackupPolicies: (req, ctx) =>
      page(NORCUBE_ROUTES.backupPolicies(), { cursor: req.cursor, limit: size(req.limit) }, PAGES.policies, 'backup-policies', ctx),
    listRestores: (dataSourceId, req, ctx) =>
      page(
        NORCUBE_ROUTES.dataSourceRestores(dataSourceId),
        { cursor: req.cursor, limit: size(req.limit), trigger: req.trigger },
        PAGES.restores, 'restores', ctx,
      ),
    getRestore: (id, ctx) => one(NORCUBE_ROUTES.restore(id), NorcubeRestoreJobDto, 'restore', ctx),
    close: () => http.close(),
  };
}

/** `GET /storage-destinations`: a bare array. */
const StorageDestinationList = z.array(NorcubeStorageDestinationDto);
/** `GET /datasources/{id}/policies`: a bare array. */
const AttachmentList = z.array(NorcubeDatasourcePolicyDto);

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
const hasStrings = (v: unknown, keys: readonly string[]): boolean => isObject(v) && keys.every((k) => typeof v[k] === 'string' && v[k] !== '');

/**
 * A backup job as the listing reads it: checked by hand (its ids, status and creation are strings),
 * not parsed field by field, and kept as it came (no copy); the mapper reads every other field
 * through type checks. See `wire.ts` for why.
 */
const BackupJobChecked = z.custom<NorcubeBackupJobDto>((v) => hasStrings(v, ['jobId', 'jobStatus', 'datasourceId', 'jobCreatedAt']), 'malformed backup job');

/** The page schema of each list (built once). */
const PAGES = {
  dataSources: norcubePageDto(NorcubeDataSourceDto),
  backupJobs: norcubePageDto(BackupJobChecked),
  policies: norcubePageDto(NorcubeBackupPolicyDto),
  restores: norcubePageDto(NorcubeRestoreJobDto),
};

/** A page schema giving items of type `T`. */
type PageSchema<T> = z.ZodType<{ list: T[]; cursors?: { next?: string | null } | null }>;
