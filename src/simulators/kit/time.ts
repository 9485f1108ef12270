/**
 * Time in the simulators: the anchor a seeded dataset is built around and the clock live work is
 * stamped with, resolved one way for all of them.
 */
import { createShiftedClock, systemClock, type Clock } from '../../domain/clock.ts';

/** A fixed anchor for tests that assert exact seeded timestamps. */
export const FIXED_ANCHOR = new Date('2026-11-20T12:00:00.000Z');

/** A simulator's resolved time: the anchor its data is seeded around and the clock it stamps with. */
export interface SimTime {
  /** Epoch ms the seeded data is relative to. */
  anchor: number;
  /** The simulator's "now". */
  clock: Clock;
}

/**
 * Resolves `anchor`/`clock` the one way every simulator uses: no anchor means "now" (so the demo
 * always shows last night), an anchor without a clock shifts the clock to start there, a clock
 * without an anchor anchors at the clock's time.
 */
export function resolveSimTime(options: { anchor?: Date; clock?: Clock }): SimTime {
  const { anchor, clock } = options;
  if (clock) return { anchor: anchor?.getTime() ?? clock.now(), clock };
  if (anchor) return { anchor: anchor.getTime(), clock: createShiftedClock(anchor.getTime()) };
  return { anchor: systemClock.now(), clock: systemClock };
}
