/**
 * Bocada wire -> domain. Jobs keep Bocada's raw status in `providerStatus`; provider-specific
 * fields sit beside the unified ones, named as in the concrete GraphQL types (schema.graphql).
 */
import type { JobModel, OrganizationModel, ProviderRef, ResourceModel } from '../../domain/models.ts';
import { createStatusMapper, type JobStatus } from '../../domain/statuses.ts';
import { toTimestamp } from '../../domain/timestamps.ts';
import type { BocadaBackupJobDto, BocadaConnectionDto, BocadaOrganizationDto, BocadaResourceDto, BocadaTimelineEventDto } from './wire.ts';

/** Bocada job status -> JobStatus (DESIGN.md). */
export const bocadaJobStatus = createStatusMapper<JobStatus>(
  {
    succeeded: 'SUCCEEDED', succeeded_with_warnings: 'SUCCEEDED_WITH_WARNINGS', failed: 'FAILED', running: 'RUNNING',
    queued: 'QUEUED', missed: 'MISSED', canceled: 'CANCELED',
  },
  'UNKNOWN',
);

/** A Bocada organization. */
export function toOrganizationModel(ref: ProviderRef, o: BocadaOrganizationDto): OrganizationModel {
  return { typename: 'BocadaOrganization', provider: ref, nativeId: o.id, name: o.name ?? o.id, createdAt: toTimestamp(o.createdAt) };
}

/** A Bocada resource (a protected asset). */
export function toResourceModel(ref: ProviderRef, r: BocadaResourceDto): ResourceModel {
  return {
    typename: 'BocadaResource', provider: ref, nativeId: r.id, name: r.name ?? r.id, type: r.type ?? null,
    organizationNativeId: r.organizationId ?? null, createdAt: toTimestamp(r.createdAt),
    connectionId: r.connectionId ?? null, resourceType: r.type ?? null,
  };
}

/** A Bocada backup job (its `failureReason` is left null: the adapter's lazy field reads the timeline). */
export function toJobModel(ref: ProviderRef, j: BocadaBackupJobDto): JobModel {
  const started = toTimestamp(j.startedAt);
  return {
    typename: 'BocadaJob', provider: ref, nativeId: j.id, name: null, operation: 'backup',
    status: bocadaJobStatus.map(j.status), providerStatus: j.status ?? null,
    organizationNativeId: j.organizationId ?? null, resourceNativeId: j.resourceId ?? null, backupNativeId: null,
    bytesTransferred: typeof j.bytesTransferred === 'number' ? j.bytesTransferred : null,
    createdAt: started, startedAt: started, endedAt: toTimestamp(j.endedAt),
    // From the timeline, which takes a call: the lazy `BocadaJob.failureReason` field reads it.
    failureReason: null,
    connectionId: j.connectionId ?? null, filesTransferred: typeof j.filesTransferred === 'number' ? j.filesTransferred : null,
  };
}

/** A Bocada connection as the `BocadaConnection` GraphQL type shows it. */
export interface BocadaConnectionModel {
  id: string;
  name: string;
  product: string;
  status: string;
}

/** A Bocada timeline entry as the `BocadaTimelineEvent` GraphQL type shows it. */
export interface BocadaTimelineEventModel {
  id: string;
  /** ISO-8601. */
  timestamp: string;
  /** Bocada's severity upper-cased: `INFO`, `WARNING`, `ERROR` (any other value reads as INFO). */
  severity: 'INFO' | 'WARNING' | 'ERROR';
  message: string;
}

/** A connection (backup system) as the `BocadaConnection` type shows it. */
export function toConnection(c: BocadaConnectionDto): BocadaConnectionModel {
  return { id: c.id, name: c.name ?? '', product: c.product ?? '', status: c.status ?? '' };
}

/** Bocada's timeline `severity` (`info`, `warning`, `error`, any case) as `TimelineSeverity`; INFO for anything else. */
export function toTimelineSeverity(raw: unknown): 'INFO' | 'WARNING' | 'ERROR' {
  const s = typeof raw === 'string' ? raw.toUpperCase() : '';
  return s === 'WARNING' || s === 'ERROR' ? s : 'INFO';
}

/** A timeline entry as the `BocadaTimelineEvent` type shows it; a missing severity reads as `INFO`. */
export function toTimelineEvent(e: BocadaTimelineEventDto): BocadaTimelineEventModel {
  return {
    // The wire shape let through only readable instants.
    id: e.id, timestamp: toTimestamp(e.timestamp)!,
    severity: toTimelineSeverity(e.severity),
    message: typeof e.message === 'string' ? e.message : '',
  };
}
