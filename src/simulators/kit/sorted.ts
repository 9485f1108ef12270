/** Binary search over sorted sequences: how keyset pages find where they resume. */

/**
 * The smallest index in `[0, length]` at which `isPast(i)` is true, for a predicate that is false
 * up to some index and true from there on (`length` when it is never true).
 */
export function firstIndex(length: number, isPast: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isPast(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
