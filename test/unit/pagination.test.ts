import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCursor } from '../../src/domain/cursor.ts';
import type { BackupModel } from '../../src/domain/models.ts';
import { paginate, type PaginationSource } from '../../src/domain/pagination.ts';
import type { Page, PageRequest, ProviderAdapter } from '../../src/providers/contract/index.ts';
import { paginateAll, sourceOf, tctx } from '../utils/tupstream.ts';

/** An in-memory provider whose list pages like a cursor API with a page-size cap. */
function listProvider(id: string, size: number, maxPage: number, calls: { n: number }, failing = false): ProviderAdapter {
  const items: BackupModel[] = Array.from({ length: size }, (_, i) => ({
    typename: 'TestBackup', provider: { id, kind: 'ocore', name: id }, nativeId: `${id}-${i}`,
    name: null, status: i % 3 === 0 ? 'FAILED' : 'AVAILABLE', providerStatus: null, organizationNativeId: null,
    resourceNativeId: null, sizeBytes: null, createdAt: null, completedAt: null,
  }));
  return {
    ref: { id, kind: 'ocore', name: id },
    lookups: {},
    health: async () => ({ status: 'UP', latencyMs: 0, message: null }),
    close: async () => {},
    lists: {
      backup: async (req: PageRequest): Promise<Page<BackupModel>> => {
        calls.n++;
        if (failing) throw new Error('boom');
        const start = req.after === null ? 0 : Number(req.after);
        const end = Math.min(size, start + Math.min(req.limit, maxPage));
        return { items: items.slice(start, end), next: end < size ? String(end) : null, total: size };
      },
    },
  };
}


/** Every node id of a walk to the end, with page sizes cycling through `firsts` (`kind` backup: merged newest first; schedule: no order). */
const pageAll = async (sources: PaginationSource<BackupModel>[], firsts: number[], kind: 'backup' | 'schedule' = 'backup') =>
  (await paginateAll(kind, sources, (i) => firsts[i % firsts.length])).items.map((x) => x.nativeId);

/** A page of a list without an order (the fair share, grouped by provider). */
const unordered = (sources: PaginationSource<BackupModel>[], first: number, cursor: string | null = null) =>
  paginate<BackupModel>({ kind: 'backup', sources, first, cursor: cursor === null ? null : decodeCursor(cursor, 'backup'), order: null });

describe('paginate', () => {
  it.each(['backup', 'schedule'] as const)('returns every item exactly once, whatever the page sizes, provider sizes and filter (%s: merged / no order)', async (kind) => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ size: fc.integer({ min: 0, max: 60 }), maxPage: fc.integer({ min: 1, max: 25 }) }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (providers, firsts, onlyFailed) => {
          const filter = onlyFailed ? { status: ['FAILED' as const] } : {};
          const sources = providers.map((p, i) => (sourceOf(listProvider(`p${i}`, p.size, p.maxPage, { n: 0 }), 'backup', filter, tctx())));
          const seen = await pageAll(sources, firsts, kind);
          const expected = providers.flatMap((p, i) =>
            Array.from({ length: p.size }, (_, j) => j).filter((j) => !onlyFailed || j % 3 === 0).map((j) => `p${i}-${j}`),
          );
          expect(new Set(seen).size).toBe(seen.length);
          expect([...seen].sort()).toEqual([...expected].sort());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('without an order, draws a fair share from every provider and groups the page by provider in config order', async () => {
    const sources = ['a', 'b', 'c'].map((id) => sourceOf(listProvider(id, 50, 50, { n: 0 }), 'backup', {}, tctx()));
    const page = await unordered(sources, 7);
    expect(page.items.map((i) => i.node.nativeId)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'c-0', 'c-1']);
    expect(Object.fromEntries(page.totals)).toEqual({ a: 50, b: 50, c: 50 });
  });

  it('without an order, hands the share of a provider that runs out to the others', async () => {
    const sources = [listProvider('a', 1, 10, { n: 0 }), listProvider('b', 20, 10, { n: 0 })].map((adapter) => sourceOf(adapter, 'backup', {}, tctx()));
    const page = await unordered(sources, 6);
    expect(page.items.map((i) => i.node.nativeId)).toEqual(['a-0', 'b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    expect(page.hasNextPage).toBe(true);
  });

  it('without an order, resumes exactly after any edge cursor', async () => {
    const sources = ['a', 'b'].map((id) => sourceOf(listProvider(id, 10, 4, { n: 0 }), 'backup', {}, tctx()));
    const page = await unordered(sources, 6);
    // Resume after the 2nd edge (a-1): a-2 comes next, b starts over (nothing of b was passed).
    const next = await unordered(sources, 4, page.items[1].cursor);
    expect(next.items.map((i) => i.node.nativeId)).toEqual(['a-2', 'a-3', 'b-0', 'b-1']);
  });

  it('in the merged order, resumes exactly after any edge cursor (items without a time: provider order, then each provider\'s)', async () => {
    const sources = ['a', 'b'].map((id) => sourceOf(listProvider(id, 3, 2, { n: 0 }), 'backup', {}, tctx()));
    const page = await paginate<BackupModel>({ kind: 'backup', sources, first: 4, cursor: null });
    expect(page.items.map((i) => i.node.nativeId)).toEqual(['a-0', 'a-1', 'a-2', 'b-0']);
    const next = await paginate<BackupModel>({ kind: 'backup', sources, first: 4, cursor: decodeCursor(page.items[1].cursor, 'backup') });
    expect(next.items.map((i) => i.node.nativeId)).toEqual(['a-2', 'b-0', 'b-1', 'b-2']);
  });

  it('reports a failing provider and keeps the others', async () => {
    const sources = [listProvider('ok', 5, 5, { n: 0 }), listProvider('down', 5, 5, { n: 0 }, true)].map((adapter) => sourceOf(adapter, 'backup', {}, tctx()));
    const page = await paginate<BackupModel>({ kind: 'backup', sources, first: 10, cursor: null });
    expect(page.items.map((i) => i.node.nativeId)).toEqual(['ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4']);
    expect(page.failures.map((f) => f.providerId)).toEqual(['down']);
    expect(page.hasNextPage).toBe(false);
  });

  it('asks upstream once per needed page, not once per item', async () => {
    const calls = { n: 0 };
    const sources = [sourceOf(listProvider('a', 100, 25, calls), 'backup', {}, tctx())];
    await paginate<BackupModel>({ kind: 'backup', sources, first: 100, cursor: null });
    expect(calls.n).toBe(4);
  });
});
