/**
 * Per-caller request budgets: a token bucket per caller key, refilled continuously at
 * `requestsPerMinute`, holding at most one minute's worth. In process memory behind the small
 * {@link RateLimiter} interface, so a shared store (Redis) can replace it without touching callers.
 */
import { systemClock, type Clock } from '../domain/clock.ts';

/** What one request's take from the budget gave. */
export type RateDecision = { ok: true } | { ok: false; /** Whole seconds until one request fits again (at least 1). */ retryAfterSeconds: number };

/** Counts requests per caller. */
export interface RateLimiter {
  /** Takes one request from `key`'s budget of `requestsPerMinute` (a shared store answers asynchronously). */
  take(key: string, requestsPerMinute: number): RateDecision | Promise<RateDecision>;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Where refills read the time. @default the system clock */
  clock?: Clock;
  /** Most callers tracked; the least recently seen is forgotten first (it then starts full). @default 100000 */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** A limiter that answers at once (the in-process one). */
export interface LocalRateLimiter extends RateLimiter {
  take(key: string, requestsPerMinute: number): RateDecision;
}

/** An in-process token-bucket limiter. */
export function createRateLimiter(options: RateLimiterOptions = {}): LocalRateLimiter {
  const { clock = systemClock, maxKeys = 100_000 } = options;
  const buckets = new Map<string, Bucket>();
  return {
    take(key, rpm) {
      const now = clock.now();
      const perMs = rpm / 60_000;
      const b = buckets.get(key) ?? { tokens: rpm, at: now };
      buckets.delete(key); // re-inserted below: the map stays in least-recently-seen order
      b.tokens = Math.min(rpm, b.tokens + Math.max(0, now - b.at) * perMs);
      b.at = now;
      buckets.set(key, b);
      while (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
    },
  };
}
