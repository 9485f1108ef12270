/**
 * What stands between one provider instance and the gateway's traffic, on cockatiel: a circuit
 * breaker (consecutive failed attempts open it; while open, calls fail at once without going
 * upstream; after a while one probe may go through and its outcome closes or reopens it), a retry
 * budget (retries are a bounded share of first attempts, so a failing provider never sees much
 * more than the client load) and a bulkhead (a cap on calls in flight, with a bounded queue).
 *
 * The upstream client runs every attempt through its guard and classifies the outcome; the guard
 * knows nothing of HTTP. One guard per provider instance: the adapter creates it, hands it to its
 * client in `UpstreamSettings.guard` and reads `state()` in its health probe. With several replicas
 * a peer's open holds this breaker open too (`holdOpen`, `src/cluster/breaker-events.ts`).
 */
import {
  BrokenCircuitError, BulkheadRejectedError, CircuitState, ConsecutiveBreaker, IsolatedCircuitError, bulkhead, circuitBreaker, handleType,
} from 'cockatiel';
import { systemClock } from '../domain/clock.ts';
import { ProviderUnavailableError } from './errors.ts';
import { DEFAULT_UPSTREAM_CONNECTIONS } from './connections.ts';
import type { UpstreamSettings } from './client.ts';

/** When the circuit breaker opens and how long it stays open. */
export interface BreakerSettings {
  /**
   * Consecutive failed attempts that open the breaker. A failure is a network error, a timeout
   * (connect, headers, body, deadline) or a 5xx answer other than 501; 4xx and 429 answers prove
   * the provider is up and reset the count. An abort by the client counts as nothing. @default 10
   */
  consecutiveFailures?: number;
  /** How long an open breaker fails calls before it lets one probe through. @default 10000 */
  halfOpenAfterMs?: number;
  /**
   * Told when this guard's breaker opens on its own counted failures (a failed probe reopening it
   * included), with how long it stays open; never for a {@link UpstreamGuard.holdOpen}. Sharing
   * breakers across replicas publishes this. A throwing listener is ignored. @default none
   */
  onBreak?: (info: { provider: string; retryAfterMs: number }) => void;
  /** Told when this guard's breaker closes again after a good probe; never when a hold ends. @default none */
  onReset?: (info: { provider: string }) => void;
  /** Told of every guard created from these settings, once, as it is created (to reach it for {@link UpstreamGuard.holdOpen}). @default none */
  onGuard?: (guard: UpstreamGuard) => void;
}

/** Retries as a share of traffic: a token bucket. */
export interface RetryBudgetSettings {
  /** Tokens each logical call adds; each retry spends one (so retries stay under this share of calls). @default 0.2 */
  ratio?: number;
  /** The most tokens kept, and the starting balance: the retries a quiet client may spend at once. @default 10 */
  maxTokens?: number;
}

/** The per-provider concurrency cap. */
export interface BulkheadSettings {
  /** Upstream attempts in flight at once (SSE streams are not counted). @default the `connections` setting (DEFAULT_UPSTREAM_CONNECTIONS, 64) */
  maxConcurrent?: number;
  /** Attempts waiting for a slot; a call waiting past its deadline fails as a deadline, one finding the queue full as `overloaded`. @default 256 */
  maxQueued?: number;
}

/** The guard's state, for health probes and tests. */
export interface UpstreamState {
  /** `half-open`: the next call is a probe (the open window has passed, or a probe is in flight). */
  circuit: 'closed' | 'open' | 'half-open';
  /** While open: ms until a probe may go through; else 0. */
  retryAfterMs: number;
  /** Failed attempts in a row so far (while closed). */
  consecutiveFailures: number;
  /** Attempts holding a bulkhead slot. */
  inFlight: number;
  /** Attempts waiting for one. */
  queued: number;
  /** Retries the budget allows right now (whole tokens). */
  retryTokens: number;
}

/** The outcome of one attempt, as the caller's classifier sees it. */
export type AttemptOutcome<T> = { value: T } | { error: unknown };

/** One attempt run through {@link UpstreamGuard.run}. */
export interface GuardedAttempt<T> {
  /** Reported in the error when the guard refuses the call. */
  requestId: string;
  /** The call's signal (client abort and deadline): a call waiting for a slot gives up when it aborts. */
  signal: AbortSignal;
  /** Take a bulkhead slot (false for long-lived streams). */
  bulkhead: boolean;
  /** True when the outcome is a provider failure the breaker counts. */
  isFailure: (outcome: AttemptOutcome<T>) => boolean;
  call: () => Promise<T>;
}

/** The breaker, retry budget and bulkhead of one provider instance. */
export interface UpstreamGuard {
  readonly provider: string;
  state(): UpstreamState;
  /** A logical call begins: it adds `ratio` to the retry budget. */
  admit(): void;
  /** Takes one retry token; false when the budget is spent (do not retry). */
  tryRetry(): boolean;
  /**
   * Runs one attempt: throws {@link ProviderUnavailableError} at once while the breaker is open (or
   * when the bulkhead queue is full), else waits for a slot, runs `call`, counts its outcome and
   * answers (or throws) what `call` did.
   */
  run<T>(attempt: GuardedAttempt<T>): Promise<T>;
  /**
   * Refuses every call for `ms` (as `circuit-open`, with the time left as `retryAfterMs`) without
   * calling upstream and without counting anything: a peer replica's breaker opened. `state()`
   * says `open` meanwhile. A longer hold already running is kept; `onBreak` is not told. Once the
   * hold is over, the breaker's own state (usually closed) decides again.
   */
  holdOpen(ms: number): void;
  /** Ends a {@link holdOpen} early (a peer saw the provider recover); the breaker's own state is untouched. */
  release(): void;
}

/** A failure the breaker counts, carried through cockatiel and unwrapped again. */
class CountedFailure {
  constructor(readonly error: unknown) {}
}

/** Creates the guard of provider instance `provider` from `settings` (its breaker, budget, bulkhead and clock). */
export function createUpstreamGuard(provider: string, settings: UpstreamSettings = {}): UpstreamGuard {
  const clock = settings.clock ?? systemClock;
  const consecutiveFailures = settings.breaker?.consecutiveFailures ?? 10;
  const halfOpenAfterMs = settings.breaker?.halfOpenAfterMs ?? 10_000;
  const ratio = settings.retryBudget?.ratio ?? 0.2;
  const maxTokens = settings.retryBudget?.maxTokens ?? 10;
  const maxConcurrent = settings.bulkhead?.maxConcurrent ?? settings.connections ?? DEFAULT_UPSTREAM_CONNECTIONS;
  const maxQueued = settings.bulkhead?.maxQueued ?? 256;

  const counter = new ConsecutiveBreaker(consecutiveFailures);
  // A result counts when the classifier flagged it; an error when it was wrapped as counted. Other
  // errors (client aborts, refusals, unusable bodies) pass through cockatiel uncounted.
  const breaker = circuitBreaker(
    handleType(CountedFailure).orWhenResult((r) => (r as { failed?: boolean }).failed === true),
    { halfOpenAfter: halfOpenAfterMs, breaker: counter },
  );
  // cockatiel decides the half-open moment on its own timer; retryAfter is read on the injected clock.
  let openedAt = 0;
  const { onBreak, onReset, onGuard } = settings.breaker ?? {};
  const tell = (fn: () => void) => {
    try {
      fn();
    } catch {
      // A listener's failure is not the call's.
    }
  };
  breaker.onBreak(() => {
    openedAt = clock.now();
    if (onBreak) tell(() => onBreak({ provider, retryAfterMs: halfOpenAfterMs }));
  });
  if (onReset) breaker.onReset(() => tell(() => onReset({ provider })));
  // Held open for a peer until this clock time (0: not held); checked before the breaker, counts nothing.
  let heldUntil = 0;
  const heldForMs = () => Math.max(0, heldUntil - clock.now());
  // cockatiel's queue keeps a call that gave up until a slot reaches it, and spends that slot on
  // refusing it; so the queue limit counts live waiters here, and a call that gave up while queued
  // hands its slot on at once.
  const slots = bulkhead(maxConcurrent, Number.MAX_SAFE_INTEGER);
  let waiting = 0;
  let tokens = maxTokens;

  const retryAfterMs = () => Math.max(0, openedAt + halfOpenAfterMs - clock.now());

  /** `fn` in a bulkhead slot; gives up with the signal's reason while still queued. */
  function inSlot<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const queued = slots.executionSlots === 0;
    if (queued && waiting >= maxQueued) return Promise.reject(new BulkheadRejectedError(maxConcurrent, maxQueued));
    if (queued) waiting++;
    let phase: 'queued' | 'started' | 'gone' = 'queued';
    // Runs at once when a slot is free, else when one frees up.
    const running = slots.execute(() => {
      if (phase === 'gone') return Promise.reject(signal.reason);
      if (queued) waiting--;
      phase = 'started';
      return fn();
    });
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (phase !== 'queued') return;
        phase = 'gone';
        waiting--;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      running.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  const guard: UpstreamGuard = {
    provider,
    state() {
      const s = breaker.state;
      const wait = s === CircuitState.Open || s === CircuitState.Isolated ? retryAfterMs() : 0;
      const held = heldForMs();
      return {
        circuit: held > 0 ? 'open' : s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen || (s === CircuitState.Open && wait === 0) ? 'half-open' : 'open',
        retryAfterMs: Math.max(wait, held),
        consecutiveFailures: counter.state,
        inFlight: maxConcurrent - slots.executionSlots,
        queued: waiting,
        retryTokens: Math.floor(tokens),
      };
    },
    admit() {
      tokens = Math.min(maxTokens, tokens + ratio);
    },
    tryRetry() {
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    holdOpen(ms) {
      if (ms > 0) heldUntil = Math.max(heldUntil, clock.now() + ms);
    },
    release() {
      heldUntil = 0;
    },
    async run<T>({ requestId, signal, bulkhead: useSlot, isFailure, call }: GuardedAttempt<T>): Promise<T> {
      const held = heldForMs();
      if (held > 0) throw new ProviderUnavailableError(provider, requestId, 'circuit-open', held);
      const classified = async () => {
        let value: T;
        try {
          value = await call();
        } catch (error) {
          throw isFailure({ error }) ? new CountedFailure(error) : error;
        }
        return { value, failed: isFailure({ value }) };
      };
      try {
        const out = await breaker.execute(() => (useSlot ? inSlot(classified, signal) : classified()));
        return out.value;
      } catch (e) {
        if (e instanceof CountedFailure) throw e.error;
        if (e instanceof BrokenCircuitError || e instanceof IsolatedCircuitError) {
          throw new ProviderUnavailableError(provider, requestId, 'circuit-open', retryAfterMs());
        }
        if (e instanceof BulkheadRejectedError) throw new ProviderUnavailableError(provider, requestId, 'overloaded', 1000);
        throw e;
      }
    },
  };
  onGuard?.(guard);
  return guard;
}
