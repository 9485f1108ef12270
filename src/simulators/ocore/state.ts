/**
 * The oCore simulator's in-memory state: records as the service keeps them (epoch-millisecond
 * timestamps, UUID ids), plus the indexes the routes page over. `sim-dto.ts` renders them in the
 * wire shapes of the docs and PROVIDERS.md.
 */

/** Environment types (PROVIDERS.md, assumed). */
export const OC_ENV_TYPES = ['production', 'staging', 'development'] as const;
/** Backup statuses (PROVIDERS.md, assumed). */
export const OC_BACKUP_STATUSES = ['pending', 'running', 'completed', 'failed', 'deleting'] as const;
/** Backup types *(doc)*. */
export const OC_BACKUP_TYPES = ['db', 'full'] as const;
/** Restore log statuses (PROVIDERS.md). */
export const OC_RESTORE_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
/** Alert types (PROVIDERS.md, assumed). */
export const OC_ALERT_TYPES = ['backup_failed', 'backup_missed', 'pitr_gap', 'retention'] as const;
/** Alert severities (PROVIDERS.md, assumed). */
export const OC_ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
/** GFS tiers a backup can be kept for. */
export const OC_GFS_TIERS = ['hourly', 'daily', 'weekly', 'monthly'] as const;

export type OcEnvType = (typeof OC_ENV_TYPES)[number];
export type OcBackupStatus = (typeof OC_BACKUP_STATUSES)[number];
export type OcBackupType = (typeof OC_BACKUP_TYPES)[number];
export type OcRestoreStatus = (typeof OC_RESTORE_STATUSES)[number];
export type OcAlertType = (typeof OC_ALERT_TYPES)[number];
export type OcAlertSeverity = (typeof OC_ALERT_SEVERITIES)[number];
export type OcGfsTier = (typeof OC_GFS_TIERS)[number];

/** A storage destination backups are copied to. */
export interface OcDestination {
  id: string;
  /** Key of `remotePaths`, e.g. `s3-eu-central`. */
  name: string;
  /** URI prefix, e.g. `s3://ocore-backups-eu-central-1`. */
  baseUri: string;
}

export interface OcProject {
  id: string;
  name: string;
  /** Path-safe form of the name, used in remote paths. */
  slug: string;
  destinations: OcDestination[];
}

export interface OcEnvironment {
  id: string;
  projectId: string;
  name: string;
  type: OcEnvType;
  slug: string;
  /** Size of one database dump (drives backup sizes). */
  dbBytes: number;
  /** Size of the filestore archive (added to `full` backups). */
  filestoreBytes: number;
  /** Destinations this environment's backups are copied to. */
  destinations: OcDestination[];
}

export interface OcBackup {
  id: string;
  environmentId: string;
  backupType: OcBackupType;
  status: OcBackupStatus;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  /** Bytes of the artifacts; 0 until the backup completes. */
  sizeBytes: number;
  /** What the backup will weigh when it completes (the progress events' `bytesTotal`). */
  bytesTotal: number;
  errorMessage: string | null;
  /** Index of the plan event at which the backup fails (see `sim-ops.ts`); null when it does not. */
  failAt: number | null;
  gfsTiers: OcGfsTier[];
  /** Remote copy to the second destination failed (evidence turns yellow). */
  remotePartial: boolean;
  /** The optional `notify` step failed (does not block green). */
  notifyFailed: boolean;
  /** How the backup was started (kept for the record; not on the wire). */
  trigger: 'manual' | 'schedule';
}

export interface OcRestoreLog {
  id: string;
  backupId: string;
  /** Copied from the backup, so the plan survives the backup's deletion. */
  backupType: OcBackupType;
  bytesTotal: number;
  sourceEnvironmentId: string;
  targetEnvironmentId: string;
  targetType: 'same' | 'other';
  status: OcRestoreStatus;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  errorMessage: string | null;
  failAt: number | null;
  performedBy: string;
  pitrTimestamp: number | null;
}

/** A backup schedule as stored: every documented field but the computed `next*BackupAt`. */
export interface OcSchedule {
  id: string;
  environmentId: string;
  enabled: boolean;
  paused: boolean;
  dbCron: string;
  dbFrequency: string;
  fullCron: string;
  fullFrequency: string;
  destinationIds: string[];
  timezone: string;
  walEnabled: boolean;
  walRetentionDays: number;
  retainHourly: number;
  retainHourlyDays: number;
  retainDaily: number;
  retainDailyDays: number;
  retainWeekly: number;
  retainWeeklyDays: number;
  retainMonthly: number;
  retainMonthlyDays: number;
  retainDbHourly: number;
  retainDbDaily: number;
  retainDbWeekly: number;
  retainDbMonthly: number;
  retainFullHourly: number;
  retainFullDaily: number;
  retainFullWeekly: number;
  retainFullMonthly: number;
}

/** The integer retention fields of a schedule (also the retention-preview body). */
export const OC_RETENTION_FIELDS = [
  'retainHourly', 'retainHourlyDays', 'retainDaily', 'retainDailyDays', 'retainWeekly', 'retainWeeklyDays',
  'retainMonthly', 'retainMonthlyDays', 'retainDbHourly', 'retainDbDaily', 'retainDbWeekly', 'retainDbMonthly',
  'retainFullHourly', 'retainFullDaily', 'retainFullWeekly', 'retainFullMonthly',
] as const;
export type OcRetentionField = (typeof OC_RETENTION_FIELDS)[number];
export type OcRetention = Pick<OcSchedule, OcRetentionField>;

export interface OcAlert {
  id: string;
  backupId: string | null;
  environmentId: string;
  type: OcAlertType;
  severity: OcAlertSeverity;
  message: string;
  createdAt: number;
  read: boolean;
  dismissed: boolean;
}

/** A span of time (epoch ms), e.g. a WAL archiving gap. */
export interface OcSpan {
  start: number;
  end: number;
}

/** Sorts newest first, id as tie-break (the order of every list). */
export function newestFirst(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The whole state with its indexes. Mutate only through the methods so indexes stay in step. */
export class OcoreSimState {
  readonly projects: OcProject[] = [];
  readonly projectById = new Map<string, OcProject>();
  readonly environments = new Map<string, OcEnvironment>();
  readonly envsByProject = new Map<string, OcEnvironment[]>();
  readonly backups = new Map<string, OcBackup>();
  /** Newest first. */
  readonly backupsByEnv = new Map<string, OcBackup[]>();
  readonly schedules = new Map<string, OcSchedule>();
  readonly restoreLogs = new Map<string, OcRestoreLog>();
  /** Logs whose source or target is the environment, newest first. */
  readonly restoreLogsByEnv = new Map<string, OcRestoreLog[]>();
  /** Backup id -> id of its latest restore log. */
  readonly latestRestoreByBackup = new Map<string, string>();
  /** Newest first. */
  readonly alerts: OcAlert[] = [];
  readonly alertById = new Map<string, OcAlert>();
  /** Seeded WAL archiving gaps per environment. */
  readonly walGaps = new Map<string, OcSpan[]>();
  private projectBackupsCache = new Map<string, OcBackup[]>();

  addProject(p: OcProject): void {
    this.projects.push(p);
    this.projectById.set(p.id, p);
    this.envsByProject.set(p.id, []);
  }

  addEnvironment(e: OcEnvironment): void {
    this.environments.set(e.id, e);
    this.envsByProject.get(e.projectId)!.push(e);
    this.backupsByEnv.set(e.id, []);
    this.restoreLogsByEnv.set(e.id, []);
  }

  /** Adds a backup newer than every other of its environment (live) or appends while seeding (`sorted` later). */
  addBackup(b: OcBackup, position: 'newest' | 'append' = 'newest'): void {
    this.backups.set(b.id, b);
    const list = this.backupsByEnv.get(b.environmentId)!;
    if (position === 'newest') {
      list.unshift(b);
      this.projectBackupsCache.delete(this.environments.get(b.environmentId)!.projectId);
    } else {
      list.push(b); // seeding: sortAll() clears the cache
    }
  }

  removeBackup(id: string): void {
    const b = this.backups.get(id);
    if (!b) return;
    this.backups.delete(id);
    const list = this.backupsByEnv.get(b.environmentId)!;
    const i = list.indexOf(b);
    if (i >= 0) list.splice(i, 1);
    this.projectBackupsCache.delete(this.environments.get(b.environmentId)!.projectId);
  }

  /** Every backup of a project's environments, newest first (cached until the project's backups change). */
  projectBackups(projectId: string): OcBackup[] {
    let list = this.projectBackupsCache.get(projectId);
    if (!list) {
      list = (this.envsByProject.get(projectId) ?? []).flatMap((e) => this.backupsByEnv.get(e.id)!).sort(newestFirst);
      this.projectBackupsCache.set(projectId, list);
    }
    return list;
  }

  addRestoreLog(r: OcRestoreLog, position: 'newest' | 'append' = 'newest'): void {
    this.restoreLogs.set(r.id, r);
    const envIds = r.sourceEnvironmentId === r.targetEnvironmentId ? [r.sourceEnvironmentId] : [r.sourceEnvironmentId, r.targetEnvironmentId];
    for (const envId of envIds) {
      const list = this.restoreLogsByEnv.get(envId)!;
      if (position === 'newest') list.unshift(r);
      else list.push(r);
    }
    const latest = this.restoreLogs.get(this.latestRestoreByBackup.get(r.backupId) ?? '');
    if (!latest || newestFirst(r, latest) <= 0) this.latestRestoreByBackup.set(r.backupId, r.id);
  }

  addAlert(a: OcAlert, position: 'newest' | 'append' = 'newest'): void {
    this.alertById.set(a.id, a);
    if (position === 'newest') this.alerts.unshift(a);
    else this.alerts.push(a);
  }

  /** Restores index order after seeding with `append`. */
  sortAll(): void {
    for (const list of this.backupsByEnv.values()) list.sort(newestFirst);
    for (const list of this.restoreLogsByEnv.values()) list.sort(newestFirst);
    this.alerts.sort(newestFirst);
    this.projectBackupsCache.clear();
  }
}
