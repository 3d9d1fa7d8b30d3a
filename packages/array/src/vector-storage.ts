/**
 * Where a {@link CowVector}'s elements live and how that room grows: the
 * planning (frame reservation) every mutating call does first, capacity
 * growth, shrinking, and the length in the header of an embedded vector.
 *
 * Standalone, the vector owns an address space sized for `maxLength`
 * elements of which the first `capacity` are mapped: growth maps more of
 * it (doubling), which copies nothing and takes no frame.
 *
 * Embedded (in a caller's heap), the elements live in one heap block that
 * grows by `heap.realloc` (doubling, so pushes are amortised O(1)): in place
 * when the block ends at the heap's break, else by a move that copies the
 * block's bytes into a new block, so that grow writes (and after a fork
 * copies into this version) every page of the old block. The header block
 * holds the length and the block's address, rewritten by every call that
 * changes them.
 *
 * @module
 */

import { OutOfMemoryError } from "@pagefork/core";
import { fitBlock, HDR_BYTES, HDR_DATA, HDR_LENGTH, heapCallFrames, reallocFrames } from "./in-space.js";
import { checkLive, reserveWrites, throwFrozen, throwPoolLimitAfterHook } from "./reserve.js";
import { EMBEDDING, type SpaceOwner } from "./space-owner.js";
import type { ElementView } from "./view.js";

/** What these functions need of a vector (CowVector's fields). @internal */
export interface VectorCore extends ElementView {
  /** Most elements. */
  readonly maxLen: number;
  /** Bytes of room for elements: mapped (standalone) or the block's usable size (embedded). */
  capBytes: number;
}

/**
 * Refuses (OutOfMemoryError), before anything changes, a call that writes
 * elements `[a, b)` and leaves `n` elements: the frames of those writes, of
 * the header (embedded) and, when `n` needs more room, of the growth.
 * Standalone growth maps fresh pages, counted exactly among the writes.
 * Embedded growth may move the block: its realloc is bounded from above and
 * the writes counted as landing on fresh pages.
 * @throws {ReleasedError} when the out-of-memory hook released the vector.
 */
export function planWrites(v: VectorCore, a: number, b: number, n: number): void {
  const w = v.kind.bytes;
  const owner = v.owner[EMBEDDING];
  if (owner === null) {
    reserveWrites(v, 0, a * w, b * w);
    if (n * w > v.capBytes) growMapping(v, n, a * w, b * w, false);
    return;
  }
  const heap = owner.heap;
  const hdr = owner.header;
  if (n * w <= v.capBytes) {
    reserveWrites(v, 0, v.byteOffset + a * w, v.byteOffset + b * w, hdr, hdr + HDR_BYTES);
    return;
  }
  const bytes = grownBytes(v, n);
  const grow = owner.data === 0 ? heapCallFrames(heap, bytes) : reallocFrames(heap, v.capBytes, bytes);
  const writes = b > a ? Math.ceil(((b - a) * w) / heap.pageSize) + 1 : 0;
  reserveWrites(v, grow + writes, hdr, hdr + HDR_BYTES);
}

/** Makes room for `n` elements (the call was planned): maps more (standalone) or grows the block (embedded). */
export function ensureCapacity(v: VectorCore, n: number): void {
  if (n * v.kind.bytes <= v.capBytes) return;
  if (v.owner[EMBEDDING] === null) mapFor(v, n);
  else resizeBlock(v, grownBytes(v, n));
}

/** Bytes of room a growth to `n` elements asks for: doubling, at most `maxLength` elements. */
function grownBytes(v: VectorCore, n: number): number {
  const w = v.kind.bytes;
  return Math.min(v.maxLen * w, Math.max(n * w, 2 * v.capBytes));
}

/**
 * Maps room for `n` elements of a standalone vector: doubling the mapping (so
 * pushes map O(log n) times), at least one page, at most the whole space. A
 * refused charge throws before anything changes; ReleasedError when the
 * out-of-memory hook released the vector while the charge was refused.
 */
export function mapFor(v: VectorCore, n: number): void {
  const space = v.space;
  const ps = space.pageSize;
  const to = Math.min(space.size, Math.max(Math.ceil((n * v.kind.bytes) / ps) * ps, 2 * v.capBytes, ps));
  space.map(v.capBytes, to - v.capBytes);
  checkLive(v);
  v.capBytes = to;
}

/**
 * Maps room for `n` elements of a standalone vector (as {@link mapFor}) while
 * a call plans, after it reserved its writes to bytes `[a, b)` (`zeros`: a
 * zero fill, whose whole pages are discarded and take no frame). Under
 * overcommit "never" or "heuristic" the mapping's commit charge may run the
 * out-of-memory hook, after the reservation's own checks: a hook that forked
 * the vector (its pages now shared need frames the count did not include),
 * write-protected or unmapped a page the call writes, or wrote the vector
 * (a push, a pop: the call's length and plan are stale, and a write after a
 * pop would bring back the popped element) would leave the call to fail
 * halfway or to write stale data. So afterwards this checks again, reading
 * only: the vector live (ReleasedError); its write generation unchanged
 * (OutOfMemoryError, "call again"); `[a, b)` writable (ProtectionFault,
 * SegmentationFault); the frames of the writes available (OutOfMemoryError,
 * the hook not run twice). A refused call unmaps what it mapped: nothing
 * changed. O(1) without a limit or with frames to spare, else O(pages).
 */
export function growMapping(v: VectorCore, n: number, a: number, b: number, zeros: boolean): void {
  const space = v.space;
  const ps = space.pageSize;
  const old = v.capBytes;
  const writes = v.owner.writes;
  const to = Math.min(space.size, Math.max(Math.ceil((n * v.kind.bytes) / ps) * ps, 2 * old, ps));
  try {
    space.map(old, to - old);
  } catch (e) {
    // The map changed nothing. A hook that grew the vector (a push) made the range overlap its mapping.
    if (!v.isReleased && !space.released && v.owner.writes !== writes) throwWrittenMeanwhile(to - old);
    throw e;
  }
  try {
    checkLive(v);
    if (v.owner.writes !== writes) throwWrittenMeanwhile(to - old);
    if (b > a) {
      space.checkWritable(a, b - a);
      const pool = space.pool;
      const lo = zeros ? Math.ceil(a / ps) * ps : b;
      const hi = zeros ? Math.floor(b / ps) * ps : b;
      const pages = Math.ceil(b / ps) - Math.floor(a / ps);
      if (pages > pool.framesAvailable()) {
        const need =
          hi > lo ? space.framesNeeded(a, lo - a) + space.framesNeeded(hi, b - hi) : space.framesNeeded(a, b - a);
        if (need > pool.framesAvailable()) throwPoolLimitAfterHook(pool, need);
      }
    }
  } catch (e) {
    if (!space.released) space.unmap(old, to - old); // fresh pages: nothing written there yet
    throw e;
  }
  v.capBytes = to;
}

/** The OutOfMemoryError of a call whose plan the out-of-memory hook made stale by writing the vector. */
function throwWrittenMeanwhile(bytes: number): never {
  throw new OutOfMemoryError(
    bytes,
    "the onOutOfMemory hook wrote this vector while this call waited for memory; nothing changed, call again",
  );
}

/**
 * Resizes an embedded vector's element block to `bytes` (0: frees it):
 * realloc (or malloc for a vector without a block), then records the block's
 * address in the vector and its header. The caller reserved the frames.
 * @throws {OutOfMemoryError} when the heap's range has no room: nothing changed.
 */
export function resizeBlock(v: VectorCore, bytes: number): void {
  const owner = v.owner[EMBEDDING];
  if (owner === null) return;
  const heap = owner.heap;
  const old = owner.data;
  let data = 0;
  if (bytes === 0) heap.free(old);
  else data = fitBlock(heap, old === 0 ? heap.malloc(bytes) : heap.realloc(old, bytes));
  owner.data = data;
  (v as { byteOffset: number }).byteOffset = data; // element 0 is at the block's start
  v.capBytes = data === 0 ? 0 : heap.usableSize(data);
  v.space.setFloat64(owner.header + HDR_DATA, data);
  owner.writes++;
}

/**
 * Sets the length (the elements are in place): in the header too when
 * embedded; bumps the write generation.
 * @throws {ProtectionFault} when the space is frozen (embedded: the header's
 *   write refuses it; standalone, where no page changes, a test of the space's
 *   frozen bit): nothing changed.
 */
export function setLength(v: VectorCore, n: number): void {
  const owner = v.owner;
  const blocks = owner[EMBEDDING];
  // The header first: its write may be refused (a pop after a fork copies the header's page).
  if (blocks !== null) {
    // Near the limit, the header's fault would run the out-of-memory hook inside the core's
    // store: a hook that freed the vector (the store then lands in the freed header block) or
    // edited it (its length then set from a stale one). Reserved here, the hook runs under
    // the vector's checks (ReleasedError, OutOfMemoryError "call again"). A planned call
    // reserved this page already: no hook runs then.
    if (v.space.pool.framesAvailable() < 1) reserveWrites(v, 0, blocks.header, blocks.header + HDR_BYTES);
    v.space.setFloat64(blocks.header + HDR_LENGTH, n);
  } else if (v.space.frozen && n !== v.len) {
    // A standalone length lives in the handle, not in a page: no write fault refuses its change.
    const at = v.byteOffset + Math.min(n, v.len) * v.kind.bytes;
    throwFrozen(at, at + Math.abs(n - v.len) * v.kind.bytes);
  }
  v.len = n;
  owner.writes++;
}

/**
 * Frames a realloc of an embedded vector's block to `bytes` takes, plus its
 * header's write: reserved by `reserve` and `shrinkToFit`.
 * @throws {OutOfMemoryError} when the pool cannot supply them.
 */
export function planResize(v: VectorCore, bytes: number): void {
  const owner = v.owner[EMBEDDING];
  if (owner === null) return;
  const heap = owner.heap;
  const hdr = owner.header;
  const call = owner.data === 0 ? heapCallFrames(heap, bytes) : reallocFrames(heap, v.capBytes, bytes);
  reserveWrites(v, call, hdr, hdr + HDR_BYTES);
}

/**
 * Refuses (OutOfMemoryError) a zero fill of elements `[start, end)` of an
 * embedded vector within its capacity, and the header write after it:
 * only the partial pages at both ends take frames (see `fillElements`).
 */
export function reserveZeroFillAndHeader(v: VectorCore, start: number, end: number): void {
  const ps = v.space.pageSize;
  const a = v.byteOffset + start * v.kind.bytes;
  const b = v.byteOffset + end * v.kind.bytes;
  const lo = Math.ceil(a / ps) * ps;
  const hi = Math.floor(b / ps) * ps;
  const hdr = (v.owner[EMBEDDING] as SpaceOwner).header;
  if (hi <= lo) reserveWrites(v, 0, a, b, hdr, hdr + HDR_BYTES);
  else {
    reserveWrites(v, 0, a, lo, hi, b, hdr, hdr + HDR_BYTES);
    v.space.checkWritable(a, b - a); // the discard too, before the caller changes anything
  }
}
