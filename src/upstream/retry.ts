/**
 * When to retry an idempotent upstream read, and how long to wait. Pure functions: the client
 * loop calls them, unit tests pin them.
 */

/** Retry tuning. */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 4 */
  maxRetries: number;
  /** First backoff step in ms (doubles each attempt, full jitter). @default 100 */
  baseDelayMs: number;
  /** Largest backoff in ms when the provider gave no hint. @default 2000 */
  maxDelayMs: number;
}

/** HTTP statuses worth retrying for an idempotent read. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * The delay the provider asked for, in ms, from `Retry-After` (seconds or HTTP date),
 * `RateLimit-Reset` (seconds until reset, IETF draft / Bocada) or `X-RateLimit-Reset` (a Unix time
 * in seconds, ByCloud; small values are read as seconds-from-now). null when none is present.
 */
export function providerRetryDelayMs(
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
  /** Window-reset headers only mean "wait" on a 429; on other answers they describe the quota. @default true */
  rateLimited = true,
): number | null {
  const h = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const candidates: number[] = [];
  const retryAfter = h('retry-after');
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) candidates.push(Number(retryAfter) * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) candidates.push(Math.max(0, at - nowMs));
    }
  }
  const reset = rateLimited ? h('ratelimit-reset') : undefined;
  if (reset && /^\d+(\.\d+)?$/.test(reset.trim())) candidates.push(Number(reset) * 1000);
  const xReset = rateLimited ? h('x-ratelimit-reset') : undefined;
  if (xReset && /^\d+(\.\d+)?$/.test(xReset.trim())) {
    const n = Number(xReset);
    // A Unix timestamp is far larger than any sane "seconds from now".
    candidates.push(n > 1_000_000_000 ? Math.max(0, n * 1000 - nowMs) : n * 1000);
  }
  return candidates.length ? Math.max(...candidates) : null;
}

/** Exponential backoff with full jitter for attempt `n` (0-based). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * Decides the wait before retry number `attempt + 1`: the provider's hint when it gave one (plus a
 * little jitter so a herd does not return at once), else backoff. Returns null when the wait would
 * cross `deadlineAt` or retries are used up.
 */
export function nextRetryDelay(args: {
  attempt: number;
  policy: RetryPolicy;
  headers?: Record<string, string | string[] | undefined>;
  /** HTTP status of the failed attempt (undefined for network errors). */
  status?: number;
  nowMs: number;
  deadlineAt: number;
  random?: () => number;
}): number | null {
  const { attempt, policy, headers, status, nowMs, deadlineAt, random = Math.random } = args;
  if (attempt >= policy.maxRetries) return null;
  const hinted = headers ? providerRetryDelayMs(headers, nowMs, status === 429) : null;
  const wait = hinted !== null ? hinted + Math.round(random() * 50) : backoffMs(attempt, policy, random);
  if (nowMs + wait >= deadlineAt) return null;
  return wait;
}
