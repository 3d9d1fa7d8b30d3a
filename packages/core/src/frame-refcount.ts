/**
 * Frame refcounts: one byte per frame in `pool.refcount` for counts 0 to
 * 254, and the overflow table (ref-overflow.ts) for frames referenced by
 * more page-table leaves than that (a page left unchanged by hundreds of
 * versions whose neighbours changed): one byte per frame for the common
 * case instead of four. `FramePool.frameRefcount`, `retainFrame` and
 * `releaseFrame` are these, delegated. Each O(1); none allocates (a freed
 * frame's free-list slot was made when it was first handed out: see
 * `FramePool.freeList`).
 *
 * @module
 */
import { REF_MAX_INLINE, ZERO_PFN } from "./constants.js";
import type { FramePool } from "./frame-pool.js";

/**
 * A refcount byte of this value means "255 or more: see the overflow table".
 * @internal
 */
export const REF_OVERFLOW = REF_MAX_INLINE + 1;

/** `pool.frameRefcount`: the exact refcount of `pfn` (0 for a free frame). @internal */
export function refcountOf(pool: FramePool, pfn: number): number {
  const b = pool.refcount[pfn] as number;
  return b < REF_OVERFLOW ? b : pool.refOverflow.get(pfn);
}

/** `pool.retainFrame`: adds one reference to `pfn`. @internal */
export function retainRef(pool: FramePool, pfn: number): void {
  pool.pt.epoch++;
  const b = pool.refcount[pfn] as number;
  if (b < REF_MAX_INLINE) pool.refcount[pfn] = b + 1;
  else if (b === REF_OVERFLOW) pool.refOverflow.add(pfn, 1);
  else {
    // 254 -> 255: the count moves to the table.
    pool.refOverflow.add(pfn, REF_OVERFLOW);
    pool.refcount[pfn] = REF_OVERFLOW;
  }
}

/** `pool.releaseFrame`: drops one reference; the frame returns to the free list at zero. @internal */
export function releaseRef(pool: FramePool, pfn: number): void {
  if (pfn === ZERO_PFN) return;
  pool.pt.epoch++;
  const b = pool.refcount[pfn] as number;
  if (b === REF_OVERFLOW) {
    const n = pool.refOverflow.decrement(pfn); // never allocates: see `freeList`
    if (n < REF_OVERFLOW) {
      pool.refOverflow.delete(pfn);
      pool.refcount[pfn] = n;
    }
    return;
  }
  if (b === 1) {
    // The list has room: it grew when this frame was first handed out (see `freeList`).
    pool.freeList[pool.freeTop++] = pfn;
    pool.inUse--;
  }
  pool.refcount[pfn] = b - 1;
}
