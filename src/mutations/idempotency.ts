/**
 * Idempotent mutations: the same key (per mutation) within the TTL returns the first result,
 * success or error, and never calls the provider again, also when the two requests arrive at
 * the same time. Reusing a key with a different input is BAD_USER_INPUT.
 *
 * Keys belong to one caller: each request uses the store {@link scopedIdempotencyStore} to its
 * caller, so one caller's key never answers another caller's mutation (nor tells it the result).
 *
 * Kept in process memory: a deployment with several gateway instances needs a shared store.
 *
 * Mutations hand the store a provider's refusal as a value (the user errors it is, see `once` in
 * src/resolvers/_shared/actions.ts), so a replay answers the same payload on any store; what the
 * store keeps as an error is an unexpected failure, replayed as the same top-level error.
 */
import { systemClock, type Clock } from '../domain/clock.ts';
import { createHash } from 'node:crypto';
import { badUserInput } from '../domain/errors.ts';

interface Entry {
  expiresAt: number;
  inputHash: string;
  result: Promise<unknown>;
}

/** Options of {@link createIdempotencyStore}. */
export interface IdempotencyOptions {
  /** How long a key is remembered. @default 24 h */
  ttlMs?: number;
  /** Most keys remembered; the oldest go first. @default 100000 */
  maxEntries?: number;
  /** Where expiry reads the time. @default the system clock */
  clock?: Clock;
  /** Told of every call answered from the store (`scope` is the mutation's name, never the key). @default none */
  onReplay?: (scope: string) => void;
}

/** The store of one gateway process. */
export interface IdempotencyStore {
  /** Runs `fn` once per (`scope`, `key`); later calls with the key get the first outcome. No key: runs `fn`. */
  run<T>(scope: string, key: string | null | undefined, input: unknown, fn: () => Promise<T>): Promise<T>;
  readonly size: number;
}

/**
 * `store` as one caller sees it: its keys are `owner`'s alone (`owner` = a stable caller key, e.g.
 * `api-key:noc-dashboard`), whatever store (in memory, Redis) is underneath.
 */
export function scopedIdempotencyStore(store: IdempotencyStore, owner: string): IdempotencyStore {
  return {
    run(scope, key, input, fn) {
      if (key == null) return store.run(scope, key, input, fn);
      checkIdempotencyKey(key);
      // The owner goes into the key, not the scope (the scope is the mutation's name, a metrics label): hashed, so the key stays short.
      return store.run(scope, createHash('sha256').update(owner).update('\u0000').update(key).digest('base64url'), input, fn);
    },
    get size() {
      return store.size;
    },
  };
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val).sort()) : val));

/** BAD_USER_INPUT unless `key` is 1 to 200 characters: what every store accepts as an idempotency key. */
export function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > 200) throw badUserInput('idempotencyKey must be 1 to 200 characters', 'input.idempotencyKey');
}

/** What a reuse of a key is compared by: a hash of the input without its `idempotencyKey`, keys in any order. */
export function inputHashOf(input: unknown): string {
  const { idempotencyKey: _ignored, ...rest } = (input ?? {}) as Record<string, unknown>;
  return createHash('sha256').update(stable(rest)).digest('base64url');
}

/** Creates an in-memory idempotency store. */
export function createIdempotencyStore(options: IdempotencyOptions = {}): IdempotencyStore {
  const { ttlMs = 24 * 60 * 60 * 1000, maxEntries = 100_000, clock = systemClock, onReplay } = options;
  const now = () => clock.now();
  const entries = new Map<string, Entry>();
  return {
    run(scope, key, input, fn) {
      if (key == null) return fn();
      checkIdempotencyKey(key);
      const id = `${scope}\u0000${key}`;
      const inputHash = inputHashOf(input);
      const t = now();
      const hit = entries.get(id);
      if (hit && hit.expiresAt > t) {
        if (hit.inputHash !== inputHash) throw badUserInput('idempotencyKey was already used with a different input', 'input.idempotencyKey');
        onReplay?.(scope);
        return hit.result as Promise<never>;
      }
      if (hit) entries.delete(id);
      const result = fn();
      result.catch(() => undefined); // the outcome, error included, is kept for replays
      entries.set(id, { expiresAt: t + ttlMs, inputHash, result });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return result;
    },
    get size() {
      return entries.size;
    },
  };
}
