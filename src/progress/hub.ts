/**
 * One upstream stream or poller per operation, shared by every subscriber of it in this process:
 * the first subscriber opens it, the last one to leave closes it. A late subscriber gets the
 * latest state first; when the operation ends, everyone gets the final state and completes.
 */
import { Repeater } from 'graphql-yoga';
import { NO_RESUME, valueOf, type ResumableProgressSource } from './resumable.ts';

/** Counters for tests, benchmarks and metrics. */
export interface ProgressHubStats {
  /** Upstream sources open right now. */
  openSources: number;
  /** Upstream sources opened since start. */
  sourcesOpened: number;
  /** Subscribers attached right now. */
  subscribers: number;
}

interface Channel<T> {
  sinks: Set<{ push: (v: T) => unknown; stop: (e?: unknown) => unknown }>;
  latest: T | undefined;
  abort: AbortController;
}

/** The shared-source hub. */
export interface ProgressHub<T> {
  /**
   * Subscribes to `key`. `open` starts the upstream source (called only when no subscriber of `key`
   * exists); it must stop when the signal aborts.
   */
  subscribe(key: string, open: ResumableProgressSource<T>): AsyncIterable<T>;
  /** True when a source for `key` is open. */
  isOpen(key: string): boolean;
  /** Runs `check` once for concurrent callers of the same key (e.g. "does this operation exist?"). */
  checkOnce<R>(key: string, check: () => Promise<R>): Promise<R>;
  readonly stats: ProgressHubStats;
  /**
   * Closes every source and completes every subscriber cleanly (its iterator ends, no error).
   * Resolves once every source has stopped (its upstream stream or poller is closed).
   */
  close(): Promise<void>;
}

/** Creates a hub. */
export function createProgressHub<T>(options: { isFinal: (v: T) => boolean; onSourceError?: (key: string, e: unknown) => void }): ProgressHub<T> {
  const channels = new Map<string, Channel<T>>();
  const stats: ProgressHubStats = { openSources: 0, sourcesOpened: 0, subscribers: 0 };
  const checks = new Map<string, Promise<unknown>>();
  /** The pump of every source still running (settles when its upstream is closed). */
  const running = new Set<Promise<void>>();

  function start(key: string, open: ResumableProgressSource<T>): Channel<T> {
    const channel: Channel<T> = { sinks: new Set(), latest: undefined, abort: new AbortController() };
    channels.set(key, channel);
    stats.openSources++;
    stats.sourcesOpened++;
    const pump = (async () => {
      let error: unknown;
      try {
        for await (const item of open(channel.abort.signal, NO_RESUME)) {
          const v = valueOf(item);
          if (channel.abort.signal.aborted) break;
          channel.latest = v;
          for (const s of channel.sinks) s.push(v);
          if (options.isFinal(v)) break;
        }
      } catch (e) {
        if (!channel.abort.signal.aborted) {
          error = e;
          options.onSourceError?.(key, e);
        }
      } finally {
        stats.openSources--;
        if (channels.get(key) === channel) channels.delete(key);
        channel.abort.abort();
        for (const s of channel.sinks) s.stop(error);
        channel.sinks.clear();
      }
    })();
    running.add(pump);
    void pump.finally(() => running.delete(pump));
    return channel;
  }

  return {
    subscribe(key, open) {
      return new Repeater<T>(async (push, stop) => {
        const channel = channels.get(key) ?? start(key, open);
        const sink = { push, stop };
        channel.sinks.add(sink);
        stats.subscribers++;
        if (channel.latest !== undefined) await push(channel.latest);
        await stop;
        stats.subscribers--;
        channel.sinks.delete(sink);
        if (channel.sinks.size === 0 && channels.get(key) === channel) {
          channels.delete(key);
          channel.abort.abort();
        }
      });
    },
    isOpen: (key) => channels.has(key),
    checkOnce<R>(key: string, check: () => Promise<R>): Promise<R> {
      let p = checks.get(key) as Promise<R> | undefined;
      if (!p) {
        p = check().finally(() => checks.delete(key));
        checks.set(key, p);
      }
      return p;
    },
    get stats() {
      return stats;
    },
    async close() {
      for (const c of channels.values()) {
        c.abort.abort();
        for (const s of c.sinks) s.stop();
      }
      channels.clear();
      await Promise.allSettled([...running]);
    },
  };
}
