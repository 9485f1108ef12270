import { describe, expect, it } from 'vitest';
import { backoffMs, nextRetryDelay, providerRetryDelayMs } from '../../src/upstream/retry.ts';

const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 2000 };
const now = 1_800_000_000_000;

describe('providerRetryDelayMs', () => {
  it.each([
    [{ 'retry-after': '2' }, 2000],
    [{ 'retry-after': new Date(now + 3000).toUTCString() }, 3000],
    [{ 'ratelimit-reset': '4' }, 4000],
    [{ 'x-ratelimit-reset': String(now / 1000 + 5) }, 5000],
    [{ 'x-ratelimit-reset': '7' }, 7000],
    [{ 'retry-after': '1', 'ratelimit-reset': '3' }, 3000],
    [{}, null],
    [{ 'retry-after': 'soon' }, null],
  ])('%j -> %j ms', (headers, expected) => {
    expect(providerRetryDelayMs(headers, now)).toBe(expected);
  });
});

describe('nextRetryDelay', () => {
  it('uses the provider hint plus at most 50 ms of jitter', () => {
    const d = nextRetryDelay({ attempt: 0, policy, headers: { 'ratelimit-reset': '1' }, status: 429, nowMs: now, deadlineAt: now + 10_000, random: () => 0.5 });
    expect(d).toBe(1025);
  });

  it('reads window-reset headers as a wait only on 429', () => {
    const headers = { 'ratelimit-reset': '30' };
    expect(nextRetryDelay({ attempt: 0, policy, headers, status: 503, nowMs: now, deadlineAt: now + 10_000, random: () => 1 })).toBe(100);
    expect(nextRetryDelay({ attempt: 0, policy, headers, status: 429, nowMs: now, deadlineAt: now + 10_000 })).toBeNull();
  });

  it('never waits past the deadline', () => {
    expect(nextRetryDelay({ attempt: 0, policy, headers: { 'retry-after': '5' }, nowMs: now, deadlineAt: now + 4000 })).toBeNull();
  });

  it('stops after maxRetries', () => {
    expect(nextRetryDelay({ attempt: 3, policy, nowMs: now, deadlineAt: now + 60_000 })).toBeNull();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, policy, () => 0)).toBe(50);
    expect(backoffMs(0, policy, () => 1)).toBe(100);
    expect(backoffMs(3, policy, () => 1)).toBe(800);
    expect(backoffMs(10, policy, () => 1)).toBe(2000);
  });
});
