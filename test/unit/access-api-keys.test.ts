import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApiKeyMatcher, generateApiKey, hashApiKey } from '../../src/access/api-keys.ts';

describe('API keys', () => {
  it('hashes a key as `sha256sum` would (lowercase hex of its UTF-8 bytes)', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches the entry whose hash is the key\'s (hex in any case), and nothing for another key', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    const m = createApiKeyMatcher([
      { id: 'a', sha256: hashApiKey(a) },
      { id: 'b', sha256: hashApiKey(b).toUpperCase() },
    ]);
    expect(m.match(a)?.id).toBe('a');
    expect(m.match(b)?.id).toBe('b');
    expect(m.match(`${a}x`)).toBeNull();
    expect(m.match('')).toBeNull();
    // The hash itself is not a key.
    expect(m.match(hashApiKey(a))).toBeNull();
  });

  it('generates distinct keys that are never shaped like a JWT', () => {
    const keys = Array.from({ length: 20 }, generateApiKey);
    expect(new Set(keys).size).toBe(20);
    for (const k of keys) expect(k).toMatch(/^bg_[A-Za-z0-9_-]{43}$/);
    expect(createHash('sha256').update(keys[0]).digest('hex')).toBe(hashApiKey(keys[0]));
  });
});
