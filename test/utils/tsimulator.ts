/**
 * Simulator-level test helpers: raw HTTP calls to a running simulator with its credential, the one
 * bounded page walk every list helper is built on, the two wire walks more than one file reads
 * (Bocada's `pageSize`/`nextCursor`, Norcube's `limit`/`cursors.next`), and a bounded poll for
 * state that moves on the simulator's timers (there is no event to await for those).
 */
import { expect } from 'vitest';
import { delay, type RunningSimulator } from '../../src/simulators/kit/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A rate limit no test trips unless it sets its own. */
export const NO_RATE_LIMIT = { limit: 100_000, windowMs: 60_000 };

/** Back to a healthy simulator between tests: no faults, and {@link NO_RATE_LIMIT}. */
export function healthy(sim: Pick<RunningSimulator, 'clearFaults' | 'setRateLimit'>): void {
  sim.clearFaults();
  sim.setRateLimit(NO_RATE_LIMIT);
}

/** What the helpers need of a running simulator. */
export interface SimTarget {
  readonly url: string;
  readonly credential: string;
}

/** How an API wants its credential: the headers that carry it. */
export type SimAuth = (credential: string) => Record<string, string>;
/** `Authorization: Bearer <credential>` (Norcube, ByCloud, oCore). */
export const bearer: SimAuth = (credential) => ({ authorization: `Bearer ${credential}` });
/** `X-Api-Key: <credential>` (Bocada). */
export const apiKey: SimAuth = (credential) => ({ 'x-api-key': credential });

/** One raw call. */
export interface CallInit {
  method?: string;
  /** Sent as JSON with `content-type: application/json`; a string is sent as it is. */
  body?: unknown;
  /** Sent after the credential's headers, so they may replace them. */
  headers?: Record<string, string>;
  /** The credential's headers; null sends none. @default bearer */
  auth?: SimAuth | null;
}

/** A raw answer: the body parsed as JSON, kept as text when it is not JSON, undefined when empty. */
export interface SimAnswer {
  status: number;
  headers: Headers;
  body: Json;
}

/** Calls `target` at `path` (appended to its base URL) with its own credential unless told otherwise. */
export async function callOn(target: SimTarget, path: string, init: CallInit = {}): Promise<SimAnswer> {
  const { method = 'GET', body, auth = bearer } = init;
  const headers: Record<string, string> = {
    ...(auth ? auth(target.credential) : {}),
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(init.headers ?? {}),
  };
  const res = await fetch(target.url + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: Json = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** {@link callOn}, expecting a 2xx answer; answers its body. */
export async function okOn(target: SimTarget, path: string, init: CallInit = {}): Promise<Json> {
  const r = await callOn(target, path, init);
  expect(r.status, `${init.method ?? 'GET'} ${path}`).toBeLessThan(300);
  return r.body;
}

/** `path` with `params` added to its query string (after any it has); null and undefined values are left out. */
export function withQuery(path: string, params: Record<string, string | number | null | undefined>): string {
  const q = Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  if (!q) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${q}`;
}

/** One page as {@link collectPages} reads it: its items and what to resume from (null or undefined at the end). */
export interface WalkedPage {
  items: readonly unknown[];
  next: string | number | null | undefined;
}

/**
 * Reads pages from the start, passing each page's `next` to the following read, until a page has
 * no `next`; throws when that takes more than `maxPages` reads. Answers every item in order and
 * every page as read (callers check them).
 */
export async function collectPages<P extends WalkedPage>(
  read: (after: NonNullable<P['next']> | null) => Promise<P>,
  { maxPages = 1000, what = 'list' }: { maxPages?: number; what?: string } = {},
): Promise<{ items: P['items'][number][]; pages: P[] }> {
  const items: P['items'][number][] = [];
  const pages: P[] = [];
  let after: NonNullable<P['next']> | null = null;
  while (pages.length < maxPages) {
    const page = await read(after);
    pages.push(page);
    items.push(...page.items);
    if (page.next === null || page.next === undefined) return { items, pages };
    after = page.next as NonNullable<P['next']>;
  }
  throw new Error(`${what} did not end within ${maxPages} pages`);
}

/** Options of the wire walks. */
export interface WireWalkOptions {
  /** The page size asked. */
  limit?: number;
  /** Checks one raw answer before it is used. */
  onPage?: (r: SimAnswer) => void;
}

/** Every item of a Bocada list (`pageSize`, `cursor`; `data`, `pagination.nextCursor`). @default limit 200 */
export async function bocadaAll(target: SimTarget, path: string, { limit = 200, onPage }: WireWalkOptions = {}): Promise<Json[]> {
  const { items } = await collectPages(async (cursor: string | null) => {
    const r = await callOn(target, `/api/v1${withQuery(path, { pageSize: limit, cursor })}`, { auth: apiKey });
    onPage?.(r);
    return { items: r.body.data as Json[], next: (r.body.pagination.nextCursor as string | undefined) || null };
  }, { what: path });
  return items;
}

/** Every item of a Norcube list (`limit`, `cursor`; `list`, `cursors.next`). @default limit 100 */
export async function norcubeAll(target: SimTarget, path: string, { limit = 100, onPage }: WireWalkOptions = {}): Promise<Json[]> {
  const { items } = await collectPages(async (cursor: string | null) => {
    const r = await callOn(target, withQuery(path, { limit, cursor }));
    onPage?.(r);
    expect(r.status, `GET ${path}`).toBeLessThan(300);
    return { items: r.body.list as Json[], next: (r.body.cursors?.next as string | undefined) || null };
  }, { what: path });
  return items;
}

/**
 * Reads `read` until `done` holds, at most `tries` more times `everyMs` apart, answering the last
 * value (the caller asserts on it). For simulator state that moves on timers.
 */
export async function pollUntil<T>(read: () => T | Promise<T>, done: (v: T) => boolean, { tries = 150, everyMs = 20 } = {}): Promise<T> {
  let v = await read();
  for (let i = 0; i < tries && !done(v); i++) {
    await delay(everyMs);
    v = await read();
  }
  return v;
}
