/**
 * Time as an injected dependency. Everything that stamps, expires or counts days asks a `Clock`
 * rather than `Date.now()`, so a test can pin "now" and the suite passes on any date.
 */

/** A source of the current time in epoch milliseconds. */
export interface Clock {
  /** The current time, epoch milliseconds. */
  now(): number;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that reads `startAt` when created and then advances as `base` does: real elapsed time
 * from a chosen starting point (a fixed anchor for tests that need exact timestamps).
 */
export function createShiftedClock(startAt: number, base: Clock = systemClock): Clock {
  const offset = startAt - base.now();
  return { now: () => base.now() + offset };
}

/** A clock that only moves when told to, for unit tests of expiry and scheduling. */
export interface ManualClock extends Clock {
  /** Sets the time. */
  set(ms: number): void;
  /** Moves the time forward by `ms`. */
  advance(ms: number): void;
}

/** Creates a {@link ManualClock} reading `startAt`. */
export function createManualClock(startAt: number): ManualClock {
  let t = startAt;
  return {
    now: () => t,
    set: (ms) => void (t = ms),
    advance: (ms) => void (t += ms),
  };
}
