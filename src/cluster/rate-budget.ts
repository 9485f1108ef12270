/**
 * The outbound rate budget of one provider, shared by every replica: a sliding-window log in Redis
 * (one Lua script, atomic, on Redis's own clock so replicas' clocks never disagree), sized by the
 * provider's documented quota. Unlike a token bucket, which lets `burst + rate` calls through in
 * some window, the log never grants more than the quota in any window of its length, so a
 * provider that counts fixed windows (Bocada: 600 per minute) never sees more than it allows. A
 * call's slot counts from the later of its grant and its answer ({@link RateBudget.take}'s
 * `settle`): the provider sees a call some time after the grant (a new connection, a busy event
 * loop), and only the answer proves it has, so a window later by the answer is a window later at the
 * provider too. Every upstream call takes a token first; when none is left the call
 * waits (queue, don't fail) until its deadline, then fails `RATE_LIMITED` with `retryAfter`. A 429's
 * reset time, once learnt by any replica, blocks every replica until then. While Redis is
 * unreachable the same bucket runs in process (each replica then spends its own budget).
 */
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../domain/errors.ts';
import type { Clock } from '../domain/clock.ts';
import { systemClock } from '../domain/clock.ts';
import { sleep } from '../upstream/sleep.ts';
import type { RedisConnection } from './redis-connection.ts';

/** A quota as providers document it. */
export interface RateQuota {
  /** Calls per second (a bucket of this many tokens refilling continuously). */
  requestsPerSecond?: number;
  /** Calls per minute. */
  requestsPerMinute?: number;
}

/** Options of {@link createRateBudget}. */
export interface RateBudgetOptions {
  /** The provider instance id (the bucket's name). */
  provider: string;
  quota: RateQuota;
  /** Shared bucket; absent = in process only. */
  connection?: RedisConnection;
  /** Time of the in-process bucket and of the deadlines. @default the system clock */
  clock?: Clock;
  /** Called when the shared bucket could not be reached and the in-process one answered. */
  onFallback?: () => void;
  /** Called with every wait a call had to make for budget, in ms. */
  onWait?: (ms: number) => void;
}

/** A provider's outbound budget. */
export interface RateBudget {
  /**
   * Takes one call's token, waiting for one while the deadline allows; `RATE_LIMITED` (with
   * `retryAfter` seconds) when the wait would pass `deadlineAt` (clock ms). Resolves with `settle`:
   * call it once the call's answer (or failure) is back, and its slot counts from then instead of
   * from the grant. Never settled, the slot counts from the grant (a call slower than the window may
   * then share a window at the provider with the calls granted after it).
   */
  take(deadlineAt: number, signal?: AbortSignal): Promise<() => void>;
  /** Every replica holds its calls for `ms` from now (a 429's reset). */
  blockFor(ms: number): Promise<void>;
}

/** The window and the most calls within it; the per-second figure wins when both are given. */
export function windowOf(quota: RateQuota): { limit: number; windowMs: number } {
  if (quota.requestsPerSecond) return { limit: Math.max(1, Math.floor(quota.requestsPerSecond)), windowMs: 1000 };
  return { limit: Math.max(1, Math.floor(quota.requestsPerMinute ?? 600)), windowMs: 60_000 };
}

/**
 * KEYS[1] the log of granted calls (sorted set by time), KEYS[2] the block key (set with a 429's
 * reset). ARGV limit, window ms, a unique member. Answers 0 when the call was granted, else the ms
 * until the oldest call in the window leaves it.
 */
const TAKE = `
local block = redis.call('PTTL', KEYS[2])
if block > 0 then return block end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)`;

/** KEYS[1] the log; ARGV[1] a granted member: its slot now counts from now (Redis's clock), never earlier. */
const SETTLE = `
local t = redis.call('TIME')
return redis.call('ZADD', KEYS[1], 'XX', 'GT', t[1] * 1000 + math.floor(t[2] / 1000), ARGV[1])`;

const neverAborted = new AbortController().signal;

/** The budget of one provider. */
export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const { provider, quota, connection, clock = systemClock, onFallback, onWait } = options;
  const { limit, windowMs } = windowOf(quota);
  const bucketKey = connection?.key(`rate:${provider}`);
  const replica = randomUUID();
  const blockKey = connection?.key(`rate:${provider}:blocked`);
  // The in-process log (each slot: when it counts from): the only one without Redis, the stand-in while it is away.
  let granted: Array<{ at: number }> = [];
  let blockedUntil = 0;
  let seq = 0;
  /** 0 and the settle of the granted slot, or the ms to wait. */
  function takeLocal(): { wait: number; settle?: () => void } {
    const now = clock.now();
    if (blockedUntil > now) return { wait: blockedUntil - now };
    granted = granted.filter((g) => g.at > now - windowMs);
    if (granted.length < limit) {
      const slot = { at: now };
      granted.push(slot);
      return { wait: 0, settle: () => void (slot.at = Math.max(slot.at, clock.now())) };
    }
    return { wait: Math.max(1, Math.min(...granted.map((g) => g.at)) + windowMs - now + 1) };
  }
  async function takeOnce(): Promise<{ wait: number; settle?: () => void }> {
    if (!connection?.up) {
      if (connection) onFallback?.();
      return takeLocal();
    }
    const member = `${replica}:${seq++}`;
    try {
      const wait = Number(await connection.redis.eval(TAKE, 2, bucketKey!, blockKey!, String(limit), String(windowMs), member));
      // Redis gone by the answer: the slot just counts from its grant.
      return { wait, settle: () => void connection.redis.eval(SETTLE, 1, bucketKey!, member).catch(() => undefined) };
    } catch {
      onFallback?.();
      return takeLocal();
    }
  }
  return {
    async take(deadlineAt, signal = neverAborted) {
      for (;;) {
        const { wait, settle } = await takeOnce();
        if (wait <= 0) return settle ?? (() => undefined);
        if (clock.now() + wait > deadlineAt || signal.aborted) {
          throw new GatewayError('RATE_LIMITED', `provider "${provider}" is at its rate limit; retry later`, { provider, retryAfter: Math.max(1, Math.ceil(wait / 1000)) });
        }
        onWait?.(wait);
        await sleep(wait, signal);
      }
    },
    async blockFor(ms) {
      if (ms <= 0) return;
      blockedUntil = Math.max(blockedUntil, clock.now() + ms);
      if (connection?.up) await connection.redis.set(blockKey!, '1', 'PX', Math.ceil(ms)).catch(() => undefined);
    },
  };
}
