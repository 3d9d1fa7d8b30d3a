/**
 * malloc blocks of a {@link Heap}: small blocks from power-of-two size classes
 * carved out of slab pages, large blocks as runs of whole pages.
 *
 * Small: a request of `size` bytes takes a slot of the smallest class
 * `16 << k >= size + 8` (16 B .. pageSize/2); an 8-byte header in the slot
 * (requested size, state tag) precedes the 8-byte-aligned payload. A slab
 * page holds slots of one class only, so no block straddles a page. Size
 * classes and per-class lists of partly used slabs are Bonwick's slab
 * allocator ("The Slab Allocator", USENIX 1994) and the segregated bins of
 * dlmalloc; slab descriptors sit in the page map rather than in the slab, as
 * in jemalloc and tcmalloc, so a page holds exactly `pageSize / slot` slots.
 * Allocation takes the first free slot of the first partly used slab (its
 * free list, else the next never-used slot): O(1). A slab whose last block is
 * freed goes back to the page allocator, unless it is its class's only partly
 * used slab (one empty slab per class is kept, so malloc/free in a loop do not
 * discard and zero-fill a page each time).
 *
 * Large: a request above the largest class takes `ceil(size / pageSize)`
 * whole pages; the payload is page-aligned and the requested size is kept in
 * the page map.
 *
 * A block's validity comes from the page map (state, class, slot boundary,
 * slot below the carve mark) and, for small blocks, its tag: a double free or
 * an interior pointer is always refused, unless the program itself wrote over
 * a block header (a heap overflow).
 *
 * @module
 */
import { throwInvalid } from "../errors.js";
import {
  B_PAYLOAD,
  B_SIZE,
  B_TAG,
  E_BUMP,
  E_CLASS,
  E_FREE,
  E_NEXT,
  E_PREV,
  E_SIZE,
  E_STATE,
  E_USED,
  entryAt,
  H_BLOCKS,
  H_PARTIAL,
  H_REQUESTED,
  H_USABLE,
  type HeapCore,
  MIN_CLASS_SHIFT,
  pageAt,
  S_LARGE,
  S_LARGE_BODY,
  S_SLAB,
  SLOT,
  TAG_FREE,
  TAG_LIVE,
} from "./layout.js";
import {
  commitRelease,
  commitRun,
  commitTake,
  planRelease,
  planRun,
  planTake,
  ReleasePlan,
  RunPlan,
  TakePlan,
} from "./page-allocator.js";
import { touch } from "./reserve.js";

const NOT_A_BLOCK = "the address of a live block returned by malloc/calloc/realloc";

/** Size class of a small request: slot bytes are `16 << classOf(size)`. */
export function classOf(size: number): number {
  const need = size + B_PAYLOAD;
  return need <= 1 << MIN_CLASS_SHIFT ? 0 : 32 - Math.clz32(need - 1) - MIN_CLASS_SHIFT;
}

/** True when `size` bytes take a small block. */
export function isSmall(h: HeapCore, size: number): boolean {
  return size + B_PAYLOAD <= 1 << (h.shift - 1);
}

/** Adds to the block counters in the header. */
export function addBlockStats(h: HeapCore, blocks: number, requested: number, usable: number): void {
  const s = h.space;
  const b = h.base;
  s.setFloat64(b + H_BLOCKS, s.getFloat64(b + H_BLOCKS) + blocks);
  s.setFloat64(b + H_REQUESTED, s.getFloat64(b + H_REQUESTED) + requested);
  s.setFloat64(b + H_USABLE, s.getFloat64(b + H_USABLE) + usable);
}

// ---- locate: the block at an address ----

/**
 * What {@link locateBlock} found out about a live block, read by the plans
 * and commits of free and realloc. One object per calling module, made once
 * and passed in: nothing is allocated per call.
 */
export class BlockInfo {
  /** Page of the block. */
  page = 0;
  /** True for a large block. */
  large = false;
  /** Size class (small). */
  cls = 0;
  /** Slot index (small). */
  slot = 0;
  /** Byte address of the slot (small) or of the payload (large). */
  start = 0;
  /** Requested bytes. */
  size = 0;
  /** Usable bytes. */
  usable = 0;
  /** Pages (large). */
  pages = 0;
  /** Slots in use in its slab (small). */
  used = 0;
  /** First free slot + 1 in its slab (small). */
  freeHead = 0;
  /** Partial-list neighbours of its slab (small). */
  next = 0;
  prev = 0;
}

/**
 * Finds the live block whose payload is `addr`, or throws InvalidArgumentError.
 * Reads only: the page's map entry (every page at or above the break is
 * S_UNUSED, so the state alone bounds the address), then the block header.
 */
export function locateBlock(h: HeapCore, addr: number, blk: BlockInfo): void {
  const s = h.space;
  const shift = h.shift;
  const ps = 1 << shift;
  const rel = typeof addr === "number" ? addr - h.base : Number.NaN;
  if (!Number.isInteger(rel) || rel < h.dataStart * ps) throwInvalid("address", addr, NOT_A_BLOCK);
  const p = Math.floor(rel / ps);
  if (p >= h.dataEnd) throwInvalid("address", addr, NOT_A_BLOCK);
  const e = entryAt(h, p);
  const state = s.getUint8(e + E_STATE);
  const off = rel - p * ps;
  blk.page = p;
  if (state === S_SLAB) {
    const k = s.getUint8(e + E_CLASS);
    const cs = k + MIN_CLASS_SHIFT;
    const slot = off >>> cs;
    const bump = s.getUint16(e + E_BUMP);
    blk.used = s.getUint16(e + E_USED);
    blk.freeHead = s.getUint16(e + E_FREE);
    blk.next = s.getUint32(e + E_NEXT);
    blk.prev = s.getUint32(e + E_PREV);
    const start = pageAt(h, p) + (slot << cs);
    if ((off & ((1 << cs) - 1)) !== B_PAYLOAD || slot >= bump || s.getUint32(start + B_TAG) !== TAG_LIVE)
      throwInvalid("address", addr, NOT_A_BLOCK);
    blk.large = false;
    blk.cls = k;
    blk.slot = slot;
    blk.start = start;
    blk.size = s.getUint32(start + B_SIZE);
    blk.usable = (1 << cs) - B_PAYLOAD;
  } else if (state === S_LARGE && off === 0) {
    blk.large = true;
    blk.start = addr;
    blk.size = s.getFloat64(e + E_SIZE);
    blk.pages = Math.ceil(blk.size / ps);
    blk.usable = blk.pages * ps;
  } else throwInvalid("address", addr, NOT_A_BLOCK);
}

// ---- malloc ----

/** Decisions of {@link planAlloc}, applied by {@link commitAlloc}. */
export class AllocPlan {
  /** True for a small block. */
  small = false;
  /** Size class (small). */
  cls = 0;
  /** The slab page (small) or first page (large). */
  page = 0;
  /** Slot index (small). */
  slot = 0;
  /** True when the slab page is new (small). */
  fresh = false;
  /** Slots in use in the slab before (small). */
  used = 0;
  /** True when the slot comes from the slab's free list (small). */
  fromFree = false;
  /** The free list's next slot + 1 (small, fromFree). */
  link = 0;
  /** True when the slab becomes full and leaves its partial list (small). */
  full = false;
  /** The partial list's next slab (small, full). */
  next = 0;
  /** Pages (large). */
  pages = 0;
  /** The page taken for a new slab or a one-page block. */
  readonly take = new TakePlan();
  /** The run taken for a large block of several pages. */
  readonly run = new RunPlan();
}

/** Plans a block of `size` bytes; false when the heap has no room. Records the writes. */
export function planAlloc(h: HeapCore, size: number, a: AllocPlan): boolean {
  const s = h.space;
  if (!isSmall(h, size)) {
    a.small = false;
    a.pages = Math.ceil(size / (1 << h.shift));
    a.page = a.pages === 1 ? planTake(h, a.take) : planRun(h, a.pages, a.run);
    return a.page >= 0;
  }
  const k = classOf(size);
  const cs = k + MIN_CLASS_SHIFT;
  a.small = true;
  a.cls = k;
  touch(h.base);
  let p = s.getUint32(h.base + H_PARTIAL + k * SLOT);
  a.full = false;
  if (p === 0) {
    p = planTake(h, a.take);
    if (p < 0) return false;
    a.fresh = true;
    a.slot = 0;
  } else {
    const e = entryAt(h, p);
    a.fresh = false;
    a.used = s.getUint16(e + E_USED);
    const free = s.getUint16(e + E_FREE);
    a.fromFree = free !== 0;
    if (a.fromFree) {
      a.slot = free - 1;
      a.link = s.getUint32(pageAt(h, p) + (a.slot << cs) + B_PAYLOAD);
    } else a.slot = s.getUint16(e + E_BUMP);
    touch(e);
    if (a.used + 1 === 1 << (h.shift - cs)) {
      a.full = true;
      a.next = s.getUint32(e + E_NEXT);
      if (a.next !== 0) touch(entryAt(h, a.next));
    }
  }
  a.page = p;
  touch(pageAt(h, p) + (a.slot << cs));
  return true;
}

/** Payload address the last planAlloc will return. */
export function plannedAddress(h: HeapCore, a: AllocPlan): number {
  return a.small ? pageAt(h, a.page) + (a.slot << (a.cls + MIN_CLASS_SHIFT)) + B_PAYLOAD : pageAt(h, a.page);
}

/** Applies the last planAlloc for `size` bytes; returns the payload address. */
export function commitAlloc(h: HeapCore, size: number, a: AllocPlan): number {
  const s = h.space;
  const p = a.page;
  const e = entryAt(h, p);
  const ps = 1 << h.shift;
  if (!a.small) {
    if (a.pages === 1) {
      commitTake(h, a.take);
      s.setUint8(e + E_STATE, S_LARGE);
    } else commitRun(h, a.pages, a.run, S_LARGE, S_LARGE_BODY);
    s.setFloat64(e + E_SIZE, size);
    addBlockStats(h, 1, size, a.pages * ps);
    return pageAt(h, p);
  }
  const k = a.cls;
  const cs = k + MIN_CLASS_SHIFT;
  if (a.fresh) {
    commitTake(h, a.take);
    s.setUint8(e + E_STATE, S_SLAB);
    s.setUint8(e + E_CLASS, k);
    s.setUint16(e + E_USED, 1);
    s.setUint16(e + E_FREE, 0);
    s.setUint16(e + E_BUMP, 1);
    s.setUint32(e + E_NEXT, 0);
    s.setUint32(e + E_PREV, 0);
    s.setUint32(h.base + H_PARTIAL + k * SLOT, p);
  } else {
    if (a.fromFree) s.setUint16(e + E_FREE, a.link);
    else s.setUint16(e + E_BUMP, a.slot + 1);
    s.setUint16(e + E_USED, a.used + 1);
    if (a.full) {
      // a slab is always taken from the head of its list
      s.setUint32(h.base + H_PARTIAL + k * SLOT, a.next);
      if (a.next !== 0) s.setUint32(entryAt(h, a.next) + E_PREV, 0);
      s.setUint32(e + E_NEXT, 0);
    }
  }
  const start = pageAt(h, p) + (a.slot << cs);
  s.setUint32(start + B_SIZE, size);
  s.setUint32(start + B_TAG, TAG_LIVE);
  addBlockStats(h, 1, size, (1 << cs) - B_PAYLOAD);
  return start + B_PAYLOAD;
}

// ---- free ----

/** Decisions of {@link planFree}, applied by {@link commitFree}. */
export class FreePlan {
  /** True when the slab page goes back to the page allocator (small). */
  release = false;
  /** True when the slab was full and rejoins its partial list (small). */
  wasFull = false;
  /** The partial list's head before (small, wasFull). */
  head = 0;
  /** The pages released (large, or a slab released). */
  readonly pages = new ReleasePlan();
}

/** Plans freeing the located block. Records the writes. */
export function planFree(h: HeapCore, blk: BlockInfo, f: FreePlan): void {
  if (blk.large) {
    planRelease(h, blk.page, blk.pages, f.pages);
    return;
  }
  touch(h.base);
  touch(entryAt(h, blk.page));
  f.wasFull = blk.used === 1 << (h.shift - blk.cls - MIN_CLASS_SHIFT);
  f.release = blk.used === 1 && (blk.prev !== 0 || blk.next !== 0);
  if (f.release) {
    if (blk.prev !== 0) touch(entryAt(h, blk.prev));
    if (blk.next !== 0) touch(entryAt(h, blk.next));
    planRelease(h, blk.page, 1, f.pages);
    return;
  }
  touch(blk.start);
  if (f.wasFull) {
    f.head = h.space.getUint32(h.base + H_PARTIAL + blk.cls * SLOT);
    if (f.head !== 0) touch(entryAt(h, f.head));
  }
}

/** Applies the last planFree (writes grouped by page: block, map, header). */
export function commitFree(h: HeapCore, blk: BlockInfo, f: FreePlan): void {
  const s = h.space;
  if (blk.large) {
    addBlockStats(h, -1, -blk.size, -blk.usable);
    commitRelease(h, f.pages);
    return;
  }
  const p = blk.page;
  const e = entryAt(h, p);
  const head = h.base + H_PARTIAL + blk.cls * SLOT;
  if (f.release) {
    if (blk.prev !== 0) s.setUint32(entryAt(h, blk.prev) + E_NEXT, blk.next);
    else s.setUint32(head, blk.next);
    if (blk.next !== 0) s.setUint32(entryAt(h, blk.next) + E_PREV, blk.prev);
    addBlockStats(h, -1, -blk.size, -blk.usable);
    commitRelease(h, f.pages);
    return;
  }
  s.setUint32(blk.start + B_TAG, TAG_FREE);
  s.setUint32(blk.start + B_PAYLOAD, blk.freeHead);
  s.setUint16(e + E_FREE, blk.slot + 1);
  s.setUint16(e + E_USED, blk.used - 1);
  if (f.wasFull) {
    s.setUint32(e + E_NEXT, f.head);
    s.setUint32(e + E_PREV, 0);
    if (f.head !== 0) s.setUint32(entryAt(h, f.head) + E_PREV, p);
    s.setUint32(head, p);
  }
  addBlockStats(h, -1, -blk.size, -blk.usable);
}
