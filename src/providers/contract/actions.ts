/**
 * What an adapter can do: each action is present only when the provider can take it, and that
 * presence is its capability.
 */
import type { AlertModel, BackupModel, JobModel, ProviderRef, ScheduleModel } from '../../domain/models.ts';
import type { RequestContext } from '../../upstream/request-context.ts';

/** What a trigger or restore started, and what to subscribe to for its progress. */
export interface StartedOperation {
  /** The job that runs it, when the provider has one to show. */
  job: JobModel | null;
  /** The backup it makes or restores, when the provider already shows it. */
  backup: BackupModel | null;
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
  provider: ProviderRef;
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
  deleteBackup?(backupNativeId: string, ctx: RequestContext): Promise<BackupModel | null>;
  dismissAlert?(alertNativeId: string, ctx: RequestContext): Promise<AlertModel | null>;
  markAlertRead?(alertNativeId: string, ctx: RequestContext): Promise<AlertModel | null>;
  upsertSchedule?(resourceNativeId: string, input: ScheduleInput, ctx: RequestContext): Promise<ScheduleModel>;
  retentionPreview?(resourceNativeId: string, retention: RetentionSettings, ctx: RequestContext): Promise<{ items: RetentionPreviewItem[]; totalSizeBytes: number | null }>;
  cronPresets?(ctx: RequestContext): Promise<Array<{ cron: string; label: string }>>;
  attachPolicy?(resourceNativeId: string, policyNativeId: string, enabled: boolean, ctx: RequestContext): Promise<ScheduleModel>;
  detachPolicy?(resourceNativeId: string, policyNativeId: string, ctx: RequestContext): Promise<void>;
  setPolicyEnabled?(resourceNativeId: string, policyNativeId: string, enabled: boolean, ctx: RequestContext): Promise<ScheduleModel>;
  createPolicy?(input: PolicyInput, ctx: RequestContext): Promise<PolicyModel>;
  updatePolicy?(policyNativeId: string, input: PolicyInput, ctx: RequestContext): Promise<PolicyModel>;
  verifyBackup?(backupNativeId: string, ctx: RequestContext): Promise<{ accepted: boolean; message: string | null }>;
  createDownloadLink?(backupNativeId: string, ctx: RequestContext): Promise<{ url: string; expiresAt: string | null }>;
}
