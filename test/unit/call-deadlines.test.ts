/**
 * Call deadlines (`src/upstream/call-deadlines.ts`): each call's signal aborts at its own deadline
 * (as a deadline) or when its request's signal aborts (as that request's reason), calls that ended
 * are forgotten, and a request's abort reaches only its own calls.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CallDeadlineExceeded, createCallDeadlines } from '../../src/upstream/call-deadlines.ts';

describe('call deadlines', () => {
  it('abort each call at its deadline, in the order they started, and forget them', async () => {
    const deadlines = createCallDeadlines(20);
    const first = deadlines.start({ requestId: 'a' });
    const second = deadlines.start({ requestId: 'b' });
    const ended = deadlines.start({ requestId: 'c' });
    ended.end();
    expect(deadlines.live).toBe(2);
    await once(first.signal, 'abort');
    expect(first.expired).toBe(true);
    expect(first.signal.reason).toBeInstanceOf(CallDeadlineExceeded);
    if (!second.signal.aborted) await once(second.signal, 'abort');
    expect(second.expired).toBe(true);
    expect(ended.signal.aborted).toBe(false);
    expect(deadlines.live).toBe(0);
    // A call started after a sweep still gets its deadline (the timer is armed again).
    const later = deadlines.start({ requestId: 'd' });
    await once(later.signal, 'abort');
    expect(later.expired).toBe(true);
  });

  it("abort a request's live calls with its reason when it goes away, and only its own", () => {
    const deadlines = createCallDeadlines(60_000);
    const request = new AbortController();
    const ctx = { requestId: 'r', signal: request.signal };
    const calls = [deadlines.start(ctx), deadlines.start(ctx)];
    const done = deadlines.start(ctx);
    done.end();
    const other = deadlines.start({ requestId: 'other', signal: new AbortController().signal });
    request.abort(new Error('client gone'));
    for (const call of calls) expect(call).toMatchObject({ expired: false, signal: { aborted: true, reason: new Error('client gone') } });
    expect(done.signal.aborted).toBe(false);
    expect(other.signal.aborted).toBe(false);
    expect(deadlines.live).toBe(1);
    // A call of a request that is already gone starts aborted and is never live.
    const late = deadlines.start(ctx);
    expect(late.signal.aborted).toBe(true);
    expect(deadlines.live).toBe(1);
    other.end();
    expect(deadlines.live).toBe(0);
  });
});
