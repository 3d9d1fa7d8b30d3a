/**
 * The pool's cache of TLBs: a released space gives its TLBs back, and the
 * next space that needs one (a fork's child on its first miss, a space used
 * again after a fork moved its TLBs away) takes a flushed one instead of
 * allocating typed arrays. `FramePool.takeTlb` and `FramePool.recycleTlb`
 * are these, delegated.
 *
 * @module
 */
import { throwRefused } from "./errors.js";
import type { FramePool } from "./frame-pool.js";
import { Tlb, tlbEntries } from "./tlb.js";

/** TLBs a pool keeps for reuse per TLB size: enough for a few spaces forked and released in a loop. */
const TLB_CACHE = 8;

/** A new TLB of `entries` entries; a refused array is an OutOfMemoryError, not a RangeError. Out of line: takeTlb stays small. */
function newTlb(entries: number, limit: Int32Array): Tlb {
  try {
    return new Tlb(entries, limit);
  } catch (e) {
    throwRefused(e, entries * 8, "a TLB");
  }
}

/**
 * `pool.takeTlb`: a flushed TLB for a space of `pages` pages, of
 * `tlbEntries(min(pages, capacity in frames))` entries, recycled when the
 * cache holds one of that size.
 * @throws {OutOfMemoryError} when the engine refuses a new TLB's array.
 * @internal
 */
export function takeCachedTlb(pool: FramePool, pages: number): Tlb {
  const full = tlbEntries(pages);
  const limit = (pool.tlbLimit[0] as number) + 1;
  const entries = Math.min(full, limit);
  let t = (pool.tlbCache[31 - Math.clz32(entries)] as Tlb[]).pop();
  if (t === undefined) t = newTlb(entries, pool.tlbLimit);
  t.maxMask = full - 1;
  return t;
}

/** `pool.recycleTlb`: takes back `t` and the write TLB hanging off it (keeps at most TLB_CACHE of each size). @internal */
export function recycleCachedTlb(pool: FramePool, t: Tlb): void {
  const w = t.write;
  if (w !== null) {
    t.write = null; // cached TLBs stand alone: a taken one may become a read or a write TLB
    recycleCachedTlb(pool, w);
  }
  const cache = pool.tlbCache[t.shift] as Tlb[];
  if (cache.length < TLB_CACHE) {
    t.flush();
    cache.push(t);
  }
}
