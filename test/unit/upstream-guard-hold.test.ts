/**
 * The guard's hold (a peer replica's breaker opened) and its local open/close hooks, on a manual
 * clock: a held guard refuses at once without calling or counting, says `open` with the time left,
 * and lets calls through again once the hold is over or released.
 */
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/domain/clock.ts';
import { ProviderUnavailableError } from '../../src/upstream/errors.ts';
import { createUpstreamGuard, type UpstreamGuard } from '../../src/upstream/guard.ts';

/** Runs one attempt through `guard`: `ok` answers, else it fails as a counted failure; tells whether `call` ran. */
async function attempt(guard: UpstreamGuard, ok: boolean): Promise<{ called: boolean; error?: unknown }> {
  let called = false;
  try {
    await guard.run({
      requestId: 'r1',
      signal: new AbortController().signal,
      bulkhead: true,
      isFailure: (o) => 'error' in o,
      call: async () => {
        called = true;
        if (!ok) throw new Error('down');
        return 'fine';
      },
    });
    return { called };
  } catch (error) {
    return { called, error };
  }
}

describe('guard hold (peer open)', () => {
  it('refuses at once for the hold, without calling or counting, and says open with the time left', async () => {
    const clock = createManualClock(1_000_000);
    const breaks: unknown[] = [];
    const guard = createUpstreamGuard('p1', { clock, breaker: { consecutiveFailures: 2, onBreak: (i) => breaks.push(i) } });
    guard.holdOpen(5000);
    expect(guard.state()).toMatchObject({ circuit: 'open', retryAfterMs: 5000, consecutiveFailures: 0 });

    clock.advance(2000);
    for (let i = 0; i < 3; i++) {
      const out = await attempt(guard, true);
      expect(out.called).toBe(false);
      expect(out.error).toBeInstanceOf(ProviderUnavailableError);
      expect(out.error).toMatchObject({ provider: 'p1', reason: 'circuit-open', retryAfterMs: 3000, requestId: 'r1' });
    }
    expect(guard.state()).toMatchObject({ circuit: 'open', retryAfterMs: 3000, consecutiveFailures: 0 });
    // A hold is not a local open: nothing to publish.
    expect(breaks).toEqual([]);

    clock.advance(3000);
    expect(guard.state()).toMatchObject({ circuit: 'closed', retryAfterMs: 0 });
    expect(await attempt(guard, true)).toEqual({ called: true });
  });

  it('is released early, and keeps a longer hold already running', async () => {
    const clock = createManualClock(0);
    const guard = createUpstreamGuard('p1', { clock });
    guard.holdOpen(5000);
    guard.holdOpen(1000);
    expect(guard.state().retryAfterMs).toBe(5000);
    guard.holdOpen(0);
    expect(guard.state().retryAfterMs).toBe(5000);
    guard.release();
    expect(guard.state()).toMatchObject({ circuit: 'closed', retryAfterMs: 0 });
    expect(await attempt(guard, true)).toEqual({ called: true });
  });

  it('release leaves a breaker that opened on its own failures open', async () => {
    const clock = createManualClock(0);
    const guard = createUpstreamGuard('p1', { clock, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } });
    await attempt(guard, false);
    await attempt(guard, false);
    guard.holdOpen(1000);
    guard.release();
    expect(guard.state()).toMatchObject({ circuit: 'open', retryAfterMs: 60_000 });
    const out = await attempt(guard, true);
    expect(out.called).toBe(false);
    expect(out.error).toMatchObject({ reason: 'circuit-open' });
  });
});

describe('guard open/close hooks (local transitions)', () => {
  it('tells onBreak on its own open (and on a failed probe), onReset once a probe succeeds; registers itself once', async () => {
    const events: string[] = [];
    const registered: UpstreamGuard[] = [];
    const guard = createUpstreamGuard('p1', {
      breaker: {
        consecutiveFailures: 2,
        halfOpenAfterMs: 1,
        onBreak: ({ provider, retryAfterMs }) => events.push(`break ${provider} ${retryAfterMs}`),
        onReset: ({ provider }) => events.push(`reset ${provider}`),
        onGuard: (g) => registered.push(g),
      },
    });
    expect(registered).toEqual([guard]);
    await attempt(guard, false);
    expect(events).toEqual([]);
    await attempt(guard, false);
    expect(events).toEqual(['break p1 1']);

    /** Tries until the breaker lets the probe through (cockatiel half-opens on its own timer). */
    const probe = async (ok: boolean) => {
      for (;;) {
        const out = await attempt(guard, ok);
        if (out.called) return out;
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    await probe(false);
    expect(events).toEqual(['break p1 1', 'break p1 1']);
    await probe(true);
    expect(events).toEqual(['break p1 1', 'break p1 1', 'reset p1']);
    expect(guard.state().circuit).toBe('closed');
  });

  it('a throwing hook does not fail the call', async () => {
    const guard = createUpstreamGuard('p1', { breaker: { consecutiveFailures: 1, onBreak: () => { throw new Error('listener bug'); } } });
    const out = await attempt(guard, false);
    expect(out.called).toBe(true);
    expect(out.error).toMatchObject({ message: 'down' });
    expect(guard.state().circuit).toBe('open');
  });
});
