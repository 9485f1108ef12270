/**
 * One upstream progress reader per operation for the whole cluster. Every replica with a subscriber
 * of an operation relays from one Redis Stream (`progress:{key}`) to its own subscribers, and tries
 * to take the operation's lease (`progress-lead:{key}`, `SET NX PX`, renewed every `leaseMs / 3`).
 * The lease holder alone opens the upstream (SSE stream or poller) and appends each value to the
 * stream, fenced by the lease (a Lua script appends only while the lease is still its own), with the
 * upstream event id; after the terminal value the stream gets a TTL and the lease is deleted.
 *
 * A subscriber gets what a subscriber of the in-process hub gets: the latest state first, then each
 * later value once, in order, ending with the terminal one. When the reader replica dies its lease
 * expires (or, when it drains or its last subscriber leaves, is released at once) and another
 * replica with subscribers takes it, resuming upstream from the last stored event id (streams) or
 * skipping a first value equal to the last stored one (pollers repeat snapshots), so the stream
 * holds no duplicate and loses nothing the upstream can replay. Which replicas still have
 * subscribers is kept in a sorted set (`progress-subs:{key}`, replica id → heartbeat expiry on
 * Redis's clock); the last one leaving anywhere closes the upstream and gives the stream a TTL.
 *
 * While Redis is unreachable when someone subscribes, the in-process hub serves that subscription
 * (and `onEvent('fallback')` says so).
 */
import { randomUUID } from 'node:crypto';
import { Repeater } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { GatewayError, type ErrorCode } from '../domain/errors.ts';
import { createProgressHub, type ProgressHub, type ProgressHubStats } from '../progress/hub.ts';
import { IdentifiedProgressValue, NO_RESUME, type ProgressResume, type ResumableProgressSource } from '../progress/resumable.ts';
import { isUpstreamError, toGatewayError } from '../upstream/errors.ts';
import { sleep } from '../upstream/sleep.ts';
import type { RedisConnection } from './redis-connection.ts';

export { IdentifiedProgressValue, withEventId, type ProgressResume, type ResumableProgressSource } from '../progress/resumable.ts';

/** What the hub reports through `onEvent`. */
export type RedisProgressHubEvent =
  /** Redis was unreachable at subscribe time: the in-process hub serves this subscription. */
  | 'fallback'
  /** This replica started relaying the operation's stream (after reading its latest entry). */
  | 'relay'
  /** This replica took the lease: it reads the upstream now. */
  | 'lead'
  /** This replica gave the lease up (terminal value, drain, or its last subscriber left). */
  | 'release'
  /** This replica found its lease taken or expired: it stopped reading the upstream. */
  | 'lease-lost'
  /** A Redis command failed; the hub retries (a leader stops reading upstream and tries to lead again). */
  | 'redis-error';

/** Options of {@link createRedisProgressHub}. */
export interface RedisProgressHubOptions<T> {
  /** The shared Redis connection (its key prefix applies to every key). */
  connection: RedisConnection;
  /** True for the terminal value of an operation (it ends every subscription). */
  isFinal: (value: T) => boolean;
  /** Called with a source's failure (not with aborts), on the replica that read it. */
  onSourceError?: (key: string, error: unknown) => void;
  /** The in-process hub used while Redis is unreachable. @default createProgressHub({ isFinal, onSourceError }) */
  fallback?: ProgressHub<T>;
  /** How long a lease lives without renewal: a dead reader is replaced after about this long. Renewed every `leaseMs / 3`. @default 5000 */
  leaseMs?: number;
  /** The stream is capped near this many entries (`XADD MAXLEN ~`); a relay lagging further behind would miss entries. @default 1000 */
  streamMaxLen?: number;
  /**
   * How long the stream stays after the terminal value (a subscriber arriving meanwhile gets the
   * final state from it, without an upstream call), or after the last subscriber anywhere left (one
   * coming back meanwhile resumes from it). @default 60000
   */
  ttlAfterDoneMs?: number;
  /** This replica's id (in the presence set and in lease values). @default a random UUID */
  replicaId?: string;
  /** Whether two consecutive values are the same state (a new leader skips its first value when it equals the last stored). @default JSON equality */
  isSame?: (a: T, b: T) => boolean;
  /** Called on leadership changes, fallbacks and Redis failures (for logs and metrics). */
  onEvent?: (event: RedisProgressHubEvent, key: string) => void;
}

/** The cluster-wide hub: the in-process hub's interface, with sources that can resume. */
export interface RedisProgressHub<T> extends ProgressHub<T> {
  /**
   * Subscribes to `key`: the latest stored state first, then each later value once, in order, until
   * the terminal one. `open` is called on at most one replica at a time, with where to resume.
   */
  subscribe(key: string, open: ResumableProgressSource<T>): AsyncIterable<T>;
  /** Stats of this replica: `openSources` counts the upstreams THIS replica reads. */
  readonly stats: ProgressHubStats;
  /**
   * Drains this replica: releases its leases at once (another replica with subscribers takes over
   * within `leaseMs / 3`), completes its subscribers cleanly and stops its loops. Does not close the
   * connection.
   */
  close(): Promise<void>;
}

/** Renews the lease only while it is still ours. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
/** Releases the lease only while it is still ours; ARGV[2] > 0 also gives the stream (KEYS[2]) that TTL. */
const RELEASE = `
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
/**
 * Appends one entry while KEYS[2] (the lease) holds ARGV[1]. ARGV: token, max length, field, value,
 * event id, terminal ('1': TTL ARGV[7] on the stream and the lease deleted), ttl. Nil when not ours.
 */
const APPEND = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', ARGV[3], ARGV[4], 'eventId', ARGV[5])
if ARGV[6] == '1' then
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
  redis.call('DEL', KEYS[2])
else
  redis.call('PERSIST', KEYS[1])
end
return id`;
/** Marks ARGV[1] present until now + ARGV[2] ms (Redis's clock) and forgets expired replicas. */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return 1`;
/** Removes ARGV[1]; answers how many replicas are still present. */
const LEAVE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

/** One stream entry, as stored. */
type Entry<T> = { kind: 'data'; value: T; eventId: string | null } | { kind: 'error'; error: unknown } | { kind: 'end' };

/** A failure as stored in the stream, so every replica's subscribers get the same coded error. */
interface StoredError {
  code: ErrorCode | null;
  message: string;
  extensions: Record<string, unknown>;
}

function toStoredError(e: unknown): StoredError {
  const g = e instanceof GatewayError ? e : isUpstreamError(e) ? toGatewayError(e) : null;
  if (g) return { code: g.code, message: g.message, extensions: { ...g.extensions } };
  // Not an expected failure: it stays uncoded (masked as any other bug), without its details.
  return { code: null, message: 'the progress source failed', extensions: {} };
}

function fromStoredError(s: StoredError): Error {
  return s.code ? new GatewayError(s.code, s.message, s.extensions) : new Error(s.message);
}

function parseEntry<T>(fields: string[]): Entry<T> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  if (f.data !== undefined) return { kind: 'data', value: JSON.parse(f.data) as T, eventId: f.eventId ? f.eventId : null };
  if (f.error !== undefined) return { kind: 'error', error: fromStoredError(JSON.parse(f.error) as StoredError) };
  return { kind: 'end' };
}

/** True when upstream event `id` comes after `last` (numeric ids compare as numbers, others only by equality). */
function isAfter(id: string, last: string | null): boolean {
  if (last === null) return true;
  if (/^\d+$/.test(id) && /^\d+$/.test(last)) return BigInt(id) > BigInt(last);
  return id !== last;
}

interface Sink<T> {
  push: (v: T) => unknown;
  stop: (e?: unknown) => unknown;
}

interface Lead {
  token: string;
  abort: AbortController;
  pump: Promise<void>;
}

interface Channel<T> {
  key: string;
  keys: { stream: string; lease: string; presence: string };
  open: ResumableProgressSource<T>;
  sinks: Set<Sink<T>>;
  latest: T | undefined;
  /** Aborted when this replica stops relaying the operation. */
  stopped: AbortController;
  lead: Lead | null;
  /** A lease attempt or renewal is running. */
  busy: boolean;
  timer: ReturnType<typeof setInterval>;
  reader: Reader | null;
  loop: Promise<void>;
}

/** A connection for blocking reads, with its client id (to unblock it). */
interface Reader {
  redis: Redis;
  id: number | null;
}

/** Creates the cluster-wide progress hub of this replica. */
export function createRedisProgressHub<T>(options: RedisProgressHubOptions<T>): RedisProgressHub<T> {
  const {
    connection,
    isFinal,
    onSourceError,
    fallback = createProgressHub<T>({ isFinal, onSourceError }),
    leaseMs = 5000,
    streamMaxLen = 1000,
    ttlAfterDoneMs = 60_000,
    replicaId = randomUUID(),
    isSame = (a: T, b: T) => JSON.stringify(a) === JSON.stringify(b),
    onEvent,
  } = options;
  const { redis } = connection;
  const tickMs = Math.max(10, Math.floor(leaseMs / 3));
  /** Longest blocking read; stopping a relay unblocks it at once (CLIENT UNBLOCK). */
  const blockMs = Math.max(100, leaseMs);
  const channels = new Map<string, Channel<T>>();
  const own: ProgressHubStats = { openSources: 0, sourcesOpened: 0, subscribers: 0 };
  const idle: Reader[] = [];
  const readers = new Set<Reader>();
  const running = new Set<Promise<void>>();
  let closed = false;

  const track = (p: Promise<void>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  };

  function takeReader(): Reader {
    const r = idle.pop();
    if (r) return r;
    const reader: Reader = { redis: connection.duplicate(), id: null };
    // The client id changes on every reconnect.
    reader.redis.on('ready', () => {
      reader.id = null;
      void reader.redis.client('ID').then((id) => (reader.id = Number(id)), () => undefined);
    });
    readers.add(reader);
    return reader;
  }

  function giveBack(r: Reader) {
    // A connection closed for good (not one reconnecting) is not reused.
    if (closed || r.redis.status === 'end') {
      readers.delete(r);
      r.redis.disconnect();
    } else idle.push(r);
  }

  function deliver(ch: Channel<T>, entry: Entry<T>): boolean {
    if (entry.kind === 'data') {
      ch.latest = entry.value;
      for (const s of ch.sinks) s.push(entry.value);
      if (!isFinal(entry.value)) return false;
      end(ch);
      return true;
    }
    end(ch, entry.kind === 'error' ? entry.error : undefined);
    return true;
  }

  /** Reads the stream from its latest entry on, delivering to this replica's subscribers. */
  async function relay(ch: Channel<T>): Promise<void> {
    const signal = ch.stopped.signal;
    let lastId = '0-0';
    let started = false;
    while (!signal.aborted) {
      const reader = takeReader();
      ch.reader = reader;
      try {
        if (!started) {
          // The latest entry first (a late subscriber's first value); an error or end entry there is
          // a previous reader's, already told to its subscribers: this one starts again after it.
          const [tail] = (await reader.redis.xrevrange(ch.keys.stream, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
          if (signal.aborted) return;
          started = true;
          onEvent?.('relay', ch.key);
          if (tail) {
            lastId = tail[0];
            const entry = parseEntry<T>(tail[1]);
            if (entry.kind === 'data' && deliver(ch, entry)) return;
          }
        }
        const res = (await reader.redis.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', ch.keys.stream, lastId)) as Array<[string, Array<[string, string[]]>]> | null;
        if (signal.aborted) return;
        for (const [id, fields] of res?.[0]?.[1] ?? []) {
          lastId = id;
          if (deliver(ch, parseEntry<T>(fields))) return;
        }
      } catch {
        if (signal.aborted) return;
        onEvent?.('redis-error', ch.key);
        await sleep(tickMs, signal);
      } finally {
        ch.reader = null;
        giveBack(reader);
      }
    }
  }

  /** The last stored data entry (a few back, past an error or end entry) and whether it was terminal. */
  async function lastStored(ch: Channel<T>): Promise<{ resume: ProgressResume<T>; done: boolean }> {
    const tail = (await redis.xrevrange(ch.keys.stream, '+', '-', 'COUNT', 16)) as Array<[string, string[]]>;
    for (const [, fields] of tail) {
      const entry = parseEntry<T>(fields);
      if (entry.kind === 'data') return { resume: { lastEventId: entry.eventId, last: entry.value }, done: isFinal(entry.value) };
    }
    return { resume: NO_RESUME, done: false };
  }

  async function append(ch: Channel<T>, token: string, field: 'data' | 'error' | 'end', value: string, eventId: string | null, terminal: boolean): Promise<boolean> {
    const id = await redis.eval(APPEND, 2, ch.keys.stream, ch.keys.lease, token, String(streamMaxLen), field, value, eventId ?? '', terminal ? '1' : '0', String(ttlAfterDoneMs));
    return id !== null;
  }

  async function release(ch: Channel<T>, token: string, streamTtlMs: number): Promise<void> {
    await redis.eval(RELEASE, 2, ch.keys.lease, ch.keys.stream, token, String(streamTtlMs)).catch(() => onEvent?.('redis-error', ch.key));
    onEvent?.('release', ch.key);
  }

  /** Reads the upstream while this replica holds the lease, appending each new value. */
  function lead(ch: Channel<T>, token: string, resume: ProgressResume<T>): Lead {
    const abort = new AbortController();
    own.openSources++;
    own.sourcesOpened++;
    const pump = (async () => {
      let { lastEventId, last } = resume;
      let first = true;
      let redisFailed = false;
      const put = async (field: 'data' | 'error' | 'end', value: string, eventId: string | null, terminal: boolean) => {
        try {
          if (await append(ch, token, field, value, eventId, terminal)) return true;
          onEvent?.('lease-lost', ch.key);
        } catch {
          redisFailed = true;
          onEvent?.('redis-error', ch.key);
        }
        return false;
      };
      try {
        for await (const item of ch.open(abort.signal, resume)) {
          if (abort.signal.aborted) return;
          const { value, eventId } = item instanceof IdentifiedProgressValue ? item : { value: item, eventId: null };
          // What the previous reader already stored: a replayed event, or a poller's repeated snapshot.
          if (eventId !== null ? !isAfter(eventId, lastEventId) : first && last !== undefined && isSame(value, last)) {
            first = false;
            continue;
          }
          first = false;
          const terminal = isFinal(value);
          if (!(await put('data', JSON.stringify(value), eventId, terminal))) return;
          last = value;
          if (eventId !== null) lastEventId = eventId;
          if (terminal) {
            onEvent?.('release', ch.key);
            return;
          }
        }
        if (!abort.signal.aborted) await put('end', '1', null, true);
      } catch (e) {
        if (abort.signal.aborted) return;
        onSourceError?.(ch.key, e);
        await put('error', JSON.stringify(toStoredError(e)), null, true);
      } finally {
        own.openSources--;
        abort.abort();
        if (ch.lead?.token === token) ch.lead = null;
        // Could not write: give the lease up so whoever can (maybe this replica, later) resumes.
        if (redisFailed) await release(ch, token, 0);
      }
    })();
    return { token, abort, pump: track(pump) };
  }

  /** Heartbeat, and renew the lease or try to take it. */
  async function tick(ch: Channel<T>): Promise<void> {
    if (ch.busy || ch.stopped.signal.aborted) return;
    ch.busy = true;
    try {
      await redis.eval(HEARTBEAT, 1, ch.keys.presence, replicaId, String(leaseMs)).catch(() => onEvent?.('redis-error', ch.key));
      if (ch.stopped.signal.aborted) return;
      const current = ch.lead;
      if (current) {
        const renewed = await redis.eval(RENEW, 1, ch.keys.lease, current.token, String(leaseMs)).catch(() => null);
        if (renewed === 0 && ch.lead === current) {
          onEvent?.('lease-lost', ch.key);
          current.abort.abort();
          ch.lead = null;
        }
        return;
      }
      const token = `${replicaId}:${randomUUID()}`;
      if ((await redis.set(ch.keys.lease, token, 'PX', leaseMs, 'NX')) !== 'OK') return;
      if (ch.stopped.signal.aborted) return void (await release(ch, token, 0));
      onEvent?.('lead', ch.key);
      const stored = await lastStored(ch).catch(async (e: unknown) => {
        await release(ch, token, 0);
        throw e;
      });
      const { resume, done } = stored;
      // The operation already ended: the relay delivers the terminal value from the stream.
      if (done || ch.stopped.signal.aborted) return void (await release(ch, token, 0));
      ch.lead = lead(ch, token, resume);
    } catch {
      onEvent?.('redis-error', ch.key);
    } finally {
      ch.busy = false;
    }
  }

  /** Stops relaying `ch` on this replica; completes (or fails) its subscribers. */
  function end(ch: Channel<T>, error?: unknown): void {
    if (ch.stopped.signal.aborted) return;
    ch.stopped.abort();
    clearInterval(ch.timer);
    if (channels.get(ch.key) === ch) channels.delete(ch.key);
    // Unblock the relay's read now rather than after its timeout.
    const id = ch.reader?.id;
    if (id != null) void redis.client('UNBLOCK', id).catch(() => undefined);
    for (const s of ch.sinks) s.stop(error);
    ch.sinks.clear();
    const current = ch.lead;
    ch.lead = null;
    track(
      (async () => {
        const others = Number(await redis.eval(LEAVE, 1, ch.keys.presence, replicaId).catch(() => 1));
        if (current) {
          current.abort.abort();
          await current.pump;
          // Nobody left anywhere: the upstream closes and the stream expires unless someone comes back.
          await release(ch, current.token, others === 0 ? ttlAfterDoneMs : 0);
        }
        await ch.loop;
      })(),
    );
  }

  function start(key: string, open: ResumableProgressSource<T>): Channel<T> {
    const ch: Channel<T> = {
      key,
      keys: {
        stream: connection.key(`progress:{${key}}`),
        lease: connection.key(`progress-lead:{${key}}`),
        presence: connection.key(`progress-subs:{${key}}`),
      },
      open,
      sinks: new Set(),
      latest: undefined,
      stopped: new AbortController(),
      lead: null,
      busy: false,
      timer: setInterval(() => void tick(ch), tickMs),
      reader: null,
      loop: Promise.resolve(),
    };
    ch.timer.unref?.();
    channels.set(key, ch);
    ch.loop = track(relay(ch));
    void tick(ch);
    return ch;
  }

  return {
    subscribe(key, open) {
      if (closed || !connection.up) {
        onEvent?.('fallback', key);
        return fallback.subscribe(key, open); // the in-process hub takes the same sources (it never resumes)
      }
      return new Repeater<T>(async (push, stop) => {
        const ch = channels.get(key) ?? start(key, open);
        const sink = { push, stop };
        ch.sinks.add(sink);
        own.subscribers++;
        if (ch.latest !== undefined) await push(ch.latest);
        await stop;
        own.subscribers--;
        ch.sinks.delete(sink);
        if (ch.sinks.size === 0) end(ch);
      });
    },
    isOpen: (key) => channels.has(key) || fallback.isOpen(key),
    checkOnce: (key, check) => fallback.checkOnce(key, check),
    get stats() {
      const f = fallback.stats;
      return {
        openSources: own.openSources + f.openSources,
        sourcesOpened: own.sourcesOpened + f.sourcesOpened,
        subscribers: own.subscribers + f.subscribers,
      };
    },
    async close() {
      closed = true;
      for (const ch of [...channels.values()]) end(ch);
      // The blocking reads end at once (the leases are released on the command connection).
      for (const r of readers) r.redis.disconnect();
      readers.clear();
      idle.length = 0;
      await fallback.close();
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
