/**
 * oCore wire shapes: the provider's API reference (`seeds/ocore-backups-api.txt`) plus what
 * PROVIDERS.md assumes where the docs are silent (projects, environments, alert items, statuses,
 * operation steps). Only what the adapter reads is typed; every record may carry more fields, and
 * every documented field may be missing or null on the wire, so the mapper tolerates both.
 */

/** An enum value as sent: one of the documented values, or anything a newer service sends. */
type Open<T extends string> = T | (string & {});

/** Backup status (assumed; the docs say only "string"). */
export type OcoreBackupStatusValue = 'pending' | 'running' | 'completed' | 'failed' | 'deleting';
/** Restore log status. */
export type OcoreRestoreStatusValue = 'pending' | 'running' | 'completed' | 'failed';
/** `backupType` *(doc)*. */
export type OcoreBackupTypeValue = 'db' | 'full';
/** Environment type (assumed). */
export type OcoreEnvironmentTypeValue = 'production' | 'staging' | 'development';
/** Alert type (assumed). */
export type OcoreAlertTypeValue = 'backup_failed' | 'backup_missed' | 'pitr_gap' | 'retention';
/** Alert severity (assumed). */
export type OcoreAlertSeverityValue = 'info' | 'warning' | 'critical';
/** Operation kinds of `GET /operations/{type}/{id}/steps`. */
export type OcoreOperationTypeValue = 'backup' | 'restore';

/** The error body of every failure: `{ "error": "<message>" }`. */
export interface OcoreErrorDto {
  error: string;
}

/** A project (assumed shape of `GET /projects` items). */
export interface OcoreProjectDto {
  id: string;
  name: string;
}

/** `GET /projects`. */
export interface OcoreProjectListDto {
  projects: OcoreProjectDto[];
  total: number;
}

/** An environment (assumed shape of `GET /projects/{projectId}/environments` items): the Resource. */
export interface OcoreEnvironmentDto {
  id: string;
  name: string;
  type?: Open<OcoreEnvironmentTypeValue> | null;
}

/** `GET /projects/{projectId}/environments`. */
export interface OcoreEnvironmentListDto {
  environments: OcoreEnvironmentDto[];
  total: number;
}

/** What a backup or restore can prove about its own recoverability *(doc)*. */
export interface OcoreRecoveryEvidenceDto {
  artifactChecksums?: Record<string, string> | null;
  artifactPaths?: Record<string, string> | null;
  blockingSteps?: string[] | null;
  canWriteCleanSuccess?: boolean | null;
  missingEvidence?: string[] | null;
  missingSteps?: string[] | null;
  operation?: string | null;
  optionalFailedSteps?: string[] | null;
  progress?: Record<string, unknown> | null;
  reason?: string | null;
  remoteCopyState?: string | null;
  requiredSteps?: string[] | null;
  status?: string | null;
  whyGreen?: string[] | null;
  whyNotGreen?: string[] | null;
}

/** `GET /backups/{id}` and the items of the backup lists *(doc)*. */
export interface OcoreBackupDto {
  id: string;
  status: Open<OcoreBackupStatusValue>;
  backupType?: Open<OcoreBackupTypeValue> | null;
  environmentId?: string | null;
  environmentName?: string | null;
  environmentType?: Open<OcoreEnvironmentTypeValue> | null;
  errorMessage?: string | null;
  configChecksum?: string | null;
  dbChecksum?: string | null;
  filestoreChecksum?: string | null;
  gfsTiers?: string[] | null;
  recoveryEvidence?: OcoreRecoveryEvidenceDto | null;
  remotePaths?: Record<string, string> | null;
  sizeBytes?: number | null;
  createdAt?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
}

/** `GET /projects/{projectId}/backups` and `GET /environments/{env_id}/backups` *(doc)*. */
export interface OcoreBackupListDto {
  backups: OcoreBackupDto[];
  total: number;
}

/** `GET /environments/{env_id}/backup-schedule` *(doc)*; 404 when the environment has none. */
export interface OcoreScheduleDto {
  id?: string | null;
  environmentId?: string | null;
  enabled?: boolean | null;
  paused?: boolean | null;
  dbCron?: string | null;
  fullCron?: string | null;
  dbFrequency?: string | null;
  fullFrequency?: string | null;
  destinationIds?: string[] | null;
  nextDbBackupAt?: string | null;
  nextFullBackupAt?: string | null;
  timezone?: string | null;
  walEnabled?: boolean | null;
  walRetentionDays?: number | null;
  retainDaily?: number | null;
  retainDailyDays?: number | null;
  retainDbDaily?: number | null;
  retainDbHourly?: number | null;
  retainDbMonthly?: number | null;
  retainDbWeekly?: number | null;
  retainFullDaily?: number | null;
  retainFullHourly?: number | null;
  retainFullMonthly?: number | null;
  retainFullWeekly?: number | null;
  retainHourly?: number | null;
  retainHourlyDays?: number | null;
  retainMonthly?: number | null;
  retainMonthlyDays?: number | null;
  retainWeekly?: number | null;
  retainWeeklyDays?: number | null;
}

/** A time window of PITR coverage *(doc)*. */
export interface OcoreTimeRangeDto {
  start?: string | null;
  end?: string | null;
}

/** A base backup PITR replays WAL on top of *(doc)*. */
export interface OcoreBaseBackupDto {
  backupId?: string | null;
  timestamp?: string | null;
}

/** `GET /environments/{env_id}/pitr-coverage` *(doc)*. */
export interface OcorePitrCoverageDto {
  baseBackups?: OcoreBaseBackupDto[] | null;
  earliestRecoverable?: string | null;
  latestRecoverable?: string | null;
  gaps?: OcoreTimeRangeDto[] | null;
  walRanges?: OcoreTimeRangeDto[] | null;
}

/** An item of `GET /environments/{environmentId}/restore-logs` *(doc)*. */
export interface OcoreRestoreLogDto {
  id: string;
  status: Open<OcoreRestoreStatusValue>;
  backupId?: string | null;
  performedBy?: string | null;
  targetType?: string | null;
  sourceEnvironmentId?: string | null;
  sourceEnvironmentName?: string | null;
  targetEnvironmentId?: string | null;
  targetEnvironmentName?: string | null;
  errorMessage?: string | null;
  recoveryEvidence?: OcoreRecoveryEvidenceDto | null;
  createdAt?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
}

/** `GET /environments/{environmentId}/restore-logs`. */
export interface OcoreRestoreLogListDto {
  restoreLogs: OcoreRestoreLogDto[];
  total: number;
}

/** An alert (assumed; the docs show `null`). */
export interface OcoreAlertDto {
  id: string;
  backupId?: string | null;
  environmentId?: string | null;
  environmentName?: string | null;
  type: Open<OcoreAlertTypeValue>;
  severity?: Open<OcoreAlertSeverityValue> | null;
  message?: string | null;
  createdAt?: string | null;
  read?: boolean | null;
  dismissed?: boolean | null;
}

/** `GET /backup-alerts` *(doc)*. */
export interface OcoreAlertListDto {
  alerts: OcoreAlertDto[];
  total: number;
}

/** `GET /backup-alerts/count` *(doc)*. */
export interface OcoreAlertCountDto {
  undismissed: number;
  unread: number;
}

/** A step of a backup or restore operation *(doc, operations reference)*. */
export interface OcoreOperationStepDto {
  id: string | number;
  name?: string | null;
  status?: string | null;
  sortOrder?: number | null;
  startedAt?: string | null;
  completedAt?: string | null;
  durationMs?: number | null;
  /** Usually log text; typed loosely because the reference does not say. */
  output?: unknown;
}

/** `GET /operations/{type}/{id}/steps`. */
export interface OcoreOperationStepListDto {
  steps: OcoreOperationStepDto[];
  total: number;
}

/** `data` of an event of `GET /backups/{id}/progress` and `/restore/progress` (SSE). */
export interface OcoreProgressEventDto {
  backupId?: string;
  status: string;
  percent?: number | null;
  phase?: string | null;
  message?: string | null;
  bytesDone?: number | null;
  bytesTotal?: number | null;
  at?: string;
  /** Only on `event: failed`. */
  error?: string | null;
}

/** `POST /backups/{id}/restore` body. */
export interface OcoreRestoreRequestDto {
  backupId: string;
  targetType: 'same' | 'other';
  targetEnvironmentId?: string;
  pitrTimestamp?: string;
}

/** `POST /backups/{id}/restore` answer (202). */
export interface OcoreRestoreResponseDto {
  backupId: string;
  message?: string;
  target?: string;
  restoreLogId?: string;
}

/** `POST /environments/{id}/backup-schedule/retention-preview` answer. */
export interface OcoreRetentionPreviewDto {
  items: Array<{ backupId: string; backupType?: string; createdAt?: string; gfsTiers?: string[]; reason?: string; sizeBytes?: number }>;
  totalSizeBytes?: number;
}
