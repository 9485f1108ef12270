/**
 * The cluster-wide progress hub against the real Redis on 127.0.0.1:6379: each hub stands for one
 * replica (its own connection); the upstream is a fake the test releases events from, shared by
 * every replica as the real provider would be, counting how often (and from where) it was opened.
 * A crash is a replica whose Redis connections are cut at once (no lease release, no goodbye).
 * Every run writes under its own key prefix.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisConnection, type RedisConnection } from '../../src/cluster/redis-connection.ts';
import {
  createRedisProgressHub,
  withEventId,
  type ProgressResume,
  type RedisProgressHub,
  type RedisProgressHubEvent,
  type ResumableProgressSource,
} from '../../src/cluster/redis-progress-hub.ts';
import { GatewayError } from '../../src/domain/errors.ts';
import type { ProgressUpdate } from '../../src/providers/contract/index.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const prefix = `bgtest:${randomUUID()}:`;
const LEASE_MS = 300;

const update = (percent: number, done = false): ProgressUpdate => ({
  status: done ? 'SUCCEEDED' : 'RUNNING', providerStatus: done ? 'completed' : 'running', percent, phase: null, message: null,
  bytesDone: null, bytesTotal: null, at: '2026-11-20T12:00:00.000Z', done, error: null,
});
const EVENTS = [update(10), update(20), update(60), update(100, true)];

/** Everything that can make a waited-for condition true pings; `until` re-checks on each ping. */
const waiters = new Set<() => void>();
const ping = () => waiters.forEach((w) => w());
function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!condition()) return;
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
}

/**
 * The provider's side of one operation: `release(n)` makes its first n events happen. With ids, a
 * reader resumes after `Last-Event-ID` (replaying one event too many, as some servers do); without,
 * it is a poller: it starts from the current state (repeating the last one a previous reader saw).
 */
function fakeUpstream(options: { ids: boolean; events?: ProgressUpdate[]; failWith?: Error }) {
  const { ids, events = EVENTS, failWith } = options;
  let released = 0;
  const opens: Array<ProgressResume<ProgressUpdate>> = [];
  let aborted = 0;
  const wake = new Set<() => void>();
  const open: ResumableProgressSource<ProgressUpdate> = async function* (signal, resume) {
    opens.push(resume);
    ping();
    signal.addEventListener('abort', () => {
      aborted++;
      wake.forEach((w) => w());
      ping();
    }, { once: true });
    if (failWith) {
      while (released === 0 && !signal.aborted) await new Promise<void>((r) => wake.add(r));
      throw failWith;
    }
    let i = ids ? Math.max(0, Number(resume.lastEventId ?? 0) - 1) : Math.max(0, released - 1);
    while (!signal.aborted) {
      if (i < released) {
        const e = events[i++];
        yield ids ? withEventId(e, String(i)) : e;
        continue;
      }
      await new Promise<void>((r) => {
        wake.add(r);
        signal.addEventListener('abort', () => r(), { once: true });
      });
    }
  };
  return {
    open,
    opens,
    get aborted() {
      return aborted;
    },
    release(n: number) {
      released = n;
      wake.forEach((w) => w());
    },
  };
}

interface Replica {
  name: string;
  hub: RedisProgressHub<ProgressUpdate>;
  connection: RedisConnection;
  events: RedisProgressHubEvent[];
  sourceErrors: unknown[];
  /** Cuts every Redis connection of this replica at once: what Redis sees of a SIGKILL. */
  crash(): void;
}
const replicas: Replica[] = [];

async function replica(name: string, url = REDIS_URL): Promise<Replica> {
  const real = createRedisConnection({ url, keyPrefix: prefix });
  const duplicates: Redis[] = [];
  const connection: RedisConnection = {
    get redis() {
      return real.redis;
    },
    get up() {
      return real.up;
    },
    whenUp: (ms) => real.whenUp(ms),
    key: (n) => real.key(n),
    duplicate() {
      const d = real.duplicate();
      duplicates.push(d);
      return d;
    },
    close: () => real.close(),
  };
  if (url === REDIS_URL && !real.up) await once(real.redis, 'ready');
  const events: RedisProgressHubEvent[] = [];
  const sourceErrors: unknown[] = [];
  const hub = createRedisProgressHub<ProgressUpdate>({
    connection,
    isFinal: (u) => u.done,
    leaseMs: LEASE_MS,
    ttlAfterDoneMs: 60_000,
    replicaId: name,
    onSourceError: (_k, e) => sourceErrors.push(e),
    onEvent: (e) => {
      events.push(e);
      ping();
    },
  });
  const r: Replica = {
    name, hub, connection, events, sourceErrors,
    crash() {
      real.redis.disconnect();
      duplicates.forEach((d) => d.disconnect());
    },
  };
  replicas.push(r);
  return r;
}

/** One subscriber: every percent it got, and how it ended. */
function subscriber(r: Replica, key: string, open: ResumableProgressSource<ProgressUpdate>) {
  const it = r.hub.subscribe(key, open)[Symbol.asyncIterator]();
  const s = { replica: r.name, values: [] as number[], ended: false, error: undefined as unknown, leave: () => it.return!() };
  const finished = (async () => {
    try {
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        s.values.push(next.value.percent!);
        ping();
      }
    } catch (e) {
      s.error = e;
    }
    s.ended = true;
    ping();
  })();
  return Object.assign(s, { finished });
}

/** For what only Redis can tell: asks again on every turn of the event loop. */
async function eventually(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setImmediate(r));
}

const relaying = (rs: Replica[]) => until(() => rs.every((r) => r.events.includes('relay')));
const leaderOf = (rs: Replica[]) => rs.filter((r) => r.hub.stats.openSources === 1);
const keys = (key: string) => ({ stream: `${prefix}progress:{${key}}`, lease: `${prefix}progress-lead:{${key}}`, presence: `${prefix}progress-subs:{${key}}` });

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.hub.close()));
  const c = replicas.find((r) => r.connection.up);
  if (c) {
    const found = await c.connection.redis.keys(`${prefix}*`);
    if (found.length) await c.connection.redis.del(...found);
  }
  await Promise.all(replicas.map((r) => r.connection.close()));
});

describe('cluster-wide progress hub (real Redis)', () => {
  it('opens one upstream for subscribers on every replica; each gets every value once, in order; late ones get the latest first', async () => {
    const [a, b, c, d] = await Promise.all(['a1', 'b1', 'c1', 'd1'].map((n) => replica(n)));
    const up = fakeUpstream({ ids: true });
    const key = 'ocore\u0000backup\u0000b-1';
    const early = [subscriber(a, key, up.open), subscriber(a, key, up.open), subscriber(b, key, up.open), subscriber(b, key, up.open), subscriber(c, key, up.open)];
    await relaying([a, b, c]);
    await until(() => up.opens.length === 1);
    up.release(2);
    await until(() => early.every((s) => s.values.length === 2));
    // Late: one on a replica already relaying, one on a replica that was not.
    const late = [subscriber(b, key, up.open), subscriber(d, key, up.open)];
    await until(() => late.every((s) => s.values.length === 1));
    expect(late.map((s) => s.values)).toEqual([[20], [20]]);
    up.release(4);
    await Promise.all([...early, ...late].map((s) => s.finished));
    for (const s of early) expect(s).toMatchObject({ values: [10, 20, 60, 100], error: undefined });
    for (const s of late) expect(s).toMatchObject({ values: [20, 60, 100], error: undefined });
    expect(up.opens).toEqual([{ lastEventId: null, last: undefined }]);
    expect([a, b, c, d].reduce((n, r) => n + r.hub.stats.sourcesOpened, 0)).toBe(1);
    // The reader may learn that its terminal append landed after the subscribers got it.
    await eventually(async () => [a, b, c, d].every((r) => r.hub.stats.openSources === 0));
    for (const r of [a, b, c, d]) expect(r.hub.stats).toMatchObject({ openSources: 0, subscribers: 0 });
    // The stream expires after the terminal value; the lease is gone; every entry kept its event id.
    const redis = a.connection.redis;
    const k = keys(key);
    expect(await redis.pttl(k.stream)).toBeGreaterThan(0);
    expect(await redis.exists(k.lease)).toBe(0);
    const stored = (await redis.xrange(k.stream, '-', '+')).map(([, f]) => [f[1] && (JSON.parse(f[1]) as ProgressUpdate).percent, f[3]]);
    expect(stored).toEqual([[10, '1'], [20, '2'], [60, '3'], [100, '4']]);
    // After the end, a new subscriber gets the final state from the stream, without opening upstream.
    const after = subscriber(c, key, up.open);
    await after.finished;
    expect(after.values).toEqual([100]);
    expect(up.opens).toHaveLength(1);
  });

  it('survives the reader replica crashing mid-stream: another takes over from the stored event id; survivors get each value once, in order', async () => {
    const [a, b, c] = await Promise.all(['a2', 'b2', 'c2'].map((n) => replica(n)));
    const up = fakeUpstream({ ids: true });
    const key = 'ocore\u0000backup\u0000b-2';
    const subs = [a, a, b, b, c].map((r) => subscriber(r, key, up.open));
    await relaying([a, b, c]);
    await until(() => up.opens.length === 1);
    up.release(2);
    await until(() => subs.every((s) => s.values.length === 2));
    const [leader] = leaderOf([a, b, c]);
    expect(leaderOf([a, b, c])).toHaveLength(1);
    const crashedAt = performance.now();
    leader.crash();
    up.release(3); // the dead reader's upstream still delivers this one; it can no longer store it
    await until(() => up.opens.length === 2);
    const takeoverMs = performance.now() - crashedAt;
    expect(up.opens[1]).toEqual({ lastEventId: '2', last: EVENTS[1] });
    up.release(4);
    const survivors = subs.filter((s) => s.replica !== leader.name);
    await Promise.all(survivors.map((s) => s.finished));
    for (const s of survivors) expect(s).toMatchObject({ values: [10, 20, 60, 100], error: undefined });
    const newLeader = [a, b, c].find((r) => r !== leader && r.hub.stats.sourcesOpened === 1)!;
    expect(newLeader.events).toContain('lead');
    console.info(`redis-progress-hub: takeover ${Math.round(takeoverMs)} ms after the reader crashed (lease ${LEASE_MS} ms)`);
  });

  it('hands over at once when the reader drains; a poller repeating its last snapshot adds no duplicate', async () => {
    const [a, b] = await Promise.all(['a3', 'b3'].map((n) => replica(n)));
    const up = fakeUpstream({ ids: false });
    const key = 'bocada\u0000backup\u0000j-3';
    const subs = [a, b, b].map((r) => subscriber(r, key, up.open));
    await relaying([a, b]);
    await until(() => up.opens.length === 1);
    up.release(2);
    await until(() => subs.every((s) => s.values.length === 2));
    const [leader] = leaderOf([a, b]);
    const other = leader === a ? b : a;
    const drainedAt = performance.now();
    await leader.hub.close();
    // The drained replica's subscribers complete cleanly, without the rest.
    for (const s of subs.filter((s) => s.replica === leader.name)) {
      await s.finished;
      expect(s).toMatchObject({ values: [10, 20], ended: true, error: undefined });
    }
    expect(leader.events).toContain('release');
    await until(() => up.opens.length === 2);
    const handoverMs = performance.now() - drainedAt;
    expect(up.opens[1]).toEqual({ lastEventId: null, last: EVENTS[1] });
    expect(up.aborted).toBe(1);
    up.release(4);
    const survivors = subs.filter((s) => s.replica === other.name);
    await Promise.all(survivors.map((s) => s.finished));
    for (const s of survivors) expect(s).toMatchObject({ values: [10, 20, 60, 100], error: undefined });
    const stored = await other.connection.redis.xrange(keys(key).stream, '-', '+');
    expect(stored.map(([, f]) => (JSON.parse(f[1]) as ProgressUpdate).percent)).toEqual([10, 20, 60, 100]);
    console.info(`redis-progress-hub: handover ${Math.round(handoverMs)} ms after the reader drained (lease ${LEASE_MS} ms)`);
  });

  it('closes the upstream when the last subscriber anywhere leaves; a leader leaving first hands over', async () => {
    const [a, b] = await Promise.all(['a4', 'b4'].map((n) => replica(n)));
    const up = fakeUpstream({ ids: true });
    const key = 'ocore\u0000restore\u0000b-4';
    const [sa, sb] = [subscriber(a, key, up.open), subscriber(b, key, up.open)];
    await relaying([a, b]);
    await until(() => up.opens.length === 1);
    up.release(1);
    await until(() => [sa, sb].every((s) => s.values.length === 1));
    const [leader] = leaderOf([a, b]);
    const [first, second] = leader === a ? [sa, sb] : [sb, sa];
    // The reader's subscriber leaves while another replica has one: that one takes over.
    await first.leave();
    await until(() => up.aborted === 1 && up.opens.length === 2);
    expect(up.opens[1]).toEqual({ lastEventId: '1', last: EVENTS[0] });
    up.release(2);
    await until(() => second.values.length === 2);
    expect(second.values).toEqual([10, 20]);
    // The last subscriber anywhere leaves: the upstream closes, nobody reopens it, the stream expires.
    await second.leave();
    await until(() => up.aborted === 2);
    const redis = a.connection.redis;
    await eventually(async () => (await redis.exists(keys(key).lease)) === 0);
    expect(await redis.zcard(keys(key).presence)).toBe(0);
    expect(await redis.pttl(keys(key).stream)).toBeGreaterThan(0);
    expect(up.opens).toHaveLength(2);
    for (const r of [a, b]) expect(r.hub.stats).toMatchObject({ subscribers: 0, openSources: 0 });
  });

  it('fails the subscribers of every replica with the coded error of the source, read once', async () => {
    const [a, b] = await Promise.all(['a5', 'b5'].map((n) => replica(n)));
    const up = fakeUpstream({ ids: true, failWith: new GatewayError('NOT_FOUND', 'no such backup', { provider: 'ocore' }) });
    const key = 'ocore\u0000backup\u0000missing';
    const subs = [subscriber(a, key, up.open), subscriber(b, key, up.open)];
    await relaying([a, b]);
    await until(() => up.opens.length === 1);
    up.release(1);
    await Promise.all(subs.map((s) => s.finished));
    for (const s of subs) {
      expect(s.error).toBeInstanceOf(GatewayError);
      expect(s.error).toMatchObject({ code: 'NOT_FOUND', message: 'no such backup', extensions: { provider: 'ocore' } });
    }
    expect(up.opens).toHaveLength(1);
    expect([...a.sourceErrors, ...b.sourceErrors]).toHaveLength(1);
  });

  it('serves subscribers in process while Redis is unreachable, and says so', async () => {
    const r = await replica('offline', 'redis://127.0.0.1:1/0');
    const up = fakeUpstream({ ids: true });
    const subs = [subscriber(r, 'k', up.open), subscriber(r, 'k', up.open)];
    up.release(4);
    await Promise.all(subs.map((s) => s.finished));
    for (const s of subs) expect(s).toMatchObject({ values: [10, 20, 60, 100], error: undefined });
    expect(up.opens).toHaveLength(1);
    expect(r.events).toContain('fallback');
    expect(r.hub.stats).toMatchObject({ sourcesOpened: 1, openSources: 0, subscribers: 0 });
  });
});
