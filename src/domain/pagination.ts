/**
 * One page of a cross-provider list.
 *
 * Order (documented in the README): each page draws a fair share of `first` from every selected
 * provider still having items (config order breaks ties), asks them in parallel, and lists the
 * items grouped by provider in config order, each provider in its own order. A provider that runs
 * out hands its share to the others. The cursor records each provider's exact position, so paging
 * to the end returns every item exactly once, whatever `first` is on each page.
 */
import { encodeCursor, type ListCursor, type ProviderPosition } from './cursor.ts';
import { matchesFilter } from './filter.ts';
import type { EntityKind, EntityModel } from './models.ts';
import type { ListFilter, ListPage } from './page.ts';

/** Largest `first` any list accepts. */
export const MAX_PAGE_SIZE = 100;
/** Upstream pages one provider may read for one gateway page before handing back a cursor. */
export const MAX_UPSTREAM_PAGES_PER_PAGE = 20;
/** Page size asked upstream once items are being filtered in memory. */
export const FILTERING_PAGE_SIZE = 100;

/** One selected provider: its config id, its list of this kind (absent when it has none) and its translated filter. */
export interface PaginationSource<T = EntityModel> {
  providerId: string;
  list: ListPage<T> | undefined;
  filter: ListFilter;
}

/** An item of a page with the cursor that resumes right after it. */
export interface PagedItem<T> {
  node: T;
  cursor: string;
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

interface Taken<T> {
  nodes: T[];
  /** Position after each taken node. */
  after: ProviderPosition[];
  end: ProviderPosition;
  total: number | null | undefined;
}

/** Reads up to `need` matching items of one provider from `pos`. */
async function take<T extends EntityModel>(
  list: ListPage<T>,
  filter: ListFilter,
  pos: ProviderPosition,
  need: number,
): Promise<Taken<T>> {
  const out: Taken<T> = { nodes: [], after: [], end: pos, total: undefined };
  if (pos === 'done' || need <= 0) return out;
  let { after, skip } = pos;
  // Ask for exactly what is needed; once the in-memory filter has rejected items (a filter the
  // provider could not apply), ask for larger pages: positions stay exact either way.
  let filtering = false;
  for (let pages = 0; pages < MAX_UPSTREAM_PAGES_PER_PAGE && out.nodes.length < need; pages++) {
    const want = filtering ? Math.max(need - out.nodes.length, FILTERING_PAGE_SIZE) : need - out.nodes.length;
    const page = await list({ after, limit: skip + want, filter });
    if (after === null && skip === 0 && out.total === undefined) out.total = page.total;
    const n = page.items.length;
    let j = skip;
    for (; j < n && out.nodes.length < need; j++) {
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

/**
 * Builds one page of `kind` across `sources`. A provider that fails contributes a failure and no
 * items; its position stays put so a later page tries it again, and it does not keep
 * `hasNextPage` true on its own.
 */
export async function paginate<T extends EntityModel>(args: {
  kind: EntityKind;
  sources: PaginationSource<T>[];
  first: number;
  cursor: ListCursor | null;
}): Promise<FederatedPage<T>> {
  const { kind, sources, first } = args;
  const start: Record<string, ProviderPosition> = { ...(args.cursor?.positions ?? {}) };
  const listed = sources.filter((s) => s.list);
  for (const s of sources) if (!s.list) start[s.providerId] = 'done';
  const pos = (id: string): ProviderPosition => start[id] ?? { after: null, skip: 0 };

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
    const results = await Promise.allSettled(
      open.map((s, i) => take<T>(s.list!, s.filter, state.get(s.providerId)!.pos, shares[i])),
    );
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

  // first = 0: say whether anything is left without reading it.
  const items: PagedItem<T>[] = [];
  const endPositions: Record<string, ProviderPosition> = { ...start };
  for (const s of listed) endPositions[s.providerId] = state.get(s.providerId)!.pos;
  for (const s of sources) if (!s.list) endPositions[s.providerId] = 'done';
  const running: Record<string, ProviderPosition> = { ...start };
  for (const s of listed) {
    const id = s.providerId;
    const st = state.get(id)!;
    st.nodes.forEach((node, j) => {
      running[id] = st.after[j];
      items.push({ node, cursor: encodeCursor({ list: kind, positions: { ...running } }) });
    });
    running[id] = st.pos;
  }
  const failures: ProviderFailure[] = [];
  for (const s of listed) {
    const st = state.get(s.providerId)!;
    if (st.failed !== null) failures.push({ providerId: s.providerId, error: st.failed });
  }
  const hasNextPage = listed.some((s) => {
    const st = state.get(s.providerId)!;
    return st.pos !== 'done' && st.failed === null;
  });
  return {
    items,
    hasNextPage,
    endCursor: items.length > 0 || hasNextPage ? encodeCursor({ list: kind, positions: endPositions }) : null,
    totals,
    failures,
  };
}
