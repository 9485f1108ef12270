/**
 * Renders the Norcube simulator's records in the spec's payload shapes (`dto.DataSource`,
 * `dto.BackupJob`, `dto.BackupPolicy`, `dto.DatasourcePolicy`, `dto.RestoreJob`, audit entries,
 * `response.APIResponseWithPagination`). Optional fields are omitted when unset (the spec has no
 * nullable fields), exactly like the Go service's `omitempty`.
 */
import { iso, norcubeCursor, type NorcubeSortKey } from './store.ts';
import { nextCronRun } from '../kit/index.ts';
import {
  attachmentsOf, jobsOf, restoresOf,
  type NcAttachment, type NcAuditEntry, type NcDataSource, type NcDestination, type NcJob, type NcPolicy, type NcRestore,
  type NorcubeSimState,
} from './state.ts';

type Json = Record<string, unknown>;

// Optional fields a DTO lacks are left `undefined`: JSON leaves them out, so they are absent on the
// wire, never null. (Deleting them from every object instead made a page of 100 jobs take twice as
// long to build and write.)

const isoOpt = (ms: number | undefined) => (ms === undefined ? undefined : iso(ms));

/** A list page in `response.APIResponseWithPagination`; `cursors.next` is absent on the last page. */
export function paginated(list: unknown[], next: NorcubeSortKey | null, nowMs: number): Json {
  return { list, cursors: next ? { next: norcubeCursor.encode(next) } : {}, meta: { timestamp: iso(nowMs) } };
}

/** Next scheduled run of an attachment, undefined when the scheduler would skip it. */
export function attachmentNextRun(state: NorcubeSimState, a: NcAttachment, nowMs: number): number | undefined {
  const ds = state.datasources.get(a.datasourceId);
  const p = state.policies.get(a.policyId);
  if (!ds || !p || !a.isEnabled || !ds.isActive || !ds.hasCredentials) return undefined;
  const next = nextCronRun(p.scheduleCron, nowMs, p.timezone);
  return next === null ? undefined : next + a.jitterSeconds * 500;
}

/** How a data source is rendered: list rows carry restore-check health, the by-id read carries storage totals. */
export type DataSourceVariant = 'list' | 'detail' | 'embedded';

/** `dto.DataSource`. */
export function dataSourceDto(state: NorcubeSimState, ds: NcDataSource, variant: DataSourceVariant, nowMs: number): Json {
  const base: Json = {
    id: ds.id, organizationId: state.organizationId, name: ds.name, engine: ds.engine, environment: ds.environment,
    isActive: ds.isActive, hasCredentials: ds.hasCredentials, createdAt: iso(ds.createdAt), updatedAt: iso(ds.updatedAt),
    detectedEngineVersion: ds.detectedEngineVersion, detectedEngineVersionAt: isoOpt(ds.detectedEngineVersionAt),
  };
  if (variant === 'embedded') return base;
  const jobs = jobsOf(state, ds.id).items;
  let active = 0;
  let stored = 0;
  let last: NcJob | undefined;
  for (const j of jobs) {
    if (j.status === 'queued' || j.status === 'running') active++;
    else if (!last && (j.status === 'success' || j.status === 'partial')) last = j;
    if ((j.status === 'success' || j.status === 'partial') && j.deletedAt === undefined) stored += j.bytesWritten;
  }
  let nextRun: number | undefined;
  for (const a of attachmentsOf(state, ds.id)) {
    const n = attachmentNextRun(state, a, nowMs);
    if (n !== undefined && (nextRun === undefined || n < nextRun)) nextRun = n;
  }
  Object.assign(base, {
    activeBackupJobs: active, totalBackupJobs: jobs.length, lastBackupAt: isoOpt(last?.finishedAt),
    lastBackupSizeBytes: last?.bytesWritten, nextRunAt: isoOpt(nextRun),
  });
  if (variant === 'detail') {
    Object.assign(base, { restoreTestingEnabled: !!ds.restoreCheck?.enabled && ds.restoreCheck.mode !== 'off', totalStoredBytes: stored });
  } else {
    let total = 0;
    let passed = 0;
    let warnings = 0;
    let lastAt: number | undefined;
    for (const r of restoresOf(state, ds.id).items) {
      if (r.trigger !== 'verification' || r.status === 'queued' || r.status === 'running') continue;
      if (total === 20) break;
      total++;
      if (r.status === 'success' && r.verifyPassed) {
        passed++;
        if (r.verifyWarnings) warnings++;
      }
      lastAt ??= r.finishedAt;
    }
    Object.assign(base, { restoreCheckTotal: total, restoreCheckPassed: passed, restoreCheckWarnings: warnings, restoreCheckLastAt: isoOpt(lastAt) });
  }
  return base;
}

/** `dto.BackupPolicy`. */
export function policyDto(state: NorcubeSimState, p: NcPolicy): Json {
  return {
    id: p.id, organizationId: state.organizationId, name: p.name, scheduleCron: p.scheduleCron, timezone: p.timezone,
    retentionDays: p.retentionDays, keepLastN: p.keepLastN, method: p.method, compression: p.compression, encryption: p.encryption,
    parallelism: p.parallelism, pitrEnabled: p.pitrEnabled, throttleMbps: p.throttleMbps, destinationId: p.destinationId,
  };
}

/** `dto.Destination`. */
export function destinationDto(state: NorcubeSimState, d: NcDestination): Json {
  return { id: d.id, organizationId: state.organizationId, name: d.name, isManaged: d.isManaged };
}

/** `policyhandler.payloadStorageDestinationResponse`. */
export function storageDestinationDto(d: NcDestination): Json {
  return {
    id: d.id, name: d.name, type: d.type, bucket: d.bucket, region: d.region, endpointUrl: d.endpointUrl, encryptionMode: d.encryptionMode,
    storageClass: d.storageClass, forcePathStyle: d.forcePathStyle, isActive: d.isActive, isManaged: d.isManaged,
    createdAt: iso(d.createdAt), updatedAt: iso(d.updatedAt), lastVerifiedAt: isoOpt(d.lastVerifiedAt),
  };
}

/** `dto.DatasourcePolicy` (an attachment, with its policy, destination and data source). */
export function attachmentDto(state: NorcubeSimState, a: NcAttachment, nowMs: number): Json {
  const p = state.policies.get(a.policyId)!;
  const ds = state.datasources.get(a.datasourceId)!;
  const dest = state.destinations.get(p.destinationId)!;
  return {
    id: a.id, backupPolicy: policyDto(state, p), datasource: dataSourceDto(state, ds, 'embedded', nowMs), destination: destinationDto(state, dest),
    isEnabled: a.isEnabled, priority: a.priority, jitterSeconds: a.jitterSeconds, createdAt: iso(a.createdAt),
    // The spec spells it `lastSheduledAt`.
    lastSheduledAt: isoOpt(a.lastScheduledAt), nextRunAt: isoOpt(attachmentNextRun(state, a, nowMs)),
  };
}

/** `dto.BackupJob`. */
export function backupJobDto(state: NorcubeSimState, j: NcJob): Json {
  const ds = state.datasources.get(j.datasourceId)!;
  const p = state.policies.get(j.policyId)!;
  const dest = state.destinations.get(j.destinationId)!;
  const v = j.verification;
  return {
    jobId: j.id, jobStatus: j.status, jobTrigger: j.trigger, jobCreatedAt: iso(j.createdAt), jobScheduledFor: iso(j.scheduledFor),
    jobStartedAt: isoOpt(j.startedAt), jobFinishedAt: isoOpt(j.finishedAt),
    jobDurationMs: j.startedAt !== undefined && j.finishedAt !== undefined ? j.finishedAt - j.startedAt : undefined,
    jobBytesWritten: j.bytesWritten, jobErrorSummary: j.errorSummary, jobDeletedAt: isoOpt(j.deletedAt), jobExpirationReason: j.expirationReason,
    datasourceId: ds.id, datasourceName: ds.name, datasourceEngine: ds.engine,
    destinationId: dest.id, destinationIsManaged: dest.isManaged, destinationRegion: dest.region,
    policyId: p.id, policyName: p.name, policyMethod: p.method, policyCompression: p.compression, policyEncryption: p.encryption,
    policyRetentionDays: p.retentionDays,
    verifyStatus: v?.status, verifyPassed: v?.passed, verifiedAt: isoOpt(v?.verifiedAt), verifyRestoreJobId: v?.restoreJobId,
    verifyHasLog: v?.hasLog, verifyWarnings: v?.warnings,
  };
}

/** `dto.RestoreJob`. */
export function restoreDto(state: NorcubeSimState, r: NcRestore): Json {
  const ds = state.datasources.get(r.dataSourceId)!;
  return {
    id: r.id, dataSourceId: ds.id, dataSourceName: ds.name, engine: ds.engine, sourceBackupId: r.sourceBackupId, mode: r.mode,
    status: r.status, createdAt: iso(r.createdAt), startedAt: isoOpt(r.startedAt), finishedAt: isoOpt(r.finishedAt),
    durationMs: r.startedAt !== undefined && r.finishedAt !== undefined ? r.finishedAt - r.startedAt : undefined,
    bytesRead: r.bytesRead, bytesRestored: r.bytesRestored, targetDatabase: r.targetDatabase, targetConnectionRef: r.targetConnectionRef,
    hasLog: r.hasLog, errorSummary: r.errorSummary, verifyLevel: r.verifyLevel, verifyPassed: r.verifyPassed, verifyWarnings: r.verifyWarnings,
  };
}

/** `audithandler.payloadAuditLogEntry`. */
export function auditDto(state: NorcubeSimState, e: NcAuditEntry): Json {
  return {
    id: e.id, organizationId: state.organizationId, createdAt: iso(e.createdAt), action: e.action, targetType: e.targetType, targetId: e.targetId,
    actorType: e.actor ? 'user' : 'system', actorId: e.actor?.id, actorName: e.actor?.name, actorEmail: e.actor?.email,
    ip: e.ip, userAgent: e.userAgent, metadata: e.metadata,
  };
}
