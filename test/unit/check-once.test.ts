/**
 * `checkOnce` (src/upstream/check-once.ts): a wire shape checks one parsed body once, and every
 * reader of that body object gets the same result; another body, or another shape, is checked on
 * its own, and a failed check stays a failure.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkOnce } from '../../src/upstream/check-once.ts';

const Page = z.looseObject({ items: z.array(z.looseObject({ id: z.string().min(1) })) });

describe('checkOnce', () => {
  it('answers the same body object with the same checked records, not a second copy', () => {
    const body = JSON.parse('{"items":[{"id":"a","extra":1},{"id":"b"}]}');
    const first = checkOnce(Page, body);
    const again = checkOnce(Page, body);
    expect(first.success).toBe(true);
    expect(again).toBe(first);
    expect(again.data?.items[0]).toBe(first.data?.items[0]);
    expect(first.data).toEqual({ items: [{ id: 'a', extra: 1 }, { id: 'b' }] });
    // zod's copy, not the body itself.
    expect(first.data?.items[0]).not.toBe(body.items[0]);
  });

  it('checks an equal but different body, and the same body under another shape, on their own', () => {
    const text = '{"items":[{"id":"a"}]}';
    const a = checkOnce(Page, JSON.parse(text));
    const b = checkOnce(Page, JSON.parse(text));
    expect(b).not.toBe(a);
    expect(b.data).toEqual(a.data);
    const body = JSON.parse(text);
    const Strict = z.object({ items: z.array(z.object({ id: z.literal('b') })) });
    expect(checkOnce(Page, body).success).toBe(true);
    expect(checkOnce(Strict, body).success).toBe(false);
  });

  it('keeps a failure a failure, and checks bodies that are not objects each time', () => {
    const bad = { items: [{ id: '' }] };
    expect(checkOnce(Page, bad).success).toBe(false);
    expect(checkOnce(Page, bad).success).toBe(false);
    expect(checkOnce(Page, 'items').success).toBe(false);
    expect(checkOnce(z.string(), 'items')).toEqual({ success: true, data: 'items' });
    expect(checkOnce(Page, null).success).toBe(false);
  });
});
