/**
 * What one client request hands every upstream call: its id and its abort signal. Layers that keep
 * per-request state (a client's GET dedupe, an adapter's memos and loaders) key it on this object
 * through {@link perRequest}, each in its own typed store: nothing is shared across requests and
 * no layer reaches into another's state.
 */

import type { UpstreamCallBudget } from './call-budget.ts';

/** The request-scoped part of every upstream call. */
export interface RequestContext {
  /** Sent upstream as `X-Request-Id`, reported in errors. */
  readonly requestId: string;
  /**
   * Aborted when the client goes away. Each upstream client listens to it once per request, however
   * many calls the request makes (`call-deadlines.ts`); calls never combine it with other signals.
   */
  readonly signal?: AbortSignal;
  /** Every upstream attempt of the request takes a call from it first (none: unlimited, uncounted). */
  readonly budget?: UpstreamCallBudget;
}

/**
 * A per-request store owned by one layer: `sessionOf(ctx)` builds the state on first use within a
 * request and returns the same object for the rest of it; it goes away with the request.
 */
export function perRequest<S extends object>(create: (ctx: RequestContext) => S): (ctx: RequestContext) => S {
  const sessions = new WeakMap<RequestContext, S>();
  return (ctx) => {
    let s = sessions.get(ctx);
    if (!s) {
      s = create(ctx);
      sessions.set(ctx, s);
    }
    return s;
  };
}

/**
 * Memoizes promises by key within one owner's session. A rejected promise is forgotten (so a later
 * call in the same request may try again) unless `keepRejection` says the failure is an answer
 * that would not change within the request, such as a 404.
 */
export class PromiseMemo {
  readonly #promises = new Map<string, Promise<unknown>>();
  readonly #keepRejection: (e: unknown) => boolean;

  constructor(options: { keepRejection?: (e: unknown) => boolean } = {}) {
    this.#keepRejection = options.keepRejection ?? (() => false);
  }

  /** The promise stored under `key`, else the one `run()` starts (and stores). */
  get<T>(key: string, run: () => Promise<T>): Promise<T> {
    const hit = this.#promises.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const p = run();
    this.#promises.set(key, p);
    p.catch((e) => {
      if (this.#promises.get(key) === p && !this.#keepRejection(e)) this.#promises.delete(key);
    });
    return p;
  }

  /** Stores an already known value under `key` unless something is there. */
  prime<T>(key: string, value: T): void {
    if (!this.#promises.has(key)) this.#promises.set(key, Promise.resolve(value));
  }

  /** Forgets every entry (after a write that may have changed what they read). */
  clear(): void {
    this.#promises.clear();
  }
}
