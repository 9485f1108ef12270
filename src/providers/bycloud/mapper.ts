/**
 * ByCloud wire -> domain. Statuses are matched case-insensitively (the two collections differ in
 * casing); sizes in GiB become bytes. Native ids carry the collection: `vol:<uuid>` / `db:<uuid>`.
 */
import type { BackupModel, JobModel, OrganizationModel, ProviderRef, ResourceModel } from '../../domain/models.ts';
import { createStatusMapper, type BackupStatus, type JobStatus } from '../../domain/statuses.ts';
import { toTimestamp } from '../../domain/timestamps.ts';
import type { ProgressUpdate } from '../contract/index.ts';
import type { BycloudDatabaseBackupDto, BycloudVolumeBackupDto } from './wire.ts';

const GIB = 2 ** 30;
/** The single organization's native id (the token's organization). */
export const BYCLOUD_ORGANIZATION_ID = 'default';

/** Volume backup status -> BackupStatus (DESIGN.md). */
export const volumeBackupStatus = createStatusMapper<BackupStatus>(
  { creating: 'CREATING', available: 'AVAILABLE', deleting: 'DELETING', error: 'FAILED', restoring: 'RESTORING', error_restoring: 'AVAILABLE' },
  'UNKNOWN',
);
/** Database backup status -> BackupStatus (DESIGN.md). */
export const databaseBackupStatus = createStatusMapper<BackupStatus>(
  { NEW: 'CREATING', BUILDING: 'CREATING', SAVING: 'CREATING', COMPLETED: 'AVAILABLE', FAILED: 'FAILED', DELETE_FAILED: 'AVAILABLE' },
  'UNKNOWN',
);

/**
 * Volume backup status -> JobStatus of the backup's creation (README "Status mapping"): still being
 * made RUNNING; made (whatever happened to it since: restoring, deleting, a failed restore) SUCCEEDED.
 */
export const volumeBackupJobStatus = createStatusMapper<JobStatus>(
  { creating: 'RUNNING', available: 'SUCCEEDED', error: 'FAILED', restoring: 'SUCCEEDED', error_restoring: 'SUCCEEDED', deleting: 'SUCCEEDED' },
  'UNKNOWN',
);
/** Database backup status -> JobStatus of the backup's creation (README "Status mapping"). */
export const databaseBackupJobStatus = createStatusMapper<JobStatus>(
  { NEW: 'RUNNING', BUILDING: 'RUNNING', SAVING: 'RUNNING', COMPLETED: 'SUCCEEDED', FAILED: 'FAILED', DELETE_FAILED: 'SUCCEEDED' },
  'UNKNOWN',
);

/** Splits a native id into its collection and ByCloud id; null when it is not one of ours. */
export function parseNativeId(id: string): { collection: 'vol' | 'db'; id: string } | null {
  const m = /^(vol|db):(.+)$/.exec(id);
  return m ? { collection: m[1] as 'vol' | 'db', id: m[2] } : null;
}

/** The token's organization. */
export function toOrganizationModel(ref: ProviderRef): OrganizationModel {
  return { typename: 'ByCloudOrganization', provider: ref, nativeId: BYCLOUD_ORGANIZATION_ID, name: ref.organizationName ?? ref.name, createdAt: null };
}

/** A volume backup. */
export function toVolumeBackupModel(ref: ProviderRef, b: BycloudVolumeBackupDto): BackupModel {
  return {
    typename: 'ByCloudVolumeBackup', provider: ref, nativeId: `vol:${b.id}`, name: b.name ?? null,
    status: volumeBackupStatus.map(b.status), providerStatus: b.status ?? null,
    organizationNativeId: BYCLOUD_ORGANIZATION_ID, resourceNativeId: `vol:${b.volume_id}`,
    sizeBytes: typeof b.size === 'number' ? b.size * GIB : null, createdAt: toTimestamp(b.created_at),
    completedAt: volumeBackupStatus.map(b.status) === 'AVAILABLE' ? toTimestamp(b.updated_at) : null,
    crn: b.crn ?? null, description: b.description ?? null, container: b.container ?? null, isIncremental: b.is_incremental ?? null,
    hasDependentBackups: b.has_dependent_backups ?? null, snapshotId: b.snapshot_id ?? null, metadata: b.metadata ?? {},
    sizeGiB: b.size ?? null, updatedAt: toTimestamp(b.updated_at),
  };
}

/** A database backup. */
export function toDatabaseBackupModel(ref: ProviderRef, b: BycloudDatabaseBackupDto): BackupModel {
  return {
    typename: 'ByCloudDatabaseBackup', provider: ref, nativeId: `db:${b.id}`, name: b.name ?? null,
    status: databaseBackupStatus.map(b.status), providerStatus: b.status ?? null,
    organizationNativeId: BYCLOUD_ORGANIZATION_ID, resourceNativeId: `db:${b.instance_id}`,
    sizeBytes: typeof b.size === 'number' ? b.size * GIB : null, createdAt: toTimestamp(b.created_at),
    completedAt: databaseBackupStatus.map(b.status) === 'AVAILABLE' ? toTimestamp(b.updated_at) : null,
    crn: b.crn ?? null, description: b.description ?? null, parentId: b.parent_id ?? null,
    datastore: b.datastore ? { type: b.datastore.type ?? null, version: b.datastore.version ?? null, versionId: b.datastore.version_id ?? null } : null,
    locationRef: b.location_ref ?? null, sizeGiB: b.size ?? null, updatedAt: toTimestamp(b.updated_at),
  };
}

/**
 * A backup's creation as a job (ByCloud reports no jobs). Same native id as the backup (`vol:<id>`,
 * `db:<id>`); started when created; ended at the last change once the creation is over. ByCloud
 * records say nothing about why a backup failed, so `failureReason` is null.
 */
export function toBackupJobModel(ref: ProviderRef, b: BycloudVolumeBackupDto | BycloudDatabaseBackupDto, collection: 'vol' | 'db'): JobModel {
  const status = (collection === 'vol' ? volumeBackupJobStatus : databaseBackupJobStatus).map(b.status);
  const created = toTimestamp(b.created_at);
  const over = status === 'SUCCEEDED' || status === 'FAILED';
  return {
    typename: collection === 'vol' ? 'ByCloudVolumeBackupJob' : 'ByCloudDatabaseBackupJob', provider: ref, nativeId: `${collection}:${b.id}`,
    name: b.name ?? null, operation: 'backup', status, providerStatus: b.status ?? null,
    organizationNativeId: BYCLOUD_ORGANIZATION_ID,
    resourceNativeId: collection === 'vol' ? `vol:${(b as BycloudVolumeBackupDto).volume_id}` : `db:${(b as BycloudDatabaseBackupDto).instance_id}`,
    backupNativeId: `${collection}:${b.id}`,
    bytesTransferred: status === 'SUCCEEDED' && typeof b.size === 'number' ? b.size * GIB : null,
    createdAt: created, startedAt: created, endedAt: over ? toTimestamp(b.updated_at) : null,
    failureReason: null,
    crn: b.crn ?? null, description: b.description ?? null, updatedAt: toTimestamp(b.updated_at),
  };
}

/** The checked `metadata` of a volume backup (database backups have none): null when absent. */
export function volumeMetadata(b: BycloudVolumeBackupDto | BycloudDatabaseBackupDto | null | undefined): Record<string, unknown> | null {
  return (b as BycloudVolumeBackupDto | null | undefined)?.metadata ?? null;
}

/**
 * A volume or database instance, known only through its backups. ByCloud has no names for them, so
 * the name comes from `newest` (its newest backup, when given): a volume's `metadata.volume_name`,
 * an instance's backup name without its trailing date stamp (`orders-pg-01-2026-11-19-7` ->
 * `orders-pg-01`); else the ByCloud id.
 */
export function toResourceModel(
  ref: ProviderRef,
  r: { collection: 'vol' | 'db'; id: string; datastoreType: string | null; firstSeen: string | null; backupCount: number; newest?: BycloudVolumeBackupDto | BycloudDatabaseBackupDto | null },
): ResourceModel {
  const tag = r.collection === 'vol' ? volumeMetadata(r.newest)?.volume_name : undefined;
  const tagged = typeof tag === 'string' ? tag.trim() : '';
  const stamped = r.collection === 'db' && typeof r.newest?.name === 'string' ? r.newest.name.replace(/-\d{4}-\d{2}-\d{2}(?:-\d+)?$/, '') : '';
  const name = r.collection === 'vol' ? tagged : stamped !== r.newest?.name ? stamped : '';
  return {
    typename: r.collection === 'vol' ? 'ByCloudVolume' : 'ByCloudDatabaseInstance', provider: ref, nativeId: `${r.collection}:${r.id}`,
    name: name || r.id, type: r.collection === 'vol' ? 'volume' : r.datastoreType, organizationNativeId: BYCLOUD_ORGANIZATION_ID,
    createdAt: r.firstSeen, backupCount: r.backupCount,
  };
}

const TERMINAL = new Set(['available', 'error', 'error_restoring', 'completed', 'failed', 'delete_failed']);

/** A backup's state as a progress update (ByCloud has no stream: the gateway polls this), stamped `nowMs` when the record says no time. */
export function toProgressUpdate(b: BycloudVolumeBackupDto | BycloudDatabaseBackupDto, nowMs: number): ProgressUpdate {
  const raw = (b.status ?? '').toLowerCase();
  const done = TERMINAL.has(raw);
  const status: JobStatus = ['available', 'completed', 'error_restoring', 'delete_failed'].includes(raw)
    ? 'SUCCEEDED'
    : raw === 'error' || raw === 'failed' ? 'FAILED'
    : ['creating', 'new', 'building', 'saving', 'restoring', 'deleting'].includes(raw) ? 'RUNNING' : 'UNKNOWN';
  return {
    status, providerStatus: b.status ?? null, percent: done ? 100 : null, phase: raw || null, message: null,
    bytesDone: null, bytesTotal: null, at: toTimestamp(b.updated_at) ?? new Date(nowMs).toISOString(),
    done, error: status === 'FAILED' ? `backup ended in status ${b.status}` : null,
  };
}
