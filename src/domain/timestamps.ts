/**
 * Timestamps as the gateway carries them: canonical ISO-8601 UTC strings with milliseconds
 * (`YYYY-MM-DDTHH:mm:ss.sssZ`, what `Date.prototype.toISOString` writes). A wire value already in
 * that form is checked character by character and kept as it is, with no `Date` made (in UTC with
 * no or other fraction digits, it is rewritten the same way); any other form goes through
 * `Date.parse` once. Either way the answer is
 * exactly what `new Date(Date.parse(value)).toISOString()` gives, so mappers and the DateTime
 * scalar agree on every input, and the scalar can serialize a canonical string without parsing it
 * again.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two-digit number at `i` of `s`, or -1 when those are not two ASCII digits. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * True when `s` starts with `YYYY-MM-DDTHH:mm:ss` naming a real calendar day and time (hour 00-23,
 * no leap second): the part `toISOString` writes back as it is. Anything else (`24:00`, a 31st of a
 * 30-day month, which `Date.parse` rolls over) is for the slow path to decide.
 */
function isPlainDateTime(s: string): boolean {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  const hi = twoDigits(s, 0);
  const lo = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return false;
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (day <= 28) return true;
  const year = hi * 100 + lo;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** True when `s` from `from` up to its last character (exclusive) is ASCII digits only. */
function digitsUpToLast(s: string, from: number): boolean {
  for (let i = from; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** True when `s` is already a canonical timestamp (`YYYY-MM-DDTHH:mm:ss.sssZ` of a real instant). */
export function isCanonicalTimestamp(s: string): boolean {
  return s.length === 24 && s.charCodeAt(19) === 46 && s.charCodeAt(23) === 90 && digitsUpToLast(s, 20) && isPlainDateTime(s);
}

/**
 * `value` as a canonical timestamp, or null when it is not a date-time `Date.parse` reads. Already
 * canonical: returned as it is. In UTC (`Z`) with another number of fraction digits: written with
 * three, cut (not rounded) as `Date.parse` does, without making a `Date`. Any other form (offsets,
 * no seconds, other calendars' days): parsed once and written in UTC.
 */
export function canonicalTimestamp(value: string): string | null {
  const n = value.length;
  if (n >= 20 && value.charCodeAt(n - 1) === 90 && isPlainDateTime(value)) {
    if (n === 20) return `${value.slice(0, 19)}.000Z`;
    // At most nine digits: past that V8 reads some fractions differently (`.0010000000` is 10 ms).
    if (n > 21 && n <= 30 && value.charCodeAt(19) === 46 && digitsUpToLast(value, 20)) {
      if (n === 24) return value;
      return n < 24 ? `${value.slice(0, n - 1)}${'000'.slice(n - 21)}Z` : `${value.slice(0, 23)}Z`;
    }
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** A wire value as a canonical timestamp: {@link canonicalTimestamp} of a non-empty string, else null. */
export function toTimestamp(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? canonicalTimestamp(value) : null;
}
