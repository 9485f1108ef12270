/** Idempotency keys are per caller: the same key from another caller runs again and learns nothing of the first result. */
import { describe, expect, it } from 'vitest';
import { createIdempotencyStore, scopedIdempotencyStore } from '../../src/mutations/idempotency.ts';

describe('idempotency per caller', () => {
  it('replays a key for its own caller only', async () => {
    const store = createIdempotencyStore();
    const alice = scopedIdempotencyStore(store, 'api-key:alice');
    const mallory = scopedIdempotencyStore(store, 'jwt:mallory');
    let calls = 0;
    const run = () => Promise.resolve(`result ${++calls}`);
    const input = { resourceId: 'r1', idempotencyKey: 'k-1' };
    expect(await alice.run('triggerBackup', 'k-1', input, run)).toBe('result 1');
    expect(await alice.run('triggerBackup', 'k-1', input, run)).toBe('result 1');
    expect(await mallory.run('triggerBackup', 'k-1', input, run)).toBe('result 2');
    // Another caller's different input under the same key is its own business, not a conflict.
    expect(await mallory.run('triggerBackup', 'k-2', { resourceId: 'other', idempotencyKey: 'k-2' }, run)).toBe('result 3');
    expect(() => alice.run('triggerBackup', 'k-1', { resourceId: 'r2', idempotencyKey: 'k-1' }, run)).toThrow(/different input/);
    expect(calls).toBe(3);
  });

  it('still refuses empty and over-long keys', () => {
    const s = scopedIdempotencyStore(createIdempotencyStore(), 'api-key:a');
    expect(() => s.run('x', '', {}, async () => 1)).toThrow(/1 to 200/);
    expect(() => s.run('x', 'k'.repeat(201), {}, async () => 1)).toThrow(/1 to 200/);
  });
});
