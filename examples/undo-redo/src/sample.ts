/**
 * Seeded randomness for choosing which versions to check, so a failing run can
 * be repeated exactly with the same `--seed`.
 *
 * @module
 */

/**
 * mulberry32: a small, fast 32-bit PRNG (Tommy Ettinger's public-domain
 * generator). Not cryptographic; good enough to pick sample indices.
 *
 * @param seed - any integer; only its low 32 bits matter.
 * @returns a function giving uniform floats in `[0, 1)`.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Chooses `count` distinct integers from `0..max` (inclusive) uniformly at
 * random, sorted ascending (Floyd's algorithm: O(count) draws, no rejection
 * loop). When `count > max`, returns every integer `0..max`.
 *
 * @param count - how many to choose (>= 0).
 * @param max - largest allowed value (>= 0).
 * @param random - a source of floats in `[0, 1)`, such as {@link mulberry32}.
 */
export function sampleSorted(count: number, max: number, random: () => number): Int32Array {
  const range = max + 1;
  if (count >= range) return Int32Array.from({ length: range }, (_, i) => i);
  const chosen = new Set<number>();
  for (let j = range - count; j < range; j++) {
    const r = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(r) ? j : r);
  }
  return Int32Array.from(chosen).sort();
}
