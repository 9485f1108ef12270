/**
 * API keys: the config holds each key's SHA-256, never the key. A presented key is hashed and
 * compared with every configured hash in constant time (`crypto.timingSafeEqual`, no early exit),
 * so neither the answer's timing nor its content tells which key came close.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** One configured key (`access.apiKeys[]`). */
export interface ApiKeyEntry {
  /** Shown in logs and the audit trail; never the key. */
  readonly id: string;
  /** SHA-256 of the key as clients send it, 64 hex characters. */
  readonly sha256: string;
}

/** The SHA-256 (lowercase hex) of `key` as a client sends it: what `access.apiKeys[].sha256` holds. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random API key (`bg_` + 32 random bytes, base64url): never contains `.`, so it is never mistaken for a JWT. */
export function generateApiKey(): string {
  return `bg_${randomBytes(32).toString('base64url')}`;
}

/** Finds the entry of a presented key. */
export interface ApiKeyMatcher<E extends ApiKeyEntry> {
  /** The entry whose hash is the key's, or null. Takes the same time whichever entry (or none) matches. */
  match(key: string): E | null;
}

/** Builds a matcher over `entries` (hashes are decoded once here). */
export function createApiKeyMatcher<E extends ApiKeyEntry>(entries: readonly E[]): ApiKeyMatcher<E> {
  const hashes = entries.map((e) => ({ entry: e, digest: Buffer.from(e.sha256.toLowerCase(), 'hex') }));
  return {
    match(key) {
      const presented = createHash('sha256').update(key, 'utf8').digest();
      let found: E | null = null;
      for (const h of hashes) {
        // Every hash is compared: the loop does not stop at a match.
        if (h.digest.length === presented.length && timingSafeEqual(h.digest, presented) && found === null) found = h.entry;
      }
      return found;
    },
  };
}
