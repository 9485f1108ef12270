/**
 * Norcube wire records -> our domain models, the status tables of DESIGN.md and the adapter's
 * native ids. Pure functions: no I/O, no secrets (the DTOs carry none).
 *
 * Native ids: data source = its id; backup job and its file (backup) = `<datasourceId>/<jobId>`
 * (so lookups batch per data source through `GET /backups?datasourceIDs=`); restore job =
 * `restore:<restoreId>`; schedule = `<datasourceId>/<policyId>`; organization = its id.
 */
import type { BackupModel, JobModel, OrganizationModel, ProviderRef, ResourceModel, ScheduleModel } from '../../domain/models.ts';
import { createStatusMapper, type BackupStatus, type JobStatus } from '../../domain/statuses.ts';
import { toTimestamp } from '../../domain/timestamps.ts';
import { failureReasonOf } from '../../domain/failure-reason.ts';
import type { PolicyInput, PolicyModel } from '../contract/index.ts';
import type {
  NorcubeBackupJobDto, NorcubeBackupPolicyDto, NorcubeDataSourceDto, NorcubeDatasourcePolicyDto, NorcubeDownloadLinkResponseDto, NorcubePolicyCreateRequestDto,
  NorcubePolicyUpdateRequestDto, NorcubeRestoreJobDto, NorcubeStorageDestinationDto,
} from './wire.ts';

/** Concrete GraphQL type names of this provider. */
export const NORCUBE_TYPENAMES = {
  organization: 'NorcubeOrganization',
  resource: 'NorcubeDataSource',
  job: 'NorcubeJob',
  backup: 'NorcubeBackup',
  schedule: 'NorcubeSchedule',
} as const;

/** Norcube job (and restore job) status -> JobStatus, per DESIGN.md; case-insensitive, unknown -> UNKNOWN. */
export const norcubeJobStatus = createStatusMapper<JobStatus>(
  { queued: 'QUEUED', running: 'RUNNING', success: 'SUCCEEDED', partial: 'PARTIAL', failed: 'FAILED', canceled: 'CANCELED' },
  'UNKNOWN',
);

const FILE_STATUSES = new Set(['success', 'partial']);

/** True when the job left a backup file: it ended `success` or `partial` and wrote bytes. */
export function hasBackupFile(job: Pick<NorcubeBackupJobDto, 'jobStatus' | 'jobBytesWritten'>): boolean {
  const written = job.jobBytesWritten;
  return FILE_STATUSES.has(String(job.jobStatus).toLowerCase()) && (written == null || written > 0);
}

/**
 * The status of a job's file, per DESIGN.md: `jobDeletedAt` set EXPIRED, else success/partial with
 * a file AVAILABLE; a job without a file is no backup (UNKNOWN).
 */
export function toBackupStatus(job: Pick<NorcubeBackupJobDto, 'jobStatus' | 'jobBytesWritten' | 'jobDeletedAt'>): BackupStatus {
  if (!hasBackupFile(job)) return 'UNKNOWN';
  return job.jobDeletedAt ? 'EXPIRED' : 'AVAILABLE';
}

// ---- native ids ----------------------------------------------------------------------------

/** `<datasourceId>/<jobId>`: the native id of a backup job and of its file. */
export const jobNativeId = (dataSourceId: string, jobId: string) => `${dataSourceId}/${jobId}`;
/** `restore:<restoreId>`: the native id of a restore job. */
export const restoreNativeId = (restoreId: string) => `restore:${restoreId}`;
/** `<datasourceId>/<policyId>`: the native id of a policy attached to a data source. */
export const scheduleNativeId = (dataSourceId: string, policyId: string) => `${dataSourceId}/${policyId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True for the ids the service accepts (it parses every id as a UUID and answers 400 otherwise). */
export const isNorcubeId = (id: string) => UUID.test(id);

/** Splits `<datasourceId>/<childId>` (job, backup, schedule ids); null when it is not one. */
export function parsePairNativeId(nativeId: string): { dataSourceId: string; childId: string } | null {
  const i = nativeId.indexOf('/');
  if (i <= 0) return null;
  const dataSourceId = nativeId.slice(0, i);
  const childId = nativeId.slice(i + 1);
  return isNorcubeId(dataSourceId) && isNorcubeId(childId) ? { dataSourceId, childId } : null;
}

/** The restore id of `restore:<id>`; null when `nativeId` is not a restore job id. */
export function parseRestoreNativeId(nativeId: string): string | null {
  if (!nativeId.startsWith('restore:')) return null;
  const id = nativeId.slice('restore:'.length);
  return isNorcubeId(id) ? id : null;
}

// ---- models --------------------------------------------------------------------------------

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bytes = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
const text = (v: string | null | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
const bool = (v: boolean | null | undefined): boolean | null => (typeof v === 'boolean' ? v : null);

/** The organization the token is scoped to; its name is the configured provider's name. */
export function toOrganizationModel(provider: ProviderRef, organizationId: string): OrganizationModel {
  return { typename: NORCUBE_TYPENAMES.organization, provider, nativeId: organizationId, name: provider.organizationName ?? provider.name, createdAt: null };
}

/** `NorcubeRestoreCheckHealth`: restore-test health over the last terminal checks (list rows only). */
export interface NorcubeRestoreCheckHealthModel {
  total: number;
  passed: number | null;
  warnings: number | null;
  lastAt: string | null;
}

/** A data source -> `NorcubeDataSource` (Resource). Credentials are never on the wire; only `hasCredentials`. */
export function toResourceModel(provider: ProviderRef, ds: NorcubeDataSourceDto): ResourceModel {
  const checks = num(ds.restoreCheckTotal);
  return {
    typename: NORCUBE_TYPENAMES.resource,
    provider,
    nativeId: ds.id,
    name: ds.name,
    type: text(ds.engine),
    organizationNativeId: text(ds.organizationId),
    createdAt: toTimestamp(ds.createdAt),
    engine: text(ds.engine),
    environment: text(ds.environment),
    isActive: ds.isActive === true,
    hasCredentials: bool(ds.hasCredentials),
    updatedAt: toTimestamp(ds.updatedAt),
    detectedEngineVersion: text(ds.detectedEngineVersion),
    detectedEngineVersionAt: toTimestamp(ds.detectedEngineVersionAt),
    activeBackupJobs: num(ds.activeBackupJobs),
    totalBackupJobs: num(ds.totalBackupJobs),
    lastBackupAt: toTimestamp(ds.lastBackupAt),
    lastBackupSizeBytes: bytes(ds.lastBackupSizeBytes),
    nextRunAt: toTimestamp(ds.nextRunAt),
    totalStoredBytes: bytes(ds.totalStoredBytes),
    restoreTestingEnabled: bool(ds.restoreTestingEnabled),
    restoreCheck: checks === null ? null : ({
      total: checks, passed: num(ds.restoreCheckPassed), warnings: num(ds.restoreCheckWarnings), lastAt: toTimestamp(ds.restoreCheckLastAt),
    } satisfies NorcubeRestoreCheckHealthModel),
  };
}

/** `NorcubeVerification`: the latest restore test of a backup file. */
export interface NorcubeVerificationModel {
  status: JobStatus;
  providerStatus: string | null;
  passed: boolean | null;
  verifiedAt: string | null;
  restoreJobId: string | null;
  hasLog: boolean | null;
  warnings: string | null;
}

function verificationOf(job: NorcubeBackupJobDto): NorcubeVerificationModel | null {
  if (job.verifyStatus == null && job.verifyPassed == null && job.verifiedAt == null && job.verifyRestoreJobId == null) return null;
  return {
    status: norcubeJobStatus.map(job.verifyStatus),
    providerStatus: text(job.verifyStatus),
    passed: bool(job.verifyPassed),
    verifiedAt: toTimestamp(job.verifiedAt),
    restoreJobId: text(job.verifyRestoreJobId),
    hasLog: bool(job.verifyHasLog),
    warnings: text(job.verifyWarnings),
  };
}

/** The fields a backup job and its file share (named as in `NorcubeJob` and `NorcubeBackup`). */
function backupJobFields(job: NorcubeBackupJobDto) {
  return {
    trigger: text(job.jobTrigger),
    scheduledFor: toTimestamp(job.jobScheduledFor),
    durationMs: num(job.jobDurationMs),
    errorSummary: text(job.jobErrorSummary),
    engine: text(job.datasourceEngine),
    dataSourceName: text(job.datasourceName),
    policyId: text(job.policyId),
    policyName: text(job.policyName),
    policyMethod: text(job.policyMethod),
    policyCompression: text(job.policyCompression),
    policyEncryption: text(job.policyEncryption),
    policyRetentionDays: num(job.policyRetentionDays),
    destinationId: text(job.destinationId),
    destinationIsManaged: bool(job.destinationIsManaged),
    destinationRegion: text(job.destinationRegion),
    deletedAt: toTimestamp(job.jobDeletedAt),
    expirationReason: text(job.jobExpirationReason),
    verification: verificationOf(job),
  };
}

/** A backup job -> `NorcubeJob` with operation `backup`. */
export function toBackupJobModel(provider: ProviderRef, job: NorcubeBackupJobDto): JobModel {
  const nativeId = jobNativeId(job.datasourceId, job.jobId);
  const file = hasBackupFile(job);
  const status = norcubeJobStatus.map(job.jobStatus);
  return {
    typename: NORCUBE_TYPENAMES.job,
    provider,
    nativeId,
    // Strings only: a number where a name belongs is not a name.
    name: [text(job.datasourceName), text(job.policyName)].filter(Boolean).join(' · ') || null,
    operation: 'backup',
    status,
    providerStatus: text(job.jobStatus),
    organizationNativeId: null,
    resourceNativeId: job.datasourceId,
    backupNativeId: file ? nativeId : null,
    bytesTransferred: bytes(job.jobBytesWritten),
    createdAt: toTimestamp(job.jobCreatedAt),
    startedAt: toTimestamp(job.jobStartedAt),
    endedAt: toTimestamp(job.jobFinishedAt),
    jobId: job.jobId,
    hasFile: file,
    ...backupJobFields(job),
    failureReason: failureReasonOf(status, job.jobErrorSummary),
    restore: null,
  };
}

/** `NorcubeRestoreDetails`: what only a restore job has. */
export interface NorcubeRestoreDetailsModel {
  mode: string | null;
  sourceJobId: string | null;
  targetDatabase: string | null;
  targetConnectionRef: string | null;
  bytesRead: number | null;
  bytesRestored: number | null;
  hasLog: boolean | null;
  verifyLevel: string | null;
  verifyPassed: boolean | null;
  verifyWarnings: string | null;
}

/** A restore job -> `NorcubeJob` with operation `restore`. */
export function toRestoreJobModel(provider: ProviderRef, r: NorcubeRestoreJobDto): JobModel {
  const source = text(r.sourceBackupId);
  const details: NorcubeRestoreDetailsModel = {
    mode: text(r.mode),
    sourceJobId: source,
    targetDatabase: text(r.targetDatabase),
    targetConnectionRef: text(r.targetConnectionRef),
    bytesRead: bytes(r.bytesRead),
    bytesRestored: bytes(r.bytesRestored),
    hasLog: bool(r.hasLog),
    verifyLevel: text(r.verifyLevel),
    verifyPassed: bool(r.verifyPassed),
    verifyWarnings: text(r.verifyWarnings),
  };
  const status = norcubeJobStatus.map(r.status);
  return {
    typename: NORCUBE_TYPENAMES.job,
    provider,
    nativeId: restoreNativeId(r.id),
    name: r.dataSourceName ? `restore · ${r.dataSourceName}` : 'restore',
    operation: 'restore',
    status,
    providerStatus: text(r.status),
    organizationNativeId: null,
    resourceNativeId: r.dataSourceId,
    backupNativeId: source ? jobNativeId(r.dataSourceId, source) : null,
    bytesTransferred: bytes(r.bytesRestored) ?? bytes(r.bytesRead),
    createdAt: toTimestamp(r.createdAt),
    startedAt: toTimestamp(r.startedAt),
    endedAt: toTimestamp(r.finishedAt),
    jobId: r.id,
    hasFile: false,
    trigger: null,
    scheduledFor: null,
    durationMs: num(r.durationMs),
    errorSummary: text(r.errorSummary),
    failureReason: failureReasonOf(status, r.errorSummary),
    engine: text(r.engine),
    dataSourceName: text(r.dataSourceName),
    policyId: null,
    policyName: null,
    policyMethod: null,
    policyCompression: null,
    policyEncryption: null,
    policyRetentionDays: null,
    destinationId: null,
    destinationIsManaged: null,
    destinationRegion: null,
    deletedAt: null,
    expirationReason: null,
    verification: null,
    restore: details,
  };
}

/** A file-bearing backup job -> `NorcubeBackup` (the job's file). Call only when {@link hasBackupFile}. */
export function toBackupModel(provider: ProviderRef, job: NorcubeBackupJobDto): BackupModel {
  const created = toTimestamp(job.jobCreatedAt);
  return {
    typename: NORCUBE_TYPENAMES.backup,
    provider,
    nativeId: jobNativeId(job.datasourceId, job.jobId),
    name: [text(job.datasourceName), created].filter(Boolean).join(' · ') || null,
    status: toBackupStatus(job),
    providerStatus: text(job.jobStatus),
    organizationNativeId: null,
    resourceNativeId: job.datasourceId,
    sizeBytes: bytes(job.jobBytesWritten),
    createdAt: created,
    completedAt: toTimestamp(job.jobFinishedAt),
    jobId: job.jobId,
    startedAt: toTimestamp(job.jobStartedAt),
    ...backupJobFields(job),
  };
}

/** `NorcubeDestination`: where a policy writes its files. */
export interface NorcubeDestinationModel {
  id: string;
  name: string | null;
  isManaged: boolean | null;
}

/**
 * A policy attached to a data source -> `NorcubeSchedule`. `policy` is the attachment's embedded
 * `backupPolicy`, or the full record from `/backup-policies` when the embed was thin.
 */
export function toScheduleModel(
  provider: ProviderRef, dataSourceId: string, attachment: NorcubeDatasourcePolicyDto, policy: NorcubeBackupPolicyDto,
): ScheduleModel {
  const dest = attachment.destination;
  const destinationId = text(dest?.id) ?? text(policy.destinationId);
  return {
    typename: NORCUBE_TYPENAMES.schedule,
    provider,
    nativeId: scheduleNativeId(dataSourceId, policy.id),
    name: text(policy.name),
    enabled: attachment.isEnabled === true,
    crons: text(policy.scheduleCron) ? [policy.scheduleCron!.trim()] : [],
    timezone: text(policy.timezone),
    organizationNativeId: text(policy.organizationId),
    resourceNativeId: dataSourceId,
    nextRunAt: toTimestamp(attachment.nextRunAt),
    policyId: policy.id,
    attachmentId: attachment.id,
    priority: num(attachment.priority),
    jitterSeconds: num(attachment.jitterSeconds),
    attachedAt: toTimestamp(attachment.createdAt),
    lastScheduledAt: toTimestamp(attachment.lastSheduledAt),
    retentionDays: num(policy.retentionDays),
    keepLastN: num(policy.keepLastN),
    method: text(policy.method),
    compression: text(policy.compression),
    encryption: text(policy.encryption),
    parallelism: num(policy.parallelism),
    pitrEnabled: bool(policy.pitrEnabled),
    throttleMbps: num(policy.throttleMbps),
    // No destination id anywhere (neither embedded nor on the policy): no destination to show.
    destination: destinationId === null ? null : ({ id: destinationId, name: text(dest?.name), isManaged: bool(dest?.isManaged) } satisfies NorcubeDestinationModel),
  };
}

// ---- policies and actions ------------------------------------------------------------------

/** A backup policy -> `Policy` (plus Norcube's own knobs, for provider-specific fields). */
export function toPolicyModel(provider: ProviderRef, p: NorcubeBackupPolicyDto): PolicyModel {
  return {
    provider,
    nativeId: p.id,
    name: p.name,
    scheduleCron: text(p.scheduleCron)?.trim() ?? null,
    timezone: text(p.timezone),
    retentionDays: num(p.retentionDays),
    keepLastN: num(p.keepLastN),
    organizationNativeId: text(p.organizationId),
    method: text(p.method),
    compression: text(p.compression),
    encryption: text(p.encryption),
    parallelism: num(p.parallelism),
    pitrEnabled: bool(p.pitrEnabled),
    throttleMbps: num(p.throttleMbps),
    destinationId: text(p.destinationId),
  };
}

/** What a new policy gets for the spec's required fields the caller left out. */
export const NORCUBE_POLICY_DEFAULTS = { timezone: 'UTC', retentionDays: 30, keepLastN: 7 } as const;

/**
 * The storage destination a new policy writes to when the caller names none: the first active
 * Norcube-managed one, else the first active one, else the first; null when the org has none.
 */
export function defaultDestinationId(destinations: readonly NorcubeStorageDestinationDto[]): string | null {
  const active = destinations.filter((d) => d.isActive !== false);
  return (active.find((d) => d.isManaged === true) ?? active[0] ?? destinations[0])?.id ?? null;
}

/**
 * `policyhandler.payloadCreateRequest` from a policy input: the spec requires every one of these,
 * so `timezone`, `retentionDays` and `keepLastN` fall back to {@link NORCUBE_POLICY_DEFAULTS};
 * `name`, `scheduleCron` and `destinationId` must be resolved by the caller.
 */
export function toPolicyCreateRequest(
  input: PolicyInput & { name: string; scheduleCron: string }, destinationId: string,
): NorcubePolicyCreateRequestDto {
  return {
    name: input.name,
    scheduleCron: input.scheduleCron,
    timezone: input.timezone ?? NORCUBE_POLICY_DEFAULTS.timezone,
    retentionDays: input.retentionDays ?? NORCUBE_POLICY_DEFAULTS.retentionDays,
    keepLastN: input.keepLastN ?? NORCUBE_POLICY_DEFAULTS.keepLastN,
    destinationId,
  };
}

/** `policyhandler.payloadUpdateRequest` from a policy input: only the fields given (a policy keeps its destination). */
export function toPolicyUpdateRequest(input: PolicyInput): NorcubePolicyUpdateRequestDto {
  const out: NorcubePolicyUpdateRequestDto = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.scheduleCron !== undefined) out.scheduleCron = input.scheduleCron;
  if (input.timezone !== undefined) out.timezone = input.timezone;
  if (input.retentionDays !== undefined) out.retentionDays = input.retentionDays;
  if (input.keepLastN !== undefined) out.keepLastN = input.keepLastN;
  return out;
}

/**
 * The database a `new_database` restore creates when the caller names none:
 * `<data source name>_restore_<first 8 characters of the job id>`, a plain identifier of at most
 * 63 characters (what the service accepts: `[A-Za-z_][A-Za-z0-9_]*`).
 */
export function defaultRestoreDatabase(dataSourceName: string | null | undefined, jobId: string): string {
  const suffix = `_restore_${jobId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toLowerCase()}`;
  let base = (dataSourceName ?? '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (base === '') base = 'db';
  if (/^[0-9]/.test(base)) base = `db_${base}`;
  return base.slice(0, 63 - suffix.length).replace(/_+$/, '') + suffix;
}

/**
 * A download-link answer -> the link, or the refusal's `errorCode` (`ok: false` comes with HTTP 200).
 * The code is reduced to a plain token (`unknown` otherwise) since it ends up in an error message.
 */
export function toDownloadLink(res: NorcubeDownloadLinkResponseDto): { url: string; expiresAt: string | null } | { refused: string } {
  if (res.ok !== true || typeof res.url !== 'string' || res.url === '') {
    const code = typeof res.errorCode === 'string' && /^[a-z][a-z0-9_]{0,63}$/i.test(res.errorCode) ? res.errorCode : 'unknown';
    return { refused: code };
  }
  return { url: res.url, expiresAt: toTimestamp(res.expiresAt) };
}
