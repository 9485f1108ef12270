/**
 * Watching one provider's jobs without a job stream: each tick reads the newest jobs (the first
 * page of the provider's job list, newest first) and re-reads by id, in one batch, the jobs it
 * tracks that are still running but have left that page, and reports which jobs appeared and which
 * changed status since the tick before.
 *
 * Rules:
 * - The first successful read is the baseline: nothing is reported for it (what was there already
 *   did not "appear").
 * - A job not seen before is APPEARED when it is at least as new as the oldest job of the previous
 *   read (it came in at the top); an older one only slid into view (jobs above it went away) and
 *   is just remembered.
 * - Jobs still queued or running are tracked, up to `maxTracked` (the newest kept), and re-read by
 *   id while they are off the page, until they end or the provider says they are gone.
 * - The interval is `minIntervalMs` while something just changed or a job seen starting (or
 *   changing) under this watch still runs, then doubles on each quiet tick up to `maxIntervalMs`.
 *   Jobs already running at the baseline are tracked but do not keep the interval short: providers
 *   keep stale "running" records, and a watch must be able to idle.
 * - A failed tick reports the failure, changes nothing, and is retried after a longer wait (the
 *   interval doubles, as when quiet): the watch never ends on a provider error.
 */
import { matchesFilter } from '../domain/filter.ts';
import type { Clock } from '../domain/clock.ts';
import type { JobModel } from '../domain/models.ts';
import type { ListFilter, Page, PageRequest } from '../domain/page.ts';
import { TERMINAL_JOB_STATUSES, type JobStatus } from '../domain/statuses.ts';
import type { RequestContext } from '../upstream/request-context.ts';
import { sleep as nodeSleep } from '../upstream/sleep.ts';

/** Tuning of job watches. */
export interface JobWatchOptions {
  /** Interval while jobs run or something just changed, ms. @default 2000 */
  minIntervalMs?: number;
  /** Longest interval, reached when nothing moves, and the longest wait after failures, ms. @default 30000 */
  maxIntervalMs?: number;
  /** Jobs read per tick (the first page of the provider's list). @default 50 */
  pageSize?: number;
  /** Most running jobs tracked by id once off the page (the newest kept). @default 200 */
  maxTracked?: number;
  /** How a watch waits between ticks (tests pass their own timers). @default node's timers */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Why an update is sent. */
export type JobChange = 'INITIAL' | 'APPEARED' | 'STATUS_CHANGED';

/** One job that appeared or changed, as a watch reports it. */
export interface JobUpdateModel {
  job: JobModel;
  change: JobChange;
  /** The status before, for `STATUS_CHANGED`; null otherwise. */
  previousStatus: JobStatus | null;
  /** When the watch saw it (ISO-8601, the gateway's clock). */
  at: string;
}

/** What one tick found. */
export type JobWatchTick =
  | {
      ok: true;
      /** Appearances and status changes since the previous tick, oldest job first (empty on the baseline). */
      updates: JobUpdateModel[];
      /** The newest jobs as they are now (the page read, matching the filter), newest first. */
      newest: JobModel[];
    }
  | { ok: false; error: unknown };

/** Where a watch reads: one provider's job list and lookup, and the filter pushed to the list. */
export interface JobWatchSource {
  /** The provider instance's config id (for logs and request ids). */
  providerId: string;
  /** The provider's job list (its first page is read every tick). */
  list: (req: PageRequest, ctx: RequestContext) => Promise<Page<JobModel>>;
  /** The provider's batch job lookup; without it, jobs off the page are not followed. */
  lookup?: (nativeIds: readonly string[], ctx: RequestContext) => Promise<Array<JobModel | null | Error>>;
  /** The list filter (native organization / resource ids); the page is filtered again in memory. */
  filter: ListFilter;
}

/** The time a job sorts by: when it started, else when it was created; null when it says neither. */
export function jobTimeOf(job: JobModel): number | null {
  const v = job.startedAt ?? job.createdAt;
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? null : t;
}

/** Newest first; jobs without a time last. */
export function newestFirst(a: JobModel, b: JobModel): number {
  return (jobTimeOf(b) ?? -Infinity) - (jobTimeOf(a) ?? -Infinity);
}

interface Known {
  status: JobStatus;
  time: number | null;
  /** Seen appearing or changing under this watch (keeps the interval short while it runs). */
  live: boolean;
}

const isTerminal = (s: JobStatus) => TERMINAL_JOB_STATUSES.has(s);

/**
 * Yields one {@link JobWatchTick} per read of `source` until `signal` aborts; never throws for a
 * provider's failure (the tick says it failed). `context(signal)` makes the request context of
 * each tick (a watch outlives the request that started it, so it has its own).
 */
export async function* watchJobs(
  source: JobWatchSource,
  signal: AbortSignal,
  context: (signal: AbortSignal) => RequestContext,
  clock: Clock,
  options: JobWatchOptions = {},
): AsyncGenerator<JobWatchTick> {
  const { minIntervalMs = 2000, maxIntervalMs = 30_000, pageSize = 50, maxTracked = 200, sleep = nodeSleep } = options;
  const known = new Map<string, Known>();
  /** Jobs newer than this (the oldest of the last page) that were not seen came in at the top; null before the baseline. */
  let floor: number | null = null;
  let interval = minIntervalMs;
  const slower = () => Math.min(maxIntervalMs, Math.max(minIntervalMs, interval * 2));

  while (!signal.aborted) {
    let tick: JobWatchTick;
    // Each tick's calls get a signal of their own, following the watch's: what the upstream layer
    // hangs on a signal goes away with the tick, not piling up on a watch that runs for days.
    const own = new AbortController();
    const follow = () => own.abort();
    signal.addEventListener('abort', follow, { once: true });
    try {
      const ctx = context(own.signal);
      const page = await source.list({ after: null, limit: pageSize, filter: source.filter }, ctx);
      const newest = page.items.filter((m) => matchesFilter(m, source.filter)).sort(newestFirst);
      const onPage = new Set(newest.map((m) => m.nativeId));
      const offPage = source.lookup ? [...known].filter(([id, k]) => !onPage.has(id) && !isTerminal(k.status)).map(([id]) => id) : [];
      const reread = offPage.length > 0 ? await source.lookup!(offPage, ctx) : [];
      if (signal.aborted) return;
      const at = new Date(clock.now()).toISOString();
      const baseline = floor === null;
      const updates: JobUpdateModel[] = [];
      const see = (job: JobModel, mayAppear: boolean) => {
        const k = known.get(job.nativeId);
        const time = jobTimeOf(job);
        if (!k) {
          const appeared = !baseline && mayAppear && (time === null || floor === null || time >= floor);
          known.set(job.nativeId, { status: job.status, time, live: appeared });
          if (appeared) updates.push({ job, change: 'APPEARED', previousStatus: null, at });
          return;
        }
        if (k.status !== job.status) {
          updates.push({ job, change: 'STATUS_CHANGED', previousStatus: k.status, at });
          k.status = job.status;
          k.live = true;
        }
        k.time = time;
      };
      for (const job of newest) see(job, true);
      reread.forEach((r, i) => {
        if (r === null) known.delete(offPage[i]); // gone upstream
        else if (!(r instanceof Error)) see(r, false); // an Error leaves the job as it was, to be read again
      });
      // Remember the page and the running jobs (the newest `maxTracked` of those off the page).
      const running = [...known].filter(([id, k]) => !onPage.has(id) && !isTerminal(k.status)).sort(([, a], [, b]) => (b.time ?? -Infinity) - (a.time ?? -Infinity));
      const keep = new Set([...onPage, ...running.slice(0, maxTracked).map(([id]) => id)]);
      for (const id of [...known.keys()]) if (!keep.has(id)) known.delete(id);
      // A full page hides older jobs: only what is newer than its oldest can have come in at the top.
      const times = newest.map(jobTimeOf).filter((t): t is number => t !== null);
      floor = page.next !== null && newest.length > 0 && times.length > 0 ? Math.min(...times) : -Infinity;
      updates.sort((a, b) => newestFirst(b.job, a.job));
      tick = { ok: true, updates, newest };
      const busy = updates.length > 0 || [...known.values()].some((k) => k.live && !isTerminal(k.status));
      interval = busy ? minIntervalMs : slower();
    } catch (e) {
      if (signal.aborted) return;
      tick = { ok: false, error: e };
      interval = slower();
    } finally {
      signal.removeEventListener('abort', follow);
    }
    yield tick;
    if (signal.aborted) return;
    await sleep(interval, signal);
  }
}
