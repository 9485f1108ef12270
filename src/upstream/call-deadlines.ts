/**
 * Deadlines of logical upstream calls without a timer or a combined signal per call. Node's
 * `AbortSignal.timeout` + `AbortSignal.any` per call cost ~35 µs each (weak references and
 * finalizers on every signal) and 12% of the gateway's CPU on a small listing. Here:
 * - one timer per client, armed for the earliest live deadline (calls of one client all get the
 *   same time, so they expire in the order they started: the live set is kept in that order and a
 *   sweep stops at the first call not due);
 * - one listener per request on its abort signal (made the first time the request calls this
 *   client), which aborts every live call of that request when the client goes away;
 * - per call, one AbortController, the only handle undici, the bulkhead queue and retry waits can
 *   be stopped with.
 */
import { perRequest, type RequestContext } from './request-context.ts';

/** The deadline of one logical call (retries included). */
export interface CallDeadline {
  /** Aborted when the deadline passes or the request's own signal aborts. */
  readonly signal: AbortSignal;
  /** True once the deadline itself (not the request going away) ended the call. */
  readonly expired: boolean;
  /** The call is over: it leaves the timer's and the request's sets. Idempotent. */
  end(): void;
}

/** Starts call deadlines of one fixed length. */
export interface CallDeadlines {
  /** A deadline `ms` from now for a call of `ctx`; already aborted when `ctx.signal` is. */
  start(ctx: RequestContext): CallDeadline;
  /** Live calls (tests). */
  readonly live: number;
}

/** The reason a call's signal aborts with when its deadline passes. */
export class CallDeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`upstream call deadline of ${ms} ms exceeded`);
    this.name = 'TimeoutError';
  }
}

class LiveCall implements CallDeadline {
  readonly #controller = new AbortController();
  expired = false;
  constructor(
    readonly dueAt: number,
    /** The live calls of the same request to the same client. */
    readonly siblings: Set<LiveCall>,
    readonly forget: (call: LiveCall) => void,
  ) {}
  get signal(): AbortSignal {
    return this.#controller.signal;
  }
  abort(reason: unknown): void {
    this.#controller.abort(reason);
  }
  end(): void {
    this.forget(this);
  }
}

/** Creates the deadlines of one client: each call may take `ms`. */
export function createCallDeadlines(ms: number): CallDeadlines {
  const live = new Set<LiveCall>();
  let timer: NodeJS.Timeout | undefined;
  const expiredReason = new CallDeadlineExceeded(ms);

  const forget = (call: LiveCall) => {
    if (live.delete(call)) call.siblings.delete(call);
  };

  function arm(dueAt: number) {
    timer = setTimeout(sweep, Math.max(1, Math.ceil(dueAt - performance.now())));
    timer.unref();
  }

  /** Expires every call that is due, then waits for the next one (if any). */
  function sweep() {
    timer = undefined;
    const now = performance.now();
    for (const call of live) {
      if (call.dueAt > now) return arm(call.dueAt);
      forget(call);
      call.expired = true;
      call.abort(expiredReason);
    }
  }

  /** One listener on the request's signal, made once per request: aborts its live calls of this client. */
  const callsOf = perRequest((ctx) => {
    const calls = new Set<LiveCall>();
    ctx.signal?.addEventListener(
      'abort',
      () => {
        for (const call of [...calls]) {
          forget(call);
          call.abort(ctx.signal!.reason);
        }
      },
      { once: true },
    );
    return calls;
  });

  return {
    start(ctx) {
      const siblings = callsOf(ctx);
      const call = new LiveCall(performance.now() + ms, siblings, forget);
      if (ctx.signal?.aborted) {
        call.abort(ctx.signal.reason);
        return call;
      }
      live.add(call);
      siblings.add(call);
      if (!timer) arm(call.dueAt);
      return call;
    },
    get live() {
      return live.size;
    },
  };
}
