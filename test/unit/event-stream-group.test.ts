import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createEventStreamGroup, sseNextFrame } from '../../src/server/fan-out/event-stream-group.ts';
import { canonicalJson } from '../../src/server/plugins/use-subscription-fan-out.ts';

/** An execution-result stream the test drives by hand; `returned` counts `return()` calls. */
function manualSource() {
  const waiting: Array<(v: IteratorResult<ExecutionResult>) => void> = [];
  const queue: Array<IteratorResult<ExecutionResult>> = [];
  const state = { returned: 0 };
  const settle = (v: IteratorResult<ExecutionResult>) => {
    const w = waiting.shift();
    if (w) w(v);
    else queue.push(v);
  };
  const source: AsyncIterable<ExecutionResult> = {
    [Symbol.asyncIterator]: () => ({
      next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))),
      return: () => {
        state.returned++;
        waiting.splice(0).forEach((w) => w({ value: undefined, done: true }));
        return Promise.resolve({ value: undefined, done: true });
      },
    }),
  };
  return { source, state, emit: (r: ExecutionResult) => settle({ value: r, done: false }), end: () => settle({ value: undefined, done: true }) };
}

/** Everything `body` gives until it ends, as one string. */
async function readAll(body: Readable): Promise<string> {
  let text = '';
  body.setEncoding('utf8');
  body.on('data', (chunk: string) => (text += chunk));
  await once(body, 'end');
  return text;
}

/** Resolves once `body` holds as many bytes, pushed and unread, as `text` has. */
async function buffered(body: Readable, text: string): Promise<void> {
  while (body.readableLength < Buffer.byteLength(text)) await new Promise((r) => setImmediate(r));
}

const frame = (data: unknown) => `event: next\ndata: ${JSON.stringify(data)}\n\n`;
const COMPLETE = 'event: complete\ndata:\n\n';

describe('sseNextFrame', () => {
  it('writes a result as a graphql-sse next event', () => {
    expect(sseNextFrame({ data: { a: 1 } }).toString()).toBe(frame({ data: { a: 1 } }));
  });

  it('drops the server-only extensions (http status, unexpected) as yoga does, and keeps the codes', () => {
    const error = new GraphQLError('gone', { extensions: { code: 'NOT_FOUND', http: { status: 404 } } });
    const out = JSON.parse(sseNextFrame({ errors: [error], extensions: { http: { status: 404 }, cost: 3 } }).toString().split('data: ')[1]);
    expect(out).toEqual({ errors: [{ message: 'gone', extensions: { code: 'NOT_FOUND' } }], extensions: { cost: 3 } });
  });
});

describe('createEventStreamGroup', () => {
  it('writes each result once to every member, a late member starting from the latest', async () => {
    const { source, emit, end } = manualSource();
    const group = createEventStreamGroup({ source });
    const first = group.join();
    emit({ data: { n: 1 } });
    emit({ data: { n: 2 } });
    await buffered(first.body, `:\n\n${frame({ data: { n: 1 } })}${frame({ data: { n: 2 } })}`);
    const firstText = readAll(first.body);
    // The late member joins once both are out; it starts with the latest state only.
    const probe = group.join();
    emit({ data: { n: 3 } });
    end();
    expect(await firstText).toBe(`:\n\n${frame({ data: { n: 1 } })}${frame({ data: { n: 2 } })}${frame({ data: { n: 3 } })}${COMPLETE}`);
    expect(await readAll(probe.body)).toBe(`:\n\n${frame({ data: { n: 2 } })}${frame({ data: { n: 3 } })}${COMPLETE}`);
    await Promise.all([first.ended, probe.ended]);
    expect(group.ended).toBe(true);
    expect(group.size).toBe(0);
  });

  it('joining an ended group gives the final state and complete', async () => {
    const { source, emit, end } = manualSource();
    let ends = 0;
    const group = createEventStreamGroup({ source, onEnd: () => ends++ });
    const member = group.join();
    const text = readAll(member.body);
    emit({ data: { done: true } });
    end();
    await text;
    expect(group.ended).toBe(true);
    expect(await readAll(group.join().body)).toBe(`:\n\n${frame({ data: { done: true } })}${COMPLETE}`);
    expect(ends).toBe(1);
  });

  it('closes the source when its last member leaves, not before', async () => {
    const { source, state, emit } = manualSource();
    let ends = 0;
    const group = createEventStreamGroup({ source, onEnd: () => ends++ });
    const a = group.join();
    const b = group.join();
    a.leave();
    expect(await readAll(a.body)).toBe(`:\n\n${COMPLETE}`);
    expect(state.returned).toBe(0);
    expect(group.size).toBe(1);
    emit({ data: { n: 1 } });
    // A member whose client went away (its body destroyed) leaves as well.
    b.body.destroy();
    await b.ended;
    expect(state.returned).toBe(1);
    expect(ends).toBe(1);
    expect(group.ended).toBe(true);
  });

  it('cuts off a member that reads slower than events come, and keeps the others', async () => {
    const { source, emit, end } = manualSource();
    const group = createEventStreamGroup({ source, maxBufferedBytes: 64 });
    const slow = group.join(); // never read
    const fast = group.join();
    const fastText = readAll(fast.body);
    const big = 'x'.repeat(100);
    emit({ data: { big } });
    await buffered(slow.body, frame({ data: { big } }));
    emit({ data: { n: 2 } });
    await slow.ended;
    expect(slow.body.destroyed).toBe(true);
    end();
    expect(await fastText).toBe(`:\n\n${frame({ data: { big } })}${frame({ data: { n: 2 } })}${COMPLETE}`);
  });

  it('destroys every member\'s body when the source fails', async () => {
    const source: AsyncIterable<ExecutionResult> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('upstream gone')) }),
    };
    const group = createEventStreamGroup({ source });
    const member = group.join();
    const [error] = await once(member.body, 'error');
    expect((error as Error).message).toBe('upstream gone');
    await member.ended;
    expect(group.ended).toBe(true);
  });

  it('pings idle members', async () => {
    const { source, end } = manualSource();
    const group = createEventStreamGroup({ source, pingIntervalMs: 5 });
    const member = group.join();
    await buffered(member.body, ':\n\n:\n\n');
    end();
    expect((await readAll(member.body)).startsWith(':\n\n:\n\n')).toBe(true);
  });
});

describe('canonicalJson', () => {
  it('gives the same string whatever the key order, at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, { x: 0, y: 1 }] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('tells apart what differs: values, array order, null from absent', () => {
    expect(canonicalJson({ id: 'a' })).not.toBe(canonicalJson({ id: 'b' }));
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
    expect(canonicalJson({ a: undefined })).toBe(canonicalJson({}));
  });
});
