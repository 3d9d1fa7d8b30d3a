/**
 * Summaries across repeated runs: every figure is reported as the median of its
 * per-run values with the min and max beside it, and every ratio is taken
 * inside one run (figure of run k / baseline of run k) before it is summarised,
 * so a noisy neighbour slowing one run down moves both sides of the ratio.
 *
 * @module
 */

/** Median, min and max of a set of per-run values. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Number of runs summarised. */
  n: number;
}

/** Median (mean of the middle two for an even count), min and max. NaN entries are dropped. */
export function spreadOf(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
  return { median, min: v[0] as number, max: v[v.length - 1] as number, n: v.length };
}

/** Per-run ratios `a[k] / b[k]`. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < Math.min(a.length, b.length); k++) out.push((a[k] as number) / (b[k] as number));
  return out;
}

/**
 * At most `max` order statistics of an ascending sample array, evenly spaced and
 * always including the first and last: what the JSON keeps of very long
 * sample sets (a 1 µs task yields hundreds of thousands of samples per run).
 */
export function subsampleSorted(sorted: readonly number[], max: number): number[] {
  if (sorted.length <= max) return sorted.slice();
  const out: number[] = [];
  const step = (sorted.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(sorted[Math.round(i * step)] as number);
  return out;
}
