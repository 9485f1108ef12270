import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCursor } from '../../src/domain/cursor.ts';
import { decodeSegmentToken, mergedPage, type Segment } from '../../src/domain/merge.ts';
import { orderingOf, type ListOrder } from '../../src/domain/merge-order.ts';
import { MAX_UPSTREAM_PAGES_PER_PAGE } from '../../src/domain/merge-take.ts';
import type { BackupModel } from '../../src/domain/models.ts';
import type { ListFilter, Page, PageRequest } from '../../src/domain/page.ts';
import { paginate, type PaginationSource } from '../../src/domain/pagination.ts';
import { scopedList } from '../../src/access/scope-lists.ts';
import { collectPages } from '../utils/tsimulator.ts';

const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const NEWEST_FIRST: ListOrder = { field: 'CREATED_AT', direction: 'DESC' };
const OLDEST_FIRST: ListOrder = { field: 'CREATED_AT', direction: 'ASC' };

/** One generated stream: item times in minutes after BASE (null: no time), the upstream page cap, which items are FAILED. */
interface StreamSpec {
  minutes: Array<number | null>;
  maxPage: number;
  failedEvery: number;
}

/** The stream's items in `order` (a provider's list already sorted), ids `<stream>-<index in stream>`. */
function itemsOf(id: string, spec: StreamSpec, order: ListOrder): BackupModel[] {
  const sign = order.direction === 'DESC' ? -1 : 1;
  const key = (m: number | null) => (m === null ? -Infinity : m);
  const sorted = [...spec.minutes].sort((a, b) => sign * (key(a) - key(b)));
  return sorted.map((m, i) => ({
    typename: 'TestBackup', provider: { id, kind: 'test', name: id }, nativeId: `${id}-${i}`, name: `item ${i}`,
    status: i % spec.failedEvery === 0 ? 'FAILED' : 'AVAILABLE', providerStatus: null, organizationNativeId: null, resourceNativeId: null,
    sizeBytes: null, createdAt: m === null ? null : new Date(BASE + m * 60_000).toISOString(), completedAt: null,
  }));
}

/** A cursor-paged list over `items` answering at most `maxPage` per call (resume token: the offset). */
function listOver(items: BackupModel[], maxPage: number, calls = { n: 0 }, fail: () => boolean = () => false) {
  return async (req: PageRequest): Promise<Page<BackupModel>> => {
    calls.n++;
    if (fail()) throw new Error('boom');
    const start = req.after === null ? 0 : Number(req.after);
    const end = Math.min(items.length, start + Math.min(req.limit, maxPage));
    return { items: items.slice(start, end), next: end < items.length ? String(end) : null, total: items.length };
  };
}

/** What the merged order must be: every matching item, stable-sorted by time (then stream, then stream order). */
function expectedMerge(streams: BackupModel[][], order: ListOrder, filter: ListFilter): string[] {
  const o = orderingOf(order);
  const all = streams.flatMap((items, s) => items.map((m, i) => ({ m, s, i })));
  return all
    .filter(({ m }) => !filter.status || filter.status.includes(m.status))
    .sort((a, b) => o.compare(o.value(a.m), o.value(b.m)) || a.s - b.s || a.i - b.i)
    .map(({ m }) => m.nativeId);
}

/** Pages the gateway's paginator to the end, `firsts` cycling as page sizes. */
async function walkGateway(sources: PaginationSource<BackupModel>[], firsts: number[], order: ListOrder) {
  let pageNo = 0;
  const { items, pages } = await collectPages(async (after: string | null) => {
    const page = await paginate<BackupModel>({ kind: 'backup', sources, first: firsts[pageNo++ % firsts.length], cursor: after === null ? null : decodeCursor(after, 'backup'), order });
    if (page.hasNextPage && page.endCursor === null) throw new Error('a page with a next page has no end cursor');
    return { items: page.items.map((i) => i.node.nativeId), next: page.hasNextPage ? page.endCursor : null };
  }, { maxPages: 2000 });
  return { items, pages };
}

const streamSpec = fc.record({
  // Few distinct minutes, so ties across and within streams are common.
  minutes: fc.array(fc.option(fc.integer({ min: 0, max: 12 }), { freq: 8 }), { maxLength: 40 }),
  maxPage: fc.integer({ min: 1, max: 15 }),
  failedEvery: fc.integer({ min: 1, max: 4 }),
});

describe('the k-way merge across providers', () => {
  it.each([['newest first', NEWEST_FIRST], ['oldest first', OLDEST_FIRST]] as const)(
    'pages to the end in one merged order (%s): the stable merged sort of all items, each exactly once, whatever `first` per page',
    async (_name, order) => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(streamSpec, { minLength: 1, maxLength: 4 }),
          fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 }),
          fc.boolean(),
          async (specs, firsts, onlyFailed) => {
            const filter: ListFilter = onlyFailed ? { status: ['FAILED'] } : {};
            const streams = specs.map((spec, s) => itemsOf(`p${s}`, spec, order));
            const sources = streams.map((items, s) => ({ providerId: `p${s}`, filter, list: listOver(items, specs[s].maxPage) }));
            const { items } = await walkGateway(sources, firsts, order);
            expect(items).toEqual(expectedMerge(streams, order, filter));
          },
        ),
        { numRuns: 120 },
      );
    },
  );

  it('stays exact when a stream stops short of `first` (its upstream-page budget spent on filtered-out items)', async () => {
    // p0: one item per upstream page and one FAILED item in 40, so a page of 5 FAILED items needs
    // more upstream pages than one page may read; p1 answers quickly. Nothing of p1 older than
    // p0's unread items may slip in before them.
    const spec0: StreamSpec = { minutes: Array.from({ length: 200 }, (_, i) => 200 - i), maxPage: 1, failedEvery: 40 };
    const spec1: StreamSpec = { minutes: Array.from({ length: 60 }, (_, i) => 195 - i * 7), maxPage: 50, failedEvery: 1 };
    const streams = [itemsOf('p0', spec0, NEWEST_FIRST), itemsOf('p1', spec1, NEWEST_FIRST)];
    const filter: ListFilter = { status: ['FAILED'] };
    const sources = streams.map((items, s) => ({ providerId: `p${s}`, filter, list: listOver(items, [spec0, spec1][s].maxPage) }));
    const first = await paginate<BackupModel>({ kind: 'backup', sources, first: 5, cursor: null });
    expect(MAX_UPSTREAM_PAGES_PER_PAGE).toBeLessThan(40);
    // p0 read 20 upstream pages (minutes 200..181) and found one match; p1's items from 181 on (a tie
    // goes to p0, first in config order) must wait for p0's unread ones.
    expect(first.items.map((i) => i.node.nativeId)).toEqual(['p0-0', 'p1-0', 'p1-1']);
    expect(first.hasNextPage).toBe(true);
    const { items } = await walkGateway(sources, [5, 3, 8], NEWEST_FIRST);
    expect(items).toEqual(expectedMerge(streams, NEWEST_FIRST, filter));
  });

  it('puts the newest item of any provider first, ties going to the provider first in config order', async () => {
    const at = (m: number) => ({ minutes: [m], maxPage: 5, failedEvery: 1 });
    const streams = [itemsOf('a', { minutes: [1, 5], maxPage: 5, failedEvery: 1 }, NEWEST_FIRST), itemsOf('b', at(9), NEWEST_FIRST), itemsOf('c', at(5), NEWEST_FIRST)];
    const sources = streams.map((items, s) => ({ providerId: 'abc'[s], filter: {}, list: listOver(items, 5) }));
    const page = await paginate<BackupModel>({ kind: 'backup', sources, first: 3, cursor: null });
    expect(page.items.map((i) => i.node.nativeId)).toEqual(['b-0', 'a-0', 'c-0']);
    // Resuming after the 2nd edge: c's item (tied with a's, later in config order), then a's last.
    const next = await paginate<BackupModel>({ kind: 'backup', sources, first: 5, cursor: decodeCursor(page.items[1].cursor, 'backup') });
    expect(next.items.map((i) => i.node.nativeId)).toEqual(['c-0', 'a-1']);
    expect(next.hasNextPage).toBe(false);
  });

  it('keeps a failing provider in place, reports it beside the data, and serves its items once it answers again', async () => {
    let down = true;
    const streams = [itemsOf('ok', { minutes: [1, 2, 3, 4], maxPage: 10, failedEvery: 1 }, NEWEST_FIRST), itemsOf('flaky', { minutes: [5, 6], maxPage: 10, failedEvery: 1 }, NEWEST_FIRST)];
    const sources = [
      { providerId: 'ok', filter: {}, list: listOver(streams[0], 10) },
      { providerId: 'flaky', filter: {}, list: listOver(streams[1], 10, { n: 0 }, () => down) },
    ];
    const page = await paginate<BackupModel>({ kind: 'backup', sources, first: 2, cursor: null });
    expect(page.items.map((i) => i.node.nativeId)).toEqual(['ok-0', 'ok-1']);
    expect(page.failures.map((f) => f.providerId)).toEqual(['flaky']);
    down = false;
    const rest = await paginate<BackupModel>({ kind: 'backup', sources, first: 10, cursor: decodeCursor(page.endCursor!, 'backup') });
    expect(rest.items.map((i) => i.node.nativeId)).toEqual(['flaky-0', 'flaky-1', 'ok-2', 'ok-3']);
    expect(rest.failures).toEqual([]);
  });

  it('encodes an edge cursor only when it is read', async () => {
    const items = itemsOf('a', { minutes: [1, 2, 3], maxPage: 5, failedEvery: 1 }, NEWEST_FIRST);
    const page = await paginate<BackupModel>({ kind: 'backup', sources: [{ providerId: 'a', filter: {}, list: listOver(items, 5) }], first: 3, cursor: null });
    for (const item of page.items) expect(typeof Object.getOwnPropertyDescriptor(item, 'cursor')?.get).toBe('function');
    const c = page.items[0].cursor;
    expect(page.items[0].cursor).toBe(c);
    expect(decodeCursor(c, 'backup').positions).toEqual({ a: { after: null, skip: 1 } });
  });

  it('writes a non-default order into the cursor, so a cursor of one order is refused in another', async () => {
    const items = itemsOf('a', { minutes: [1, 2], maxPage: 5, failedEvery: 1 }, OLDEST_FIRST);
    const page = await paginate<BackupModel>({ kind: 'backup', sources: [{ providerId: 'a', filter: {}, list: listOver(items, 5) }], first: 1, cursor: null, order: OLDEST_FIRST });
    expect(decodeCursor(page.endCursor!, 'backup', 'CREATED_AT_ASC').order).toBe('CREATED_AT_ASC');
    expect(() => decodeCursor(page.endCursor!, 'backup', null)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { field: 'after' } }));
  });
});

describe('positions inside a page', () => {
  /** Records one a minute from minute 500 down; reads `limit` records (at most 25) from the offset, answers the items among them, reads on while it found none. */
  function sparseList(isItem: readonly boolean[]) {
    const records = itemsOf('p', { minutes: isItem.map((_, i) => 500 - i), maxPage: 1, failedEvery: 1 }, NEWEST_FIRST);
    const list = async (req: PageRequest): Promise<Page<BackupModel>> => {
      let at = req.after === null ? 0 : Number(req.after);
      for (;;) {
        const end = Math.min(records.length, at + Math.min(25, req.limit));
        const items = records.slice(at, end).filter((_, i) => isItem[at + i]);
        if (items.length > 0 || end >= records.length) return { items, next: end < records.length ? String(end) : null, total: null };
        at = end;
      }
    };
    return { list, items: records.filter((_, i) => isItem[i]) };
  }
  const other = itemsOf('q', { minutes: Array.from({ length: 30 }, (_, i) => 510 - 4 * i), maxPage: 7, failedEvery: 1 }, NEWEST_FIRST);

  it.each([
    ['every other record an item, pages of 20 and 1', Array.from({ length: 60 }, (_, i) => i % 2 === 0), [20, 1]],
    ['one record in three, pages of 33, 2 and 5', Array.from({ length: 90 }, (_, i) => i % 3 === 1), [33, 2, 5]],
  ] as const)('stay exact for a list whose limit counts upstream records, not items, like Norcube\'s files (%s)', async (_name, isItem, firsts) => {
    const p = sparseList(isItem);
    const sources = [{ providerId: 'p', filter: {}, list: p.list }, { providerId: 'q', filter: {}, list: listOver(other, 7) }];
    const { items } = await walkGateway(sources, [...firsts], NEWEST_FIRST);
    expect(items).toEqual(expectedMerge([p.items, other], NEWEST_FIRST, {}));
  });

  it('stay exact for such a list whatever the records and `first` per page', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 120 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        async (isItem, firsts) => {
          const p = sparseList(isItem);
          const sources = [{ providerId: 'p', filter: {}, list: p.list }, { providerId: 'q', filter: {}, list: listOver(other, 7) }];
          const { items } = await walkGateway(sources, firsts, NEWEST_FIRST);
          expect(items).toEqual(expectedMerge([p.items, other], NEWEST_FIRST, {}));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('mergedPage: one adapter list made of several upstream lists', () => {
  const segmentsOf = (streams: BackupModel[][], maxPages: number[], calls = { n: 0 }): Segment<BackupModel>[] =>
    streams.map((items, s) => ({ key: `s${s}`, list: listOver(items, maxPages[s], calls) }));
  const drain = (segments: Segment<BackupModel>[], limits: number[], filter: ListFilter = {}) => {
    let n = 0;
    return collectPages((after: string | null) => mergedPage('backup', segments, { after, limit: limits[n++ % limits.length], filter }, orderingOf(NEWEST_FIRST)), { maxPages: 2000 });
  };

  it('pages the segments in one merged order, each item once, the resume token holding every segment', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(streamSpec, { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 4 }), async (specs, limits) => {
        const streams = specs.map((spec, s) => itemsOf(`s${s}`, spec, NEWEST_FIRST));
        const { items, pages } = await drain(segmentsOf(streams, specs.map((x) => x.maxPage)), limits);
        expect(items.map((m) => m.nativeId)).toEqual(expectedMerge(streams, NEWEST_FIRST, {}));
        pages.forEach((p, i) => expect(p.items.length).toBeLessThanOrEqual(limits[i % limits.length]));
        if (pages.length > 0) expect(pages[0].total).toBe(streams.flat().length);
      }),
      { numRuns: 80 },
    );
  });

  it('answers the same sequence whatever the limit: a page is a prefix of a larger one from the same token', async () => {
    const streams = [itemsOf('s0', { minutes: [9, 7, 7, 3, 1], maxPage: 2, failedEvery: 1 }, NEWEST_FIRST), itemsOf('s1', { minutes: [8, 7, 2], maxPage: 1, failedEvery: 1 }, NEWEST_FIRST)];
    const segments = segmentsOf(streams, [2, 1]);
    const first = await mergedPage('backup', segments, { after: null, limit: 2, filter: {} }, orderingOf(NEWEST_FIRST));
    const small = await mergedPage('backup', segments, { after: first.next, limit: 2, filter: {} }, orderingOf(NEWEST_FIRST));
    const large = await mergedPage('backup', segments, { after: first.next, limit: 5, filter: {} }, orderingOf(NEWEST_FIRST));
    expect(large.items.slice(0, 2)).toEqual(small.items);
    expect([...first.items, ...large.items].map((m) => m.nativeId)).toEqual(['s0-0', 's1-0', 's0-1', 's0-2', 's1-1', 's0-3', 's1-2']);
  });

  it('refuses a token of another list, or one it did not issue, as BAD_USER_INPUT on `after`', async () => {
    const segments = segmentsOf([itemsOf('s0', { minutes: [1, 2, 3], maxPage: 1, failedEvery: 1 }, NEWEST_FIRST)], [1]);
    const page = await mergedPage('backup', segments, { after: null, limit: 1, filter: {} }, orderingOf(NEWEST_FIRST));
    expect(decodeSegmentToken('backup', page.next)).toEqual({ s0: { after: '1', skip: 0 } });
    for (const after of [page.next!, 'not a token!', '%%%', '-1', Buffer.from('{"l":"job","p":{"s0":[1,2]}}').toString('base64url')]) {
      const e = await mergedPage('job', segments, { after, limit: 1, filter: {} }, orderingOf(NEWEST_FIRST)).catch((x) => x);
      expect(e).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'after' } });
    }
  });

  it('fails the page when a segment fails (an adapter page is all or nothing)', async () => {
    const segments: Segment<BackupModel>[] = [
      { key: 'ok', list: listOver(itemsOf('ok', { minutes: [1], maxPage: 5, failedEvery: 1 }, NEWEST_FIRST), 5) },
      { key: 'down', list: listOver([], 5, { n: 0 }, () => true) },
    ];
    await expect(mergedPage('backup', segments, { after: null, limit: 5, filter: {} }, orderingOf(NEWEST_FIRST))).rejects.toThrow('boom');
  });

  it('reads each segment once per page in parallel, asking only the limit', async () => {
    const calls = { n: 0 };
    const streams = [0, 1, 2].map((s) => itemsOf(`s${s}`, { minutes: Array.from({ length: 30 }, (_, i) => i), maxPage: 100, failedEvery: 1 }, NEWEST_FIRST));
    const page = await mergedPage('backup', segmentsOf(streams, [100, 100, 100], calls), { after: null, limit: 10, filter: {} }, orderingOf(NEWEST_FIRST));
    expect(page.items).toHaveLength(10);
    expect(calls.n).toBe(3);
  });
});

describe('a caller limited to several organizations of one provider', () => {
  it('sees their lists merged newest first, each item once (not one organization after the other)', async () => {
    const orgs = ['o1', 'o2', 'o3'];
    const byOrg = new Map(orgs.map((o, k) => [o, itemsOf(o, { minutes: Array.from({ length: 9 }, (_, i) => i * 3 + k), maxPage: 4, failedEvery: 1 }, NEWEST_FIRST)
      .map((m) => ({ ...m, organizationNativeId: o }))]));
    // The provider's list, filtered upstream by organization (as the scope pushes it down).
    const list = async (req: PageRequest): Promise<Page<BackupModel>> => listOver(byOrg.get(req.filter.organizationId!) ?? [], 4)(req);
    const scoped = scopedList('backup', (req) => list(req), orgs);
    const { items } = await collectPages((after: string | null) => scoped({ after, limit: 5, filter: {} }, { requestId: 't' }), { maxPages: 100 });
    expect(items.map((m) => m.nativeId)).toEqual(expectedMerge(orgs.map((o) => byOrg.get(o)!), NEWEST_FIRST, {}));
  });
});
