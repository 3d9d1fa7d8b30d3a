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
import { commitRelease, commitRun, commitTake, planRelease, planRun, planTake } from "./page-allocator.js";
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

// ---- locate: the block at an address (module scratch) ----

/** Page of the located block. */
export let blkPage = 0;
/** True for a large block. */
export let blkLarge = false;
/** Size class (small). */
export let blkClass = 0;
/** Slot index (small). */
export let blkSlot = 0;
/** Byte address of the slot (small) or of the payload (large). */
export let blkStart = 0;
/** Requested bytes. */
export let blkSize = 0;
/** Usable bytes. */
export let blkUsable = 0;
/** Pages (large). */
export let blkPages = 0;

/** Slots in use (small). */
let blkUsed = 0;
/** First free slot + 1 (small). */
let blkFreeHead = 0;
/** Partial-list neighbours (small). */
let blkNext = 0;
let blkPrev = 0;

/**
 * Finds the live block whose payload is `addr`, or throws InvalidArgumentError.
 * Reads only: the page's map entry (every page at or above the break is
 * S_UNUSED, so the state alone bounds the address), then the block header.
 */
export function locateBlock(h: HeapCore, addr: number): void {
  const s = h.space;
  const shift = h.shift;
  const ps = 1 << shift;
  const rel = typeof addr === "number" ? addr - h.base : Number.NaN;
  if (!Number.isInteger(rel) || rel < h.dataStart * ps) throwInvalid("address", addr, NOT_A_BLOCK);
  const p = Math.floor(rel / ps);
  if (p >= h.pages) throwInvalid("address", addr, NOT_A_BLOCK);
  const e = entryAt(h, p);
  const state = s.getUint8(e + E_STATE);
  const off = rel - p * ps;
  blkPage = p;
  if (state === S_SLAB) {
    const k = s.getUint8(e + E_CLASS);
    const cs = k + MIN_CLASS_SHIFT;
    const slot = off >>> cs;
    const bump = s.getUint16(e + E_BUMP);
    blkUsed = s.getUint16(e + E_USED);
    blkFreeHead = s.getUint16(e + E_FREE);
    blkNext = s.getUint32(e + E_NEXT);
    blkPrev = s.getUint32(e + E_PREV);
    const start = pageAt(h, p) + (slot << cs);
    if ((off & ((1 << cs) - 1)) !== B_PAYLOAD || slot >= bump || s.getUint32(start + B_TAG) !== TAG_LIVE)
      throwInvalid("address", addr, NOT_A_BLOCK);
    blkLarge = false;
    blkClass = k;
    blkSlot = slot;
    blkStart = start;
    blkSize = s.getUint32(start + B_SIZE);
    blkUsable = (1 << cs) - B_PAYLOAD;
  } else if (state === S_LARGE && off === 0) {
    blkLarge = true;
    blkStart = addr;
    blkSize = s.getFloat64(e + E_SIZE);
    blkPages = Math.ceil(blkSize / ps);
    blkUsable = blkPages * ps;
  } else throwInvalid("address", addr, NOT_A_BLOCK);
}

// ---- malloc ----

let aSmall = false;
let aClass = 0;
let aPage = 0;
let aSlot = 0;
let aFresh = false;
let aUsed = 0;
let aFromFree = false;
let aLink = 0;
let aFull = false;
let aNext = 0;
let aPages = 0;

/** Plans a block of `size` bytes; false when the heap has no room. Records the writes. */
export function planAlloc(h: HeapCore, size: number): boolean {
  const s = h.space;
  if (!isSmall(h, size)) {
    aSmall = false;
    aPages = Math.ceil(size / (1 << h.shift));
    aPage = aPages === 1 ? planTake(h) : planRun(h, aPages);
    return aPage >= 0;
  }
  const k = classOf(size);
  const cs = k + MIN_CLASS_SHIFT;
  aSmall = true;
  aClass = k;
  touch(h.base);
  let p = s.getUint32(h.base + H_PARTIAL + k * SLOT);
  aFull = false;
  if (p === 0) {
    p = planTake(h);
    if (p < 0) return false;
    aFresh = true;
    aSlot = 0;
  } else {
    const e = entryAt(h, p);
    aFresh = false;
    aUsed = s.getUint16(e + E_USED);
    const free = s.getUint16(e + E_FREE);
    aFromFree = free !== 0;
    if (aFromFree) {
      aSlot = free - 1;
      aLink = s.getUint32(pageAt(h, p) + (aSlot << cs) + B_PAYLOAD);
    } else aSlot = s.getUint16(e + E_BUMP);
    touch(e);
    if (aUsed + 1 === 1 << (h.shift - cs)) {
      aFull = true;
      aNext = s.getUint32(e + E_NEXT);
      if (aNext !== 0) touch(entryAt(h, aNext));
    }
  }
  aPage = p;
  touch(pageAt(h, p) + (aSlot << cs));
  return true;
}

/** Payload address the last planAlloc will return. */
export function plannedAddress(h: HeapCore): number {
  return aSmall ? pageAt(h, aPage) + (aSlot << (aClass + MIN_CLASS_SHIFT)) + B_PAYLOAD : pageAt(h, aPage);
}

/** Applies the last planAlloc for `size` bytes; returns the payload address. */
export function commitAlloc(h: HeapCore, size: number): number {
  const s = h.space;
  const p = aPage;
  const e = entryAt(h, p);
  const ps = 1 << h.shift;
  if (!aSmall) {
    if (aPages === 1) {
      commitTake(h);
      s.setUint8(e + E_STATE, S_LARGE);
    } else commitRun(h, aPages, S_LARGE, S_LARGE_BODY);
    s.setFloat64(e + E_SIZE, size);
    addBlockStats(h, 1, size, aPages * ps);
    return pageAt(h, p);
  }
  const k = aClass;
  const cs = k + MIN_CLASS_SHIFT;
  if (aFresh) {
    commitTake(h);
    s.setUint8(e + E_STATE, S_SLAB);
    s.setUint8(e + E_CLASS, k);
    s.setUint16(e + E_USED, 1);
    s.setUint16(e + E_FREE, 0);
    s.setUint16(e + E_BUMP, 1);
    s.setUint32(e + E_NEXT, 0);
    s.setUint32(e + E_PREV, 0);
    s.setUint32(h.base + H_PARTIAL + k * SLOT, p);
  } else {
    if (aFromFree) s.setUint16(e + E_FREE, aLink);
    else s.setUint16(e + E_BUMP, aSlot + 1);
    s.setUint16(e + E_USED, aUsed + 1);
    if (aFull) {
      // a slab is always taken from the head of its list
      s.setUint32(h.base + H_PARTIAL + k * SLOT, aNext);
      if (aNext !== 0) s.setUint32(entryAt(h, aNext) + E_PREV, 0);
      s.setUint32(e + E_NEXT, 0);
    }
  }
  const start = pageAt(h, p) + (aSlot << cs);
  s.setUint32(start + B_SIZE, size);
  s.setUint32(start + B_TAG, TAG_LIVE);
  addBlockStats(h, 1, size, (1 << cs) - B_PAYLOAD);
  return start + B_PAYLOAD;
}

// ---- free ----

let fRelease = false;
let fWasFull = false;
let fHead = 0;

/** Plans freeing the located block. Records the writes. */
export function planFree(h: HeapCore): void {
  if (blkLarge) {
    planRelease(h, blkPage, blkPages);
    return;
  }
  touch(h.base);
  touch(entryAt(h, blkPage));
  fWasFull = blkUsed === 1 << (h.shift - blkClass - MIN_CLASS_SHIFT);
  fRelease = blkUsed === 1 && (blkPrev !== 0 || blkNext !== 0);
  if (fRelease) {
    if (blkPrev !== 0) touch(entryAt(h, blkPrev));
    if (blkNext !== 0) touch(entryAt(h, blkNext));
    planRelease(h, blkPage, 1);
    return;
  }
  touch(blkStart);
  if (fWasFull) {
    fHead = h.space.getUint32(h.base + H_PARTIAL + blkClass * SLOT);
    if (fHead !== 0) touch(entryAt(h, fHead));
  }
}

/** Applies the last planFree (writes grouped by page: block, map, header). */
export function commitFree(h: HeapCore): void {
  const s = h.space;
  if (blkLarge) {
    addBlockStats(h, -1, -blkSize, -blkUsable);
    commitRelease(h);
    return;
  }
  const p = blkPage;
  const e = entryAt(h, p);
  const head = h.base + H_PARTIAL + blkClass * SLOT;
  if (fRelease) {
    if (blkPrev !== 0) s.setUint32(entryAt(h, blkPrev) + E_NEXT, blkNext);
    else s.setUint32(head, blkNext);
    if (blkNext !== 0) s.setUint32(entryAt(h, blkNext) + E_PREV, blkPrev);
    addBlockStats(h, -1, -blkSize, -blkUsable);
    commitRelease(h);
    return;
  }
  s.setUint32(blkStart + B_TAG, TAG_FREE);
  s.setUint32(blkStart + B_PAYLOAD, blkFreeHead);
  s.setUint16(e + E_FREE, blkSlot + 1);
  s.setUint16(e + E_USED, blkUsed - 1);
  if (fWasFull) {
    s.setUint32(e + E_NEXT, fHead);
    s.setUint32(e + E_PREV, 0);
    if (fHead !== 0) s.setUint32(entryAt(h, fHead) + E_PREV, p);
    s.setUint32(head, p);
  }
  addBlockStats(h, -1, -blkSize, -blkUsable);
}
