/**
 * What a {@link History} reports of its memory: the figures of
 * {@link History.stats}, summed from each version's own `stats()`.
 *
 * @module
 */
import type { SpaceStats } from "./stats.js";

/** A version that reports its memory as the core does (every core-based structure has `stats()`). */
export interface Measurable {
  /** Memory and fault counters of this version's space ({@link SpaceStats}: RSS, PSS, USS in bytes). */
  stats(): SpaceStats;
}

/** Memory of a history; sizes in bytes. See {@link History.stats}. */
export interface HistoryStats {
  /** Versions held (`history.size`). */
  versions: number;
  /** Index of the current version (`history.position`). */
  position: number;
  /**
   * Sum of the versions' PSS: the history's proportional share of the frames
   * its versions map, every frame shared between versions counted once in
   * total (its bytes are divided among the spaces that map it). When every
   * live space of the pool belongs to this history it equals the pool's
   * `bytesInUse`; a frame also mapped by a space outside the history (a
   * draft fork, another history) counts only for the versions' share.
   */
  pss: number;
  /**
   * Sum of the versions' USS: bytes of frames that only one version maps.
   * Releasing a single version (an eviction, a dropped redo branch) frees at
   * most its USS.
   */
  uss: number;
  /**
   * Bytes of page-table nodes reachable from the newest version: a lower
   * bound of the page-table memory of the history (nodes are shared between
   * versions, so the versions' figures cannot be summed).
   */
  newestPageTableBytes: number;
}

/**
 * The {@link HistoryStats} of the versions `items[first ..]` (oldest first,
 * none undefined there) whose current one is `items[cursor]`.
 * O(page-table nodes reachable from all versions).
 * @internal
 */
export function historyStats(items: readonly (Measurable | undefined)[], first: number, cursor: number): HistoryStats {
  let pss = 0;
  let uss = 0;
  for (let i = first; i < items.length; i++) {
    const s = (items[i] as Measurable).stats();
    pss += s.pss;
    uss += s.uss;
  }
  const newest = (items[items.length - 1] as Measurable).stats();
  return {
    versions: items.length - first,
    position: cursor - first,
    pss,
    uss,
    newestPageTableBytes: newest.pageTableBytes,
  };
}
