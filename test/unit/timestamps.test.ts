/**
 * Canonical timestamps: the fast path (no `Date` made) answers exactly what
 * `new Date(Date.parse(v)).toISOString()` answers, on every form, valid or not; and the DateTime
 * scalar writes a canonical string as it is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTimestamp, isCanonicalTimestamp } from '../../src/domain/timestamps.ts';
import { DateTimeScalar } from '../../src/server/scalars.ts';

/** The old path: parse, then write in UTC. */
const slow = (v: string) => {
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** Date-times near and past the edges of each field, with every tail the fast path knows and some it does not. */
const wireTimestamp = fc
  .record({
    year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1900, 2000, 2024, 2100)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.[0-9]{0,12}$/), fc.constant('.1a3')),
    zone: fc.constantFrom('Z', 'z', '+00:00', '-05:30', '+14:00', '', 'ZZ'),
  })
  .map(({ year, month, day, hour, minute, second, fraction, zone }) => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${fraction}${zone}`);

describe('canonicalTimestamp', () => {
  it('equals Date.parse + toISOString on generated wire timestamps', () => {
    fc.assert(fc.property(wireTimestamp, (v) => {
      expect(canonicalTimestamp(v)).toBe(slow(v));
    }), { numRuns: 20_000 });
  });

  it('equals Date.parse + toISOString on arbitrary strings of timestamp length', () => {
    fc.assert(fc.property(fc.string({ minLength: 18, maxLength: 30 }), (v) => {
      expect(canonicalTimestamp(v)).toBe(slow(v));
    }), { numRuns: 5_000 });
  });

  it.each([
    ['2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z'],
    ['2026-11-20T12:00:00Z', '2026-11-20T12:00:00.000Z'],
    ['2026-11-20T12:00:00.5Z', '2026-11-20T12:00:00.500Z'],
    ['2026-11-20T12:00:00.123456789Z', '2026-11-20T12:00:00.123Z'],
    ['2026-11-20T12:00:00.0010000000Z', '2026-11-20T12:00:00.010Z'],
    ['2026-11-20T13:00:00+01:00', '2026-11-20T12:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2026-02-29T00:00:00Z', '2026-03-01T00:00:00.000Z'],
    ['2026-11-20T24:00:00.000Z', '2026-11-21T00:00:00.000Z'],
    ['2026-11-20T12:00:60.000Z', null],
    ['not a date', null],
  ])('%s -> %s', (wire, expected) => expect(canonicalTimestamp(wire)).toBe(expected));

  it('keeps a canonical string itself (no copy made)', () => {
    const wire = ['2026-11-20T12:00:00', '.000Z'].join('');
    expect(canonicalTimestamp(wire)).toBe(wire);
    expect(isCanonicalTimestamp(wire)).toBe(true);
    expect(isCanonicalTimestamp('2026-11-20T12:00:00Z')).toBe(false);
    expect(isCanonicalTimestamp('2026-04-31T12:00:00.000Z')).toBe(false);
  });
});

describe('DateTime scalar', () => {
  it('serializes canonical strings as they are, other forms and Dates normalized, the rest refused', () => {
    expect(DateTimeScalar.serialize('2026-11-20T12:00:00.000Z')).toBe('2026-11-20T12:00:00.000Z');
    expect(DateTimeScalar.serialize('2026-11-20T13:00:00+01:00')).toBe('2026-11-20T12:00:00.000Z');
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2026, 10, 20, 12)))).toBe('2026-11-20T12:00:00.000Z');
    expect(() => DateTimeScalar.serialize('soon')).toThrow('DateTime cannot represent this value');
    expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow('DateTime cannot represent this value');
    expect(() => DateTimeScalar.serialize(42)).toThrow('DateTime cannot represent this value');
  });

  it('parses inputs to canonical strings and refuses what is not an ISO date-time with a zone', () => {
    expect(DateTimeScalar.parseValue('2026-11-20T12:00Z')).toBe('2026-11-20T12:00:00.000Z');
    expect(DateTimeScalar.parseValue('2026-11-20T13:00:00.25+01:00')).toBe('2026-11-20T12:00:00.250Z');
    expect(() => DateTimeScalar.parseValue('2026-11-20')).toThrow(/DateTime must be an ISO-8601 date-time/);
    expect(() => DateTimeScalar.parseValue('2026-13-20T12:00:00Z')).toThrow(/DateTime must be an ISO-8601 date-time/);
  });
});
