/**
 * Bocada Cloud wire shapes (PROVIDERS.md, Bocada section). Only this folder knows them. Each is a
 * zod schema and the DTO type it gives (same name): records need an id; every other field is
 * lenient (`src/upstream/wire-fields.ts`), so a field of the wrong type reads as absent and the rest
 * of the record, and of its page, still counts. Instants are strings as sent: the mapper reads them
 * with `toTimestamp` (canonical, or null when unreadable).
 */
import { z } from 'zod';
import { Id, lenient, open, Timestamp } from '../../upstream/wire-fields.ts';

/** Job status values Bocada sends. */
export type BocadaJobStatusValue = 'succeeded' | 'succeeded_with_warnings' | 'failed' | 'running' | 'queued' | 'missed' | 'canceled';

/** `GET /organizations` item. */
export const BocadaOrganizationDto = z.looseObject({
  id: Id,
  name: lenient(z.string()),
  createdAt: lenient(z.string()),
});
export type BocadaOrganizationDto = z.infer<typeof BocadaOrganizationDto>;

/** `GET /connections` item: a backup system integrated with Bocada. */
export const BocadaConnectionDto = z.looseObject({
  id: Id,
  organizationId: lenient(z.string()),
  name: lenient(z.string()),
  product: lenient(z.string()),
  status: lenient(open<'connected' | 'error' | 'disabled'>()),
});
export type BocadaConnectionDto = z.infer<typeof BocadaConnectionDto>;

/** `GET /resources` item: a protected asset. */
export const BocadaResourceDto = z.looseObject({
  id: Id,
  organizationId: lenient(z.string()),
  connectionId: lenient(z.string()),
  name: lenient(z.string()),
  type: lenient(open<'vm' | 'database' | 'filesystem' | 'application' | 'saas'>()),
  createdAt: lenient(z.string()),
});
export type BocadaResourceDto = z.infer<typeof BocadaResourceDto>;

/** `GET /backup-jobs` item. */
export const BocadaBackupJobDto = z.looseObject({
  id: Id,
  organizationId: lenient(z.string()),
  resourceId: lenient(z.string()),
  connectionId: lenient(z.string()),
  status: lenient(open<BocadaJobStatusValue>()),
  startedAt: lenient(z.string()),
  endedAt: lenient(z.string()),
  bytesTransferred: lenient(z.number()),
  filesTransferred: lenient(z.number()),
});
export type BocadaBackupJobDto = z.infer<typeof BocadaBackupJobDto>;

/** `GET /backup-jobs/{id}/timeline` item: its instant is required (an entry without one says nothing). */
export const BocadaTimelineEventDto = z.looseObject({
  id: Id,
  jobId: lenient(z.string()),
  timestamp: Timestamp,
  severity: lenient(open<'info' | 'warning' | 'error'>()),
  message: lenient(z.string()),
});
export type BocadaTimelineEventDto = z.infer<typeof BocadaTimelineEventDto>;

/** A list page of `item`s: `data` must be a list of them; the next cursor is read when it is a string. */
export const bocadaPageDto = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    data: z.array(item),
    pagination: lenient(z.looseObject({ pageSize: lenient(z.number()), nextCursor: lenient(z.string()) })),
  });

/** `GET /system/status`. */
export const BocadaStatusDto = z.looseObject({
  status: z.string(),
  apiVersion: lenient(z.string()),
  keyId: lenient(z.string()),
  scopes: lenient(z.array(z.string())),
  serverTime: lenient(z.string()),
});
export type BocadaStatusDto = z.infer<typeof BocadaStatusDto>;

/** Error body. */
export const BocadaErrorDto = z.looseObject({
  code: lenient(z.string()),
  message: lenient(z.string()),
  details: z.unknown().optional(),
  requestId: lenient(z.string()),
});
export type BocadaErrorDto = z.infer<typeof BocadaErrorDto>;
