/**
 * The records the Bocada simulator serves, as Bocada Cloud's v1 API documents them
 * (`seeds/bocada-cloud-api.txt`; item shapes as fixed in PROVIDERS.md, Bocada section). The
 * test bed reads the provider's contract on its own: nothing here comes from the adapter.
 */

/** Backup job `status` values, in the order the 400 for an unknown one lists them. */
export const BOCADA_JOB_STATUSES = ['succeeded', 'succeeded_with_warnings', 'failed', 'running', 'queued', 'missed', 'canceled'] as const;
/** Resource `type` values, in the order the 400 for an unknown one lists them. */
export const BOCADA_RESOURCE_TYPES = ['vm', 'database', 'filesystem', 'application', 'saas'] as const;

/** A backup job's `status`. */
export type BocadaJobStatus = (typeof BOCADA_JOB_STATUSES)[number];
/** A resource's `type`. */
export type BocadaResourceType = (typeof BOCADA_RESOURCE_TYPES)[number];

/** `GET /api/v1/organizations` item: a customer or business scope of the key. */
export type BocadaOrganizationRecord = { id: string; name: string; createdAt: string };

/** `GET /api/v1/connections` item: a backup system integrated with Bocada. */
export type BocadaConnectionRecord = { id: string; organizationId: string; name: string; product: string; status: 'connected' | 'error' | 'disabled' };

/** `GET /api/v1/resources` item: a protected asset tracked through a connection. */
export type BocadaResourceRecord = { id: string; organizationId: string; connectionId: string; name: string; type: BocadaResourceType; createdAt: string };

/** `GET /api/v1/backup-jobs` item: one run of a resource's backup; `endedAt` is null until it ends. */
export type BocadaJobRecord = {
  id: string; organizationId: string; resourceId: string; connectionId: string; status: BocadaJobStatus;
  startedAt: string; endedAt: string | null; bytesTransferred: number; filesTransferred: number;
};

/** `GET /api/v1/backup-jobs/{id}/timeline` item, oldest first. */
export type BocadaTimelineEventRecord = { id: string; jobId: string; timestamp: string; severity: 'info' | 'warning' | 'error'; message: string };

/** `GET /api/v1/system/status`: confirms the key and shows its scopes (not paged). */
export type BocadaStatusRecord = { status: 'ok'; apiVersion: 'v1'; keyId: string; scopes: string[]; serverTime: string };

/** Every list answer: `nextCursor` is absent on the last page. */
export type BocadaPage<T> = { data: T[]; pagination: { pageSize: number; nextCursor?: string } };

/** The error body of every error *(doc)*. */
export type BocadaErrorBody = { code: string; message: string; details?: unknown; requestId: string };
