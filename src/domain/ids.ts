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

/** Encodes a global id; the same inputs always give the same id. */
export function encodeGlobalId(providerId: string, kind: DecodedId['kind'], nativeId: string): string {
  return Buffer.from(JSON.stringify([PREFIX, providerId, kind, nativeId]), 'utf8').toString('base64url');
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
  return { providerId: parsed[1], kind: parsed[2] as DecodedId['kind'], nativeId: parsed[3] };
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
