/** The seeded random source every simulator draws its data and its injected faults from. */

/**
 * A small, fast, seedable PRNG (mulberry32): the same seed gives the same sequence on every
 * machine, so seeded datasets and fault draws are reproducible.
 */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    /** A float in [0, 1). */
    next,
    /** An integer in [min, max], both inclusive. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    /** One element of `xs` (undefined for an empty array). */
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    /** True with probability `p`. */
    chance: (p: number) => next() < p,
    /** A deterministic RFC 4122 v4-shaped UUID. */
    uuid: () => {
      const h = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
      h[12] = '4';
      h[16] = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
  };
}

/** The random source returned by {@link createRandom}. */
export type Random = ReturnType<typeof createRandom>;
