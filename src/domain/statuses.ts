/**
 * Normalized status enums and the helper every provider mapper uses to build its table.
 * The tables themselves live in each provider's mapper (they are wire knowledge).
 */

/** Normalized status of an execution. */
export const JOB_STATUSES = [
  'QUEUED', 'RUNNING', 'SUCCEEDED', 'SUCCEEDED_WITH_WARNINGS', 'PARTIAL', 'FAILED', 'CANCELED', 'MISSED', 'UNKNOWN',
] as const;
/** Normalized status of an execution. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Normalized status of a restorable artifact. */
export const BACKUP_STATUSES = ['CREATING', 'AVAILABLE', 'RESTORING', 'DELETING', 'EXPIRED', 'FAILED', 'UNKNOWN'] as const;
/** Normalized status of a restorable artifact. */
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** Job statuses after which nothing changes any more. */
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set([
  'SUCCEEDED', 'SUCCEEDED_WITH_WARNINGS', 'PARTIAL', 'FAILED', 'CANCELED', 'MISSED',
]);

/**
 * Builds a case-insensitive raw -> normalized mapper from a table; unknown or missing values map to
 * `UNKNOWN` (the caller keeps the raw value as `providerStatus`).
 */
export function createStatusMapper<S extends string>(table: Record<string, S>, unknown: S) {
  const lower = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
  const map = (raw: string | null | undefined): S => (raw == null ? unknown : lower.get(String(raw).toLowerCase()) ?? unknown);
  /** Raw values that map to any of `wanted` (for pushing a status filter down). */
  const rawFor = (wanted: readonly S[]): string[] =>
    Object.entries(table).filter(([, v]) => wanted.includes(v)).map(([k]) => k);
  return { map, rawFor };
}
