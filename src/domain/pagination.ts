/**
 * One page of a cross-provider list (documented in the README, "Pagination").
 *
 * Lists in an order (time-stamped lists by default: newest first; any list given an `orderBy`)
 * are ONE merged order across providers: the k-way merge of `merge.ts` over each provider's own
 * stream in that order; ties go to the provider first in config order.
 *
 * Lists without an order (organizations, resources, schedules by default) draw a fair share of
 * `first` from every selected provider still having items (config order breaks ties), ask them in
 * parallel, and list the items grouped by provider in config order, each in its own order. A
 * provider that runs out hands its share to the others.
 *
 * Either way the cursor records each provider's exact position, so paging to the end returns every
 * item exactly once, whatever `first` is on each page; an item's cursor is encoded only when read.
 */
import { encodeCursor, type ListCursor, type ProviderPosition } from './cursor.ts';
import { START, mergeStreams } from './merge.ts';
import { DEFAULT_ORDERS, isDefaultOrder, orderKey, orderingOf, type ListOrder } from './merge-order.ts';
import { take } from './merge-take.ts';
import type { EntityKind, EntityModel } from './models.ts';
import type { ListFilter, ListPage } from './page.ts';

export { FILTERING_PAGE_SIZE, MAX_UPSTREAM_PAGES_PER_PAGE } from './merge-take.ts';

/** Largest `first` any list accepts. */
export const MAX_PAGE_SIZE = 100;

/** One selected provider: its config id, its list of this kind (absent when it has none) and its translated filter. */
export interface PaginationSource<T = EntityModel> {
  providerId: string;
  list: ListPage<T> | undefined;
  filter: ListFilter;
}

/** An item of a page with the cursor that resumes right after it (encoded on first read). */
export interface PagedItem<T> {
  readonly node: T;
  readonly cursor: string;
}

/** A failure of one provider while building the page. */
export interface ProviderFailure {
  providerId: string;
  error: unknown;
}

/** One gateway page. */
export interface FederatedPage<T> {
  items: PagedItem<T>[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** Totals reported by providers fetched from the start in this page (providerId -> total|null). */
  totals: Map<string, number | null>;
  failures: ProviderFailure[];
}

/** An item whose cursor is encoded the first time it is read (a `nodes`-only query never encodes one). */
function pagedItem<T>(node: T, cursorOf: () => string): PagedItem<T> {
  let cursor: string | undefined;
  return {
    node,
    get cursor() {
      return (cursor ??= cursorOf());
    },
  };
}

/**
 * Builds one page of `kind` across `sources` in `order` (undefined: the kind's default order; null:
 * no order, the fair share). A provider that fails contributes a failure and no items; its
 * position stays put so a later page tries it again, and it does not keep `hasNextPage` true on
 * its own.
 */
export async function paginate<T extends EntityModel>(args: {
  kind: EntityKind;
  sources: PaginationSource<T>[];
  first: number;
  cursor: ListCursor | null;
  order?: ListOrder | null;
}): Promise<FederatedPage<T>> {
  const order = args.order === undefined ? DEFAULT_ORDERS[args.kind] : args.order;
  const cursorOrder = order && !isDefaultOrder(args.kind, order) ? orderKey(order) : undefined;
  const encode = (positions: Record<string, ProviderPosition>) => encodeCursor({ list: args.kind, ...(cursorOrder ? { order: cursorOrder } : {}), positions });
  return order ? mergedPageOf(args, order, encode) : fairSharePage(args, encode);
}

type Encode = (positions: Record<string, ProviderPosition>) => string;

/** The merged order: one k-way merge over the providers' streams. */
async function mergedPageOf<T extends EntityModel>(
  args: { sources: PaginationSource<T>[]; first: number; cursor: ListCursor | null },
  order: ListOrder,
  encode: Encode,
): Promise<FederatedPage<T>> {
  const { sources, first } = args;
  const start: Record<string, ProviderPosition> = { ...(args.cursor?.positions ?? {}) };
  const out = await mergeStreams(
    sources.map((s) => ({ list: s.list, filter: s.filter, pos: s.list ? start[s.providerId] ?? START : 'done' })),
    first,
    orderingOf(order),
  );
  const positionsOf = (ps: ProviderPosition[]) => {
    const positions = { ...start };
    sources.forEach((s, i) => (positions[s.providerId] = ps[i]));
    return positions;
  };
  const totals = new Map<string, number | null>();
  out.totals.forEach((t, i) => {
    if (t !== undefined) totals.set(sources[i].providerId, t);
  });
  return {
    items: out.items.map((x, i) => pagedItem(x.node, () => encode(positionsOf(out.positionsAfter(i))))),
    hasNextPage: out.hasNext,
    endCursor: out.items.length > 0 || out.hasNext ? encode(positionsOf(out.end)) : null,
    totals,
    failures: out.failures.map((f) => ({ providerId: sources[f.stream].providerId, error: f.error })),
  };
}

/** No order: a fair share of `first` from every provider, grouped by provider in config order. */
async function fairSharePage<T extends EntityModel>(
  args: { sources: PaginationSource<T>[]; first: number; cursor: ListCursor | null },
  encode: Encode,
): Promise<FederatedPage<T>> {
  const { sources, first } = args;
  const start: Record<string, ProviderPosition> = { ...(args.cursor?.positions ?? {}) };
  const listed = sources.filter((s) => s.list);
  for (const s of sources) if (!s.list) start[s.providerId] = 'done';
  const pos = (id: string): ProviderPosition => start[id] ?? START;

  const state = new Map(listed.map((s) => [s.providerId, { pos: pos(s.providerId), nodes: [] as T[], after: [] as ProviderPosition[], failed: null as unknown }]));
  const totals = new Map<string, number | null>();
  let remaining = first;
  // Rounds: share what is still needed among providers that may still have items.
  for (let round = 0; remaining > 0 && round < 8; round++) {
    const open = listed.filter((s) => {
      const st = state.get(s.providerId)!;
      return st.pos !== 'done' && st.failed === null;
    });
    if (open.length === 0) break;
    const base = Math.floor(remaining / open.length);
    const extra = remaining % open.length;
    const shares = open.map((_, i) => base + (i < extra ? 1 : 0));
    const results = await Promise.allSettled(open.map((s, i) => take<T>(s.list!, s.filter, state.get(s.providerId)!.pos, shares[i])));
    let progressed = false;
    results.forEach((r, i) => {
      const id = open[i].providerId;
      const st = state.get(id)!;
      if (r.status === 'rejected') {
        st.failed = r.reason;
        return;
      }
      if (r.value.total !== undefined) totals.set(id, r.value.total);
      st.nodes.push(...r.value.nodes);
      st.after.push(...r.value.after);
      st.pos = r.value.end;
      remaining -= r.value.nodes.length;
      if (r.value.nodes.length > 0) progressed = true;
    });
    if (!progressed) break;
  }

  const items: PagedItem<T>[] = [];
  const endPositions: Record<string, ProviderPosition> = { ...start };
  for (const s of listed) endPositions[s.providerId] = state.get(s.providerId)!.pos;
  const running: Record<string, ProviderPosition> = { ...start };
  for (const s of listed) {
    const id = s.providerId;
    const st = state.get(id)!;
    st.nodes.forEach((node, j) => {
      running[id] = st.after[j];
      const positions = { ...running };
      items.push(pagedItem(node, () => encode(positions)));
    });
    running[id] = st.pos;
  }
  const failures: ProviderFailure[] = [];
  for (const s of listed) {
    const st = state.get(s.providerId)!;
    if (st.failed !== null) failures.push({ providerId: s.providerId, error: st.failed });
  }
  // first = 0: say whether anything is left without reading it.
  const hasNextPage = listed.some((s) => {
    const st = state.get(s.providerId)!;
    return st.pos !== 'done' && st.failed === null;
  });
  return {
    items,
    hasNextPage,
    endCursor: items.length > 0 || hasNextPage ? encode(endPositions) : null,
    totals,
    failures,
  };
}
