/**
 * ByCloud wire types (its volume and database backup docs; PROVIDERS.md, ByCloud section).
 */

/** `GET /v1/backups` item: a volume backup. Status casing varies (`available`, `Available`). */
export interface BycloudVolumeBackupDto {
  id: string;
  crn: string;
  name: string;
  description: string | null;
  status: string;
  volume_id: string;
  /** GiB. */
  size: number;
  container: string | null;
  is_incremental: boolean;
  has_dependent_backups: boolean;
  snapshot_id: string | null;
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string;
}

/** `GET /v1/database-backups` item. Status is upper case (`COMPLETED`). */
export interface BycloudDatabaseBackupDto {
  id: string;
  crn: string;
  name: string;
  description: string | null;
  status: string;
  instance_id: string;
  parent_id: string | null;
  /** GiB. */
  size: number;
  datastore: { type: string; version: string; version_id: string };
  location_ref: string | null;
  created_at: string;
  updated_at: string;
}

/** Paging block of every list. */
export interface BycloudMetaDto {
  total: number;
  limit: number;
  marker: string | null;
  has_more: boolean;
}

/** `POST /v1/backups` body. */
export interface BycloudCreateBackupDto {
  volume_id: string;
  name?: string;
  description?: string;
  incremental?: boolean;
  force?: boolean;
  snapshot_id?: string;
}

/** Error body: `{ error: { code, message, details?, request_id? } }`. */
export interface BycloudErrorDto {
  error: { code: number; message: string; details?: unknown; request_id?: string };
}
