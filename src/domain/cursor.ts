/**
 * The one opaque cursor of every cross-provider list. It records, per provider, where that
 * provider's stream resumes: the adapter's own resume token plus how many items of that page were
 * already consumed, or that the provider is done.
 */
import { z } from 'zod';
import { badUserInput } from './errors.ts';

/** Where one provider's stream resumes. */
export type ProviderPosition =
  /** Resume at the page that `after` starts, skipping its first `skip` items. */
  | { after: string | null; skip: number }
  /** Nothing more from this provider. */
  | 'done';

/** The decoded cursor: the list it belongs to, its order and each provider's position (absent = not started). */
export interface ListCursor {
  list: string;
  /** The order the list was read in (an `OrderKey`); absent = the provider order of a list without a time order. */
  order?: string;
  positions: Record<string, ProviderPosition>;
}

const positionSchema = z.union([z.literal(0), z.tuple([z.string().nullable(), z.number().int().min(0).max(1_000_000)])]);
const cursorSchema = z.object({ v: z.literal(1), l: z.string().max(32), o: z.string().max(32).optional(), p: z.record(z.string().max(128), positionSchema) }).strict();

/** Encodes a cursor; stable for equal input. */
export function encodeCursor(c: ListCursor): string {
  const p: Record<string, 0 | [string | null, number]> = {};
  for (const key of Object.keys(c.positions).sort()) {
    const pos = c.positions[key];
    p[key] = pos === 'done' ? 0 : [pos.after, pos.skip];
  }
  return Buffer.from(JSON.stringify({ v: 1, l: c.list, ...(c.order !== undefined ? { o: c.order } : {}), p }), 'utf8').toString('base64url');
}

/**
 * Decodes the `after` argument of `list`; BAD_USER_INPUT (field `after`) when it is not one of
 * ours, or, when `order` is given (an `OrderKey`, null for the provider order), when it was made
 * for another order (its positions mean nothing in this one).
 */
export function decodeCursor(raw: string, list: string, order?: string | null): ListCursor {
  const fail = (why: string) => badUserInput(`after: ${why}`, 'after');
  if (raw.length > 8192 || !/^[A-Za-z0-9_-]*$/.test(raw)) throw fail('malformed cursor');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw fail('malformed cursor');
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) throw fail('malformed cursor');
  if (parsed.data.l !== list) throw fail(`this cursor belongs to the ${parsed.data.l} list, not ${list}`);
  if (order !== undefined && (parsed.data.o ?? null) !== order) {
    throw fail(`this cursor belongs to ${parsed.data.o ? `orderBy ${parsed.data.o}` : 'the default order'}, not ${order ? `orderBy ${order}` : 'the default order'}`);
  }
  const positions: Record<string, ProviderPosition> = {};
  for (const [k, v] of Object.entries(parsed.data.p)) positions[k] = v === 0 ? 'done' : { after: v[0], skip: v[1] };
  return { list, ...(parsed.data.o !== undefined ? { order: parsed.data.o } : {}), positions };
}
