/**
 * Seeded random numbers for tests (mulberry32): reproducible inputs without Math.random.
 */

/** A generator of floats in [0, 1) from a 32-bit seed (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A generator of floats in [-1, 1) from a 32-bit seed. */
export function rng(seed: number): () => number {
  const u = mulberry32(seed);
  return () => 2 * u() - 1;
}

/** The number of elements of a shape. */
export const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
