/**
 * The adapter interface every provider implements. Resolvers and loaders know only this; a
 * provider's wire format stays inside its own folder.
 */
import type { EntityKind, ModelOf, ProviderRef } from '../domain/models.ts';
import type { BackupStatus, JobStatus } from '../domain/statuses.ts';

/** Per-request state handed to adapters: request id, abort signal and a per-request memo. */
export interface RequestContext {
  /** Sent upstream as `X-Request-Id`, reported in errors. */
  requestId: string;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /**
   * Per-request memo for adapters (e.g. "all resources of this org, fetched once"). Keys should be
   * prefixed with the provider id. Never shared across requests.
   */
  memo: Map<string, Promise<unknown>>;
}

/** Filters every list accepts; ids here are native ids of this provider. */
export interface ListFilter {
  organizationId?: string;
  resourceId?: string;
  /** Normalized statuses (JobStatus for jobs, BackupStatus for backups). */
  status?: readonly (JobStatus | BackupStatus)[];
  /** Only records created/started at or after this instant. */
  since?: Date;
  /** Only records created/started before this instant. */
  until?: Date;
  /** Alerts only: include dismissed ones. @default false */
  includeDismissed?: boolean;
}

/** One upstream-shaped page request. */
export interface PageRequest {
  /** The adapter's own resume token from a previous page's `next`, null for the first page. */
  after: string | null;
  /** How many items the gateway wants; the adapter answers at most this many (it may answer fewer). */
  limit: number;
  filter: ListFilter;
}

/** One page as the adapter answers it. */
export interface Page<T> {
  /** Items in the provider's own stable order. They may include items the filter does not match
   * (the gateway filters again in memory); `next` must resume right after the last item returned. */
  items: T[];
  /** Resume token for the item after the last one, null when there is nothing more. */
  next: string | null;
  /** Exact number of items matching the filter across all pages, when the provider reports it and
   * every filter was pushed down; otherwise null. */
  total: number | null;
}

/** What a provider can do, for `Provider.capabilities` and for guarding mutations. */
export interface ProviderCapabilities {
  /** Entity kinds this provider can list. */
  lists: EntityKind[];
  /** Live progress comes from an upstream stream (`sse`) or from polling (`poll`); null when none. */
  progress: 'sse' | 'poll' | null;
  triggerBackup: boolean;
  restoreBackup: boolean;
  deleteBackup: boolean;
  manageAlerts: boolean;
  manageSchedules: boolean;
  managePolicies: boolean;
  verifyBackup: boolean;
  downloadBackup: boolean;
}

/** Result of a health probe. */
export interface ProviderHealthModel {
  status: 'UP' | 'DEGRADED' | 'DOWN';
  latencyMs: number | null;
  message: string | null;
}

/** Lists this adapter supports, by entity kind. */
export type ProviderLists = { [K in EntityKind]?: (req: PageRequest, ctx: RequestContext) => Promise<Page<ModelOf[K]>> };

/**
 * Batch lookups by native id, by entity kind. Answers one entry per id, in order: the model, null
 * when the provider says it does not exist, or an Error for that id alone.
 */
export type ProviderLookups = {
  [K in EntityKind]?: (nativeIds: readonly string[], ctx: RequestContext) => Promise<Array<ModelOf[K] | null | Error>>;
};

/**
 * Lazily loaded provider-specific fields, by concrete GraphQL type then field name (e.g.
 * `BocadaJob.timeline`). The gateway wires each into a resolver; the function receives the model
 * the adapter produced and the field's arguments, and returns domain values (never wire DTOs).
 */
export type ProviderFieldResolvers = Record<
  string,
  Record<string, (model: any, args: Record<string, unknown>, ctx: RequestContext) => Promise<unknown>>
>;

/** Which long-running operation of a backup progress is asked for. */
export type ProgressOperation = 'backup' | 'restore';

/** One observation of an operation's progress, in domain terms. */
export interface ProgressUpdate {
  status: JobStatus;
  /** The provider's raw status. */
  providerStatus: string | null;
  /** 0-100, null when the provider does not say. */
  percent: number | null;
  /** Free text, e.g. `uploading`. */
  phase: string | null;
  message: string | null;
  bytesDone: number | null;
  bytesTotal: number | null;
  /** When the provider observed this state (ISO-8601). */
  at: string;
  /** True on the last update: the operation reached a terminal state. */
  done: boolean;
  /** Why it failed, when it failed. */
  error: string | null;
}

/** One event of an upstream progress stream. */
export interface ProgressStreamEvent {
  /** The upstream event id (SSE `id:`), used to resume without loss or duplicates. */
  id: string | null;
  update: ProgressUpdate;
}

/**
 * Live progress of a provider: either an upstream stream (`stream`) or a state read the gateway
 * polls (`snapshot`). The gateway shares one of these per operation among all subscribers.
 */
export interface ProviderProgress {
  /**
   * Opens the upstream progress stream of `op` on backup `nativeId`, resuming after
   * `lastEventId`. Yields events until the upstream closes the stream; throws typed upstream errors
   * (404 = unknown backup). Stops reading when `signal` aborts.
   */
  stream?(op: ProgressOperation, nativeId: string, lastEventId: string | null, signal: AbortSignal, ctx: RequestContext): AsyncIterable<ProgressStreamEvent>;
  /** Reads the current state of `op` on `nativeId` once; null when the backup/job does not exist. */
  snapshot?(op: ProgressOperation, nativeId: string, ctx: RequestContext): Promise<ProgressUpdate | null>;
}

/** What a trigger or restore started, and what to subscribe to for its progress. */
export interface StartedOperation {
  /** The job that runs it, when the provider has one to show. */
  job: import('../domain/models.ts').JobModel | null;
  /** The backup it makes or restores, when the provider already shows it. */
  backup: import('../domain/models.ts').BackupModel | null;
  /** What `backupProgress` / `restoreProgress` take: the kind and native id to follow. */
  progress: { kind: 'backup' | 'job'; nativeId: string };
}

/** Retention numbers (oCore's GFS knobs); every value >= 0. */
export type RetentionSettings = Partial<Record<
  | 'retainDaily' | 'retainDailyDays' | 'retainDbDaily' | 'retainDbHourly' | 'retainDbMonthly' | 'retainDbWeekly'
  | 'retainFullDaily' | 'retainFullHourly' | 'retainFullMonthly' | 'retainFullWeekly' | 'retainHourly' | 'retainHourlyDays'
  | 'retainMonthly' | 'retainMonthlyDays' | 'retainWeekly' | 'retainWeeklyDays',
  number
>>;

/** A backup the retention preview says would be deleted. */
export interface RetentionPreviewItem {
  backupNativeId: string;
  backupType: string | null;
  createdAt: string | null;
  gfsTiers: string[];
  reason: string | null;
  sizeBytes: number | null;
}

/** A backup policy (Norcube): a reusable schedule / retention template. */
export interface PolicyModel {
  provider: import('../domain/models.ts').ProviderRef;
  nativeId: string;
  name: string;
  scheduleCron: string | null;
  timezone: string | null;
  retentionDays: number | null;
  keepLastN: number | null;
  [field: string]: unknown;
}

/** Input of a policy create/update; every field optional on update. */
export interface PolicyInput {
  name?: string;
  scheduleCron?: string;
  timezone?: string;
  retentionDays?: number;
  keepLastN?: number;
  destinationId?: string;
}

/** Input of a schedule upsert (oCore environment schedule). */
export interface ScheduleInput extends RetentionSettings {
  enabled?: boolean;
  paused?: boolean;
  dbCron?: string | null;
  fullCron?: string | null;
  timezone?: string;
  walEnabled?: boolean;
  walRetentionDays?: number;
  destinationIds?: string[];
}

/**
 * Actions a provider can take. Each is present only when the provider can do it (see
 * capabilities); the gateway answers UNSUPPORTED_BY_PROVIDER for missing ones. Inputs are
 * validated by the gateway before these are called; these are never retried automatically.
 */
export interface ProviderActions {
  triggerBackup?(input: { resourceNativeId: string; backupType?: string; policyId?: string; name?: string; description?: string; incremental?: boolean; force?: boolean }, ctx: RequestContext): Promise<StartedOperation>;
  restoreBackup?(input: {
    backupNativeId: string; targetType: 'same' | 'other'; targetResourceNativeId?: string; pointInTime?: string;
    targetDatabase?: string; targetUri?: string; mode?: string; confirmOverwrite?: boolean;
  }, ctx: RequestContext): Promise<StartedOperation>;
  deleteBackup?(backupNativeId: string, ctx: RequestContext): Promise<import('../domain/models.ts').BackupModel | null>;
  dismissAlert?(alertNativeId: string, ctx: RequestContext): Promise<import('../domain/models.ts').AlertModel | null>;
  markAlertRead?(alertNativeId: string, ctx: RequestContext): Promise<import('../domain/models.ts').AlertModel | null>;
  upsertSchedule?(resourceNativeId: string, input: ScheduleInput, ctx: RequestContext): Promise<import('../domain/models.ts').ScheduleModel>;
  retentionPreview?(resourceNativeId: string, retention: RetentionSettings, ctx: RequestContext): Promise<{ items: RetentionPreviewItem[]; totalSizeBytes: number | null }>;
  cronPresets?(ctx: RequestContext): Promise<Array<{ cron: string; label: string }>>;
  attachPolicy?(resourceNativeId: string, policyNativeId: string, enabled: boolean, ctx: RequestContext): Promise<import('../domain/models.ts').ScheduleModel>;
  detachPolicy?(resourceNativeId: string, policyNativeId: string, ctx: RequestContext): Promise<void>;
  setPolicyEnabled?(resourceNativeId: string, policyNativeId: string, enabled: boolean, ctx: RequestContext): Promise<import('../domain/models.ts').ScheduleModel>;
  createPolicy?(input: PolicyInput, ctx: RequestContext): Promise<PolicyModel>;
  updatePolicy?(policyNativeId: string, input: PolicyInput, ctx: RequestContext): Promise<PolicyModel>;
  verifyBackup?(backupNativeId: string, ctx: RequestContext): Promise<{ accepted: boolean; message: string | null }>;
  createDownloadLink?(backupNativeId: string, ctx: RequestContext): Promise<{ url: string; expiresAt: string | null }>;
}

/** A configured provider instance. */
export interface ProviderAdapter {
  readonly ref: ProviderRef;
  readonly capabilities: ProviderCapabilities;
  readonly lists: ProviderLists;
  readonly lookups: ProviderLookups;
  /** Provider-specific fields that need their own upstream call. */
  readonly fieldResolvers?: ProviderFieldResolvers;
  /** Actions, when the provider can take any. */
  readonly actions?: ProviderActions;
  /** Live progress, when the provider can report it. */
  readonly progress?: ProviderProgress;
  /** Probes the provider cheaply; never throws. */
  health(ctx: RequestContext): Promise<ProviderHealthModel>;
  /** Releases pools and timers. */
  close(): Promise<void>;
}

/** Everything an adapter factory receives. */
export interface ProviderAdapterOptions {
  ref: ProviderRef;
  baseUrl: string;
  /** The credential (Bocada API key or bearer token). Never log or return it. */
  secret: string;
  /** Shared upstream settings (timeouts, retries); see `src/upstream`. */
  upstream?: import('../upstream/client.ts').UpstreamSettings;
  /** Observes every upstream call (for metrics and logs); must not see the secret. */
  onUpstreamCall?: import('../upstream/client.ts').UpstreamCallObserver;
}

/** Builds an adapter for one configured provider instance. */
export type ProviderAdapterFactory = (options: ProviderAdapterOptions) => ProviderAdapter;
