/**
 * Deterministic derived values of the oCore simulator: checksums and ids computed from a record's
 * id, so the dataset stays small in memory and identical on every run.
 */
import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of `input` (stands in for an artifact checksum). */
export function sha256Hex(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}

/** A UUID-shaped id derived from `input` (same input, same id). */
export function derivedUuid(input: string): string {
  const h = sha256Hex(input);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An ISO-8601 UTC string of an epoch-millisecond instant. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `ms` or null rendered as an ISO string or null. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

/** A path-safe slug of a display name (keeps letters of any script). */
export function slugify(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
}
