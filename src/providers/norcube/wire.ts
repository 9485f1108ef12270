/**
 * Norcube Backup (snapdb) wire shapes, derived from the provider's OpenAPI spec
 * (`specs/norcube-snapdb.openapi.json`, schemas `dto.*` and `response.*`). What the gateway reads
 * is a zod schema and the DTO type it gives (same name): each record requires what the adapter
 * cannot do without (its ids, a restore's status and creation); every other field is lenient
 * (`src/upstream/wire-fields.ts`): of the wrong type, it reads as absent, and the rest of the
 * record, and of its page, still counts. One exception: the backup job, read by the listing, stays
 * a TypeScript interface with a hand check in the client (a zod parse of its 30 fields cost the
 * listing 13% of its CPU, measured; README "Benchmarks"); its mapper reads every optional field
 * through type checks. Every record may carry more fields; the spec has no nullable fields (the Go
 * service omits unset ones), null is tolerated anyway. What the gateway sends (request bodies)
 * stays TypeScript interfaces.
 */
import { z } from 'zod';
import { Id, lenient, open, type Open } from '../../upstream/wire-fields.ts';

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

/** A string the adapter cannot do without: present and non-empty. */
const Required = Id;
const str = () => lenient(z.string());
const num = () => lenient(z.number());
const bool = () => lenient(z.boolean());

/** `dto.DataSource`: a protected database. Never carries credentials (only `hasCredentials`). */
export const NorcubeDataSourceDto = z.looseObject({
  id: Required,
  organizationId: Required,
  name: Required,
  engine: lenient(open<NorcubeEngineValue>()),
  environment: lenient(open<NorcubeEnvironmentValue>()),
  isActive: bool(),
  hasCredentials: bool(),
  createdAt: str(),
  updatedAt: str(),
  detectedEngineVersion: str(),
  detectedEngineVersionAt: str(),
  activeBackupJobs: num(),
  totalBackupJobs: num(),
  lastBackupAt: str(),
  lastBackupSizeBytes: num(),
  nextRunAt: str(),
  /** By-id detail read only. */
  totalStoredBytes: num(),
  /** By-id detail read only. */
  restoreTestingEnabled: bool(),
  /** List rows only (restore-check health bar). */
  restoreCheckTotal: num(),
  restoreCheckPassed: num(),
  restoreCheckWarnings: num(),
  restoreCheckLastAt: str(),
});
export type NorcubeDataSourceDto = z.infer<typeof NorcubeDataSourceDto>;

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
export const NorcubeBackupPolicyDto = z.looseObject({
  id: Required,
  name: Required,
  organizationId: str(),
  scheduleCron: str(),
  timezone: str(),
  retentionDays: num(),
  keepLastN: num(),
  method: lenient(open<NorcubePolicyMethodValue>()),
  compression: lenient(open<NorcubeCompressionValue>()),
  encryption: lenient(open<NorcubeEncryptionValue>()),
  parallelism: num(),
  pitrEnabled: bool(),
  throttleMbps: num(),
  destinationId: str(),
});
export type NorcubeBackupPolicyDto = z.infer<typeof NorcubeBackupPolicyDto>;

/** `dto.Destination`: where a policy writes its files. */
export const NorcubeDestinationDto = z.looseObject({
  id: str(),
  organizationId: str(),
  name: str(),
  isManaged: bool(),
});
export type NorcubeDestinationDto = z.infer<typeof NorcubeDestinationDto>;

/** `dto.DatasourcePolicy`: a policy attached to a data source (its policy required: it is what the attachment means). */
export const NorcubeDatasourcePolicyDto = z.looseObject({
  /** The attachment's id. */
  id: z.string(),
  backupPolicy: NorcubeBackupPolicyDto,
  destination: NorcubeDestinationDto.nullish(),
  datasource: lenient(NorcubeDataSourceDto),
  isEnabled: bool(),
  priority: num(),
  jitterSeconds: num(),
  createdAt: str(),
  /** Spelled so in the spec. */
  lastSheduledAt: str(),
  nextRunAt: str(),
});
export type NorcubeDatasourcePolicyDto = z.infer<typeof NorcubeDatasourcePolicyDto>;

/** `dto.RestoreJob`: a restore of a backup file (user restore or restore test). */
export const NorcubeRestoreJobDto = z.looseObject({
  id: Required,
  dataSourceId: Required,
  status: Required as z.ZodType<Open<NorcubeJobStatusValue>>,
  createdAt: Required,
  dataSourceName: str(),
  engine: lenient(open<NorcubeEngineValue>()),
  mode: lenient(open<NorcubeRestoreModeValue>()),
  /** The backup job whose file is restored. */
  sourceBackupId: str(),
  startedAt: str(),
  finishedAt: str(),
  durationMs: num(),
  bytesRead: num(),
  bytesRestored: num(),
  targetDatabase: str(),
  /** Redacted display form of the target (`scheme://…@host:port/db`), never with credentials. */
  targetConnectionRef: str(),
  hasLog: bool(),
  errorSummary: str(),
  verifyLevel: str(),
  verifyPassed: bool(),
  verifyWarnings: str(),
});
export type NorcubeRestoreJobDto = z.infer<typeof NorcubeRestoreJobDto>;

/** `response.APIResponseWithPagination` of `item`s: `cursors.next` is absent or null on the last page. */
export const norcubePageDto = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    list: z.array(item),
    cursors: z.looseObject({ next: z.string().nullish() }).nullish(),
  });

/** `response.APIError`, the spec's error body. */
export const NorcubeApiErrorDto = z.looseObject({
  type: lenient(open<NorcubeErrorTypeValue>()),
  msg: str(),
  /** Field name -> problem, on validation errors. */
  fields: lenient(z.record(z.string(), z.unknown())),
  traceId: str(),
  timestamp: str(),
});
export type NorcubeApiErrorDto = z.infer<typeof NorcubeApiErrorDto>;

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
export const NorcubeRunBackupNowResponseDto = z.looseObject({ jobId: Required, policyId: str(), destinationId: str() });
export type NorcubeRunBackupNowResponseDto = z.infer<typeof NorcubeRunBackupNowResponseDto>;

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
export const NorcubeCreatedDto = z.looseObject({ id: Required });
export type NorcubeCreatedDto = z.infer<typeof NorcubeCreatedDto>;

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
export const NorcubeDeleteBackupResponseDto = z.looseObject({ enqueuedS3Blobs: num() });
export type NorcubeDeleteBackupResponseDto = z.infer<typeof NorcubeDeleteBackupResponseDto>;

/** `datasourcehandler.payloadVerifyBackupResponse` (HTTP 202): the restore test that was queued. */
export const NorcubeVerifyBackupResponseDto = z.looseObject({ restoreJobId: str() });
export type NorcubeVerifyBackupResponseDto = z.infer<typeof NorcubeVerifyBackupResponseDto>;

/** `datasourcehandler.payloadGenerateDownloadLinkResponse`'s `errorCode` values. */
export type NorcubeDownloadLinkErrorValue = 'not_found' | 'not_succeeded' | 'missing_artifact' | 'customer_managed_storage' | 'presign_failed';

/**
 * `datasourcehandler.payloadGenerateDownloadLinkResponse`. Always HTTP 200: `ok: true` carries a
 * presigned `url` (15 minutes), `ok: false` a domain failure in `errorCode` / `errorMessage`.
 */
export const NorcubeDownloadLinkResponseDto = z
  .looseObject({
    ok: z.boolean(),
    url: str(),
    expiresAt: str(),
    sizeBytes: num(),
    contentEncoding: str(),
    errorCode: lenient(open<NorcubeDownloadLinkErrorValue>()),
    errorMessage: str(),
  })
  .refine((r) => !r.ok || (typeof r.url === 'string' && r.url !== ''), 'ok without url');
export type NorcubeDownloadLinkResponseDto = z.infer<typeof NorcubeDownloadLinkResponseDto>;

/** `policyhandler.payloadStorageDestinationResponse` (never carries credentials). */
export const NorcubeStorageDestinationDto = z.looseObject({
  id: Required,
  name: str(),
  type: str(),
  bucket: str(),
  region: str(),
  isActive: bool(),
  isManaged: bool(),
  createdAt: str(),
});
export type NorcubeStorageDestinationDto = z.infer<typeof NorcubeStorageDestinationDto>;
