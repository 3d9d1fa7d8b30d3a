/**
 * Summaries: a figure over repeated runs is reported as the median of its
 * per-run values with the min and max beside it; a ratio is taken inside one
 * run (case of run k ÷ baseline of run k) before it is summarised, so a noisy
 * neighbour slowing one run down moves both sides of the ratio. Within a run,
 * samples are summarised by percentiles.
 *
 * @module
 */
import type { Spread } from "./model.js";

/** Median (mean of the middle two for an even count), min and max. Non-finite entries are dropped. */
export function spreadOf(values: readonly number[]): Spread {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  return { median: percentileSorted(v, 0.5), min: v[0] as number, max: v[v.length - 1] as number, n: v.length };
}

/**
 * The `q`-quantile (0..1) of ascending `sorted`, interpolating between the two
 * nearest ranks (the median of an even count is the mean of the middle two).
 */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

/** p50, p99 and min of samples (any order; not modified). */
export function sampleStats(samples: ArrayLike<number>): { p50: number; p99: number; min: number; mean: number } {
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i] as number;
  return {
    p50: percentileSorted(s, 0.5),
    p99: percentileSorted(s, 0.99),
    min: s.length > 0 ? (s[0] as number) : Number.NaN,
    mean: sum / s.length,
  };
}

/**
 * At most `max` order statistics of an ascending sample array, evenly spaced and
 * always including the first and last: what the JSON keeps of very long
 * sample sets (a 100 ns task yields hundreds of thousands of samples per run).
 */
export function subsampleSorted(sorted: ArrayLike<number>, max: number): number[] {
  const n = sorted.length;
  const out: number[] = [];
  if (n <= max) {
    for (let i = 0; i < n; i++) out.push(sorted[i] as number);
    return out;
  }
  const step = (n - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(sorted[Math.round(i * step)] as number);
  return out;
}
