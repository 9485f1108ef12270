/**
 * `BocadaJob.failureReason`: Bocada keeps why a job failed only in its timeline, which takes a
 * call. So the reason is read lazily: no call for a job whose status cannot have one (see
 * `src/domain/failure-reason.ts`), one timeline read per job and request (shared with the
 * `timeline` field), and at most a few of them in flight at once per request, so a page of 100
 * failed jobs does not open 100 calls together.
 */
import type { JobModel } from '../../domain/models.ts';
import { failureReasonOf, mayHaveFailureReason } from '../../domain/failure-reason.ts';
import { perRequest, type RequestContext } from '../../upstream/request-context.ts';
import type { BocadaTimelineEventModel } from './mapper.ts';

/** Timeline reads one request runs at once for failure reasons. */
export const BOCADA_FAILURE_REASON_CONCURRENCY = 4;

/**
 * The failure reason a timeline gives a job in `status`: its first ERROR line; for a CANCELED job
 * without one, its first WARNING line (Bocada logs a cancel as a warning); null when neither says
 * anything or the status cannot have a reason.
 */
export function failureReasonFromTimeline(status: JobModel['status'], timeline: readonly BocadaTimelineEventModel[]): string | null {
  const first = (severity: string) => timeline.find((e) => e.severity === severity && e.message.trim().length > 0)?.message;
  return failureReasonOf(status, first('ERROR') ?? (status === 'CANCELED' ? first('WARNING') : undefined));
}

/** Runs at most `limit` tasks at once, the others waiting in order. */
function createLimit(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * The resolver of `BocadaJob.failureReason` over `timelineOf` (the adapter's memoized timeline
 * read): null without a call unless the job's status can have a reason; reads bounded to
 * `concurrency` per request.
 */
export function bocadaFailureReasons(
  timelineOf: (jobNativeId: string, ctx: RequestContext) => Promise<BocadaTimelineEventModel[]>,
  concurrency = BOCADA_FAILURE_REASON_CONCURRENCY,
): (m: JobModel, ctx: RequestContext) => Promise<string | null> {
  const limitOf = perRequest(() => createLimit(concurrency));
  return async (m, ctx) => {
    if (!mayHaveFailureReason(m.status)) return null;
    return failureReasonFromTimeline(m.status, await limitOf(ctx)(() => timelineOf(m.nativeId, ctx)));
  };
}
