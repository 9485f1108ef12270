/**
 * Per-caller request budgets shared by every replica: the same token bucket as the in-process
 * limiter (`src/access/rate-limit.ts`: one minute's worth, refilled continuously), kept in Redis by
 * one Lua script on Redis's own clock, so a caller spreading its requests over N replicas gets its
 * budget once, not N times. While Redis is unreachable the in-process limiter answers.
 */
import { createHash } from 'node:crypto';
import type { RateDecision, RateLimiter } from '../access/rate-limit.ts';
import type { RedisConnection } from './redis-connection.ts';

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  connection: RedisConnection;
  /** Answers while Redis is unreachable. */
  fallback: RateLimiter;
  /** Called each time the fallback answered. */
  onFallback?: () => void;
}

/**
 * KEYS[1] the caller's bucket (hash: tokens, at). ARGV requests per minute. Answers 0 when the
 * request fits, else the whole seconds until one does.
 */
const TAKE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local rpm = tonumber(ARGV[1])
local perMs = rpm / 60000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or rpm
local at = tonumber(b[2]) or now
tokens = math.min(rpm, tokens + math.max(0, now - at) * perMs)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) / perMs / 1000)) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 61000)
return wait`;

/** A per-caller limiter shared through `connection`. */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { connection, fallback, onFallback } = options;
  return {
    async take(key, requestsPerMinute): Promise<RateDecision> {
      if (!connection.up) {
        onFallback?.();
        return fallback.take(key, requestsPerMinute);
      }
      // The caller key is hashed: key ids are not secrets, but Redis keys need not say who calls.
      const k = connection.key(`caller-budget:${createHash('sha256').update(key).digest('base64url')}`);
      try {
        const wait = Number(await connection.redis.eval(TAKE, 1, k, String(requestsPerMinute)));
        return wait === 0 ? { ok: true } : { ok: false, retryAfterSeconds: wait };
      } catch {
        onFallback?.();
        return fallback.take(key, requestsPerMinute);
      }
    },
  };
}
