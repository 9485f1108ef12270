/**
 * Paging and query-parameter parsing of the Bocada simulator: `pageSize` (1..200, default 50),
 * opaque cursors (offset cursors for small lists, keyset cursors for jobs so new jobs never shift
 * a page), and ISO-8601 date parameters. Every invalid value is a 400 `bad_request`.
 */
import {
  SimHttpError, decodeJsonCursor, encodeJsonCursor, firstIndex, intParam, simCursor, type SimRequest, type SimResponse,
} from '../kit/index.ts';
import type { BocadaPage } from './dto.ts';
import type { BocadaJobStore } from './jobs.ts';

/** Bocada's page size limits. */
export const BOCADA_SIM_PAGE = { min: 1, max: 200, default: 50 } as const;

const malformed = () => new SimHttpError(400, 'bad_request', 'cursor is malformed', { details: { parameter: 'cursor' } });

/** Reads `pageSize`: default 50, 400 outside 1..200. */
export function pageSizeOf(req: SimRequest): number {
  return intParam(req.query, 'pageSize', { min: BOCADA_SIM_PAGE.min, max: BOCADA_SIM_PAGE.max }) ?? BOCADA_SIM_PAGE.default;
}

function answer<T>(data: T[], pageSize: number, nextCursor: string | undefined): SimResponse {
  const body: BocadaPage<T> = { data, pagination: { pageSize, ...(nextCursor ? { nextCursor } : {}) } };
  return { status: 200, body };
}

/** One page of a small list with an opaque offset cursor. */
export function offsetPage<T>(items: readonly T[], req: SimRequest): SimResponse {
  const pageSize = pageSizeOf(req);
  const raw = req.query.get('cursor');
  const offset = raw === null ? 0 : simCursor.decode(raw);
  if (offset === null || offset > items.length) throw malformed();
  const end = offset + pageSize;
  return answer(items.slice(offset, end), pageSize, end < items.length ? simCursor.encode(end) : undefined);
}

/** The position of the last job of a page, as a jobs cursor carries it. */
interface JobKey {
  /** `startedAt` (ISO-8601). */
  s: string;
  /** Job id. */
  i: string;
}

function encodeJobKey(key: { ms: number; id: string }): string {
  return encodeJsonCursor({ s: new Date(key.ms).toISOString(), i: key.id } satisfies JobKey);
}

function decodeJobKey(raw: string): { ms: number; id: string } {
  const key = decodeJsonCursor(raw) as Partial<JobKey> | null | undefined;
  const ms = typeof key?.s === 'string' ? Date.parse(key.s) : NaN;
  if (typeof key?.i !== 'string' || Number.isNaN(ms)) throw malformed();
  return { ms, id: key.i };
}

/**
 * One page of jobs already filtered, given as refs in list order (newest first, or oldest first
 * when `ascending`). The cursor names the last job returned (its `startedAt` and id); the next
 * page starts at the first job after it in the list order (binary search), so jobs added in the
 * meantime never shift or repeat a page.
 */
export function jobPage(refs: Int32Array, store: Pick<BocadaJobStore, 'keyOf' | 'dto'>, req: SimRequest, ascending: boolean): SimResponse {
  const pageSize = pageSizeOf(req);
  const raw = req.query.get('cursor');
  let start = 0;
  if (raw !== null) {
    const pivot = decodeJobKey(raw);
    // Newest-first order: a before b when a is newer, or as new with a smaller id.
    const newestFirst = (a: { ms: number; id: string }) =>
      a.ms !== pivot.ms ? (a.ms < pivot.ms ? 1 : -1) : a.id === pivot.id ? 0 : a.id > pivot.id ? 1 : -1;
    const isAfter = (ref: number) => (ascending ? -newestFirst(store.keyOf(ref)) : newestFirst(store.keyOf(ref))) > 0;
    start = firstIndex(refs.length, (i) => isAfter(refs[i]));
  }
  const slice = refs.subarray(start, start + pageSize);
  const data = Array.from(slice, (ref) => store.dto(ref));
  const next = start + pageSize < refs.length && slice.length > 0 ? encodeJobKey(store.keyOf(slice[slice.length - 1])) : undefined;
  return answer(data, pageSize, next);
}

/** Reads an ISO-8601 date-time parameter as epoch ms; undefined when absent, 400 when invalid. */
export function dateParam(req: SimRequest, name: string): number | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) || Number.isNaN(t)) {
    throw new SimHttpError(400, 'bad_request', `${name} must be an ISO-8601 date-time`, { details: { parameter: name } });
  }
  return t;
}
