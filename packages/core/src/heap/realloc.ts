/**
 * realloc for a {@link Heap}: in place when it can be, otherwise a move
 * (malloc, copy, free) reserved as one operation so that a refusal changes
 * nothing.
 *
 * In place: a small block whose new size has the same size class; a large
 * block whose new size needs no more pages (its tail pages are freed), or
 * more pages when it ends at the break and the heap has room (the break is
 * raised, as glibc grows a chunk that borders the top). Otherwise a move.
 *
 * The move's reservation covers the new block, the copied bytes and the free
 * of the old block as planned before the malloc, plus the two pages the
 * malloc could redirect that free to (the top stack chunk, or the old page
 * itself as a new chunk): an upper bound, so near the pool's limit a move may
 * be refused one or two frames early, never half done.
 *
 * @module
 */
import {
  addBlockStats,
  classOf,
  commitAlloc,
  commitFree,
  isSmall,
  locateBlock,
  planAlloc,
  planFree,
  plannedAddress,
} from "./blocks.js";
import { B_SIZE, E_SIZE, entryAt, H_BRK, H_CHUNK_TOP, type HeapCore, pageAt, S_LARGE_BODY } from "./layout.js";
import { commitRelease, planRelease, raiseBreak, setStates, touchEntries } from "./page-allocator.js";
import type { HeapPlans } from "./plans.js";
import { beginWrites, reserveWrites, touch, touchHandOut, touchRange } from "./reserve.js";

/**
 * Resizes the live block at `addr` (validated here) to `size` bytes (already
 * validated). Returns the block's address, or -1 when the heap has no room
 * (nothing changed then).
 */
export function reallocBlock(h: HeapCore, addr: number, size: number, plans: HeapPlans): number {
  const { block: blk, alloc, free: freePlan, release } = plans;
  locateBlock(h, addr, blk);
  const s = h.space;
  const ps = 1 << h.shift;
  const old = blk.size;
  beginWrites();
  touch(h.base);
  if (!blk.large && isSmall(h, size) && classOf(size) === blk.cls) {
    touch(blk.start);
    reserveWrites(s);
    s.setUint32(blk.start + B_SIZE, size);
    addBlockStats(h, 0, size - old, 0);
    return addr;
  }
  if (blk.large && !isSmall(h, size)) {
    const p = blk.page;
    const n = blk.pages;
    const n2 = Math.ceil(size / ps);
    const e = entryAt(h, p);
    if (n2 <= n) {
      touch(e);
      if (n2 < n) planRelease(h, p + n2, n - n2, release);
      reserveWrites(s);
      if (n2 < n) commitRelease(h, release);
      s.setFloat64(e + E_SIZE, size);
      addBlockStats(h, 0, size - old, (n2 - n) * ps);
      return addr;
    }
    if (p + n === s.getFloat64(h.base + H_BRK) && p + n2 <= h.dataEnd) {
      touch(e);
      touchEntries(h, p + n, n2 - n);
      touchHandOut(pageAt(h, p + n), (n2 - n) * (1 << h.shift)); // the block's new pages: writable, or refused now
      reserveWrites(s);
      raiseBreak(h, p + n2);
      setStates(h, p + n, n2 - n, S_LARGE_BODY, S_LARGE_BODY);
      s.setFloat64(e + E_SIZE, size);
      addBlockStats(h, 0, size - old, (n2 - n) * ps);
      return addr;
    }
  }
  // move: reserve for the new block, the copy and the free (planned before
  // the malloc, plus the pages the malloc could redirect the free to)
  if (!planAlloc(h, size, alloc)) return -1;
  const copy = Math.min(old, size);
  touchRange(plannedAddress(h, alloc), copy, ps);
  touch(pageAt(h, blk.page));
  const top = s.getUint32(h.base + H_CHUNK_TOP);
  if (top !== 0) touch(pageAt(h, top));
  planFree(h, blk, freePlan);
  // The copy reads the old block after the new one is committed; its pages
  // are all recorded above (the small block's page, or the large block's
  // pages, which planFree records as discarded), so an unmapped one refuses
  // the move before any write.
  reserveWrites(s);
  const dst = commitAlloc(h, size, alloc);
  if (copy > 0) s.copyWithin(dst, addr, addr + copy);
  locateBlock(h, addr, blk);
  planFree(h, blk, freePlan);
  commitFree(h, blk, freePlan);
  return dst;
}
