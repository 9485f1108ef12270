/**
 * `Job.failureReason`: one rule for every provider. A job has a failure reason only when it did
 * not succeed (FAILED, PARTIAL, CANCELED, MISSED); a job that succeeded (warnings included), is
 * still queued or running, or whose status is UNKNOWN has none, whatever text its provider keeps.
 */
import type { JobStatus } from './statuses.ts';

/** The statuses a job can have a failure reason in. */
export const FAILURE_REASON_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['FAILED', 'PARTIAL', 'CANCELED', 'MISSED']);

/** Whether a job in `status` can have a failure reason (and so whether it is worth an upstream call to find it). */
export function mayHaveFailureReason(status: JobStatus): boolean {
  return FAILURE_REASON_STATUSES.has(status);
}

/** The failure reason of a job in `status` whose provider says `text`: the trimmed text, or null (a success, or nothing said). */
export function failureReasonOf(status: JobStatus, text: string | null | undefined): string | null {
  if (!mayHaveFailureReason(status) || typeof text !== 'string') return null;
  const t = text.trim();
  return t.length > 0 ? t : null;
}
