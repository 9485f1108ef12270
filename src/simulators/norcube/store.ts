/**
 * Ordering and keyset paging for the Norcube simulator's collections: every cursor-paged list is
 * newest first by (createdAt, id), and its cursor is base64 of `{"createdAt","id"}` of the last
 * item served (the spec's example cursor `eyJpZCI6InUuLi4ifQ==` is base64 JSON too). Keyset
 * cursors stay valid while new items arrive at the top or old ones are deleted.
 */
import { decodeJsonCursor, encodeJsonCursor, firstIndex } from '../kit/index.ts';

/** Position of an item in a newest-first list. */
export interface NorcubeSortKey {
  /** Epoch milliseconds. */
  t: number;
  id: string;
}

/** Go-style RFC 3339 (`2026-11-20T12:00:00Z`, fractional seconds only when non-zero). */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Strict RFC 3339 timestamp parse; null when `raw` is not one. */
export function parseRfc3339(raw: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(raw)) return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : ms;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string (the ids the service parses with uuid.Parse). */
export function isUuid(raw: unknown): raw is string {
  return typeof raw === 'string' && UUID_RE.test(raw);
}

/** -1 when `a` comes before `b` in newest-first order, 1 after, 0 same. */
export function compareDesc(a: NorcubeSortKey, b: NorcubeSortKey): number {
  if (a.t !== b.t) return a.t > b.t ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id > b.id ? -1 : 1;
}

/** The list cursor codec (base64 of `{"createdAt": RFC 3339, "id": uuid}`). */
export const norcubeCursor = {
  encode(key: NorcubeSortKey): string {
    return encodeJsonCursor({ createdAt: iso(key.t), id: key.id }, 'base64');
  },
  /** Null when `raw` is not a cursor this service issued. */
  decode(raw: string): NorcubeSortKey | null {
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) return null;
    const v = decodeJsonCursor(raw, 'base64') as { createdAt?: unknown; id?: unknown } | null | undefined;
    if (!v || typeof v.createdAt !== 'string' || !isUuid(v.id)) return null;
    const t = parseRfc3339(v.createdAt);
    return t === null ? null : { t, id: v.id };
  },
};

/** A collection kept sorted newest first by its key, with binary-search inserts and keyset pages. */
export class NewestFirst<T> {
  readonly items: T[] = [];
  constructor(readonly keyOf: (item: T) => NorcubeSortKey) {}

  /** Index of the first item strictly after `key` in newest-first order. */
  indexAfter(key: NorcubeSortKey): number {
    return indexAfter(this.items, this.keyOf, key);
  }

  /** Inserts `item` before the first item that is not newer than it. */
  insert(item: T): void {
    const key = this.keyOf(item);
    this.items.splice(firstIndex(this.items.length, (i) => compareDesc(this.keyOf(this.items[i]), key) >= 0), 0, item);
  }

  /** Bulk load then sort once (seeding). */
  load(items: T[]): void {
    const all = this.items.concat(items);
    const keys = all.map((item) => this.keyOf(item));
    let sorted = true;
    for (let i = 1; i < keys.length && sorted; i++) sorted = compareDesc(keys[i - 1], keys[i]) <= 0;
    this.items.length = 0;
    if (sorted) {
      for (const item of all) this.items.push(item);
      return;
    }
    const order = keys.map((_, i) => i);
    order.sort((x, y) => keys[y].t - keys[x].t || (keys[x].id === keys[y].id ? 0 : keys[x].id > keys[y].id ? -1 : 1));
    for (const i of order) this.items.push(all[i]);
  }

  remove(pred: (item: T) => boolean): number {
    let removed = 0;
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (pred(this.items[i])) {
        this.items.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  /** Up to `limit` items after `cursor` that pass `keep`, and the key of the last one when more follow. */
  page(cursor: NorcubeSortKey | null, limit: number, keep?: (item: T) => boolean): { items: T[]; next: NorcubeSortKey | null } {
    return pageSorted(this.items, this.keyOf, cursor, limit, keep);
  }
}

/** Index of the first item of `sorted` (newest first) strictly after `key`. */
function indexAfter<T>(sorted: readonly T[], keyOf: (item: T) => NorcubeSortKey, key: NorcubeSortKey): number {
  return firstIndex(sorted.length, (i) => compareDesc(keyOf(sorted[i]), key) > 0);
}

/** Keyset page over an array already sorted newest first. */
export function pageSorted<T>(
  sorted: readonly T[],
  keyOf: (item: T) => NorcubeSortKey,
  cursor: NorcubeSortKey | null,
  limit: number,
  keep?: (item: T) => boolean,
): { items: T[]; next: NorcubeSortKey | null } {
  let i = cursor ? indexAfter(sorted, keyOf, cursor) : 0;
  const out: T[] = [];
  let more = false;
  for (; i < sorted.length; i++) {
    const item = sorted[i];
    if (keep && !keep(item)) continue;
    if (out.length === limit) {
      more = true;
      break;
    }
    out.push(item);
  }
  return { items: out, next: more && out.length > 0 ? keyOf(out[out.length - 1]) : null };
}

/**
 * The keyset page {@link pageSorted} would give over `lists` merged (each sorted newest first, no
 * item in two of them), without merging them: each list is entered after `cursor` by binary
 * search and only the page's items are taken from their heads.
 */
export function pageMerged<T>(
  lists: ReadonlyArray<readonly T[]>,
  keyOf: (item: T) => NorcubeSortKey,
  cursor: NorcubeSortKey | null,
  limit: number,
): { items: T[]; next: NorcubeSortKey | null } {
  const heads = lists.map((list) => (cursor ? indexAfter(list, keyOf, cursor) : 0));
  // The key of each list's head (null once it is used up): only the list a step takes from moves.
  const keyAt = (k: number) => (heads[k] < lists[k].length ? keyOf(lists[k][heads[k]]) : null);
  const headKeys = lists.map((_, k) => keyAt(k));
  const out: T[] = [];
  for (;;) {
    let best = -1;
    for (let k = 0; k < lists.length; k++) {
      const key = headKeys[k];
      if (key !== null && (best < 0 || compareDesc(key, headKeys[best]!) < 0)) best = k;
    }
    if (best < 0) return { items: out, next: null };
    if (out.length === limit) return { items: out, next: out.length > 0 ? keyOf(out[out.length - 1]) : null };
    out.push(lists[best][heads[best]++]);
    headKeys[best] = keyAt(best);
  }
}
