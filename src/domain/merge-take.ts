/**
 * Reading one stream (a provider's list, or one upstream list inside an adapter) from an exact
 * position: up to `need` items matching the filter, with the position after each one. Both ways of
 * building a page (the k-way merge and the fair share) read streams through this.
 */
import type { ProviderPosition } from './cursor.ts';
import { matchesFilter } from './filter.ts';
import type { EntityModel } from './models.ts';
import type { ListFilter, ListPage } from './page.ts';

/** Upstream pages one stream may read for one page before handing back a position. */
export const MAX_UPSTREAM_PAGES_PER_PAGE = 20;
/** Page size asked upstream once items are being filtered in memory. */
export const FILTERING_PAGE_SIZE = 100;

/** What one read of a stream gave. */
export interface Taken<T> {
  /** The matching items read, in the stream's order. */
  nodes: T[];
  /** The position right after each of `nodes`. */
  after: ProviderPosition[];
  /** The position after everything read (matching or not): where the stream resumes when every node is used. */
  end: ProviderPosition;
  /** The total the stream reported on its first page, when this read started there. */
  total: number | null | undefined;
  /** The last item read, matching or not: everything after `end` comes after it in the stream. */
  last: T | undefined;
}

/**
 * Reads up to `need` matching items of `list` from `pos`. Asks for exactly what is needed; once
 * the in-memory filter has rejected items (a filter the provider could not apply), asks for larger
 * pages. Stops at `need`, at the end of the stream, or after {@link MAX_UPSTREAM_PAGES_PER_PAGE}
 * upstream pages (then `nodes` may be short while `end` is not `done`).
 */
export async function take<T extends EntityModel>(list: ListPage<T>, filter: ListFilter, pos: ProviderPosition, need: number): Promise<Taken<T>> {
  const out: Taken<T> = { nodes: [], after: [], end: pos, total: undefined, last: undefined };
  if (pos === 'done' || need <= 0) return out;
  let { after, skip } = pos;
  let filtering = false;
  for (let pages = 0; pages < MAX_UPSTREAM_PAGES_PER_PAGE && out.nodes.length < need; pages++) {
    const want = filtering ? Math.max(need - out.nodes.length, FILTERING_PAGE_SIZE) : need - out.nodes.length;
    let page = await list({ after, limit: skip + want, filter });
    // Shorter than the position's skip: the position was taken from a page asked larger (a list
    // whose limit counts upstream records, not items, such as Norcube's files). Ask larger again:
    // asked more from the same token, a list answers the same first items and at least as many.
    for (let grow = 2; page.items.length < skip && page.next !== null && grow <= 16; grow *= 2) {
      page = await list({ after, limit: (skip + want) * grow, filter });
    }
    if (after === null && skip === 0 && out.total === undefined) out.total = page.total;
    const n = page.items.length;
    let j = skip;
    for (; j < n && out.nodes.length < need; j++) {
      out.last = page.items[j];
      if (!matchesFilter(page.items[j], filter)) {
        filtering = true;
        continue;
      }
      out.nodes.push(page.items[j]);
      out.after.push(j + 1 < n ? { after, skip: j + 1 } : page.next === null ? 'done' : { after: page.next, skip: 0 });
    }
    if (j < n) {
      out.end = { after, skip: j };
      return out;
    }
    if (page.next === null || n === 0) {
      out.end = 'done';
      return out;
    }
    after = page.next;
    skip = 0;
    out.end = { after, skip: 0 };
  }
  return out;
}
