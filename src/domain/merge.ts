/**
 * The one k-way merge: several streams, each already in one order (a provider's list; or, inside an
 * adapter, one upstream list), read as ONE list in that order, with each stream's exact position
 * kept so that paging resumes right after the last item handed out.
 *
 * One page: read up to `first` matching items of every open stream in parallel (`take`), merge
 * them by the order (ties: the earlier stream, then the stream's own order), keep the first
 * `first`; each stream resumes right after the last of its items that was kept. Exact: the
 * `first` items that come first overall are among the first `first` of each stream. A stream that
 * stopped short (its upstream-page budget ran out before `first` matches) bounds the page: nothing
 * that could come after one of its unread items is kept. A stream that fails keeps its position.
 *
 * The gateway merges providers with it (`paginate`); adapters whose list is several upstream lists
 * merge those with {@link mergedPage}, behind one resume token holding every segment's position.
 */
import { z } from 'zod';
import type { ProviderPosition } from './cursor.ts';
import { badUserInput } from './errors.ts';
import type { Ordering } from './merge-order.ts';
import { take, type Taken } from './merge-take.ts';
import type { EntityModel } from './models.ts';
import type { ListFilter, ListPage, Page, PageRequest } from './page.ts';

/** Where a stream that was never read starts. */
export const START: ProviderPosition = Object.freeze({ after: null, skip: 0 }) as ProviderPosition;

/** One stream of a merge: its list (absent: it has none, so it is done), its filter and where it resumes. */
export interface MergeStream<T> {
  list: ListPage<T> | undefined;
  filter: ListFilter;
  pos: ProviderPosition;
}

/** An item of a merged page: the model and the index of the stream it came from. */
export interface MergedItem<T> {
  node: T;
  stream: number;
}

/** One merged page. */
export interface MergeOutcome<T> {
  /** The page, in the merged order. */
  items: MergedItem<T>[];
  /** Every stream's position right after `items[i]` (what an edge cursor resumes from). */
  positionsAfter(i: number): ProviderPosition[];
  /** Every stream's position after the page. */
  end: ProviderPosition[];
  /** Per stream, the total it reported when read from its start in this page (undefined when it was not). */
  totals: Array<number | null | undefined>;
  /** Streams that failed: they contributed nothing and keep their position. */
  failures: Array<{ stream: number; error: unknown }>;
  /** Whether some stream that did not fail may have more. */
  hasNext: boolean;
}

/** Merges one page of `first` items from `streams` in `ordering`. */
export async function mergeStreams<T extends EntityModel>(streams: readonly MergeStream<T>[], first: number, ordering: Ordering): Promise<MergeOutcome<T>> {
  const k = streams.length;
  const asked = streams.map((s) => s.list !== undefined && s.pos !== 'done' && first > 0);
  const settled = await Promise.allSettled(streams.map((s, i) => (asked[i] ? take(s.list!, s.filter, s.pos, first) : Promise.resolve(null))));
  const taken: Array<Taken<T> | null> = [];
  const failures: MergeOutcome<T>['failures'] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') taken.push(r.value);
    else {
      taken.push(null);
      failures.push({ stream: i, error: r.reason });
    }
  });
  const values = taken.map((t) => (t ? t.nodes.map((n) => ordering.value(n)) : []));
  // A stream that stopped short before its end may hold unread items: they come after its last read item, no sooner.
  const short = taken.map((t) => t !== null && t.end !== 'done' && t.nodes.length < first);
  const bound = taken.map((t, i) => (short[i] && t!.last !== undefined ? ordering.value(t!.last) : null));

  const head = new Array<number>(k).fill(0);
  const items: MergedItem<T>[] = [];
  const counts: number[][] = [];
  while (items.length < first) {
    let best = -1;
    for (let s = 0; s < k; s++) {
      if (head[s] >= values[s].length) continue;
      if (best < 0 || ordering.compare(values[s][head[s]], values[best][head[best]]) < 0) best = s;
    }
    if (best < 0) break;
    const v = values[best][head[best]];
    let blocked = false;
    for (let s = 0; s < k && !blocked; s++) {
      if (!short[s] || head[s] < values[s].length) continue;
      if (taken[s]!.last === undefined) blocked = true;
      else {
        const c = ordering.compare(v, bound[s]);
        blocked = c > 0 || (c === 0 && best > s);
      }
    }
    if (blocked) break;
    items.push({ node: taken[best]!.nodes[head[best]], stream: best });
    head[best]++;
    counts.push([...head]);
  }

  const positionAt = (s: number, used: number): ProviderPosition => {
    const t = taken[s];
    if (!t) return streams[s].list === undefined ? 'done' : streams[s].pos;
    if (used === 0) return t.nodes.length === 0 ? t.end : streams[s].pos;
    return t.after[used - 1];
  };
  const end = streams.map((_, s) => {
    const t = taken[s];
    return t && head[s] === t.nodes.length ? t.end : positionAt(s, head[s]);
  });
  const failed = new Set(failures.map((f) => f.stream));
  return {
    items,
    positionsAfter: (i) => counts[i].map((used, s) => positionAt(s, used)),
    end,
    totals: taken.map((t) => t?.total),
    failures,
    hasNext: end.some((p, s) => p !== 'done' && !failed.has(s) && streams[s].list !== undefined),
  };
}

// ---- adapter lists made of several upstream lists -------------------------------------------

/** One upstream list of an adapter's merged list: a stable key (kept in the resume token) and the list. */
export interface Segment<T> {
  key: string;
  list: ListPage<T>;
}

/**
 * A list held whole in memory (read at most once per request by `all`) as a segment: positions are
 * offsets into it, its total is its length (so `all` applies every filter it can).
 */
export function memorySegment<T>(key: string, all: () => Promise<readonly T[]>): Segment<T> {
  return {
    key,
    list: async (req) => {
      if (req.after !== null && !/^\d{1,9}$/.test(req.after)) throw badUserInput('malformed cursor', 'after');
      const items = await all();
      const offset = req.after === null ? 0 : Number(req.after);
      const end = Math.min(items.length, offset + Math.max(1, Math.floor(req.limit)));
      return { items: items.slice(offset, end), next: end < items.length ? String(end) : null, total: items.length };
    },
  };
}

/** How many times a merged page tries again rather than answer an empty page with a next token. */
const EMPTY_PAGE_RETRIES = 4;

const tokenSchema = z.object({
  l: z.string().max(32),
  p: z.record(z.string().max(64), z.union([z.literal(0), z.tuple([z.string().max(512).nullable(), z.number().int().min(0).max(1_000_000)])])),
}).strict();

/** Encodes the positions of a merged list `name` (segments at their start are left out). */
export function encodeSegmentToken(name: string, positions: Record<string, ProviderPosition>): string {
  const p: Record<string, 0 | [string | null, number]> = {};
  for (const key of Object.keys(positions).sort()) {
    const pos = positions[key];
    if (pos === 'done') p[key] = 0;
    else if (pos.after !== null || pos.skip !== 0) p[key] = [pos.after, pos.skip];
  }
  return Buffer.from(JSON.stringify({ l: name, p }), 'utf8').toString('base64url');
}

/** Decodes a resume token of merged list `name` (null: every segment at its start); anything else is BAD_USER_INPUT on `after`. */
export function decodeSegmentToken(name: string, raw: string | null): Record<string, ProviderPosition> {
  if (raw === null) return {};
  const fail = () => badUserInput('malformed cursor', 'after');
  if (raw.length > 6000 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw fail();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success || parsed.data.l !== name) throw fail();
  const out: Record<string, ProviderPosition> = {};
  for (const [k, v] of Object.entries(parsed.data.p)) out[k] = v === 0 ? 'done' : { after: v[0], skip: v[1] };
  return out;
}

/**
 * One page of an adapter list made of `segments`, each in `ordering`: the merge of the segments
 * (ties: the earlier segment), at most `req.limit` items, `next` holding every segment's position
 * (named `name`, so a token of another list is refused). A failing segment fails the page. The
 * total is the sum of the segments' totals when every one reported one from the start.
 */
export async function mergedPage<T extends EntityModel>(name: string, segments: readonly Segment<T>[], req: PageRequest, ordering: Ordering): Promise<Page<T>> {
  const positions = decodeSegmentToken(name, req.after);
  const limit = Math.max(1, Math.floor(req.limit));
  let total: number | null = null;
  for (let round = 0; ; round++) {
    const streams = segments.map((s): MergeStream<T> => ({ list: s.list, filter: req.filter, pos: positions[s.key] ?? START }));
    const out = await mergeStreams(streams, limit, ordering);
    if (out.failures.length > 0) throw out.failures[0].error;
    if (round === 0 && req.after === null) {
      total = out.totals.every((t): t is number => typeof t === 'number') ? out.totals.reduce((a, b) => a + b, 0) : null;
    }
    segments.forEach((s, i) => (positions[s.key] = out.end[i]));
    const next = out.hasNext ? encodeSegmentToken(name, positions) : null;
    if (out.items.length > 0 || next === null || round >= EMPTY_PAGE_RETRIES) {
      return { items: out.items.map((x) => x.node), next, total };
    }
  }
}
