/**
 * Norcube Backup (snapdb) wire shapes, derived from the provider's OpenAPI spec
 * (`specs/norcube-snapdb.openapi.json`, schemas `dto.*` and `response.*`). Only what the adapter
 * reads is typed; every record may carry more fields. The spec has no nullable fields (the Go
 * service omits unset ones), so optional fields are typed `?: T` and also tolerate `null`.
 */

/** `constants.BackupJobStatus`: the lifecycle of a backup job, a restore job and a restore test. */
export type NorcubeJobStatusValue = 'queued' | 'running' | 'success' | 'partial' | 'failed' | 'canceled';
/** `constants.BackupJobTrigger`. */
export type NorcubeJobTriggerValue = 'manual' | 'schedule';
/** `constants.DatasourceEngine`. */
export type NorcubeEngineValue = 'postgres' | 'mongodb';
/** `constants.DatasourceEnvironment`. */
export type NorcubeEnvironmentValue = 'prod' | 'staging' | 'dev' | 'test';
/** `constants.BackupPolicyMethod`. */
export type NorcubePolicyMethodValue = 'logical_dump' | 'physical' | 'pitr';
/** `constants.BackupPolicyCompression`. */
export type NorcubeCompressionValue = 'gzip' | 'zstd' | 'none';
/** `constants.BackupPolicyEncryption`. */
export type NorcubeEncryptionValue = 'sse-kms' | 'sse-s3' | 'client-side' | 'none';
/** `constants.RestoreMode`. */
export type NorcubeRestoreModeValue = 'new_database' | 'overwrite' | 'new_server';
/** `dto.BackupJob.jobExpirationReason`. */
export type NorcubeExpirationReasonValue = 'age_exceeded' | 'keep_last_n_exceeded';
/** `response.Type`: the error types of `response.APIError`. */
export type NorcubeErrorTypeValue =
  | 'INVALID_PAYLOAD' | 'VALIDATION_FAILED' | 'NOT_FOUND' | 'CONFLICT' | 'INTERNAL_ERROR' | 'UNAUTHORIZED'
  | 'FORBIDDEN' | 'MISSING_ORGANIZATION_ID' | 'MISSING_USER_ID' | 'INTERNAL_SERVER_ERROR' | 'ORG_BLOCKED';

/** An enum value as sent: one of the documented values, or anything a newer service sends. */
type Open<T extends string> = T | (string & {});

/** `dto.DataSource`: a protected database. Never carries credentials (only `hasCredentials`). */
export interface NorcubeDataSourceDto {
  id: string;
  organizationId: string;
  name: string;
  engine: Open<NorcubeEngineValue>;
  environment: Open<NorcubeEnvironmentValue>;
  isActive: boolean;
  hasCredentials?: boolean | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  detectedEngineVersion?: string | null;
  detectedEngineVersionAt?: string | null;
  activeBackupJobs?: number | null;
  totalBackupJobs?: number | null;
  lastBackupAt?: string | null;
  lastBackupSizeBytes?: number | null;
  nextRunAt?: string | null;
  /** By-id detail read only. */
  totalStoredBytes?: number | null;
  /** By-id detail read only. */
  restoreTestingEnabled?: boolean | null;
  /** List rows only (restore-check health bar). */
  restoreCheckTotal?: number | null;
  restoreCheckPassed?: number | null;
  restoreCheckWarnings?: number | null;
  restoreCheckLastAt?: string | null;
}

/** `dto.BackupJob`: one backup run of a data source, and the file it wrote. */
export interface NorcubeBackupJobDto {
  jobId: string;
  jobStatus: Open<NorcubeJobStatusValue>;
  jobTrigger: Open<NorcubeJobTriggerValue>;
  jobCreatedAt: string;
  jobScheduledFor: string;
  jobStartedAt?: string | null;
  jobFinishedAt?: string | null;
  jobDurationMs?: number | null;
  jobBytesWritten: number;
  jobErrorSummary?: string | null;
  /** Set by the retention worker when it expired the file. */
  jobDeletedAt?: string | null;
  jobExpirationReason?: Open<NorcubeExpirationReasonValue> | null;
  datasourceId: string;
  datasourceName: string;
  datasourceEngine: Open<NorcubeEngineValue>;
  destinationId: string;
  destinationIsManaged: boolean;
  destinationRegion: string;
  policyId: string;
  policyName: string;
  policyMethod: Open<NorcubePolicyMethodValue>;
  /** The spec types this with the encryption enum; the values are compressions. */
  policyCompression: Open<NorcubeCompressionValue>;
  policyEncryption: Open<NorcubeEncryptionValue>;
  policyRetentionDays: number;
  /** Latest restore test of this backup; all absent when never verified. */
  verifyStatus?: Open<NorcubeJobStatusValue> | null;
  verifyPassed?: boolean | null;
  verifiedAt?: string | null;
  verifyRestoreJobId?: string | null;
  verifyHasLog?: boolean | null;
  verifyWarnings?: string | null;
}

/** `dto.BackupPolicy`: a reusable schedule / retention / destination template. */
export interface NorcubeBackupPolicyDto {
  id: string;
  organizationId: string;
  name: string;
  scheduleCron: string;
  timezone: string;
  retentionDays: number;
  keepLastN: number;
  method: Open<NorcubePolicyMethodValue>;
  compression?: Open<NorcubeCompressionValue> | null;
  encryption: Open<NorcubeEncryptionValue>;
  parallelism: number;
  pitrEnabled: boolean;
  throttleMbps?: number | null;
  destinationId: string;
}

/** `dto.Destination`: where a policy writes its files. */
export interface NorcubeDestinationDto {
  id: string;
  organizationId: string;
  name: string;
  isManaged: boolean;
}

/** `dto.DatasourcePolicy`: a policy attached to a data source. */
export interface NorcubeDatasourcePolicyDto {
  /** The attachment's id. */
  id: string;
  backupPolicy: NorcubeBackupPolicyDto;
  destination: NorcubeDestinationDto;
  datasource?: NorcubeDataSourceDto | null;
  isEnabled: boolean;
  priority: number;
  jitterSeconds: number;
  createdAt?: string | null;
  /** Spelled so in the spec. */
  lastSheduledAt?: string | null;
  nextRunAt?: string | null;
}

/** `dto.RestoreJob`: a restore of a backup file (user restore or restore test). */
export interface NorcubeRestoreJobDto {
  id: string;
  dataSourceId: string;
  dataSourceName: string;
  engine: Open<NorcubeEngineValue>;
  mode: Open<NorcubeRestoreModeValue>;
  status: Open<NorcubeJobStatusValue>;
  createdAt: string;
  /** The backup job whose file is restored. */
  sourceBackupId?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  durationMs?: number | null;
  bytesRead?: number | null;
  bytesRestored?: number | null;
  targetDatabase?: string | null;
  /** Redacted display form of the target (`scheme://…@host:port/db`), never with credentials. */
  targetConnectionRef?: string | null;
  hasLog?: boolean | null;
  errorSummary?: string | null;
  verifyLevel?: string | null;
  verifyPassed?: boolean | null;
  verifyWarnings?: string | null;
}

/** `response.APIResponseWithPagination`: `cursors.next` is absent or null on the last page. */
export interface NorcubePageDto<T> {
  list: T[];
  cursors?: { next?: string | null } | null;
  meta?: { timestamp?: string } | null;
}

/** `response.APIError`, the spec's error body. */
export interface NorcubeApiErrorDto {
  type: Open<NorcubeErrorTypeValue>;
  msg: string;
  /** Field name -> problem, on validation errors. */
  fields?: Record<string, string> | null;
  traceId?: string | null;
  timestamp?: string | null;
}

/** The error body the provider's docs show (`INVALID_INPUT` ...). */
export interface NorcubeDocsErrorDto {
  code: string;
  message: string;
}

// ---- actions: request and response bodies of the calls that change state ------------------

/** `datasourcehandler.payloadRunBackupNowRequest`: no policy = the highest-priority enabled attachment. */
export interface NorcubeRunBackupNowRequestDto {
  policyId?: string;
}

/** `datasourcehandler.payloadRunBackupNowResponse`: the queued job and what it runs with. */
export interface NorcubeRunBackupNowResponseDto {
  jobId: string;
  policyId?: string | null;
  destinationId?: string | null;
}

/** `restorehandler.payloadCreateRequest`. */
export interface NorcubeRestoreCreateRequestDto {
  /** The data source whose backup is restored (and, for `overwrite`, whose database is overwritten). */
  dataSourceId: string;
  /** The backup job whose file is restored. */
  sourceBackupId: string;
  mode: Open<NorcubeRestoreModeValue>;
  /** The database to create (`new_database` only). */
  targetDatabase?: string;
  /** Write-capable connection string (`new_database`, `new_server`); never returned by the service. */
  targetUri?: string;
  /** Must be true for `overwrite`. */
  confirmOverwrite?: boolean;
}

/**
 * `{ id }`: the answer of every create (`restorehandler.payloadCreateResponse`,
 * `policyhandler.payloadCreateResponse`, `datasourcehandler.payloadDataSourcePolicyAttachResponse`).
 */
export interface NorcubeCreatedDto {
  id: string;
}

/** `datasourcehandler.payloadDataSourcePolicyAttachRequest`. */
export interface NorcubePolicyAttachRequestDto {
  policyId: string;
  enabled: boolean;
  priority?: number;
}

/** `datasourcehandler.payloadDatasourcePolicyUpdateRequest`: omitted fields are left unchanged. */
export interface NorcubePolicyAttachmentUpdateRequestDto {
  enabled?: boolean;
  priority?: number;
}

/** `policyhandler.payloadCreateRequest` (required fields as the spec marks them). */
export interface NorcubePolicyCreateRequestDto {
  name: string;
  scheduleCron: string;
  timezone: string;
  retentionDays: number;
  keepLastN: number;
  /** Required: every policy declares where its archives land. */
  destinationId: string;
  method?: Open<NorcubePolicyMethodValue>;
  compression?: Open<NorcubeCompressionValue>;
  encryption?: Open<NorcubeEncryptionValue>;
  parallelism?: number;
  pitrEnabled?: boolean;
  throttleMbps?: number;
}

/** `policyhandler.payloadUpdateRequest`: partial; no `destinationId` (a policy keeps its destination). */
export type NorcubePolicyUpdateRequestDto = Partial<Omit<NorcubePolicyCreateRequestDto, 'destinationId'>>;

/** `datasourcehandler.payloadDeleteBackupResponse`. */
export interface NorcubeDeleteBackupResponseDto {
  enqueuedS3Blobs?: number | null;
}

/** `datasourcehandler.payloadVerifyBackupResponse` (HTTP 202): the restore test that was queued. */
export interface NorcubeVerifyBackupResponseDto {
  restoreJobId?: string | null;
}

/** `datasourcehandler.payloadGenerateDownloadLinkResponse`'s `errorCode` values. */
export type NorcubeDownloadLinkErrorValue = 'not_found' | 'not_succeeded' | 'missing_artifact' | 'customer_managed_storage' | 'presign_failed';

/**
 * `datasourcehandler.payloadGenerateDownloadLinkResponse`. Always HTTP 200: `ok: true` carries a
 * presigned `url` (15 minutes), `ok: false` a domain failure in `errorCode` / `errorMessage`.
 */
export interface NorcubeDownloadLinkResponseDto {
  ok: boolean;
  url?: string | null;
  expiresAt?: string | null;
  sizeBytes?: number | null;
  contentEncoding?: string | null;
  errorCode?: Open<NorcubeDownloadLinkErrorValue> | null;
  errorMessage?: string | null;
}

/** `policyhandler.payloadStorageDestinationResponse` (never carries credentials). */
export interface NorcubeStorageDestinationDto {
  id: string;
  name?: string | null;
  type?: string | null;
  bucket?: string | null;
  region?: string | null;
  isActive?: boolean | null;
  isManaged?: boolean | null;
  createdAt?: string | null;
}
