/**
 * A bounded read of one provider's whole list for a count: pages of
 * {@link WALK_PAGE_SIZE} in the provider's own order, each item checked against the filter in memory
 * (what the adapter could not push down), at most `maxPages` pages.
 */
import { matchesFilter } from '../domain/filter.ts';
import type { EntityModel } from '../domain/models.ts';
import type { ListFilter, Page, PageRequest } from '../domain/page.ts';

/** Items asked per upstream page of a walk. */
export const WALK_PAGE_SIZE = 100;

/** What a walk read: the matching items, whether it reached the end, and the failure that stopped it (null when none). */
export interface Walked<T> {
  items: T[];
  complete: boolean;
  error: unknown;
}

/** Reads `list` from the start with `filter`, up to `maxPages` pages; a failure ends the walk (its items so far are kept). */
export async function walkList<T extends EntityModel>(list: (req: PageRequest) => Promise<Page<T>>, filter: ListFilter, maxPages: number): Promise<Walked<T>> {
  const items: T[] = [];
  let after: string | null = null;
  try {
    for (let pages = 0; pages < maxPages; pages++) {
      const page: Page<T> = await list({ after, limit: WALK_PAGE_SIZE, filter });
      for (const item of page.items) if (matchesFilter(item, filter)) items.push(item);
      if (page.next === null || page.items.length === 0) return { items, complete: true, error: null };
      after = page.next;
    }
    return { items, complete: false, error: null };
  } catch (e) {
    return { items, complete: false, error: e };
  }
}
