/**
 * oCore wire shapes: the provider's API reference (`seeds/ocore-backups-api.txt`) plus what
 * PROVIDERS.md assumes where the docs are silent (projects, environments, alert items, statuses,
 * operation steps). Each shape is a zod schema and the DTO type it gives (same name), so the
 * client's check and the mapper's type cannot drift apart.
 *
 * The schemas check only what the adapter cannot do without (ids, statuses, the containers it
 * walks); every other field is lenient (`src/upstream/wire-fields.ts`): kept when it has its
 * documented type, read as absent otherwise, never a reason to reject a record. Every record may
 * carry more fields (loose objects), and every documented field may be missing or null on the
 * wire, so the mapper tolerates both.
 */
import { z } from 'zod';
import { Id, lenient, open } from '../../upstream/wire-fields.ts';

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

// ---- field helpers -------------------------------------------------------------------------

/** An array (anything else is rejected) of which only the items that pass `item` are kept. */
const filteredArray = <T extends z.ZodType>(item: T) =>
  z.array(z.unknown()).transform((values) => values.flatMap((v) => {
    const r = item.safeParse(v);
    return r.success ? [r.data] : [];
  }));

/**
 * An array (anything else is rejected) of which only the strings are kept: {@link filteredArray}
 * of `z.string()` without a parse per item (oCore lists carry several such arrays per backup).
 */
const stringArray = () => z.array(z.unknown()).transform((values) => values.filter((v): v is string => typeof v === 'string'));

/**
 * A JSON object of any values (maps keyed by artifact or destination name), kept as it came: a
 * parsed JSON object's keys are strings already, so it is checked, not copied.
 */
const Dict = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' });


/** A list's `total`: a non-negative integer, or absent. */
const Total = z.number().refine((n) => Number.isInteger(n) && n >= 0).nullish();

// ---- records -------------------------------------------------------------------------------

/** The error body of every failure: `{ "error": "<message>" }`. */
export const OcoreErrorDto = z.looseObject({ error: z.string() });
export type OcoreErrorDto = z.infer<typeof OcoreErrorDto>;

/** A project (assumed shape of `GET /projects` items). */
export const OcoreProjectDto = z.looseObject({
  id: Id,
  name: lenient(z.string()),
});
export type OcoreProjectDto = z.infer<typeof OcoreProjectDto>;

/** `GET /projects`. */
export const OcoreProjectListDto = z.looseObject({ projects: z.array(OcoreProjectDto), total: Total });
export type OcoreProjectListDto = z.infer<typeof OcoreProjectListDto>;

/** An environment (assumed shape of `GET /projects/{projectId}/environments` items): the Resource. */
export const OcoreEnvironmentDto = z.looseObject({
  id: Id,
  name: lenient(z.string()),
  type: lenient(open<OcoreEnvironmentTypeValue>()),
});
export type OcoreEnvironmentDto = z.infer<typeof OcoreEnvironmentDto>;

/** `GET /projects/{projectId}/environments`. */
export const OcoreEnvironmentListDto = z.looseObject({ environments: z.array(OcoreEnvironmentDto), total: Total });
export type OcoreEnvironmentListDto = z.infer<typeof OcoreEnvironmentListDto>;

/** What a backup or restore can prove about its own recoverability *(doc)*; every field lenient. */
export const OcoreRecoveryEvidenceDto = z.looseObject({
  artifactChecksums: lenient(Dict),
  artifactPaths: lenient(Dict),
  blockingSteps: lenient(stringArray()),
  canWriteCleanSuccess: lenient(z.boolean()),
  missingEvidence: lenient(stringArray()),
  missingSteps: lenient(stringArray()),
  operation: lenient(z.string()),
  optionalFailedSteps: lenient(stringArray()),
  progress: lenient(Dict),
  reason: lenient(z.string()),
  remoteCopyState: lenient(z.string()),
  requiredSteps: lenient(stringArray()),
  status: lenient(z.string()),
  whyGreen: lenient(stringArray()),
  whyNotGreen: lenient(stringArray()),
});
export type OcoreRecoveryEvidenceDto = z.infer<typeof OcoreRecoveryEvidenceDto>;

/** `GET /backups/{id}` and the items of the backup lists *(doc)*. */
export const OcoreBackupDto = z.looseObject({
  id: Id,
  status: open<OcoreBackupStatusValue>(),
  backupType: lenient(open<OcoreBackupTypeValue>()),
  environmentId: lenient(z.string()),
  environmentName: lenient(z.string()),
  environmentType: lenient(open<OcoreEnvironmentTypeValue>()),
  errorMessage: lenient(z.string()),
  configChecksum: lenient(z.string()),
  dbChecksum: lenient(z.string()),
  filestoreChecksum: lenient(z.string()),
  gfsTiers: stringArray().nullish(),
  recoveryEvidence: OcoreRecoveryEvidenceDto.nullish(),
  remotePaths: Dict.nullish(),
  sizeBytes: lenient(z.number()),
  createdAt: lenient(z.string()),
  startedAt: lenient(z.string()),
  completedAt: lenient(z.string()),
});
export type OcoreBackupDto = z.infer<typeof OcoreBackupDto>;

/** `GET /projects/{projectId}/backups` and `GET /environments/{env_id}/backups` *(doc)*. */
export const OcoreBackupListDto = z.looseObject({ backups: z.array(OcoreBackupDto), total: Total });
export type OcoreBackupListDto = z.infer<typeof OcoreBackupListDto>;

/** `GET /environments/{env_id}/backup-schedule` *(doc)*; 404 when the environment has none. */
export const OcoreScheduleDto = z.looseObject({
  id: lenient(z.string()),
  environmentId: lenient(z.string()),
  enabled: lenient(z.boolean()),
  paused: lenient(z.boolean()),
  dbCron: lenient(z.string()),
  fullCron: lenient(z.string()),
  dbFrequency: lenient(z.string()),
  fullFrequency: lenient(z.string()),
  destinationIds: stringArray().nullish(),
  nextDbBackupAt: lenient(z.string()),
  nextFullBackupAt: lenient(z.string()),
  timezone: lenient(z.string()),
  walEnabled: lenient(z.boolean()),
  walRetentionDays: lenient(z.number()),
  retainDaily: lenient(z.number()),
  retainDailyDays: lenient(z.number()),
  retainDbDaily: lenient(z.number()),
  retainDbHourly: lenient(z.number()),
  retainDbMonthly: lenient(z.number()),
  retainDbWeekly: lenient(z.number()),
  retainFullDaily: lenient(z.number()),
  retainFullHourly: lenient(z.number()),
  retainFullMonthly: lenient(z.number()),
  retainFullWeekly: lenient(z.number()),
  retainHourly: lenient(z.number()),
  retainHourlyDays: lenient(z.number()),
  retainMonthly: lenient(z.number()),
  retainMonthlyDays: lenient(z.number()),
  retainWeekly: lenient(z.number()),
  retainWeeklyDays: lenient(z.number()),
});
export type OcoreScheduleDto = z.infer<typeof OcoreScheduleDto>;

/** A time window of PITR coverage *(doc)*. */
export const OcoreTimeRangeDto = z.looseObject({
  start: lenient(z.string()),
  end: lenient(z.string()),
});
export type OcoreTimeRangeDto = z.infer<typeof OcoreTimeRangeDto>;

/** A base backup PITR replays WAL on top of *(doc)*. */
export const OcoreBaseBackupDto = z.looseObject({
  backupId: lenient(z.string()),
  timestamp: lenient(z.string()),
});
export type OcoreBaseBackupDto = z.infer<typeof OcoreBaseBackupDto>;

/** `GET /environments/{env_id}/pitr-coverage` *(doc)*; items that are not objects are left out. */
export const OcorePitrCoverageDto = z.looseObject({
  baseBackups: filteredArray(OcoreBaseBackupDto).nullish(),
  earliestRecoverable: lenient(z.string()),
  latestRecoverable: lenient(z.string()),
  gaps: filteredArray(OcoreTimeRangeDto).nullish(),
  walRanges: filteredArray(OcoreTimeRangeDto).nullish(),
});
export type OcorePitrCoverageDto = z.infer<typeof OcorePitrCoverageDto>;

/** An item of `GET /environments/{environmentId}/restore-logs` *(doc)*. */
export const OcoreRestoreLogDto = z.looseObject({
  id: Id,
  status: open<OcoreRestoreStatusValue>(),
  backupId: lenient(z.string()),
  performedBy: lenient(z.string()),
  targetType: lenient(z.string()),
  sourceEnvironmentId: lenient(z.string()),
  sourceEnvironmentName: lenient(z.string()),
  targetEnvironmentId: lenient(z.string()),
  targetEnvironmentName: lenient(z.string()),
  errorMessage: lenient(z.string()),
  recoveryEvidence: OcoreRecoveryEvidenceDto.nullish(),
  createdAt: lenient(z.string()),
  startedAt: lenient(z.string()),
  completedAt: lenient(z.string()),
});
export type OcoreRestoreLogDto = z.infer<typeof OcoreRestoreLogDto>;

/** `GET /environments/{environmentId}/restore-logs`. */
export const OcoreRestoreLogListDto = z.looseObject({ restoreLogs: z.array(OcoreRestoreLogDto), total: Total });
export type OcoreRestoreLogListDto = z.infer<typeof OcoreRestoreLogListDto>;

/** An alert (assumed; the docs show `null`). */
export const OcoreAlertDto = z.looseObject({
  id: Id,
  backupId: lenient(z.string()),
  environmentId: lenient(z.string()),
  environmentName: lenient(z.string()),
  type: open<OcoreAlertTypeValue>(),
  severity: lenient(open<OcoreAlertSeverityValue>()),
  message: lenient(z.string()),
  createdAt: lenient(z.string()),
  read: lenient(z.boolean()),
  dismissed: lenient(z.boolean()),
});
export type OcoreAlertDto = z.infer<typeof OcoreAlertDto>;

/** `GET /backup-alerts` *(doc)*. */
export const OcoreAlertListDto = z.looseObject({ alerts: z.array(OcoreAlertDto), total: Total });
export type OcoreAlertListDto = z.infer<typeof OcoreAlertListDto>;

/** `GET /backup-alerts/count` *(doc)*. */
export const OcoreAlertCountDto = z.looseObject({ undismissed: z.number(), unread: z.number() });
export type OcoreAlertCountDto = z.infer<typeof OcoreAlertCountDto>;

/** A step of a backup or restore operation *(doc, operations reference)*. */
export const OcoreOperationStepDto = z.looseObject({
  id: z.union([z.string(), z.number()]),
  name: lenient(z.string()),
  status: lenient(z.string()),
  sortOrder: lenient(z.number()),
  startedAt: lenient(z.string()),
  completedAt: lenient(z.string()),
  durationMs: lenient(z.number()),
  /** Usually log text; typed loosely because the reference does not say. */
  output: z.unknown().optional(),
});
export type OcoreOperationStepDto = z.infer<typeof OcoreOperationStepDto>;

/** `GET /operations/{type}/{id}/steps`. */
export const OcoreOperationStepListDto = z.looseObject({ steps: z.array(OcoreOperationStepDto), total: Total });
export type OcoreOperationStepListDto = z.infer<typeof OcoreOperationStepListDto>;

/** `data` of an event of `GET /backups/{id}/progress` and `/restore/progress` (SSE). */
export const OcoreProgressEventDto = z.looseObject({
  backupId: lenient(z.string()),
  status: z.string(),
  percent: lenient(z.number()),
  phase: lenient(z.string()),
  message: lenient(z.string()),
  bytesDone: lenient(z.number()),
  bytesTotal: lenient(z.number()),
  at: lenient(z.string()),
  /** Only on `event: failed`. */
  error: lenient(z.string()),
});
export type OcoreProgressEventDto = z.infer<typeof OcoreProgressEventDto>;

/** `POST /environments/{env_id}/backups` answer (202) *(doc)*. */
export const OcoreCreateBackupResponseDto = z.looseObject({
  backupId: z.string(),
  message: lenient(z.string()),
});
export type OcoreCreateBackupResponseDto = z.infer<typeof OcoreCreateBackupResponseDto>;

/** `POST /backups/{id}/restore` body (sent, so a plain type). */
export interface OcoreRestoreRequestDto {
  backupId: string;
  targetType: 'same' | 'other';
  targetEnvironmentId?: string;
  pitrTimestamp?: string;
}

/** `POST /backups/{id}/restore` answer (202) *(doc)*; `restoreLogId` when the service names the log. */
export const OcoreRestoreResponseDto = z.looseObject({
  backupId: lenient(z.string()),
  message: lenient(z.string()),
  target: lenient(z.string()),
  restoreLogId: lenient(z.string()),
});
export type OcoreRestoreResponseDto = z.infer<typeof OcoreRestoreResponseDto>;

/** A backup the retention preview would delete *(doc)*; `backupId` is what the preview is about. */
export const OcoreRetentionPreviewItemDto = z.looseObject({
  backupId: z.string(),
  backupType: lenient(z.string()),
  createdAt: lenient(z.string()),
  gfsTiers: lenient(stringArray()),
  reason: lenient(z.string()),
  sizeBytes: lenient(z.number()),
});
export type OcoreRetentionPreviewItemDto = z.infer<typeof OcoreRetentionPreviewItemDto>;

/** `POST /environments/{id}/backup-schedule/retention-preview` answer *(doc)*. */
export const OcoreRetentionPreviewDto = z.looseObject({
  items: z.array(OcoreRetentionPreviewItemDto),
  totalSizeBytes: lenient(z.number()),
});
export type OcoreRetentionPreviewDto = z.infer<typeof OcoreRetentionPreviewDto>;

/** `GET /backup-schedule/presets` *(doc)*: every preset must carry both strings. */
export const OcoreCronPresetListDto = z.array(z.looseObject({ cron: z.string(), label: z.string() }));
export type OcoreCronPresetListDto = z.infer<typeof OcoreCronPresetListDto>;
