/**
 * Global ids: opaque, URL-safe and stable. They encode the provider instance (config id), the
 * entity kind and the provider's native id.
 */
import { badUserInput } from './errors.ts';
import type { EntityKind } from './models.ts';

const KINDS: ReadonlySet<string> = new Set(['organization', 'resource', 'backup', 'job', 'alert', 'schedule', 'provider']);
const PREFIX = 'bg1';

/** What a global id stands for. */
export interface DecodedId {
  providerId: string;
  kind: EntityKind | 'provider';
  nativeId: string;
}

/** Ids remembered per provider and kind (a listing encodes the same ones page after page); past it the oldest goes. */
const REMEMBERED_IDS_PER_KIND = 512;

/** Per provider, per kind: the JSON text before the native id, and the ids encoded lately by native id. */
const encoders = new Map<string, Map<string, { head: string; ids: Map<string, string> }>>();

/**
 * Encodes a global id; the same inputs always give the same id: base64url of the JSON array
 * `["bg1", providerId, kind, nativeId]`. Recently encoded ids are remembered per provider and kind,
 * so listing the same items again costs a lookup.
 */
export function encodeGlobalId(providerId: string, kind: DecodedId['kind'], nativeId: string): string {
  let byKind = encoders.get(providerId);
  if (!byKind) encoders.set(providerId, (byKind = new Map()));
  let encoder = byKind.get(kind);
  if (!encoder) byKind.set(kind, (encoder = { head: `[${JSON.stringify(PREFIX)},${JSON.stringify(providerId)},${JSON.stringify(kind)},`, ids: new Map() }));
  let id = encoder.ids.get(nativeId);
  if (id === undefined) {
    id = Buffer.from(`${encoder.head}${JSON.stringify(nativeId)}]`, 'utf8').toString('base64url');
    if (encoder.ids.size >= REMEMBERED_IDS_PER_KIND) encoder.ids.delete(encoder.ids.keys().next().value!);
    encoder.ids.set(nativeId, id);
  }
  return id;
}

/**
 * The kinds whose native ids may hold `/`: Norcube's `<dataSourceId>/<jobId>` (jobs and their
 * files) and `<dataSourceId>/<policyId>` (schedules). No provider puts `/` in any other kind.
 */
const SLASHED_KINDS: ReadonlySet<string> = new Set(['job', 'backup', 'schedule']);
/** Control characters (C0, DEL, C1) and lone surrogates (`encodeURIComponent` throws on those). */
const CONTROL = /[\p{Cc}\p{Cs}]/u;
/** Percent-encoded `/`, `\`, `.`, `%` or a control character: what a server decoding twice would turn into a separator. */
const ENCODED_SEPARATOR = /%(?:2f|5c|2e|25|[01][0-9a-f]|7f)/i;
const DOT_SEGMENT = /(?:^|[/:])\.{1,2}(?=$|[/:])/;

/**
 * Why `nativeId` can never be a native id of `kind`, or null when it may be one. Native ids are
 * interpolated into upstream paths (each segment encoded by the provider client), so what could
 * traverse or smuggle a separator is refused here, before any upstream call:
 * - empty, a control character or a lone surrogate;
 * - a backslash, or a percent-encoded `/`, `\`, `.`, `%` or control character (no provider's ids
 *   are percent-encoded);
 * - `.` or `..` as a segment between `/` or `:` (oCore `backup:<id>`, `restore:<env>:<id>`, ByCloud
 *   `vol:<id>`, Norcube `restore:<id>` and `<dataSourceId>/<id>` put ids between those);
 * - `/` in a kind that never holds it, or an empty segment around `/` in one that does.
 */
export function nativeIdProblem(kind: DecodedId['kind'] | 'policy', nativeId: string): string | null {
  if (nativeId.length === 0) return 'is empty';
  if (CONTROL.test(nativeId)) return 'contains a control character';
  if (nativeId.includes('\\')) return 'contains a backslash';
  if (ENCODED_SEPARATOR.test(nativeId)) return 'contains a percent-encoded separator';
  if (DOT_SEGMENT.test(nativeId)) return 'contains a "." or ".." segment';
  if (nativeId.includes('/')) {
    if (!SLASHED_KINDS.has(kind)) return `contains "/", which no ${kind} id does`;
    if (nativeId.split('/').some((s) => s === '')) return 'contains an empty segment';
  }
  return null;
}

/**
 * A native id given as such, not inside a global id (Norcube's `input.policyId`): at most `max`
 * characters and no {@link nativeIdProblem}; BAD_USER_INPUT naming `field` otherwise.
 */
export function checkNativeId(value: string, kind: DecodedId['kind'] | 'policy', field: string, max = 200): string {
  const problem = value.length > max ? `is longer than ${max} characters` : nativeIdProblem(kind, value);
  if (problem) throw badUserInput(`${field} is not a valid id: it ${problem}`, field);
  return value;
}

/**
 * One path segment of an upstream URL: `value` percent-encoded whole, so a `/`, `?` or `#` in it
 * stays inside the segment. `.` and `..` (which encoding leaves as they are and every URL resolver
 * treats as navigation) and empty values are refused: ids reach clients checked by
 * {@link nativeIdProblem}, so this only trips on an id no check let through (BAD_USER_INPUT rather
 * than a request to another route).
 */
export function pathSegment(value: string): string {
  if (value === '' || value === '.' || value === '..') throw badUserInput(`"${truncate(value)}" is not a valid id`);
  return encodeURIComponent(value);
}

/** Decodes a global id, or throws BAD_USER_INPUT naming `field` when it is not one of ours. */
export function decodeGlobalId(id: string, field = 'id'): DecodedId {
  const fail = () => badUserInput(`"${truncate(id)}" is not a valid Backup Graph id`, field);
  if (typeof id !== 'string' || id.length === 0 || id.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(id)) throw fail();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    throw fail();
  }
  if (
    !Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== PREFIX ||
    typeof parsed[1] !== 'string' || typeof parsed[2] !== 'string' || typeof parsed[3] !== 'string' ||
    !KINDS.has(parsed[2]) || parsed[1] === '' || parsed[3] === ''
  ) throw fail();
  const kind = parsed[2] as DecodedId['kind'];
  const problem = nativeIdProblem(kind, parsed[3]);
  if (problem) throw badUserInput(`"${truncate(id)}" is not a valid Backup Graph id: its native id ${problem}`, field);
  return { providerId: parsed[1], kind, nativeId: parsed[3] };
}

/** Decodes a global id that must be of `kind`; BAD_USER_INPUT otherwise. */
export function decodeGlobalIdOf(id: string, kind: DecodedId['kind'], field = 'id'): DecodedId {
  const d = decodeGlobalId(id, field);
  if (d.kind !== kind) throw badUserInput(`${field} must be the id of a ${kind}, got the id of a ${d.kind}`, field);
  return d;
}

function truncate(s: unknown): string {
  const str = String(s);
  return str.length > 64 ? `${str.slice(0, 61)}...` : str;
}
