import { codeOf } from '../utils/terrors.ts';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCursor, encodeCursor } from '../../src/domain/cursor.ts';
import { decodeGlobalId, decodeGlobalIdOf, encodeGlobalId, nativeIdProblem } from '../../src/domain/ids.ts';


describe('global ids', () => {
  it('round-trip any provider id, kind and native id the native id rules accept, URL-safe', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.constantFrom('organization', 'resource', 'backup', 'job', 'alert', 'schedule'), fc.string({ minLength: 1 }), (p, k, n) => {
        fc.pre(nativeIdProblem(k as never, n) === null); // the others are refused (test/unit/native-ids.test.ts)
        const id = encodeGlobalId(p, k as never, n);
        expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeGlobalId(id)).toEqual({ providerId: p, kind: k, nativeId: n });
      }),
    );
  });

  it.each(['', 'not an id', 'abc', Buffer.from('["bg1","p","weird","x"]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), 'x'.repeat(5000)])(
    'rejects %j as BAD_USER_INPUT',
    (raw) => {
      expect(codeOf(() => decodeGlobalId(raw, 'id'))).toBe('BAD_USER_INPUT:id');
    },
  );

  it('is the base64url of ["bg1", provider, kind, native id], the same on every call, past the ids it remembers too', () => {
    const reference = (p: string, k: string, n: string) => Buffer.from(JSON.stringify(['bg1', p, k, n]), 'utf8').toString('base64url');
    const natives = Array.from({ length: 1500 }, (_, i) => `ds-${i % 700}/job "${i}" é`);
    for (const round of [1, 2]) {
      for (const n of natives) {
        expect(encodeGlobalId('nör"cube', 'backup', n), `round ${round}: ${n}`).toBe(reference('nör"cube', 'backup', n));
        expect(encodeGlobalId('nör"cube', 'job', n)).toBe(reference('nör"cube', 'job', n));
      }
    }
  });

  it('rejects an id of the wrong kind, naming the field', () => {
    const id = encodeGlobalId('ocore', 'backup', 'b1');
    expect(codeOf(() => decodeGlobalIdOf(id, 'resource', 'filter.resourceId'))).toBe('BAD_USER_INPUT:filter.resourceId');
  });
});

describe('list cursors', () => {
  it('round-trip positions', () => {
    const c = { list: 'jobs', positions: { a: 'done' as const, b: { after: 'tok', skip: 3 }, c: { after: null, skip: 0 } } };
    expect(decodeCursor(encodeCursor(c), 'jobs')).toEqual(c);
  });

  it.each(['%%%', 'e30', Buffer.from('{"v":2,"l":"jobs","p":{}}').toString('base64url'), Buffer.from('{"v":1,"l":"jobs","p":{"a":[null,-1]}}').toString('base64url')])(
    'rejects malformed cursor %j as BAD_USER_INPUT on `after`',
    (raw) => {
      expect(codeOf(() => decodeCursor(raw, 'jobs'))).toBe('BAD_USER_INPUT:after');
    },
  );

  it('rejects a cursor of another list', () => {
    const raw = encodeCursor({ list: 'backups', positions: {} });
    expect(codeOf(() => decodeCursor(raw, 'jobs'))).toBe('BAD_USER_INPUT:after');
  });
});
