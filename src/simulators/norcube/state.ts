/**
 * The Norcube simulator's in-memory state: records as the service stores them (epoch-millisecond
 * timestamps, ids as UUIDs), before `sim-dto.ts` renders them in the spec's payload shapes.
 */
import { NewestFirst, type NorcubeSortKey } from './store.ts';

/** `constants.DatasourceEngine`. */
export const NC_ENGINES = ['postgres', 'mongodb'] as const;
/** `constants.DatasourceEnvironment`. */
export const NC_ENVIRONMENTS = ['prod', 'staging', 'dev', 'test'] as const;
/** `constants.DatasourceRegion`. */
export const NC_REGIONS = ['eu-central-1'] as const;
/** `constants.BackupJobStatus` (also the restore statuses). */
export const NC_JOB_STATUSES = ['queued', 'running', 'failed', 'success', 'partial', 'canceled'] as const;
/** `constants.BackupPolicyMethod`. */
export const NC_METHODS = ['logical_dump', 'physical', 'pitr'] as const;
/** `constants.BackupPolicyCompression`. */
export const NC_COMPRESSIONS = ['gzip', 'zstd', 'none'] as const;
/** `constants.BackupPolicyEncryption`. */
export const NC_ENCRYPTIONS = ['sse-kms', 'sse-s3', 'client-side', 'none'] as const;
/** `constants.RestoreMode`. */
export const NC_RESTORE_MODES = ['new_database', 'overwrite', 'new_server'] as const;
/** `constants.AuditTargetType`. */
export const NC_AUDIT_TARGET_TYPES = [
  'datasource', 'backup_policy', 'data_source_policy', 'storage_destination', 'backup_job', 'restore_job', 'organization',
] as const;
/** `constants.AuditAction`. */
export const NC_AUDIT_ACTIONS = [
  'datasource.created', 'datasource.updated', 'datasource.credentials_set', 'datasource.activated', 'datasource.deactivated',
  'datasource.deleted', 'datasource.verify_attempted', 'policy.created', 'policy.updated', 'policy.deleted', 'policy.attached',
  'policy.detached', 'storage_destination.created', 'storage_destination.updated', 'storage_destination.reverified',
  'storage_destination.deleted', 'backup_job.queued', 'backup_job.started', 'backup_job.completed', 'backup_job.failed',
  'backup_job.manual_run', 'backup_job.download_link_generated', 'backup_job.deleted', 'backup_job.reaped_stuck',
  'backup_job.reaped_healed', 'backup_job.reaped_orphan_cleaned', 'backup_job.reaped_no_arn', 'restore_job.created',
  'restore_job.started', 'restore_job.completed', 'restore_job.failed', 'restore_job.reaped_stuck',
  'notification_settings.updated', 'datasource.restore_check_updated', 'restore_job.log_link_generated',
] as const;

export type NcEngine = (typeof NC_ENGINES)[number];
export type NcEnvironment = (typeof NC_ENVIRONMENTS)[number];
export type NcJobStatus = (typeof NC_JOB_STATUSES)[number];
export type NcMethod = (typeof NC_METHODS)[number];
export type NcCompression = (typeof NC_COMPRESSIONS)[number];
export type NcEncryption = (typeof NC_ENCRYPTIONS)[number];
export type NcRestoreMode = (typeof NC_RESTORE_MODES)[number];
export type NcAuditAction = (typeof NC_AUDIT_ACTIONS)[number];
export type NcAuditTargetType = (typeof NC_AUDIT_TARGET_TYPES)[number];

/** Automated restore-testing settings of one data source (`dto.RestoreCheck`). */
export interface NcRestoreCheck {
  enabled: boolean;
  mode: string;
  target: string;
  validationLevel: string;
  scheduleCron?: string;
  scheduleTimezone?: string;
  nth?: number;
  sampleProbability?: number;
  validationQuery?: string;
  hasScratchCredentials: boolean;
  lastRunAt?: number;
}

export interface NcDataSource {
  id: string;
  name: string;
  engine: NcEngine;
  environment: NcEnvironment;
  region: string;
  isActive: boolean;
  hasCredentials: boolean;
  createdAt: number;
  updatedAt: number;
  detectedEngineVersion?: string;
  detectedEngineVersionAt?: number;
  restoreCheck: NcRestoreCheck | null;
  /** Uncompressed size of one dump, grows slowly over time (drives job sizes). */
  baseSizeBytes: number;
}

export interface NcDestination {
  id: string;
  name: string;
  isManaged: boolean;
  type: string;
  bucket: string;
  region: string;
  endpointUrl?: string;
  encryptionMode: string;
  storageClass: string;
  forcePathStyle: boolean;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
  lastVerifiedAt?: number;
}

export interface NcPolicy {
  id: string;
  name: string;
  scheduleCron: string;
  timezone: string;
  retentionDays: number;
  keepLastN: number;
  method: NcMethod;
  compression: NcCompression;
  encryption: NcEncryption;
  parallelism: number;
  pitrEnabled: boolean;
  throttleMbps?: number;
  destinationId: string;
  createdAt: number;
  updatedAt: number;
}

/** A policy attached to a data source (`dto.DatasourcePolicy`). */
export interface NcAttachment {
  id: string;
  datasourceId: string;
  policyId: string;
  isEnabled: boolean;
  priority: number;
  jitterSeconds: number;
  createdAt: number;
  lastScheduledAt?: number;
}

/** The latest restore test of one backup. */
export interface NcJobVerification {
  restoreJobId: string;
  status: NcJobStatus;
  passed?: boolean;
  verifiedAt?: number;
  hasLog: boolean;
  warnings?: string;
}

export interface NcJob {
  id: string;
  datasourceId: string;
  policyId: string;
  destinationId: string;
  trigger: 'manual' | 'schedule';
  status: NcJobStatus;
  createdAt: number;
  scheduledFor: number;
  startedAt?: number;
  finishedAt?: number;
  bytesWritten: number;
  errorSummary?: string;
  deletedAt?: number;
  expirationReason?: 'age_exceeded' | 'keep_last_n_exceeded';
  verification?: NcJobVerification;
}

export interface NcRestore {
  id: string;
  dataSourceId: string;
  sourceBackupId: string;
  /** The list filter's `trigger`: `manual` (the restore wizard) or `verification` (restore tests). */
  trigger: 'manual' | 'verification';
  mode: NcRestoreMode;
  status: NcJobStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  bytesRead?: number;
  bytesRestored?: number;
  targetDatabase?: string;
  targetConnectionRef?: string;
  hasLog: boolean;
  errorSummary?: string;
  verifyLevel?: string;
  verifyPassed?: boolean;
  verifyWarnings?: string;
}

export interface NcActor {
  id: string;
  name: string;
  email: string;
}

export interface NcAuditEntry {
  id: string;
  createdAt: number;
  action: NcAuditAction;
  targetType: NcAuditTargetType;
  targetId: string;
  /** Null for the service's own workers (scheduler, retention, reaper). */
  actor: NcActor | null;
  ip?: string;
  userAgent?: string;
  metadata: Record<string, unknown>;
}

export interface NcNotificationSettings {
  alertEmails: string[];
  onBackupFailed: boolean;
  onMissedSchedule: boolean;
  onRecovered: boolean;
  onRestoreFailed: boolean;
  onRestoreTestFailed: boolean;
  slackWebhookUrl?: string;
  webhookUrl?: string;
  webhookSecret?: string;
}

/** The whole state of one simulated organization. */
export interface NorcubeSimState {
  organizationId: string;
  /** The user the demo token belongs to (actor of live API actions). */
  tokenUser: NcActor;
  datasources: Map<string, NcDataSource>;
  datasourceList: NewestFirst<NcDataSource>;
  destinations: Map<string, NcDestination>;
  policies: Map<string, NcPolicy>;
  policyList: NewestFirst<NcPolicy>;
  attachments: Map<string, NcAttachment>;
  attachmentsByDatasource: Map<string, NcAttachment[]>;
  jobs: Map<string, NcJob>;
  jobList: NewestFirst<NcJob>;
  jobsByDatasource: Map<string, NewestFirst<NcJob>>;
  restores: Map<string, NcRestore>;
  restoresByDatasource: Map<string, NewestFirst<NcRestore>>;
  audit: NewestFirst<NcAuditEntry>;
  notificationSettings: NcNotificationSettings;
}

/** Empty state with its indexes. */
export function createEmptyState(organizationId: string, tokenUser: NcActor): NorcubeSimState {
  return {
    organizationId,
    tokenUser,
    datasources: new Map(),
    datasourceList: new NewestFirst((d) => ({ t: d.createdAt, id: d.id })),
    destinations: new Map(),
    policies: new Map(),
    policyList: new NewestFirst((p) => ({ t: p.createdAt, id: p.id })),
    attachments: new Map(),
    attachmentsByDatasource: new Map(),
    jobs: new Map(),
    jobList: new NewestFirst(jobKey),
    jobsByDatasource: new Map(),
    restores: new Map(),
    restoresByDatasource: new Map(),
    audit: new NewestFirst((e) => ({ t: e.createdAt, id: e.id })),
    notificationSettings: {
      alertEmails: [], onBackupFailed: true, onMissedSchedule: true, onRecovered: false, onRestoreFailed: true, onRestoreTestFailed: true,
    },
  };
}

/** Sort key of a backup job (newest `jobCreatedAt` first). */
export function jobKey(j: NcJob) {
  return { t: j.createdAt, id: j.id };
}

/** Sort key of a restore job. */
export function restoreKey(r: NcRestore) {
  return { t: r.createdAt, id: r.id };
}

/** The index of one data source in `byDatasource`, created (empty) on first use. */
function datasourceIndex<T>(byDatasource: Map<string, NewestFirst<T>>, datasourceId: string, keyOf: (item: T) => NorcubeSortKey): NewestFirst<T> {
  let idx = byDatasource.get(datasourceId);
  if (!idx) {
    idx = new NewestFirst(keyOf);
    byDatasource.set(datasourceId, idx);
  }
  return idx;
}

/** Jobs of one data source (an empty index when it has none). */
export function jobsOf(state: NorcubeSimState, datasourceId: string): NewestFirst<NcJob> {
  return datasourceIndex(state.jobsByDatasource, datasourceId, jobKey);
}

/** Restores of one data source. */
export function restoresOf(state: NorcubeSimState, datasourceId: string): NewestFirst<NcRestore> {
  return datasourceIndex(state.restoresByDatasource, datasourceId, restoreKey);
}

/** Adds a job to every index. */
export function addJob(state: NorcubeSimState, job: NcJob): void {
  state.jobs.set(job.id, job);
  state.jobList.insert(job);
  jobsOf(state, job.datasourceId).insert(job);
}

/** Adds a restore to every index. */
export function addRestore(state: NorcubeSimState, r: NcRestore): void {
  state.restores.set(r.id, r);
  restoresOf(state, r.dataSourceId).insert(r);
}

/** Attachments of one data source, highest priority (lowest number) first. */
export function attachmentsOf(state: NorcubeSimState, datasourceId: string): NcAttachment[] {
  const xs = state.attachmentsByDatasource.get(datasourceId);
  return xs ? [...xs].sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt) : [];
}

/** Adds an attachment to every index. */
export function addAttachment(state: NorcubeSimState, a: NcAttachment): void {
  state.attachments.set(a.id, a);
  const xs = state.attachmentsByDatasource.get(a.datasourceId);
  if (xs) xs.push(a);
  else state.attachmentsByDatasource.set(a.datasourceId, [a]);
}

/** Removes an attachment from every index. */
export function removeAttachment(state: NorcubeSimState, a: NcAttachment): void {
  state.attachments.delete(a.id);
  const xs = state.attachmentsByDatasource.get(a.datasourceId);
  if (xs) state.attachmentsByDatasource.set(a.datasourceId, xs.filter((x) => x.id !== a.id));
}

/** True when a job left a file behind that is still stored. */
export function hasLiveArtifact(j: NcJob): boolean {
  return (j.status === 'success' || j.status === 'partial') && j.deletedAt === undefined;
}
