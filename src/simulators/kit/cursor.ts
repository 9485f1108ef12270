/** Opaque cursors the simulators issue: JSON, base64-encoded, decoded without ever throwing. */

/** Encodes `value` as the JSON text in base64url (or plain base64). */
export function encodeJsonCursor(value: unknown, encoding: 'base64url' | 'base64' = 'base64url'): string {
  return Buffer.from(JSON.stringify(value)).toString(encoding);
}

/** The JSON value a cursor carries; `undefined` when `raw` is not base64 of JSON text. */
export function decodeJsonCursor(raw: string, encoding: 'base64url' | 'base64' = 'base64url'): unknown {
  try {
    return JSON.parse(Buffer.from(raw, encoding).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Offset cursors for simulators' own cursor paging (base64url of `{ [salt]: offset }`). */
export const simCursor = {
  /** The cursor of `offset`. */
  encode: (offset: number, salt = 'c'): string => encodeJsonCursor({ [salt]: offset }),
  /** The offset a cursor carries; null when `raw` is not a cursor of this salt. */
  decode: (raw: string, salt = 'c'): number | null => {
    const v = decodeJsonCursor(raw) as Record<string, unknown> | null | undefined;
    const n = v?.[salt];
    return Number.isInteger(n) && (n as number) >= 0 ? (n as number) : null;
  },
};
