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
  AllocPlan,
  addBlockStats,
  BlockInfo,
  classOf,
  commitAlloc,
  commitFree,
  FreePlan,
  isSmall,
  locateBlock,
  planAlloc,
  planFree,
  plannedAddress,
} from "./blocks.js";
import { B_SIZE, E_BYTES, E_SIZE, entryAt, H_BRK, H_CHUNK_TOP, type HeapCore, pageAt, S_LARGE_BODY } from "./layout.js";
import { commitRelease, planRelease, ReleasePlan, raiseBreak, setStates } from "./page-allocator.js";
import { beginWrites, reserveWrites, touch, touchRange } from "./reserve.js";

/** The plans of a realloc, made once (see heap.ts). */
const BLOCK = new BlockInfo();
const ALLOC = new AllocPlan();
const FREE = new FreePlan();
const RELEASE = new ReleasePlan();

/**
 * Resizes the live block at `addr` (validated here) to `size` bytes (already
 * validated). Returns the block's address, or -1 when the heap has no room
 * (nothing changed then).
 */
export function reallocBlock(h: HeapCore, addr: number, size: number): number {
  locateBlock(h, addr, BLOCK);
  const s = h.space;
  const ps = 1 << h.shift;
  const old = BLOCK.size;
  beginWrites();
  touch(h.base);
  if (!BLOCK.large && isSmall(h, size) && classOf(size) === BLOCK.cls) {
    touch(BLOCK.start);
    reserveWrites(s);
    s.setUint32(BLOCK.start + B_SIZE, size);
    addBlockStats(h, 0, size - old, 0);
    return addr;
  }
  if (BLOCK.large && !isSmall(h, size)) {
    const p = BLOCK.page;
    const n = BLOCK.pages;
    const n2 = Math.ceil(size / ps);
    const e = entryAt(h, p);
    if (n2 <= n) {
      touch(e);
      if (n2 < n) planRelease(h, p + n2, n - n2, RELEASE);
      reserveWrites(s);
      if (n2 < n) commitRelease(h, RELEASE);
      s.setFloat64(e + E_SIZE, size);
      addBlockStats(h, 0, size - old, (n2 - n) * ps);
      return addr;
    }
    if (p + n === s.getFloat64(h.base + H_BRK) && p + n2 <= h.pages) {
      touch(e);
      touchRange(entryAt(h, p + n), (n2 - n) * E_BYTES, ps);
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
  if (!planAlloc(h, size, ALLOC)) return -1;
  const copy = Math.min(old, size);
  touchRange(plannedAddress(h, ALLOC), copy, ps);
  touch(pageAt(h, BLOCK.page));
  const top = s.getUint32(h.base + H_CHUNK_TOP);
  if (top !== 0) touch(pageAt(h, top));
  planFree(h, BLOCK, FREE);
  reserveWrites(s);
  const dst = commitAlloc(h, size, ALLOC);
  if (copy > 0) s.copyWithin(dst, addr, addr + copy);
  locateBlock(h, addr, BLOCK);
  planFree(h, BLOCK, FREE);
  commitFree(h, BLOCK, FREE);
  return dst;
}
