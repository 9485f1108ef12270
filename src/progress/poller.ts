/**
 * Progress for providers without a stream: polls the operation's state and yields only changes,
 * fast while it runs, slower while it is queued, and slower still when the provider rate-limits.
 */
import { GatewayError } from '../domain/errors.ts';
import type { ProgressUpdate } from '../providers/contract/index.ts';
import { ProviderHttpError, isUpstreamError } from '../upstream/errors.ts';
import { sleep } from '../upstream/sleep.ts';

/** Poll intervals. */
export interface PollOptions {
  /** While running. @default 1000 */
  runningMs?: number;
  /** While queued. @default 3000 */
  queuedMs?: number;
  /** Upper bound after rate limits or errors. @default 30000 */
  maxMs?: number;
  /** Failed reads in a row before giving up. @default 5 */
  maxFailures?: number;
}

const changeKey = (u: ProgressUpdate) => JSON.stringify([u.status, u.providerStatus, u.percent, u.phase, u.message, u.bytesDone, u.done]);

/** Yields each distinct state until the terminal one. Unknown operation: NOT_FOUND. */
export async function* pollProgress(
  snapshot: () => Promise<ProgressUpdate | null>,
  signal: AbortSignal,
  options: PollOptions = {},
): AsyncGenerator<ProgressUpdate> {
  const { runningMs = 1000, queuedMs = 3000, maxMs = 30_000, maxFailures = 5 } = options;
  let last: string | null = null;
  let failures = 0;
  let interval = runningMs;
  while (!signal.aborted) {
    try {
      const s = await snapshot();
      if (s === null) throw new GatewayError('NOT_FOUND', 'no such backup or job');
      failures = 0;
      const key = changeKey(s);
      if (key !== last) {
        last = key;
        yield s;
      }
      if (s.done) return;
      interval = s.status === 'QUEUED' ? queuedMs : runningMs;
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof GatewayError) throw e;
      if (e instanceof ProviderHttpError && e.status >= 400 && e.status < 500 && e.status !== 429) throw e;
      if (!isUpstreamError(e) || ++failures > maxFailures) throw e;
      // Respect the provider: back off, and never sooner than a rate limit asks.
      interval = Math.min(maxMs, Math.max(interval * 2, runningMs));
      if (e instanceof ProviderHttpError && e.status === 429) interval = Math.min(maxMs, Math.max(interval, 1000));
    }
    await sleep(interval, signal);
  }
}

