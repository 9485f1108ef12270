/**
 * Timers that never keep the process alive (every one is unref'd) and stop together: how the
 * simulators wait, repeat scheduled work and drive live operations step by step.
 */

/** Resolves after `ms` unless `signal` aborts first (then resolves early). Uses an unref'd timer. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    t.unref?.();
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(t);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A repeating, unref'd timer that stops when `signal` aborts; `ms <= 0` starts nothing. */
export function every(ms: number, fn: () => void, signal: AbortSignal): void {
  if (ms <= 0) return;
  const t = setInterval(fn, ms);
  t.unref?.();
  signal.addEventListener('abort', () => clearInterval(t), { once: true });
}

/** One-shot and repeating timers of a simulator's live work, all stopped by one `close()`. */
export interface SimTimers {
  /** Runs `fn` once after `ms`; nothing once closed (neither scheduled nor run). */
  later(ms: number, fn: () => void): void;
  /** Runs `fn` every `ms` until closed (see {@link every}). */
  every(ms: number, fn: () => void): void;
  /** Aborted by `close()`. */
  readonly signal: AbortSignal;
  /** Cancels every pending and repeating timer. */
  close(): void;
}

/** Creates an empty {@link SimTimers}. */
export function createTimers(): SimTimers {
  const controller = new AbortController();
  const pending = new Set<NodeJS.Timeout>();
  return {
    later(ms, fn) {
      if (controller.signal.aborted) return;
      const t = setTimeout(() => {
        pending.delete(t);
        if (!controller.signal.aborted) fn();
      }, ms);
      t.unref?.();
      pending.add(t);
    },
    every: (ms, fn) => every(ms, fn, controller.signal),
    signal: controller.signal,
    close() {
      controller.abort();
      for (const t of pending) clearTimeout(t);
      pending.clear();
    },
  };
}
