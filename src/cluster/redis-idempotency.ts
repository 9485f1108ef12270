/**
 * Idempotency across replicas: the first request with a key claims it in Redis atomically
 * (`SET NX PX lease`, renewed while the action runs), runs the action and stores its serialized
 * outcome (success, or the coded error) for the TTL; a duplicate on any replica replays that outcome,
 * and one that arrives while the first is in flight waits for it (polling, bounded) and never calls
 * upstream itself. A replica that dies mid-call stops renewing: the claim expires after the lease,
 * the waiting duplicate is told the outcome is unknown, and the client's retry runs the action
 * again. While Redis is unreachable the process-local store takes over (with `onFallback`).
 */
import { createHash, randomUUID } from 'node:crypto';
import { GatewayError, badUserInput, type ErrorCode } from '../domain/errors.ts';
import { checkIdempotencyKey, inputHashOf, type IdempotencyStore } from '../mutations/idempotency.ts';
import { isUpstreamError, toGatewayError } from '../upstream/errors.ts';
import { sleep } from '../upstream/sleep.ts';
import type { RedisConnection } from './redis-connection.ts';

const neverAborted = new AbortController().signal;

/** Options of {@link createRedisIdempotencyStore}. */
export interface RedisIdempotencyOptions {
  connection: RedisConnection;
  /** Used while Redis is down (and for what was claimed there). */
  fallback: IdempotencyStore;
  /** How long an outcome is kept. @default 24 h */
  ttlMs?: number;
  /** How long a claim lives without renewal (a dead replica's claim is released after it). @default 15000 */
  leaseMs?: number;
  /** Longest a duplicate waits for the first request's outcome. @default 30000 */
  waitMs?: number;
  /** How often a waiting duplicate looks for the outcome. @default 50 */
  pollMs?: number;
  /** Called when a call falls back to the process-local store, or a lease expired under a waiter. */
  onEvent?: (event: 'fallback' | 'lease-expired' | 'replay', scope: string) => void;
}

type Stored =
  | { state: 'pending'; inputHash: string; owner: string }
  | { state: 'done'; inputHash: string; ok: true; value: unknown }
  | { state: 'done'; inputHash: string; ok: false; error: { code: ErrorCode; message: string; extensions: Record<string, unknown> } };


/** Renews the claim only while it is still ours and pending. */
const RENEW = `local v = redis.call('GET', KEYS[1]) if v == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
/** Releases the claim only while it is still ours. */
const RELEASE = `local v = redis.call('GET', KEYS[1]) if v == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The coded error an outcome is stored as, or null when it is not an expected failure (then the claim is released). */
function toStoredError(e: unknown): Extract<Stored, { ok: false }>['error'] | null {
  const g = e instanceof GatewayError ? e : isUpstreamError(e) ? toGatewayError(e, { exposeProviderMessage: true }) : null;
  return g ? { code: g.code, message: g.message, extensions: { ...g.extensions } } : null;
}

/** An idempotency store shared by every replica on `connection`. */
export function createRedisIdempotencyStore(options: RedisIdempotencyOptions): IdempotencyStore {
  const { connection, fallback, ttlMs = 24 * 60 * 60 * 1000, leaseMs = 15_000, waitMs = 30_000, pollMs = 50, onEvent } = options;
  const { redis } = connection;

  function replay(stored: Extract<Stored, { state: 'done' }>, scope: string): unknown {
    onEvent?.('replay', scope);
    if (stored.ok) return stored.value;
    throw new GatewayError(stored.error.code, stored.error.message, stored.error.extensions);
  }

  async function runClaimed<T>(k: string, claim: string, inputHash: string, fn: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => void redis.eval(RENEW, 1, k, claim, String(leaseMs)).catch(() => undefined), Math.max(10, Math.floor(leaseMs / 3)));
    renew.unref?.();
    let outcome: Stored;
    try {
      const value = await fn();
      outcome = { state: 'done', inputHash, ok: true, value };
      clearInterval(renew);
      await redis.set(k, JSON.stringify(outcome), 'PX', ttlMs).catch(() => undefined);
      return value;
    } catch (e) {
      clearInterval(renew);
      const error = toStoredError(e);
      if (error) await redis.set(k, JSON.stringify({ state: 'done', inputHash, ok: false, error } satisfies Stored), 'PX', ttlMs).catch(() => undefined);
      else await redis.eval(RELEASE, 1, k, claim).catch(() => undefined);
      throw e;
    }
  }

  async function run<T>(scope: string, key: string, input: unknown, fn: () => Promise<T>): Promise<T> {
    const inputHash = inputHashOf(input);
    const k = connection.key(`idem:${createHash('sha256').update(`${scope}\u0000${key}`).digest('base64url')}`);
    const claim = JSON.stringify({ state: 'pending', inputHash, owner: randomUUID() } satisfies Stored);
    let claimed: string | null;
    try {
      claimed = await redis.set(k, claim, 'PX', leaseMs, 'NX');
    } catch {
      onEvent?.('fallback', scope);
      return fallback.run(scope, key, input, fn);
    }
    if (claimed === 'OK') return runClaimed(k, claim, inputHash, fn);
    // Someone has it: the outcome, or wait for it.
    for (let waited = 0; ; waited += pollMs) {
      let raw: string | null;
      try {
        raw = await redis.get(k);
      } catch {
        throw new GatewayError('UPSTREAM_UNAVAILABLE', 'the shared idempotency store went away while this request waited for the first one with its key; retry with the same key', { idempotency: 'store-unavailable' });
      }
      if (raw === null) {
        onEvent?.('lease-expired', scope);
        throw new GatewayError('UPSTREAM_UNAVAILABLE', 'the replica running the first request with this idempotency key stopped before it finished; its outcome is unknown: retry with the same key to run it again', { idempotency: 'lease-expired' });
      }
      const stored = JSON.parse(raw) as Stored;
      if (stored.inputHash !== inputHash) throw badUserInput('idempotencyKey was already used with a different input', 'input.idempotencyKey');
      if (stored.state === 'done') return replay(stored, scope) as T;
      if (waited >= waitMs) throw new GatewayError('UPSTREAM_UNAVAILABLE', 'the first request with this idempotency key is still running; retry with the same key later', { idempotency: 'in-flight', retryAfter: 1 });
      await sleep(pollMs, neverAborted);
    }
  }

  return {
    run(scope, key, input, fn) {
      if (key == null) return fn();
      checkIdempotencyKey(key);
      if (!connection.up) {
        onEvent?.('fallback', scope);
        return fallback.run(scope, key, input, fn);
      }
      return run(scope, key, input, fn);
    },
    get size() {
      return fallback.size;
    },
  };
}
