/**
 * What a provider simulator is on top of the kit's server: a seeded dataset, a credential and a
 * clock, the knobs every simulator takes for them, and the one way a simulator hands itself out.
 */
import type { Clock } from '../../domain/clock.ts';
import type { RunningSimulator } from './server.ts';
import type { SimTime } from './time.ts';

/** The standard knobs shared by the simulators' data and live state. */
export interface SimDataOptions {
  /** Seed of the dataset. @default 42 */
  dataSeed?: number;
  /** Multiplies the dataset's size (1 = demo size; 100 for benchmarks). @default 1 */
  scale?: number;
  /** Milliseconds between two status steps of a triggered operation. @default 1500 */
  stepMs?: number;
  /** Milliseconds between two scheduled jobs appearing on their own; 0 disables. @default 20000 */
  scheduleEveryMs?: number;
  /**
   * The moment the seeded dataset is built around ("last night" is the night before it): the same
   * seed and anchor give the same data to the millisecond. Given without `clock`, the simulator's
   * clock starts at the anchor and runs at real speed, so live work follows the seeded data.
   * @default the clock's time when the simulator starts
   */
  anchor?: Date;
  /** Where the simulator reads "now" for data it stamps (live jobs, expiries, day windows). @default the system clock */
  clock?: Clock;
}

/** What every provider simulator adds to the kit's {@link RunningSimulator}. */
export interface SeededSimulator extends RunningSimulator {
  /** The credential the simulator accepts. */
  readonly credential: string;
  /** The moment its seeded data is relative to. */
  readonly anchor: Date;
  /** The clock it stamps live work with. */
  readonly clock: Clock;
}

/** What a simulator's live engine (the work that moves on timers) is built from. */
export interface SimLiveOptions<State> {
  /** The state (built on first use). */
  getState: () => State;
  /** Milliseconds between two status steps of an operation. */
  stepMs: number;
  /** Milliseconds between two scheduler ticks; 0 disables the scheduler. */
  scheduleEveryMs: number;
  /** The simulator's clock (epoch ms): the seed's "now" plus the time elapsed since start. */
  clock: () => number;
}

/**
 * Turns a running kit simulator into the provider simulator handed to callers: the same object
 * with `credential`, `anchor` (a fresh `Date` of `time.anchor`), `clock` and the `extra` members
 * added, and a `close()` that runs `onClose` (stopping live work) before it closes the server.
 */
export function asSeededSimulator<T extends object>(
  sim: RunningSimulator,
  seeded: { credential: string; time: SimTime; onClose?: () => void },
  extra: T,
): SeededSimulator & NoInfer<T> {
  const closeServer = sim.close.bind(sim);
  const { credential, time, onClose } = seeded;
  return Object.assign(sim, { credential, anchor: new Date(time.anchor), clock: time.clock }, extra, {
    async close() {
      onClose?.();
      await closeServer();
    },
  });
}
