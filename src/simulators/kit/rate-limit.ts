/** Rate limiting: a fixed window of N requests per simulator, and the headers that announce it. */

/** Rate limit settings for one simulator. */
export interface RateLimitSettings {
  /** Requests per window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

/** The rate-limit window as a request finds it. */
export interface RateLimitWindow {
  limit: number;
  /** Requests still allowed in this window (0 when the next one is answered 429). */
  remaining: number;
  /** When the window resets, epoch ms. */
  resetAtMs: number;
  /** The time the window was read at, epoch ms. */
  now: number;
}

/** A fixed-window limiter. */
export interface RateLimiter {
  /** The window at `now`, starting a fresh one when the current one has run out. */
  window(now: number): RateLimitWindow;
  /** Counts one accepted request against the window. */
  take(): void;
  /** Switches to `settings` and starts a fresh window now. */
  reset(settings: RateLimitSettings): void;
}

/** A limiter whose first window starts now. */
export function createRateLimiter(settings: RateLimitSettings): RateLimiter {
  let current = settings;
  let windowStart = Date.now();
  let count = 0;
  return {
    window(now) {
      if (now - windowStart >= current.windowMs) {
        windowStart = now;
        count = 0;
      }
      return { limit: current.limit, remaining: Math.max(0, current.limit - count), resetAtMs: windowStart + current.windowMs, now };
    },
    take: () => void count++,
    reset(next) {
      current = next;
      windowStart = Date.now();
      count = 0;
    },
  };
}

/** Whole seconds from `now` until `atMs`, rounded up, never negative. */
export function secondsUntil(atMs: number, now: number): number {
  return Math.max(0, Math.ceil((atMs - now) / 1000));
}

/** `Retry-After` in seconds until the window resets (at least 1), as every simulator sends it on a 429. */
export function retryAfterHeader(s: { resetAtMs: number; now: number }): Record<string, string> {
  return { 'retry-after': String(Math.max(1, secondsUntil(s.resetAtMs, s.now))) };
}
