/**
 * The records the ByCloud simulator serves, as ByCloud's volume and database backup docs show
 * them (`seeds/bycloud-volume-backups-api.txt`, `seeds/bycloud-database-backups-api.txt`;
 * PROVIDERS.md, ByCloud section). The test bed reads the provider's contract on its own: nothing
 * here comes from the adapter.
 */

/** What both kinds of backup carry: `size` in GiB, `status` in the collection's own casing. */
type BycloudBackupCommon = {
  id: string; crn: string; name: string; description: string | null; status: string; size: number; created_at: string; updated_at: string;
};

/** `GET /v1/backups` item: a volume backup (`available`, `Available`, `creating`...). */
export type BycloudVolumeBackupRecord = BycloudBackupCommon & {
  volume_id: string; container: string | null; is_incremental: boolean; has_dependent_backups: boolean; snapshot_id: string | null;
  metadata: Record<string, string>;
};

/** `GET /v1/database-backups` item: a database backup (`COMPLETED`, `FAILED`...). */
export type BycloudDatabaseBackupRecord = BycloudBackupCommon & {
  instance_id: string; parent_id: string | null; datastore: { type: string; version: string; version_id: string }; location_ref: string | null;
};

/** The paging block of every list: `marker` is the last item's id while `has_more`. */
export type BycloudListMeta = { total: number; limit: number; marker: string | null; has_more: boolean };

/** The `links` block of every list; as in the docs, it points at the wrong collection (`/v1/instances`). */
export type BycloudListLinks = { self: string; next?: string; previous?: string };

/** The error body of every error: `code` is the HTTP status as a number. */
export type BycloudErrorBody = { error: { code: number; message: string; details?: unknown; request_id?: string } };
