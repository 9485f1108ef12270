/**
 * oCore wire records -> our domain models, the status tables of DESIGN.md and the adapter's
 * native ids. Pure functions: no I/O, no secrets (the DTOs carry none).
 *
 * Native ids: organization = `default` (the token's one organization); environment = its id;
 * backup = its id; backup run (the same backup seen as an execution) = `backup:<backupId>`;
 * restore = `restore:<environmentId>:<restoreLogId>` (the environment whose restore-logs list holds
 * it: its target); alert = its id; schedule = the environment id.
 */
import type {
  AlertModel, AlertSeverity, BackupModel, JobModel, OrganizationModel, ProviderRef, ResourceModel, ScheduleModel,
} from '../../domain/models.ts';
import { createStatusMapper, type BackupStatus, type JobStatus } from '../../domain/statuses.ts';
import { toTimestamp } from '../../domain/timestamps.ts';
import { failureReasonOf } from '../../domain/failure-reason.ts';
import type {
  OcoreAlertDto, OcoreBackupDto, OcoreEnvironmentDto, OcoreOperationStepDto, OcorePitrCoverageDto, OcoreProjectDto,
  OcoreProgressEventDto, OcoreRecoveryEvidenceDto, OcoreRestoreLogDto, OcoreScheduleDto, OcoreTimeRangeDto,
} from './wire.ts';
import type { ProgressUpdate } from '../contract/index.ts';

/** Concrete GraphQL type names of this provider. */
export const OCORE_TYPENAMES = {
  organization: 'OcoreOrganization',
  resource: 'OcoreEnvironment',
  backup: 'OcoreBackup',
  backupRun: 'OcoreBackupRun',
  restore: 'OcoreRestore',
  alert: 'OcoreAlert',
  schedule: 'OcoreSchedule',
} as const;

/** Native id of the one organization a token belongs to (the API never names it). */
export const OCORE_ORGANIZATION_ID = 'default';

/** oCore backup status -> BackupStatus, per DESIGN.md; case-insensitive, unknown -> UNKNOWN. */
export const ocoreBackupStatus = createStatusMapper<BackupStatus>(
  { pending: 'CREATING', running: 'CREATING', completed: 'AVAILABLE', failed: 'FAILED', deleting: 'DELETING' },
  'UNKNOWN',
);

/** oCore backup run / restore log status -> JobStatus, per DESIGN.md; case-insensitive, unknown -> UNKNOWN. */
export const ocoreJobStatus = createStatusMapper<JobStatus>(
  { pending: 'QUEUED', running: 'RUNNING', completed: 'SUCCEEDED', failed: 'FAILED' },
  'UNKNOWN',
);

const severity = createStatusMapper<AlertSeverity>({ info: 'INFO', warning: 'WARNING', critical: 'CRITICAL' }, 'WARNING');

/**
 * Alert severity: `info` INFO, `warning` WARNING, `critical` CRITICAL (case-insensitive). Anything
 * else is WARNING, so an unknown severity is neither hidden nor escalated; the raw value stays in
 * `providerSeverity`.
 */
export function toAlertSeverity(raw: string | null | undefined): AlertSeverity {
  return severity.map(raw);
}

// ---- native ids ----------------------------------------------------------------------------

/** `backup:<backupId>`: the native id of a backup seen as a run. */
export const backupRunNativeId = (backupId: string) => `backup:${backupId}`;
/** `restore:<environmentId>:<restoreLogId>`: the native id of a restore. */
export const restoreNativeId = (environmentId: string, restoreLogId: string) => `restore:${environmentId}:${restoreLogId}`;

/** What a job native id points at. */
export type OcoreJobRef =
  | { kind: 'backup'; backupId: string }
  | { kind: 'restore'; environmentId: string; restoreLogId: string };

/** Parses a job native id (`backup:<id>` or `restore:<envId>:<logId>`); null when it is neither. */
export function parseJobNativeId(nativeId: string): OcoreJobRef | null {
  if (nativeId.startsWith('backup:')) {
    const backupId = nativeId.slice('backup:'.length);
    return backupId ? { kind: 'backup', backupId } : null;
  }
  if (nativeId.startsWith('restore:')) {
    const rest = nativeId.slice('restore:'.length);
    const i = rest.indexOf(':');
    if (i <= 0 || i === rest.length - 1) return null;
    return { kind: 'restore', environmentId: rest.slice(0, i), restoreLogId: rest.slice(i + 1) };
  }
  return null;
}

/**
 * The environment a restore belongs to: its target (what it changed), else its source, else the
 * environment whose list returned it. A restore shows in the lists of both its source and its
 * target *(doc)*; the adapter keeps it only under this one, so each restore is listed once.
 */
export function restoreEnvironmentId(log: OcoreRestoreLogDto, listedUnder: string): string {
  return text(log.targetEnvironmentId) ?? text(log.sourceEnvironmentId) ?? listedUnder;
}

// ---- value helpers -------------------------------------------------------------------------

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bytes = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const record = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : null;

// ---- helper types --------------------------------------------------------------------------

/** `OcoreRecoveryEvidence`: what an operation can prove about its own recoverability. */
export interface OcoreRecoveryEvidenceModel {
  status: string | null;
  operation: string | null;
  reason: string | null;
  canWriteCleanSuccess: boolean | null;
  remoteCopyState: string | null;
  requiredSteps: string[];
  missingSteps: string[];
  blockingSteps: string[];
  optionalFailedSteps: string[];
  missingEvidence: string[];
  whyGreen: string[];
  whyNotGreen: string[];
  artifactChecksums: Record<string, unknown> | null;
  artifactPaths: Record<string, unknown> | null;
  progress: Record<string, unknown> | null;
}

/** Recovery evidence as sent -> `OcoreRecoveryEvidence`; null when absent. */
export function toRecoveryEvidenceModel(e: OcoreRecoveryEvidenceDto | null | undefined): OcoreRecoveryEvidenceModel | null {
  if (e == null || typeof e !== 'object') return null;
  return {
    status: text(e.status),
    operation: text(e.operation),
    reason: text(e.reason),
    canWriteCleanSuccess: bool(e.canWriteCleanSuccess),
    remoteCopyState: text(e.remoteCopyState),
    requiredSteps: strings(e.requiredSteps),
    missingSteps: strings(e.missingSteps),
    blockingSteps: strings(e.blockingSteps),
    optionalFailedSteps: strings(e.optionalFailedSteps),
    missingEvidence: strings(e.missingEvidence),
    whyGreen: strings(e.whyGreen),
    whyNotGreen: strings(e.whyNotGreen),
    artifactChecksums: record(e.artifactChecksums),
    artifactPaths: record(e.artifactPaths),
    progress: record(e.progress),
  };
}

/** `OcoreTimeRange`. */
export interface OcoreTimeRangeModel {
  start: string | null;
  end: string | null;
}

/** `OcoreBaseBackup`. */
export interface OcoreBaseBackupModel {
  backupId: string | null;
  timestamp: string | null;
}

/** `OcorePitrCoverage`: the point-in-time recovery window of an environment. */
export interface OcorePitrCoverageModel {
  earliestRecoverable: string | null;
  latestRecoverable: string | null;
  baseBackups: OcoreBaseBackupModel[];
  walRanges: OcoreTimeRangeModel[];
  gaps: OcoreTimeRangeModel[];
}

const ranges = (v: OcoreTimeRangeDto[] | null | undefined): OcoreTimeRangeModel[] =>
  (Array.isArray(v) ? v : []).filter((r) => r && typeof r === 'object').map((r) => ({ start: toTimestamp(r.start), end: toTimestamp(r.end) }));

/** PITR coverage as sent -> `OcorePitrCoverage`. */
export function toPitrCoverageModel(c: OcorePitrCoverageDto): OcorePitrCoverageModel {
  return {
    earliestRecoverable: toTimestamp(c.earliestRecoverable),
    latestRecoverable: toTimestamp(c.latestRecoverable),
    baseBackups: (Array.isArray(c.baseBackups) ? c.baseBackups : [])
      .filter((b) => b && typeof b === 'object')
      .map((b) => ({ backupId: text(b.backupId), timestamp: toTimestamp(b.timestamp) })),
    walRanges: ranges(c.walRanges),
    gaps: ranges(c.gaps),
  };
}

/** `OcoreOperationStep`: one step of a backup or restore operation. */
export interface OcoreOperationStepModel {
  id: string;
  name: string | null;
  /** The provider's step status, unchanged. */
  status: string | null;
  sortOrder: number | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  output: string | null;
}

/** Operation steps as sent -> `OcoreOperationStep`s, in `sortOrder` (steps without one keep their place last). */
export function toOperationStepModels(steps: readonly OcoreOperationStepDto[]): OcoreOperationStepModel[] {
  const out = steps.map((s, i) => ({
    i,
    step: {
      id: String(s.id),
      name: text(s.name),
      status: text(s.status),
      sortOrder: num(s.sortOrder),
      startedAt: toTimestamp(s.startedAt),
      completedAt: toTimestamp(s.completedAt),
      durationMs: num(s.durationMs),
      output: s.output == null ? null : typeof s.output === 'string' ? s.output : JSON.stringify(s.output),
    },
  }));
  const key = (x: (typeof out)[number]) => x.step.sortOrder ?? Number.MAX_SAFE_INTEGER;
  return out.sort((a, b) => key(a) - key(b) || a.i - b.i).map((x) => x.step);
}

// ---- models --------------------------------------------------------------------------------

/** The token's organization -> `OcoreOrganization`; its name is the configured provider's name. */
export function toOrganizationModel(provider: ProviderRef): OrganizationModel {
  return { typename: OCORE_TYPENAMES.organization, provider, nativeId: OCORE_ORGANIZATION_ID, name: provider.organizationName ?? provider.name, createdAt: null };
}

/** An environment of a project -> `OcoreEnvironment` (Resource). `pitrCoverage` is a lazy field. */
export function toEnvironmentModel(provider: ProviderRef, project: OcoreProjectDto, env: OcoreEnvironmentDto): ResourceModel {
  return {
    typename: OCORE_TYPENAMES.resource,
    provider,
    nativeId: env.id,
    name: text(env.name) ?? env.id,
    type: text(env.type),
    organizationNativeId: OCORE_ORGANIZATION_ID,
    createdAt: null,
    projectId: project.id,
    projectName: text(project.name),
    environmentType: text(env.type),
  };
}

/** A backup -> `OcoreBackup` (the restorable artifact). */
export function toBackupModel(provider: ProviderRef, b: OcoreBackupDto): BackupModel {
  const created = toTimestamp(b.createdAt);
  return {
    typename: OCORE_TYPENAMES.backup,
    provider,
    nativeId: b.id,
    name: [text(b.environmentName), text(b.backupType), created].filter(Boolean).join(' · ') || null,
    status: ocoreBackupStatus.map(b.status),
    providerStatus: text(b.status),
    organizationNativeId: OCORE_ORGANIZATION_ID,
    resourceNativeId: text(b.environmentId),
    sizeBytes: bytes(b.sizeBytes),
    createdAt: created,
    completedAt: toTimestamp(b.completedAt),
    backupType: toBackupType(b.backupType),
    environmentName: text(b.environmentName),
    environmentType: text(b.environmentType),
    errorMessage: text(b.errorMessage),
    gfsTiers: strings(b.gfsTiers),
    configChecksum: text(b.configChecksum),
    dbChecksum: text(b.dbChecksum),
    filestoreChecksum: text(b.filestoreChecksum),
    remotePaths: record(b.remotePaths),
    recoveryEvidence: toRecoveryEvidenceModel(b.recoveryEvidence),
    startedAt: toTimestamp(b.startedAt),
  };
}

/** A backup seen as an execution -> `OcoreBackupRun` (Job, operation `backup`). `steps` is a lazy field. */
export function toBackupRunModel(provider: ProviderRef, b: OcoreBackupDto): JobModel {
  const type = text(b.backupType);
  const env = text(b.environmentName);
  const status = ocoreJobStatus.map(b.status);
  return {
    typename: OCORE_TYPENAMES.backupRun,
    provider,
    nativeId: backupRunNativeId(b.id),
    name: [type ? `${type} backup` : 'backup', env].filter(Boolean).join(' · '),
    operation: 'backup',
    status,
    providerStatus: text(b.status),
    organizationNativeId: OCORE_ORGANIZATION_ID,
    resourceNativeId: text(b.environmentId),
    backupNativeId: b.id,
    bytesTransferred: bytes(b.sizeBytes),
    createdAt: toTimestamp(b.createdAt),
    startedAt: toTimestamp(b.startedAt),
    endedAt: toTimestamp(b.completedAt),
    backupType: toBackupType(b.backupType),
    errorMessage: text(b.errorMessage),
    failureReason: failureReasonOf(status, b.errorMessage),
  };
}

/**
 * A restore log -> `OcoreRestore` (Job, operation `restore`). `listedUnder` is the environment whose
 * restore-logs list returned it (used only when the log names neither target nor source).
 * `steps` is a lazy field.
 */
export function toRestoreModel(provider: ProviderRef, log: OcoreRestoreLogDto, listedUnder: string): JobModel {
  const environmentId = restoreEnvironmentId(log, listedUnder);
  const target = text(log.targetEnvironmentName) ?? text(log.sourceEnvironmentName);
  const status = ocoreJobStatus.map(log.status);
  return {
    typename: OCORE_TYPENAMES.restore,
    provider,
    nativeId: restoreNativeId(environmentId, log.id),
    name: target ? `restore · ${target}` : 'restore',
    operation: 'restore',
    status,
    providerStatus: text(log.status),
    organizationNativeId: OCORE_ORGANIZATION_ID,
    resourceNativeId: environmentId,
    backupNativeId: text(log.backupId),
    bytesTransferred: null,
    createdAt: toTimestamp(log.createdAt),
    startedAt: toTimestamp(log.startedAt),
    endedAt: toTimestamp(log.completedAt),
    restoreLogId: log.id,
    performedBy: text(log.performedBy),
    targetType: text(log.targetType),
    sourceEnvironmentId: text(log.sourceEnvironmentId),
    sourceEnvironmentName: text(log.sourceEnvironmentName),
    targetEnvironmentId: text(log.targetEnvironmentId),
    targetEnvironmentName: text(log.targetEnvironmentName),
    errorMessage: text(log.errorMessage),
    failureReason: failureReasonOf(status, log.errorMessage),
    recoveryEvidence: toRecoveryEvidenceModel(log.recoveryEvidence),
  };
}

/** oCore's `backupType` as the `BackupType` enum (`db` -> `DB`, `full` -> `FULL`), case-insensitively; null for anything else. */
export function toBackupType(raw: unknown): 'DB' | 'FULL' | null {
  const t = typeof raw === 'string' ? raw.toLowerCase() : null;
  return t === 'db' ? 'DB' : t === 'full' ? 'FULL' : null;
}

/** oCore's alert `type` as the `AlertType` enum, case-insensitively; OTHER for a type this gateway does not know (the raw value is in `providerType`). */
export function toAlertType(raw: unknown): 'BACKUP_FAILED' | 'BACKUP_MISSED' | 'PITR_GAP' | 'RETENTION' | 'OTHER' {
  const t = typeof raw === 'string' ? raw.toUpperCase() : '';
  return t === 'BACKUP_FAILED' || t === 'BACKUP_MISSED' || t === 'PITR_GAP' || t === 'RETENTION' ? t : 'OTHER';
}

/** An alert -> `OcoreAlert`. */
export function toAlertModel(provider: ProviderRef, a: OcoreAlertDto): AlertModel {
  return {
    typename: OCORE_TYPENAMES.alert,
    provider,
    nativeId: a.id,
    type: toAlertType(a.type),
    providerType: text(a.type),
    severity: toAlertSeverity(a.severity),
    message: text(a.message) ?? '',
    read: a.read === true,
    dismissed: a.dismissed === true,
    organizationNativeId: OCORE_ORGANIZATION_ID,
    resourceNativeId: text(a.environmentId),
    backupNativeId: text(a.backupId),
    createdAt: toTimestamp(a.createdAt),
    environmentName: text(a.environmentName),
    providerSeverity: text(a.severity),
  };
}

function earliest(...values: (string | null)[]): string | null {
  const present = values.filter((v): v is string => v !== null);
  return present.length === 0 ? null : present.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}

/**
 * An environment's backup schedule -> `OcoreSchedule`. Unified fields: `crons` = the non-empty of
 * `dbCron` / `fullCron` (in that order), `enabled` = `enabled && !paused`, `nextRunAt` = the earlier
 * of the next db / full backup.
 */
export function toScheduleModel(provider: ProviderRef, environmentId: string, s: OcoreScheduleDto): ScheduleModel {
  const dbCron = text(s.dbCron?.trim());
  const fullCron = text(s.fullCron?.trim());
  const nextDbBackupAt = toTimestamp(s.nextDbBackupAt);
  const nextFullBackupAt = toTimestamp(s.nextFullBackupAt);
  return {
    typename: OCORE_TYPENAMES.schedule,
    provider,
    nativeId: environmentId,
    name: null,
    enabled: s.enabled === true && s.paused !== true,
    crons: [dbCron, fullCron].filter((c): c is string => c !== null),
    timezone: text(s.timezone),
    organizationNativeId: OCORE_ORGANIZATION_ID,
    resourceNativeId: environmentId,
    nextRunAt: earliest(nextDbBackupAt, nextFullBackupAt),
    scheduleId: text(s.id),
    configuredEnabled: bool(s.enabled),
    paused: bool(s.paused),
    dbCron,
    fullCron,
    dbFrequency: text(s.dbFrequency),
    fullFrequency: text(s.fullFrequency),
    destinationIds: strings(s.destinationIds),
    nextDbBackupAt,
    nextFullBackupAt,
    walEnabled: bool(s.walEnabled),
    walRetentionDays: num(s.walRetentionDays),
    retainHourly: num(s.retainHourly),
    retainDaily: num(s.retainDaily),
    retainWeekly: num(s.retainWeekly),
    retainMonthly: num(s.retainMonthly),
    retainHourlyDays: num(s.retainHourlyDays),
    retainDailyDays: num(s.retainDailyDays),
    retainWeeklyDays: num(s.retainWeeklyDays),
    retainMonthlyDays: num(s.retainMonthlyDays),
    retainDbHourly: num(s.retainDbHourly),
    retainDbDaily: num(s.retainDbDaily),
    retainDbWeekly: num(s.retainDbWeekly),
    retainDbMonthly: num(s.retainDbMonthly),
    retainFullHourly: num(s.retainFullHourly),
    retainFullDaily: num(s.retainFullDaily),
    retainFullWeekly: num(s.retainFullWeekly),
    retainFullMonthly: num(s.retainFullMonthly),
  };
}

/**
 * One progress event of oCore's SSE stream as a domain update. `event: completed|failed` is the
 * last one; the event's `status` is mapped with the run/restore table. Stamped `nowMs` when the
 * event carries no readable time.
 */
export function toProgressUpdate(event: string, data: OcoreProgressEventDto, nowMs: number): ProgressUpdate {
  const done = event === 'completed' || event === 'failed';
  // The event type is authoritative for the end; otherwise the data's status is.
  const status: JobStatus = event === 'failed' ? 'FAILED' : event === 'completed' ? 'SUCCEEDED' : ocoreJobStatus.map(data.status);
  return {
    status,
    providerStatus: data.status ?? null,
    percent: typeof data.percent === 'number' ? Math.max(0, Math.min(100, data.percent)) : null,
    phase: data.phase ?? null,
    message: data.message ?? null,
    bytesDone: typeof data.bytesDone === 'number' ? data.bytesDone : null,
    bytesTotal: typeof data.bytesTotal === 'number' ? data.bytesTotal : null,
    at: toTimestamp(data.at) ?? new Date(nowMs).toISOString(),
    done,
    error: data.error ?? null,
  };
}
