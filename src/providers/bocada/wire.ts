/**
 * Bocada Cloud wire types (PROVIDERS.md, Bocada section). Only this folder knows them.
 */

/** Job status values Bocada sends. */
export type BocadaJobStatusValue = 'succeeded' | 'succeeded_with_warnings' | 'failed' | 'running' | 'queued' | 'missed' | 'canceled';

/** `GET /organizations` item. */
export interface BocadaOrganizationDto {
  id: string;
  name: string;
  createdAt: string;
}

/** `GET /connections` item: a backup system integrated with Bocada. */
export interface BocadaConnectionDto {
  id: string;
  organizationId: string;
  name: string;
  product: string;
  status: 'connected' | 'error' | 'disabled';
}

/** `GET /resources` item: a protected asset. */
export interface BocadaResourceDto {
  id: string;
  organizationId: string;
  connectionId: string;
  name: string;
  type: 'vm' | 'database' | 'filesystem' | 'application' | 'saas';
  createdAt: string;
}

/** `GET /backup-jobs` item. */
export interface BocadaBackupJobDto {
  id: string;
  organizationId: string;
  resourceId: string;
  connectionId: string;
  status: BocadaJobStatusValue | string;
  startedAt: string;
  endedAt: string | null;
  bytesTransferred: number;
  filesTransferred: number;
}

/** `GET /backup-jobs/{id}/timeline` item. */
export interface BocadaTimelineEventDto {
  id: string;
  jobId: string;
  timestamp: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
}

/** A list page. */
export interface BocadaPageDto<T> {
  data: T[];
  pagination: { pageSize: number; nextCursor?: string };
}

/** `GET /system/status`. */
export interface BocadaStatusDto {
  status: string;
  apiVersion: string;
  keyId: string;
  scopes: string[];
  serverTime: string;
}

/** Error body. */
export interface BocadaErrorDto {
  code: string;
  message: string;
  details?: unknown;
  requestId: string;
}
