import { describe, expect, it } from 'vitest';
import { createProgressHub } from '../../src/progress/hub.ts';
import { pollProgress } from '../../src/progress/poller.ts';
import { relayProgressStream } from '../../src/progress/relay.ts';
import type { ProgressStreamEvent, ProgressUpdate } from '../../src/providers/contract/index.ts';
import { ProviderHttpError } from '../../src/upstream/errors.ts';

const update = (percent: number, done = false): ProgressUpdate => ({
  status: done ? 'SUCCEEDED' : 'RUNNING', providerStatus: done ? 'completed' : 'running', percent, phase: null, message: null,
  bytesDone: null, bytesTotal: null, at: '2026-11-20T12:00:00.000Z', done, error: null,
});

/** A source the test drives by hand. */
function manualSource() {
  const waiting: Array<(v: IteratorResult<ProgressUpdate>) => void> = [];
  const queue: ProgressUpdate[] = [];
  let opened = 0;
  let aborted = 0;
  const open = (signal: AbortSignal): AsyncIterable<ProgressUpdate> => {
    opened++;
    signal.addEventListener('abort', () => {
      aborted++;
      waiting.splice(0).forEach((w) => w({ value: undefined, done: true }));
    });
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => (queue.length ? Promise.resolve({ value: queue.shift()!, done: false }) : new Promise((r) => waiting.push(r))),
      }),
    };
  };
  const emit = (u: ProgressUpdate) => {
    const w = waiting.shift();
    if (w) w({ value: u, done: false });
    else queue.push(u);
  };
  return { open, emit, counts: () => ({ opened, aborted }) };
}

async function take<T>(it: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('progress hub', () => {
  it('shares one source among subscribers, replays the latest state to late ones, completes all at the end', async () => {
    const hub = createProgressHub<ProgressUpdate>({ isFinal: (u) => u.done });
    const src = manualSource();
    const a = hub.subscribe('op', src.open)[Symbol.asyncIterator]();
    const firstA = a.next();
    src.emit(update(10));
    expect((await firstA).value.percent).toBe(10);
    const b = hub.subscribe('op', src.open)[Symbol.asyncIterator]();
    expect((await b.next()).value.percent).toBe(10); // latest state first
    src.emit(update(50));
    src.emit(update(100, true));
    expect((await take(a, 5)).map((u) => u.percent)).toEqual([50, 100]);
    expect((await take(b, 5)).map((u) => u.percent)).toEqual([50, 100]);
    expect(src.counts().opened).toBe(1);
    expect(hub.stats).toMatchObject({ openSources: 0, subscribers: 0, sourcesOpened: 1 });
  });

  it('closes the upstream source when the last subscriber leaves', async () => {
    const hub = createProgressHub<ProgressUpdate>({ isFinal: (u) => u.done });
    const src = manualSource();
    const subs = Array.from({ length: 3 }, () => hub.subscribe('op', src.open)[Symbol.asyncIterator]());
    const pending = subs.map((s) => s.next());
    src.emit(update(1));
    await Promise.all(pending);
    await subs[0].return!();
    await subs[1].return!();
    expect(src.counts().aborted).toBe(0);
    await subs[2].return!();
    expect(src.counts().aborted).toBe(1);
    expect(hub.stats.openSources).toBe(0);
  });
});

describe('relayProgressStream', () => {
  it('reconnects with Last-Event-ID after a drop and delivers each event once, in order', async () => {
    const lastIds: (string | null)[] = [];
    const open = async function* (lastEventId: string | null): AsyncGenerator<ProgressStreamEvent> {
      lastIds.push(lastEventId);
      if (lastEventId === null) {
        yield { id: '1', update: update(10) };
        yield { id: '2', update: update(20) };
        return; // dropped before the terminal event
      }
      // A server that replays one event too many must not cause a duplicate.
      yield { id: '2', update: update(20) };
      yield { id: '3', update: update(60) };
      yield { id: '4', update: update(100, true) };
    };
    const out: number[] = [];
    for await (const u of relayProgressStream(open, new AbortController().signal, { baseDelayMs: 1 })) out.push(u.percent!);
    expect(out).toEqual([10, 20, 60, 100]);
    expect(lastIds).toEqual([null, '2']);
  });

  it('does not reconnect on a 404', async () => {
    let opens = 0;
    const open = async function* (): AsyncGenerator<ProgressStreamEvent> {
      opens++;
      throw new ProviderHttpError('ocore', 404, 'r', null, null);
    };
    await expect(async () => {
      for await (const _ of relayProgressStream(open, new AbortController().signal, { baseDelayMs: 1 }));
    }).rejects.toMatchObject({ status: 404 });
    expect(opens).toBe(1);
  });

  it('gives up after maxReconnects drops without progress', async () => {
    let opens = 0;
    const open = async function* (): AsyncGenerator<ProgressStreamEvent> {
      opens++;
    };
    await expect(async () => {
      for await (const _ of relayProgressStream(open, new AbortController().signal, { baseDelayMs: 1, maxReconnects: 2 }));
    }).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(opens).toBe(3);
  });
});

describe('pollProgress', () => {
  it('yields only changes and stops at the terminal state', async () => {
    const states = [update(0), update(0), update(40), update(40), update(100, true)];
    let reads = 0;
    const out: number[] = [];
    for await (const u of pollProgress(async () => states[reads++], new AbortController().signal, { runningMs: 1, queuedMs: 1 })) out.push(u.percent!);
    expect(out).toEqual([0, 40, 100]);
    expect(reads).toBe(5);
  });

  it('backs off on a 429 and keeps going', async () => {
    const seq: Array<ProgressUpdate | Error> = [update(0), new ProviderHttpError('p', 429, 'r', null, null), update(100, true)];
    let i = 0;
    const out: number[] = [];
    for await (const u of pollProgress(async () => {
      const v = seq[i++];
      if (v instanceof Error) throw v;
      return v;
    }, new AbortController().signal, { runningMs: 1, queuedMs: 1, maxMs: 5 })) out.push(u.percent!);
    expect(out).toEqual([0, 100]);
  });

  it('fails with NOT_FOUND for an unknown operation', async () => {
    await expect(async () => {
      for await (const _ of pollProgress(async () => null, new AbortController().signal));
    }).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
