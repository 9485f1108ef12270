import { describe, expect, it } from 'vitest';
import { nextCronRun } from '../../src/simulators/kit/cron.ts';
import { compareDesc, pageMerged, pageSorted, type NorcubeSortKey } from '../../src/simulators/norcube/store.ts';

const keyOf = (k: NorcubeSortKey) => k;
const MINUTE = 60_000;

/** `count` keys newest first, instants drawn from few values so that ties on `t` are broken by `id`. */
function newestFirst(prefix: string, count: number, seed: number): NorcubeSortKey[] {
  let x = seed;
  const next = () => (x = (x * 1_103_515_245 + 12_345) % 2_147_483_648);
  return Array.from({ length: count }, (_, i) => ({ t: 1_000 * (next() % 40), id: `${prefix}-${String(i).padStart(3, '0')}` })).sort(compareDesc);
}

describe('Norcube simulator: a page of several newest-first lists (pageMerged)', () => {
  const lists = [newestFirst('a', 37, 1), newestFirst('b', 0, 2), newestFirst('c', 55, 3), newestFirst('d', 1, 4)];
  const merged = lists.flat().sort(compareDesc);

  it('serves every page the merged, sorted list would, cursor after cursor', () => {
    for (const limit of [1, 3, 7, 100]) {
      let cursor: NorcubeSortKey | null = null;
      const walked: NorcubeSortKey[] = [];
      for (let pages = 0; pages < 200; pages++) {
        const page: { items: NorcubeSortKey[]; next: NorcubeSortKey | null } = pageMerged(lists, keyOf, cursor, limit);
        expect(page).toEqual(pageSorted(merged, keyOf, cursor, limit));
        walked.push(...page.items);
        if (!page.next) break;
        cursor = page.next;
      }
      expect(walked).toEqual(merged);
    }
  });

  it('starts after a cursor that is no item of any list, and ends without a next cursor', () => {
    const cursor = { t: 20_000, id: 'b-zzz' };
    expect(pageMerged(lists, keyOf, cursor, 5)).toEqual(pageSorted(merged, keyOf, cursor, 5));
    expect(pageMerged(lists, keyOf, { t: -1, id: '' }, 5)).toEqual({ items: [], next: null });
    expect(pageMerged([], keyOf, null, 5)).toEqual({ items: [], next: null });
  });
});

describe('simulator cron: nextCronRun', () => {
  const start = Date.UTC(2026, 2, 28, 23, 0, 0);

  it('answers, at every instant of a minute, the first matching minute after it', () => {
    for (let m = 0; m < 12; m++) {
      for (const s of [59, 0, 30]) {
        const at = start + m * MINUTE + s * 1_000;
        const next = nextCronRun('*/5 * * * *', at, 'UTC')!;
        expect(next).toBeGreaterThan(at);
        expect(next % (5 * MINUTE)).toBe(0);
        expect(next - at).toBeLessThanOrEqual(5 * MINUTE);
      }
    }
  });

  it('answers each zone and expression for itself within one minute', () => {
    const at = Date.UTC(2026, 5, 10, 12, 0, 30);
    expect(new Date(nextCronRun('30 3 * * *', at, 'UTC')!).toISOString()).toBe('2026-06-11T03:30:00.000Z');
    expect(new Date(nextCronRun('30 3 * * *', at, 'Europe/Berlin')!).toISOString()).toBe('2026-06-11T01:30:00.000Z');
    expect(new Date(nextCronRun('30 15 * * *', at, 'Europe/Berlin')!).toISOString()).toBe('2026-06-10T13:30:00.000Z');
    expect(nextCronRun('not a cron', at, 'UTC')).toBeNull();
  });

  it('maps a run after a daylight-saving change back with the offset in force at the run', () => {
    // Europe/Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on 2026-03-29, and back at 01:00 UTC on 2026-10-25.
    expect(new Date(nextCronRun('30 3 * * *', Date.UTC(2026, 2, 27, 12), 'Europe/Berlin')!).toISOString()).toBe('2026-03-28T02:30:00.000Z');
    expect(new Date(nextCronRun('30 3 * * *', Date.UTC(2026, 2, 28, 12), 'Europe/Berlin')!).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(new Date(nextCronRun('0 12 * * *', Date.UTC(2026, 9, 24, 13), 'Europe/Berlin')!).toISOString()).toBe('2026-10-25T11:00:00.000Z');
    expect(new Date(nextCronRun('0 9 * * 1', Date.UTC(2026, 2, 6, 12), 'America/New_York')!).toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });
});
