/**
 * One job watch per key (provider instance, tenant scope and filter shape) in this process, shared
 * by every subscriber of that key: the first subscriber starts it, the last one to leave stops it.
 * A subscriber gets the updates of the ticks after it joined, and can ask for the watch's current
 * view of the newest jobs (at once when the watch has read, else after its first read).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import type { JobModel } from '../domain/models.ts';
import type { RequestContext } from '../upstream/request-context.ts';
import { watchJobs, type JobUpdateModel, type JobWatchOptions, type JobWatchSource } from './job-watch.ts';

/** Counters for tests, benchmarks and metrics. */
export interface JobWatchHubStats {
  /** Watches running now. */
  openWatches: number;
  /** Watches started since start. */
  watchesStarted: number;
  /** Subscribers attached now (one per subscription and provider). */
  subscribers: number;
  /** Ticks read by every watch since start, failed ones included. */
  ticks: number;
  /** Failed ticks since start. */
  failedTicks: number;
}

/** What a subscriber hands the hub: where updates go, and how it is ended when the hub closes. */
export interface JobWatchSink {
  /** The updates of one tick (never empty), oldest job first. */
  updates(updates: readonly JobUpdateModel[]): void;
  /** The hub closed: end the subscription. */
  end(): void;
}

/** One subscriber's membership of a watch. */
export interface JobWatchMembership {
  /**
   * The newest jobs as the watch sees them now, newest first: the last successful tick's, or the
   * next tick's when none succeeded yet (empty when that tick fails).
   */
  current(): Promise<readonly JobModel[]>;
  /** Leaves the watch (stopping it when this was its last subscriber). Safe to call twice. */
  leave(): void;
}

/** The shared watches. */
export interface JobWatchHub {
  /** Joins the watch of `key`, starting it over `source()` when none runs. */
  join(key: string, source: () => JobWatchSource, sink: JobWatchSink): JobWatchMembership;
  /** True when a watch of `key` runs. */
  isOpen(key: string): boolean;
  readonly stats: JobWatchHubStats;
  /** The clock updates are stamped with. */
  readonly clock: Clock;
  /** Stops every watch and ends every subscriber; resolves once every watch has stopped. */
  close(): Promise<void>;
}

/** Options of {@link createJobWatchHub}. */
export interface JobWatchHubOptions {
  /** Where the time of updates comes from. */
  clock: Clock;
  /** Intervals, page size, timers. */
  watch?: JobWatchOptions;
  /** Told of every failed tick (the watch goes on). */
  onTickError?: (key: string, providerId: string, e: unknown) => void;
}

interface Channel {
  sinks: Set<JobWatchSink>;
  latest: readonly JobModel[] | undefined;
  waiting: Array<(newest: readonly JobModel[]) => void>;
  abort: AbortController;
}

/** The request context of one tick: its own id and the watch's signal (a watch outlives the request that started it). */
const tickContext = (providerId: string) => (signal: AbortSignal): RequestContext => ({ requestId: `job-watch-${providerId}-${randomUUID()}`, signal });

/** Creates a hub. */
export function createJobWatchHub(options: JobWatchHubOptions): JobWatchHub {
  const channels = new Map<string, Channel>();
  const stats: JobWatchHubStats = { openWatches: 0, watchesStarted: 0, subscribers: 0, ticks: 0, failedTicks: 0 };
  const running = new Set<Promise<void>>();

  function start(key: string, source: JobWatchSource): Channel {
    const channel: Channel = { sinks: new Set(), latest: undefined, waiting: [], abort: new AbortController() };
    channels.set(key, channel);
    stats.openWatches++;
    stats.watchesStarted++;
    const settle = (newest: readonly JobModel[]) => {
      for (const w of channel.waiting.splice(0)) w(newest);
    };
    const pump = (async () => {
      try {
        for await (const tick of watchJobs(source, channel.abort.signal, tickContext(source.providerId), options.clock, options.watch)) {
          if (channel.abort.signal.aborted) break;
          stats.ticks++;
          if (!tick.ok) {
            stats.failedTicks++;
            options.onTickError?.(key, source.providerId, tick.error);
            settle(channel.latest ?? []);
            continue;
          }
          channel.latest = tick.newest;
          settle(tick.newest);
          if (tick.updates.length > 0) {
            for (const s of channel.sinks) {
              try {
                s.updates(tick.updates);
              } catch (e) {
                options.onTickError?.(key, source.providerId, e); // one subscriber's failure is never the others'
              }
            }
          }
        }
      } catch (e) {
        // watchJobs reports provider failures as ticks; anything else is a bug: say so, end the subscribers.
        options.onTickError?.(key, source.providerId, e);
      } finally {
        stats.openWatches--;
        if (channels.get(key) === channel) channels.delete(key);
        channel.abort.abort();
        settle(channel.latest ?? []);
        for (const s of channel.sinks) s.end();
        channel.sinks.clear();
      }
    })();
    running.add(pump);
    void pump.finally(() => running.delete(pump));
    return channel;
  }

  return {
    join(key, source, sink) {
      const channel = channels.get(key) ?? start(key, source());
      channel.sinks.add(sink);
      stats.subscribers++;
      let left = false;
      return {
        current: () => (channel.latest !== undefined ? Promise.resolve(channel.latest) : new Promise((resolve) => channel.waiting.push(resolve))),
        leave() {
          if (left) return;
          left = true;
          stats.subscribers--;
          channel.sinks.delete(sink);
          if (channel.sinks.size === 0 && channels.get(key) === channel) {
            channels.delete(key);
            channel.abort.abort();
          }
        },
      };
    },
    isOpen: (key) => channels.has(key),
    clock: options.clock,
    get stats() {
      return stats;
    },
    async close() {
      for (const c of channels.values()) c.abort.abort();
      channels.clear();
      await Promise.allSettled([...running]);
    },
  };
}
