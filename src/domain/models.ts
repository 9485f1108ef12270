/**
 * Our domain model: what every provider maps into and what resolvers receive.
 * Nothing here knows a provider's wire format or GraphQL.
 */
import type { BackupStatus, JobStatus } from './statuses.ts';

/** A provider kind: a key of the provider registry (`bocada`, `norcube`, ...). */
export type ProviderKind = string;

/** One configured provider instance (two Bocada tenants are two of these). */
export interface ProviderRef {
  /** Config id, unique; appears in errors, filters and global ids. */
  id: string;
  kind: ProviderKind;
  /** Display name. */
  name: string;
  /**
   * Name of the one organization of a provider whose token is scoped to a single organization
   * (Norcube, ByCloud, oCore: their APIs name none); config `organizationName`. Absent: `name`.
   */
  organizationName?: string;
}

/** What a job does: makes a backup or restores one. */
export type JobOperation = 'backup' | 'restore';

/** Where a provider's live progress comes from: an upstream stream it relays, or polling. */
export type ProgressSource = 'sse' | 'poll';

/** The six unified entity kinds. */
export type EntityKind = 'organization' | 'resource' | 'backup' | 'job' | 'alert' | 'schedule';

/**
 * Fields every model carries. `typename` is the concrete GraphQL type (`OcoreBackup`...);
 * provider-specific fields sit beside the unified ones, named as in that concrete type.
 */
export interface ModelBase {
  typename: string;
  provider: ProviderRef;
  /** The provider's own id of the record (adapters may prefix it to tell sub-kinds apart). */
  nativeId: string;
  /** Provider-specific fields, resolved by the concrete type's default resolvers. */
  [field: string]: unknown;
}

/** An organization: a Bocada organization, or the token's organization for the others. */
export interface OrganizationModel extends ModelBase {
  name: string;
  createdAt: string | null;
}

/** A protected thing: Bocada resource, Norcube data source, ByCloud volume / DB instance, oCore environment. */
export interface ResourceModel extends ModelBase {
  name: string;
  /** Normalized resource type, free text such as `vm`, `database`, `volume`, `environment`. */
  type: string | null;
  organizationNativeId: string | null;
  createdAt: string | null;
}

/** A restorable artifact. */
export interface BackupModel extends ModelBase {
  name: string | null;
  status: BackupStatus;
  providerStatus: string | null;
  organizationNativeId: string | null;
  resourceNativeId: string | null;
  sizeBytes: number | null;
  createdAt: string | null;
  completedAt: string | null;
}

/** An execution: a backup run, a restore. */
export interface JobModel extends ModelBase {
  name: string | null;
  /** What the job does: `backup` or `restore`. */
  operation: JobOperation;
  status: JobStatus;
  providerStatus: string | null;
  organizationNativeId: string | null;
  resourceNativeId: string | null;
  /** Native id of the backup this job produced or restored, when known. */
  backupNativeId: string | null;
  bytesTransferred: number | null;
  createdAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /**
   * Why the job did not succeed, in the provider's words; null for a job that succeeded or still
   * runs (see `src/domain/failure-reason.ts`). Null too where it is a lazy field (Bocada: its
   * timeline is read only when the field is asked for).
   */
  failureReason: string | null;
}

/** Severity of an alert. */
export type AlertSeverity = 'INFO' | 'WARNING' | 'CRITICAL';

/** Something that needs a person's attention. */
export interface AlertModel extends ModelBase {
  /** Normalized type (`AlertType`). */
  type: 'BACKUP_FAILED' | 'BACKUP_MISSED' | 'PITR_GAP' | 'RETENTION' | 'OTHER';
  /** The provider's own type value. */
  providerType: string | null;
  severity: AlertSeverity;
  message: string;
  read: boolean;
  dismissed: boolean;
  organizationNativeId: string | null;
  resourceNativeId: string | null;
  backupNativeId: string | null;
  createdAt: string | null;
}

/** When backups run. */
export interface ScheduleModel extends ModelBase {
  name: string | null;
  enabled: boolean;
  /** 5-field cron expressions that drive it (several for oCore's db + full). */
  crons: string[];
  timezone: string | null;
  organizationNativeId: string | null;
  resourceNativeId: string | null;
  nextRunAt: string | null;
}

/** Any entity model. */
export type EntityModel = OrganizationModel | ResourceModel | BackupModel | JobModel | AlertModel | ScheduleModel;

/** Model type per entity kind. */
export interface ModelOf {
  organization: OrganizationModel;
  resource: ResourceModel;
  backup: BackupModel;
  job: JobModel;
  alert: AlertModel;
  schedule: ScheduleModel;
}
