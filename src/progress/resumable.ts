/**
 * Progress sources that can resume where an earlier reader stopped: the hub hands `open` what was
 * delivered last (with its upstream event id), so a new reader (another replica, after a takeover)
 * continues instead of starting over. In one process nothing is ever resumed (`NO_RESUME`).
 */

/** Where a new reader of an operation starts: what the previous reader stored last. */
export interface ProgressResume<T> {
  /** The upstream event id of the last stored value (SSE `Last-Event-ID`), null when none was stored or it had none. */
  lastEventId: string | null;
  /** The last stored value, undefined when nothing was stored yet. */
  last: T | undefined;
}

/** A value of a progress source together with its upstream event id (see {@link withEventId}). */
export class IdentifiedProgressValue<T> {
  constructor(
    /** The value subscribers get. */
    readonly value: T,
    /** The upstream event id (SSE `id:`), stored beside the value so the next reader can resume after it. */
    readonly eventId: string | null,
  ) {}
}

/** Tags a source's value with its upstream event id, for sources that can resume after one. */
export function withEventId<T>(value: T, eventId: string | null): IdentifiedProgressValue<T> {
  return new IdentifiedProgressValue(value, eventId);
}

/**
 * An upstream source that can resume: `open(signal)` functions fit (they ignore `resume`). It yields plain values, or values tagged with {@link withEventId}; it must stop
 * when `signal` aborts.
 */
export type ResumableProgressSource<T> = (signal: AbortSignal, resume: ProgressResume<T>) => AsyncIterable<T | IdentifiedProgressValue<T>>;

/** Where a source starts when nothing was delivered before. */
export const NO_RESUME: ProgressResume<never> = Object.freeze({ lastEventId: null, last: undefined });

/** The value of a source's item, without its event id. */
export function valueOf<T>(item: T | IdentifiedProgressValue<T>): T {
  return item instanceof IdentifiedProgressValue ? item.value : item;
}
