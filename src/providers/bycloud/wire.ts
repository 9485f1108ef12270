/**
 * ByCloud wire shapes (its volume and database backup docs; PROVIDERS.md, ByCloud section). Each is
 * a zod schema and the DTO type it gives (same name): a backup needs its id, status and the volume
 * or instance it belongs to (the adapter's resources are made of those); every other field is
 * lenient (`src/upstream/wire-fields.ts`): a field of the wrong type reads as absent and the rest
 * of the record, and of its page, still counts. Instants are strings as sent: the mapper reads them
 * with `toTimestamp` (canonical, or null when unreadable).
 */
import { z } from 'zod';
import { Id, lenient, open } from '../../upstream/wire-fields.ts';

/** `GET /v1/backups` item: a volume backup. Status casing varies (`available`, `Available`). */
export const BycloudVolumeBackupDto = z.looseObject({
  id: Id,
  status: open<'creating' | 'available' | 'error' | 'deleting' | 'restoring' | 'error_restoring'>(),
  volume_id: Id,
  crn: lenient(z.string()),
  name: lenient(z.string()),
  description: lenient(z.string()),
  /** GiB. */
  size: lenient(z.number()),
  container: lenient(z.string()),
  is_incremental: lenient(z.boolean()),
  has_dependent_backups: lenient(z.boolean()),
  snapshot_id: lenient(z.string()),
  metadata: lenient(z.record(z.string(), z.unknown())),
  created_at: lenient(z.string()),
  updated_at: lenient(z.string()),
});
export type BycloudVolumeBackupDto = z.infer<typeof BycloudVolumeBackupDto>;

/** `GET /v1/database-backups` item. Status is upper case (`COMPLETED`). */
export const BycloudDatabaseBackupDto = z.looseObject({
  id: Id,
  status: open<'NEW' | 'BUILDING' | 'SAVING' | 'COMPLETED' | 'FAILED' | 'DELETE_FAILED'>(),
  instance_id: Id,
  crn: lenient(z.string()),
  name: lenient(z.string()),
  description: lenient(z.string()),
  parent_id: lenient(z.string()),
  /** GiB. */
  size: lenient(z.number()),
  datastore: lenient(z.looseObject({ type: lenient(z.string()), version: lenient(z.string()), version_id: lenient(z.string()) })),
  location_ref: lenient(z.string()),
  created_at: lenient(z.string()),
  updated_at: lenient(z.string()),
});
export type BycloudDatabaseBackupDto = z.infer<typeof BycloudDatabaseBackupDto>;

/** Paging block of every list (required: the adapter pages by it). */
export const BycloudMetaDto = z.looseObject({
  total: lenient(z.number()),
  limit: lenient(z.number()),
  marker: lenient(z.string()),
  has_more: lenient(z.boolean()),
});
export type BycloudMetaDto = z.infer<typeof BycloudMetaDto>;

/** `GET /v1/backups`. */
export const BycloudVolumeBackupListDto = z.looseObject({ backups: z.array(BycloudVolumeBackupDto), meta: BycloudMetaDto });
/** `GET /v1/database-backups`. */
export const BycloudDatabaseBackupListDto = z.looseObject({ database_backups: z.array(BycloudDatabaseBackupDto), meta: BycloudMetaDto });

/** `POST /v1/backups` answer: the backup, under `backup` or as the body itself. */
export const BycloudCreatedBackupDto = z.union([z.looseObject({ backup: BycloudVolumeBackupDto }).transform((b) => b.backup), BycloudVolumeBackupDto]);

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
export const BycloudErrorDto = z.looseObject({
  error: z.looseObject({ code: lenient(z.union([z.number(), z.string()])), message: lenient(z.string()), details: z.unknown().optional(), request_id: lenient(z.string()) }),
});
export type BycloudErrorDto = z.infer<typeof BycloudErrorDto>;
