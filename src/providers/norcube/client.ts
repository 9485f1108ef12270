/**
 * The Norcube Backup (snapdb) HTTP client: bearer auth, the routes in one place, the spec's and the
 * docs' error bodies, cursor paging (`cursor` + `limit` -> `{ list, cursors: { next } }`) and light
 * validation of every body the adapter reads. Built on the shared upstream layer, so retries,
 * deadlines, request ids and per-request GET dedupe come from there.
 */
import { pathSegment } from '../../domain/ids.ts';
import { createUpstreamClient, type ProviderClientOptions } from '../../upstream/client.ts';
import { ProviderHttpError, ProviderResponseError } from '../../upstream/errors.ts';
import type { RequestContext } from '../contract/index.ts';
import type {
  NorcubeBackupJobDto, NorcubeBackupPolicyDto, NorcubeCreatedDto, NorcubeDataSourceDto, NorcubeDatasourcePolicyDto, NorcubeDeleteBackupResponseDto,
  NorcubeDownloadLinkResponseDto, NorcubePageDto, NorcubePolicyAttachmentUpdateRequestDto, NorcubePolicyAttachRequestDto,
  NorcubePolicyCreateRequestDto, NorcubePolicyUpdateRequestDto, NorcubeRestoreCreateRequestDto, NorcubeRestoreJobDto,
  NorcubeRunBackupNowRequestDto, NorcubeRunBackupNowResponseDto, NorcubeStorageDestinationDto, NorcubeVerifyBackupResponseDto,
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

  async function page<T>(path: string, query: Record<string, string | number | readonly string[] | null | undefined>, isItem: (v: unknown) => v is T, what: string, ctx: RequestContext): Promise<NorcubePage<T>> {
    const body = await http.get<NorcubePageDto<unknown>>(path, query, ctx);
    if (!isObject(body) || !Array.isArray(body.list)) throw bad(ctx, `${what}: no list`);
    if (body.cursors != null && !isObject(body.cursors)) throw bad(ctx, `${what}: cursors is not an object`);
    const next = body.cursors?.next;
    if (next != null && typeof next !== 'string') throw bad(ctx, `${what}: cursors.next is not a string`);
    if (!body.list.every(isItem)) throw bad(ctx, `${what}: malformed item`);
    return { items: body.list, next: next ? next : null };
  }

  async function one<T>(path: string, isItem: (v: unknown) => v is T, what: string, ctx: RequestContext): Promise<T> {
    const body = await http.get<unknown>(path, undefined, ctx);
    if (!isItem(body)) throw bad(ctx, `${what}: malformed record`);
    return body;
  }

  /** A call that changes state: sent once, never retried; answers the parsed body (undefined when empty). */
  async function send(method: 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, ctx: RequestContext): Promise<unknown> {
    return (await http.send<unknown>(method, path, body, ctx)).body;
  }

  function created(body: unknown, what: string, ctx: RequestContext): NorcubeCreatedDto {
    if (!hasStrings(body, ['id'])) throw bad(ctx, `${what}: no id`);
    return body as NorcubeCreatedDto;
  }

  return {
    async listStorageDestinations(ctx) {
      const body = await http.get<unknown>(NORCUBE_ROUTES.storageDestinations(), undefined, ctx);
      if (!Array.isArray(body) || !body.every(isStorageDestination)) throw bad(ctx, 'storage-destinations: malformed list');
      return body;
    },
    async runBackupNow(dataSourceId, body, ctx) {
      const res = await send('POST', NORCUBE_ROUTES.runNow(dataSourceId), body, ctx);
      if (!hasStrings(res, ['jobId'])) throw bad(ctx, 'run-now: no jobId');
      return res as NorcubeRunBackupNowResponseDto;
    },
    async deleteBackup(dataSourceId, jobId, ctx) {
      const res = await send('DELETE', NORCUBE_ROUTES.backupFile(dataSourceId, jobId), undefined, ctx);
      return isObject(res) ? (res as NorcubeDeleteBackupResponseDto) : {};
    },
    async verifyBackup(dataSourceId, jobId, ctx) {
      const res = await send('POST', NORCUBE_ROUTES.verify(dataSourceId, jobId), undefined, ctx);
      if (res !== undefined && !isObject(res)) throw bad(ctx, 'verify: not an object');
      return (res ?? {}) as NorcubeVerifyBackupResponseDto;
    },
    async createDownloadLink(dataSourceId, jobId, ctx) {
      const res = await send('POST', NORCUBE_ROUTES.downloadLink(dataSourceId, jobId), undefined, ctx);
      if (!isObject(res) || typeof res.ok !== 'boolean') throw bad(ctx, 'download-link: no ok flag');
      if (res.ok && (typeof res.url !== 'string' || res.url === '')) throw bad(ctx, 'download-link: ok without url');
      return res as NorcubeDownloadLinkResponseDto;
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
      page(NORCUBE_ROUTES.dataSources(), { cursor: req.cursor, limit: size(req.limit), query: req.query }, isDataSource, 'datasources', ctx),
    getDataSource: (id, ctx) => one(NORCUBE_ROUTES.dataSource(id), isDataSource, 'datasource', ctx),
    listBackupJobs: (req, ctx) =>
      page(
        NORCUBE_ROUTES.backupJobs(),
        { cursor: req.cursor, limit: size(req.limit), datasourceIDs: req.dataSourceIds?.length ? req.dataSourceIds : undefined },
        isBackupJob, 'backups', ctx,
      ),
    async listDataSourcePolicies(dataSourceId, ctx) {
      const body = await http.get<unknown>(NORCUBE_ROUTES.dataSourcePolicies(dataSourceId), undefined, ctx);
      if (!Array.isArray(body) || !body.every(isAttachment)) throw bad(ctx, 'datasource policies: malformed list');
      return body;
    },
    listBackupPolicies: (req, ctx) =>
      page(NORCUBE_ROUTES.backupPolicies(), { cursor: req.cursor, limit: size(req.limit) }, isPolicy, 'backup-policies', ctx),
    listRestores: (dataSourceId, req, ctx) =>
      page(
        NORCUBE_ROUTES.dataSourceRestores(dataSourceId),
        { cursor: req.cursor, limit: size(req.limit), trigger: req.trigger },
        isRestore, 'restores', ctx,
      ),
    getRestore: (id, ctx) => one(NORCUBE_ROUTES.restore(id), isRestore, 'restore', ctx),
    close: () => http.close(),
  };
}

// Light shape checks: enough that the mapper never dereferences garbage.
function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
const hasStrings = (v: unknown, keys: readonly string[]): boolean => isObject(v) && keys.every((k) => typeof v[k] === 'string' && v[k] !== '');

function isDataSource(v: unknown): v is NorcubeDataSourceDto {
  return hasStrings(v, ['id', 'organizationId', 'name']);
}
function isBackupJob(v: unknown): v is NorcubeBackupJobDto {
  return hasStrings(v, ['jobId', 'jobStatus', 'datasourceId', 'jobCreatedAt']);
}
function isPolicy(v: unknown): v is NorcubeBackupPolicyDto {
  return hasStrings(v, ['id', 'name']);
}
function isAttachment(v: unknown): v is NorcubeDatasourcePolicyDto {
  return isObject(v) && typeof v.id === 'string' && isPolicy(v.backupPolicy) && (v.destination == null || isObject(v.destination));
}
function isStorageDestination(v: unknown): v is NorcubeStorageDestinationDto {
  return hasStrings(v, ['id']);
}
function isRestore(v: unknown): v is NorcubeRestoreJobDto {
  return hasStrings(v, ['id', 'dataSourceId', 'status', 'createdAt']);
}
