/**
 * Upstream-level test helpers: a request context, an adapter's list as the paginator's source, and
 * the two walks tests make to the end of a list: through one adapter's list (page protocol) and
 * through the gateway's paginator (cursors).
 */
import { decodeCursor } from '../../src/domain/cursor.ts';
import type { EntityKind, EntityModel, ModelOf } from '../../src/domain/models.ts';
import { paginate, type FederatedPage, type PaginationSource } from '../../src/domain/pagination.ts';
import type { ListFilter, Page, ProviderAdapter, RequestContext } from '../../src/providers/contract/index.ts';
import { collectPages } from './tsimulator.ts';

/** A fresh request context (its own per-request sessions in every layer). */
export const tctx = (requestId = 't'): RequestContext => ({ requestId });

/** `adapter`'s list of `kind` as a pagination source bound to `ctx`. */
export function sourceOf<K extends EntityKind>(adapter: ProviderAdapter, kind: K, filter: ListFilter, ctx: RequestContext): PaginationSource<ModelOf[K]> {
  const list = adapter.lists[kind];
  return { providerId: adapter.ref.id, filter, list: list && ((req) => list(req, ctx)) };
}

/** Options of {@link drain}. */
export interface DrainOptions {
  limit: number;
  /** @default {} */
  filter?: ListFilter;
  /** The context of each page: a new one per page is a new request per page, as the gateway does. @default tctx */
  ctx?: () => RequestContext;
  /** @default 500 */
  maxPages?: number;
}

/**
 * Pages `adapter`'s list of `kind` from the start until `next` is null (throws past `maxPages`),
 * answering every item in order and every page as answered, for the caller to check.
 */
export function drain<K extends EntityKind>(adapter: ProviderAdapter, kind: K, { limit, filter = {}, ctx = () => tctx(), maxPages = 500 }: DrainOptions) {
  const list = adapter.lists[kind];
  if (!list) throw new Error(`${adapter.ref.id} has no ${kind} list`);
  return collectPages<Page<ModelOf[K]>>((after) => list({ after, limit, filter }, ctx()), { maxPages, what: `${adapter.ref.id} ${kind} list` });
}

/**
 * Pages the gateway's paginator over `sources` from the start until it has no next page (throws
 * past 500 pages), resuming from each page's end cursor. `sources` and `first` may change per page
 * (a function gets the page index); answers the nodes in order and every page.
 */
export async function paginateAll<T extends EntityModel>(
  kind: EntityKind,
  sources: PaginationSource<T>[] | (() => PaginationSource<T>[]),
  first: number | ((page: number) => number),
) {
  const pages: FederatedPage<T>[] = [];
  const { items } = await collectPages(async (after: string | null) => {
    const page = await paginate<T>({
      kind,
      sources: typeof sources === 'function' ? sources() : sources,
      first: typeof first === 'function' ? first(pages.length) : first,
      cursor: after === null ? null : decodeCursor(after, kind),
    });
    pages.push(page);
    if (page.hasNextPage && page.endCursor === null) throw new Error('a page with a next page has no end cursor');
    return { items: page.items.map((i) => i.node), next: page.hasNextPage ? page.endCursor : null };
  }, { maxPages: 500, what: `${kind} paginator` });
  return { items, pages };
}
