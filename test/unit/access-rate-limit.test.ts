import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/domain/clock.ts';
import { createRateLimiter } from '../../src/access/rate-limit.ts';

describe('per-caller request budget', () => {
  it('lets a minute\'s worth through at once, then refuses with the seconds until one more fits', () => {
    const clock = createManualClock(Date.UTC(2030, 0, 1));
    const rl = createRateLimiter({ clock });
    for (let i = 0; i < 3; i++) expect(rl.take('k', 3)).toEqual({ ok: true });
    expect(rl.take('k', 3)).toEqual({ ok: false, retryAfterSeconds: 20 });
    clock.advance(19_000);
    expect(rl.take('k', 3)).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock.advance(1_000);
    expect(rl.take('k', 3)).toEqual({ ok: true });
    expect(rl.take('k', 3).ok).toBe(false);
  });

  it('keeps one budget per caller key and never holds more than a minute\'s worth', () => {
    const clock = createManualClock(0);
    const rl = createRateLimiter({ clock });
    expect(rl.take('a', 1)).toEqual({ ok: true });
    expect(rl.take('a', 1).ok).toBe(false);
    expect(rl.take('b', 1)).toEqual({ ok: true });
    clock.advance(3_600_000);
    expect(rl.take('a', 1)).toEqual({ ok: true });
    expect(rl.take('a', 1).ok).toBe(false);
  });

  it('forgets the least recently seen caller past maxKeys (it starts full again)', () => {
    const rl = createRateLimiter({ clock: createManualClock(0), maxKeys: 2 });
    rl.take('a', 1);
    rl.take('b', 1);
    rl.take('c', 1);
    expect(rl.take('b', 1).ok).toBe(false);
    expect(rl.take('a', 1)).toEqual({ ok: true });
  });
});
