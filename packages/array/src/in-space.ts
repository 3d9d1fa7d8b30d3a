/**
 * Arrays and vectors embedded in a caller's address space ("in-space" mode):
 * the header that describes one, the frames a heap call may take, and the
 * allocation of its blocks.
 *
 * An embedded array or vector lives in a core {@link Heap} of a space the
 * embedder owns (`@pagefork/state` keeps a whole application state in one
 * space). Its header holds everything `attach` needs to rebuild a handle,
 * in this space or in a fork of it:
 *
 * ```
 * offset  0  u32  magic: "pfta" (a fixed-length kind) or "pfve" (a CowVector), little-endian
 * offset  4  u32  element kind code (0 Int8 .. 10 BigUint64, kinds.ts)
 * offset  8  f64  length in elements
 * offset 16  f64  byte address of element 0 (a vector: of its element block, 0 when it has none)
 * ```
 *
 * A fixed-length array is ONE calloc'd block: the 24-byte header, then the
 * elements (8-byte aligned). One heap call makes it, so a refused creation
 * changes nothing, and 100,000 small arrays cost 100,000 blocks; a large one
 * is fresh pages that read as zeros, so a million zero Float64 elements take
 * one frame (the header's page) and the heap's page-map entries, not 8 MB.
 * A vector's elements move when they grow, so its header is a block of its
 * own (the heap's 32-byte size class) and its elements another, allocated at
 * the first element; its capacity is that block's usable size
 * (`heap.usableSize`), so the header needs no field for it.
 *
 * @module
 */
import { type AddressSpace, type Heap, InvalidArgumentError, isHeap } from "@pagefork/core";
import { type ElementKind, elementKinds } from "./kinds.js";
import { checkLive, stillWritable, throwFrozen, throwHookWrote, throwPoolLimitAfterHook } from "./reserve.js";
import type { ElementView } from "./view.js";

/** "pfta" read as a little-endian u32: the header of a fixed-length kind. */
export const TYPED_MAGIC = 0x61746670;
/** "pfve" read as a little-endian u32: the header of a CowVector. */
export const VECTOR_MAGIC = 0x65766670;

/** u32 magic. */
export const HDR_MAGIC = 0;
/** u32 element kind code. */
export const HDR_KIND = 4;
/** f64 length in elements. */
export const HDR_LENGTH = 8;
/** f64 byte address of the element block, 0 when there is none. */
export const HDR_DATA = 16;
/** Bytes of a header block. */
export const HDR_BYTES = 24;

/**
 * Frames one heap call on a block of `bytes` bytes may write, as an upper
 * bound: the heap's header page, the page-map pages of the block's pages,
 * and a few single pages (a slab page or the block's first page, a free-run
 * or partial-slab neighbour's entry, a chunk of the free-page stack). The
 * page map holds 16 bytes per page (core heap/layout.ts); the bound allows
 * {@link MAP_BYTES_PER_PAGE}, so a change of that layout cannot make it
 * too small. Used to reserve, before a heap call, the frames of the writes
 * that follow it: near the pool's limit a call may then be refused a few
 * frames early, never halfway.
 */
export function heapCallFrames(heap: Heap, bytes: number): number {
  const ps = heap.pageSize;
  const pages = Math.ceil(bytes / ps) + 1;
  return HEAP_CALL_PAGES + Math.ceil((pages * MAP_BYTES_PER_PAGE) / ps) + 1;
}

/**
 * Single pages a heap call may write besides its block's page-map range: the
 * heap's header page, a slab page or a stack chunk page, and the page-map
 * entries of a free-run or partial-slab neighbour (two pages at most).
 */
const HEAP_CALL_PAGES = 4;
/** Page-map bytes per heap page the bound allows: twice the layout's 16. */
const MAP_BYTES_PER_PAGE = 32;

/**
 * Frames `heap.realloc` of a block of `oldBytes` to `newBytes` may take: a
 * new block, the copy of the old bytes into it, and the free of the old one
 * (core heap/realloc.ts reserves the same, plus two pages).
 */
export function reallocFrames(heap: Heap, oldBytes: number, newBytes: number): number {
  return heapCallFrames(heap, newBytes) + Math.ceil(oldBytes / heap.pageSize) + 1 + heapCallFrames(heap, oldBytes) + 2;
}

/**
 * Throws OutOfMemoryError unless the pool of `heap`'s space can supply `n`
 * frames now, before heap calls and the writes that follow them, and makes
 * the engine's allocations for them now (`space.reserveFrames`). Without a
 * limit or with frames to spare, O(1) besides those allocations.
 *
 * Near the limit the reservation runs the pool's out-of-memory hook, which is
 * user code and may do more than release memory: fork the space (the pages
 * the heap calls write are then shared; `n` bounds pages, not copies, so it
 * still holds), freeze it, write-protect or unmap pages of the heap's range
 * (a heap call would stop at its first refused write, its metadata half
 * written: a block freed, its neighbour's entry not), release the space,
 * or write, free or release `watch`, the array the call reads (a copy made
 * from it would then start from a plan made before the hook). So after the
 * hook this checks again, reading only, and refuses before any heap call:
 * ReleasedError when the space or `watch` was released; OutOfMemoryError
 * ("call again") when `watch`'s write generation moved; ProtectionFault when
 * the space is frozen; ProtectionFault or SegmentationFault when a byte of
 * the heap's range that a read-write mapping held before the hook is no
 * longer writable (the heap may write any page of its range, so this refuses
 * a call the hook's change might not have stopped: a few calls early, never
 * halfway); OutOfMemoryError when the `n` frames are not available (the hook
 * is not run twice). O(mappings) then.
 * @throws {ProtectionFault} when the space is frozen (the error that comes first).
 */
export function requirePoolFrames(heap: Heap, n: number, watch: ElementView | null): void {
  const space = heap.space;
  if (space.frozen) throwFrozen(heap.base, heap.base + 1);
  const pool = space.pool;
  if (n <= 0) return;
  if (n <= pool.framesAvailable()) {
    // No hook: the core makes the engine's allocations of the heap calls' and the writes' faults now, so
    // that a slab refused at the copy into a new block (after the heap calls faulted its pages) is refused here.
    space.reserveFrames(n);
    return;
  }
  // The hook runs: note what it may change.
  const writes = watch === null ? 0 : watch.owner.writes;
  const maps = space.mappings();
  space.reserveFrames(n); // the core's one check: ReleasedError when the hook released the space
  if (watch !== null) {
    checkLive(watch);
    if (watch.owner.writes !== writes) throwHookWrote(n * pool.pageSize);
  }
  if (space.frozen) throwFrozen(heap.base, heap.base + 1);
  stillWritable(space, maps, heap.base, heap.limit);
  if (n > pool.framesAvailable()) throwPoolLimitAfterHook(pool, n);
}

/** `heap`, checked to be a Heap. @throws {InvalidArgumentError} otherwise. */
export function heapOf(heap: unknown): Heap {
  if (!isHeap(heap)) throw new InvalidArgumentError("heap", heap, "a Heap (Heap.create or Heap.attach)");
  return heap;
}

/** What a header holds. */
export interface HeaderFields {
  kind: ElementKind;
  length: number;
  data: number;
}

/**
 * Reads and validates the header at `address` of `heap`: a live block of the
 * heap, holding `magic`, a kind code (the `expected` kind when given), a
 * length and an element block that holds that many elements. Reads only, so
 * it works on a frozen space.
 * @throws {InvalidArgumentError} naming what does not match.
 */
export function readHeader(
  heap: Heap,
  address: number,
  magic: number,
  what: string,
  expected?: ElementKind,
): HeaderFields {
  const s = heap.space;
  let usable = 0;
  try {
    usable = heap.usableSize(address);
  } catch {
    throw new InvalidArgumentError("address", address, `the address of a ${what} header block in this heap`);
  }
  if (usable < HDR_BYTES || s.getUint32(address + HDR_MAGIC) !== magic)
    throw new InvalidArgumentError("address", address, `the address of a ${what} header block in this heap`);
  const kind = elementKinds[s.getUint32(address + HDR_KIND)];
  const length = s.getFloat64(address + HDR_LENGTH);
  const data = s.getFloat64(address + HDR_DATA);
  if (kind === undefined || !Number.isSafeInteger(length) || length < 0 || !Number.isSafeInteger(data))
    throw new InvalidArgumentError("address", address, `the address of a ${what} header block (this one is corrupt)`);
  if (expected !== undefined && kind !== expected)
    throw new InvalidArgumentError(
      "address",
      address,
      `the header of a ${what} of ${expected.name} elements (this one holds ${kind.name} elements)`,
    );
  let room = -1;
  if (magic === TYPED_MAGIC) {
    // One block: the elements follow the header.
    if (data === address + HDR_BYTES) room = usable - HDR_BYTES;
  } else if (data === 0) room = 0;
  else {
    try {
      room = heap.usableSize(data);
    } catch {
      room = -1;
    }
  }
  if (room < length * kind.bytes)
    throw new InvalidArgumentError(
      "address",
      address,
      `the address of a ${what} header block (its element block is not live)`,
    );
  return { kind, length, data };
}

/** Writes a whole header. */
export function writeHeader(
  s: AddressSpace,
  address: number,
  magic: number,
  kind: ElementKind,
  length: number,
  data: number,
): void {
  s.setUint32(address + HDR_MAGIC, magic);
  s.setUint32(address + HDR_KIND, kind.code);
  s.setFloat64(address + HDR_LENGTH, length);
  s.setFloat64(address + HDR_DATA, data);
}

/**
 * Allocates a vector's element block of `bytes` (0: none), then its header
 * block: the element block first, since a full heap range shows there, and a
 * refusal there changes nothing. `zeroed`: calloc, else malloc (the caller
 * writes every element it will read). The element block then asks for its
 * whole usable size (see {@link fitBlock}). The caller has reserved the
 * frames ({@link allocFrames}).
 * @returns `[header, data]`.
 * @throws {OutOfMemoryError} when the heap's range has no room. Nothing
 * changed then, except in one corner: the header finds no room after the
 * element block took the heap's last page; that block is freed again (the
 * heap's counters are as before, but pages of heap metadata the two calls
 * wrote may stay materialized: a few frames).
 */
export function allocVectorBlocks(heap: Heap, bytes: number, zeroed: boolean): [number, number] {
  const data = bytes === 0 ? 0 : fitBlock(heap, zeroed ? heap.calloc(bytes) : heap.malloc(bytes));
  let header: number;
  try {
    header = heap.malloc(HDR_BYTES);
  } catch (e) {
    heap.free(data);
    throw e;
  }
  return [header, data];
}

/**
 * Frames to reserve before allocating `bytes` of elements (with a header:
 * a fixed-length array's one block, or a vector's two) and writing
 * `written` bytes of elements and the header.
 */
export function allocFrames(heap: Heap, bytes: number, written: number): number {
  const ps = heap.pageSize;
  return (
    heapCallFrames(heap, HDR_BYTES) +
    (bytes === 0 ? 0 : heapCallFrames(heap, bytes + HDR_BYTES)) +
    1 + // the header's page
    Math.ceil((bytes + HDR_BYTES) / ps) + // a calloc of a small block writes its slot; the written elements
    (written > 0 ? 1 : 0)
  );
}

/**
 * Throws the InvalidArgumentError of `fork()` or `release()` on an embedded
 * array: the embedder owns the space, so it forks or releases the space.
 */
export function throwEmbedded(name: string, method: "fork" | "release" | "share" | "transferCopy"): never {
  throw new InvalidArgumentError(
    "this",
    `${name} embedded in a heap`,
    `a standalone array for ${method}(): ${method} the address space that holds an embedded one (its embedder owns it), and attach in a fork; free() frees its blocks`,
  );
}

/**
 * Makes the block at `data` of `heap` ask for its whole usable size (a
 * realloc in place: same size class, or same pages), so that a later
 * realloc copies all of it. A vector's capacity is its block's usable size,
 * which `attach` reads back with `usableSize`; realloc copies only the
 * requested size. Returns `data`.
 */
export function fitBlock(heap: Heap, data: number): number {
  return heap.realloc(data, heap.usableSize(data)); // in place: the same class, or the same pages
}
