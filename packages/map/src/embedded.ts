/**
 * Embedded tables: a CowMap or CowSet inside a heap the embedder owns
 * (`CowMap.create(heap)`), so that one `space.fork()` forks it with
 * everything else in the space. Layout (layout.ts): a 24-byte header block,
 * whose address is the collection's `address`, and once it holds an entry a
 * data block with the bucket array then the log, grown by `realloc`
 * (doubling). Log refs are offsets from the log's start, so neither a moving
 * block nor a log moving inside it (when the buckets grow) rewrites them.
 *
 * Every mutation plans, then reserves the frames of everything it will write
 * (the heap call included, see HEAP_CALL_PAGES) with the core's
 * `space.reserveFrames`, then makes at most one heap call that may fail (the heap's
 * range full: it changes nothing then), then writes. The table's JS fields
 * cache the header; every mutation writes the header back before it returns
 * (`syncHeader`), so the embedder may fork or freeze the space after any call
 * and attach in the fork.
 *
 * @module
 */
import { AddressSpace, type Heap, InvalidArgumentError, isHeap, OutOfMemoryError, ReleasedError } from "@pagefork/core";
import {
  EMBEDDED_MIN_BUCKETS,
  H_DATA,
  H_GARBAGE,
  H_SIZE,
  H_TAG,
  H_USED,
  HEADER_BYTES,
  MAGIC_MAP,
  MAGIC_SET,
  MAX_LOG_BYTES,
  TAG_MAGIC_SHIFT,
} from "./layout.js";
import { relink } from "./relayout.js";
import { reserveFrames as reserveSpace } from "./reserve.js";
import { Table } from "./table.js";
import { affords } from "./writes.js";

/**
 * Frames one heap call may write besides the block it hands out (an upper
 * bound): the heap header page, one or two page-map pages, a slab page, a
 * free-stack chunk, and on a moving realloc the same again for the free of
 * the old block. Reserving it up front keeps "a refused call changes
 * nothing" when the pool is near its maxBytes; it may refuse a call that
 * needed a few frames fewer.
 */
export const HEAP_CALL_PAGES = 8;

/** Pages `bytes` bytes starting anywhere may touch. */
function pagesOf(bytes: number, pageSize: number): number {
  return bytes === 0 ? 0 : Math.ceil(bytes / pageSize) + 1;
}

/** Requires `frames` frames of the table's pool (OutOfMemoryError, nothing changed, when it cannot). */
function reserveFrames(t: Table, frames: number): void {
  reserveSpace(t.space, frames, t); // the core's one check: the hook runs, and the space may be released (or made unwritable)
}

/**
 * The size to ask the heap for when `bytes` are needed: the whole size class
 * of a small block (`16 << k` less its 8-byte header), whole pages of a large
 * one, i.e. the block's usable size. A table uses its data block up to the
 * size it asked for, never beyond: `realloc` keeps only the bytes asked for,
 * and `attach` takes a block's usable size as its capacity.
 */
function blockSize(bytes: number, pageSize: number): number {
  if (bytes > pageSize / 2 - 8) return Math.ceil(bytes / pageSize) * pageSize;
  let c = 16;
  while (c - 8 < bytes) c *= 2;
  return c - 8;
}

/** Makes the size the heap keeps for block `d` its usable size (in place, when the heap rounded `asked` up further than blockSize). */
function claim(heap: Heap, d: number, asked: number): void {
  const usable = heap.usableSize(d);
  if (usable !== asked) heap.realloc(d, usable);
}

/** log2 of `nb`, a power of two (0 for no buckets). */
function log2(nb: number): number {
  return nb === 0 ? 0 : 31 - Math.clz32(nb);
}

/** Writes the table's cached fields into its header block. The caller has reserved the header's page. */
export function syncHeader(t: Table): void {
  const s = t.space;
  const h = t.header;
  const magic = t.vbytes !== 0 ? MAGIC_MAP : MAGIC_SET;
  s.setUint32(h + H_TAG, ((magic << TAG_MAGIC_SHIFT) | log2(t.mask + 1)) >>> 0);
  s.setUint32(h + H_SIZE, t.size);
  s.setFloat64(h + H_DATA, t.buckets);
  s.setUint32(h + H_USED, t.used / 8);
  s.setUint32(h + H_GARBAGE, t.garbage / 8);
}

/**
 * Gives the embedded table `t` a data block with `nb2` buckets and room in
 * the log for `need` more bytes: a new block (first entry), or a larger one
 * by realloc (the log doubles; in place when the heap can). When the buckets
 * change, the log moves up past them and every record is relinked. Reserves
 * the frames of all of it, of the caller's append of `need` bytes and of the
 * header before anything changes.
 * @throws {RangeError} past the largest log a ref can name.
 * @throws {OutOfMemoryError} when the pool or the heap's range has no room; nothing has changed.
 */
export function growData(t: Table, nb2: number, need: number): void {
  const heap = t.heap as Heap;
  const s = t.space;
  const ps = s.pageSize;
  const nb = t.mask + 1;
  const data = t.buckets;
  const end = t.used + need;
  if (end > MAX_LOG_BYTES)
    throw new RangeError(`CowMap/CowSet maximum size exceeded (a log of ${MAX_LOG_BYTES} bytes)`);
  // A small block asks for what it needs, rounded up to its size class: the
  // classes are powers of two, so it moves only when it doubles (amortized
  // O(1)) and a set of 5 short strings takes a 128-byte block, not 256. A
  // large block (whole pages) doubles its log.
  const small = nb2 * 4 + end <= ps / 2 - 8;
  const cap = small ? end : end <= t.logBytes ? t.logBytes : Math.min(MAX_LOG_BYTES, Math.max(end, 2 * t.logBytes));
  const size = blockSize(nb2 * 4 + cap, ps);
  const have = data === 0 ? 0 : nb * 4 + t.logBytes;
  // the heap calls (the new block and the copy), then the log moved and every
  // chain relinked inside the block, the append, the bucket and the header
  reserveFrames(t, 2 * HEAP_CALL_PAGES + 2 * pagesOf(size, ps) + pagesOf(need, ps) + 2);
  const d = data === 0 ? heap.malloc(size) : size !== have ? heap.realloc(data, size) : data;
  // Nothing below can fail: the frames are reserved, and a realloc within
  // the block's own size class stays in place.
  claim(heap, d, size);
  t.writes++;
  if (data === 0) {
    s.fill(0, d, d + nb2 * 4); // a malloc'd block holds anything
    t.buckets = d;
    t.logAddr = d + nb2 * 4;
    t.mask = nb2 - 1;
  } else {
    if (nb2 !== nb) s.copyWithin(d + nb2 * 4, d + nb * 4, d + nb * 4 + t.used);
    t.buckets = d;
    t.logAddr = d + nb2 * 4;
    if (nb2 !== nb) relink(t, nb2, null); // zeroes the new array, sets the mask
  }
  t.logBytes = heap.usableSize(d) - nb2 * 4;
}

/**
 * Halves (or more) the bucket array of the embedded table `t` in place: the
 * log moves down after the smaller array, every record is relinked. The
 * caller checked that the pool affords it (an optional move).
 */
export function shrinkBuckets(t: Table, nb2: number): void {
  const d = t.buckets;
  const nb = t.mask + 1;
  t.writes++;
  t.space.copyWithin(d + nb2 * 4, d + nb * 4, d + nb * 4 + t.used);
  t.logAddr = d + nb2 * 4;
  t.logBytes += (nb - nb2) * 4;
  relink(t, nb2, null);
}

/**
 * After a compaction: gives back the data block's room beyond twice what the
 * log holds, when it is more than half the block (realloc to a smaller size:
 * in place for a large block, a move for a small one). Optional: skipped
 * unless the pool affords it; a heap that has no room for the smaller copy
 * refuses the move, which changes nothing, and the block stays.
 */
export function shrinkData(t: Table): void {
  const heap = t.heap as Heap;
  const nb = t.mask + 1;
  const want = blockSize(nb * 4 + 2 * Math.max(t.used, 64), t.space.pageSize);
  const have = nb * 4 + t.logBytes;
  if (t.buckets === 0 || want * 2 > have || !affords(t, want, true)) return;
  let d: number;
  try {
    d = heap.realloc(t.buckets, want);
  } catch (e) {
    if (e instanceof OutOfMemoryError) return;
    throw e;
  }
  claim(heap, d, want);
  t.writes++;
  t.buckets = d;
  t.logAddr = d + nb * 4;
  t.logBytes = heap.usableSize(d) - nb * 4;
}

/** Frees the data block of the embedded table `t`: it holds no entry any more. The caller reserved the frames. */
export function freeData(t: Table): void {
  if (t.buckets !== 0) (t.heap as Heap).free(t.buckets);
  t.writes++;
  t.buckets = 0;
  t.logAddr = 0;
  t.logBytes = 0;
  t.mask = -1;
  t.used = 0;
  t.garbage = 0;
}

/** A released space that freed tables point at, so that every later use throws ReleasedError. */
let freedSpace: AddressSpace | null = null;

/**
 * Frees every block of the embedded table `t` (data, then header) and makes
 * the table unusable: any later use throws ReleasedError.
 * @throws {OutOfMemoryError} when the pool cannot supply the heap's metadata pages (with `reserve`: the worst
 *   case of both frees); nothing has changed.
 */
export function freeTable(t: Table, reserve: boolean): void {
  const heap = t.heap as Heap;
  // Two heap calls: both or neither (the first one freed would leave the
  // header pointing at a free block), so the worst case of both is reserved.
  if (reserve) reserveFrames(t, 2 * HEAP_CALL_PAGES);
  if (t.buckets !== 0) heap.free(t.buckets);
  heap.free(t.header);
  if (freedSpace === null) {
    freedSpace = new AddressSpace({ size: 256, pageSize: 256 });
    freedSpace.release();
  }
  t.space = freedSpace;
  t.writes++;
  t.buckets = 0;
  t.mask = -1;
  t.size = 0;
}

/** Throws InvalidArgumentError unless `heap` is a Heap whose space is usable. */
function checkHeap(heap: unknown): asserts heap is Heap {
  if (!isHeap(heap)) throw new InvalidArgumentError("heap", heap, "a Heap (from @pagefork/core)");
  if (heap.space.released) throw new ReleasedError("address space");
}

/**
 * A new empty embedded table of `vbytes`-byte values in `heap`: a header
 * block, no data block yet. O(1).
 * @throws {InvalidArgumentError} when `heap` is not a Heap.
 * @throws {OutOfMemoryError} when the heap or the pool has no room; nothing has changed.
 */
export function createTable(heap: Heap, vbytes: number): Table {
  checkHeap(heap);
  reserveSpace(heap.space, HEAP_CALL_PAGES + 1, null);
  const h = heap.malloc(HEADER_BYTES); // 24: the whole 32-byte class
  const t = new Table(heap.space, vbytes, heap, h);
  syncHeader(t);
  return t;
}

/**
 * The embedded table whose header block is at `address` in `heap` (in the
 * space it was created in, or a fork of it). Reads the header, writes
 * nothing (the space may be frozen). O(1).
 * @throws {InvalidArgumentError} when `heap` is not a Heap, or `address` is
 * not a live heap block holding the header of a collection of this kind.
 */
export function attachTable(heap: Heap, address: number, vbytes: number, what: "CowMap" | "CowSet"): Table {
  checkHeap(heap);
  const s = heap.space;
  const bad = (why: string): never => {
    throw new InvalidArgumentError("address", address, `the address of a ${what}'s header block in this heap (${why})`);
  };
  if (typeof address !== "number" || !Number.isSafeInteger(address) || address <= 0 || address % 8 !== 0)
    bad("a positive multiple of 8");
  let usable = 0;
  try {
    usable = heap.usableSize(address);
  } catch (e) {
    if (e instanceof InvalidArgumentError) bad("not a live block");
    throw e;
  }
  if (usable < HEADER_BYTES) bad("a block too small for a header");
  const tag = s.getUint32(address + H_TAG);
  const magic = tag >>> TAG_MAGIC_SHIFT;
  const want = vbytes !== 0 ? MAGIC_MAP : MAGIC_SET;
  if (magic !== want)
    bad(magic === MAGIC_MAP ? "it is a CowMap's" : magic === MAGIC_SET ? "it is a CowSet's" : "no collection's tag");
  const t = new Table(s, vbytes, heap, address);
  const data = s.getFloat64(address + H_DATA);
  const size = s.getUint32(address + H_SIZE);
  const used = s.getUint32(address + H_USED) * 8;
  const garbage = s.getUint32(address + H_GARBAGE) * 8;
  if (data !== 0) {
    const nb = 2 ** (tag & ((1 << TAG_MAGIC_SHIFT) - 1));
    let room = 0;
    try {
      room = heap.usableSize(data) - nb * 4;
    } catch (e) {
      if (e instanceof InvalidArgumentError) bad("its data block is not a live block");
      throw e;
    }
    if (nb < EMBEDDED_MIN_BUCKETS || room < used || garbage > used) bad("a corrupt header");
    t.buckets = data;
    t.logAddr = data + nb * 4;
    t.logBytes = room;
    t.mask = nb - 1;
    t.used = used;
    t.garbage = garbage;
    t.size = size;
  } else if (size !== 0 || used !== 0) bad("a corrupt header");
  return t;
}
