/**
 * Bulk algorithms over an element view, each one page span (or one bulk
 * `read` / `write` / `fill` / `copyWithin` of the core) at a time, never one
 * element call at a time: fill, set from a source, copies out and between
 * spaces, copyWithin, and writing back a sorted or reversed copy.
 *
 * Every writing algorithm is refused before it changes anything when the
 * pool's byte limit could not cover it: either it is one core call, which
 * checks its frames itself (`write`, `fill`, `copyWithin`, a "write" span
 * cursor), or it checks all its writes first (reserve.ts).
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";
import type { ElementKind, NativeTypedArray } from "./kinds.js";
import { reserveRanges, reserveWrites } from "./reserve.js";
import { type ElementView, writeSpans } from "./view.js";

/** Bytes per chunk when a copy goes through a temporary buffer: big enough to amortize each call, small enough for the cache. */
export const CHUNK_BYTES = 1 << 16;

/** The bytes of a native typed array, as a Uint8Array over the same memory. */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Elements `[from, from + out.length)` of `view` copied into `out` (a native array of the view's kind). */
export function readInto(view: ElementView, from: number, out: NativeTypedArray): NativeTypedArray {
  view.space.read(view.byteOffset + from * view.kind.bytes, out);
  return out;
}

/** Elements `[from, to)` of `view` as a new native typed array of its kind: one bulk copy. */
export function copyOut(view: ElementView, from: number, to: number): NativeTypedArray {
  const out = new view.kind.Native(Math.max(0, to - from)) as NativeTypedArray;
  return out.length === 0 ? out : readInto(view, from, out);
}

/**
 * Writes `src` (a native array of the view's kind) at element `at`, in one
 * `space.write` (which reserves every frame it needs first).
 */
export function writeFrom(view: ElementView, at: number, src: NativeTypedArray): void {
  if (src.length === 0) return;
  reserveElements(view, at, src.length);
  view.space.write(view.byteOffset + at * view.kind.bytes, src);
  view.owner.writes++;
}

/**
 * Refuses (OutOfMemoryError), before anything changes, a write of elements
 * `[at, at + count)` of `view` that the pool could not supply: the array's
 * own reservation (reserve.ts) rather than the core's inside the write, so
 * that when it runs the out-of-memory hook the array's checks follow it. The
 * hook is user code: a hook that shrank a vector (an embedded one's block
 * then shrunk, its tail perhaps another heap block), freed or released the
 * array, or wrote it, leaves the write's range stale, and the core's write
 * would store there all the same. Afterwards {@link reserveWrites} refuses
 * (ReleasedError, or OutOfMemoryError "call again", the hook's change kept).
 * O(1) without a limit or with frames to spare; the core's own check in the
 * write then passes without running the hook again.
 */
export function reserveElements(view: ElementView, at: number, count: number): void {
  const a = view.byteOffset + at * view.kind.bytes;
  reserveWrites(view, 0, a, a + count * view.kind.bytes);
}

/**
 * Fills elements `[start, end)` with `value` (already converted, see
 * `toElement`). A value whose bytes are all equal (0, -1, any 1-byte kind) is
 * a memset; zeros over whole pages return those pages to the zero frame
 * (`discard`), so `fill(0)` frees memory instead of writing it. Other values
 * are stored with the native `fill` on each page span.
 */
export function fillElements(view: ElementView, value: number | bigint, start: number, end: number): void {
  if (end <= start) return;
  const kind = view.kind;
  const space = view.space;
  const a = view.byteOffset + start * kind.bytes;
  const b = view.byteOffset + end * kind.bytes;
  const s = kind.scratch;
  (s as unknown as unknown[])[0] = value;
  const byte = repeatedByte(bytesOf(s));
  view.owner.writes++;
  if (byte !== 0) reserveWrites(view, 0, a, b); // before the hook may run in the core's write (see reserveElements)
  if (byte < 0) {
    for (const c = writeSpans(view, start, end - start); c.next(); )
      (c.array as Float64Array).fill(value as number, c.start, c.end);
    return;
  }
  const ps = space.pageSize;
  const lo = Math.ceil(a / ps) * ps; // first whole page
  const hi = Math.floor(b / ps) * ps; // end of the last whole page
  if (byte !== 0 || hi <= lo) {
    space.fill(byte, a, b);
    return;
  }
  // Zeros: memset the partial pages at both ends, discard the whole pages between.
  // The partial pages are the only ones that may need frames: check both first,
  // and that the discard (a third call, after the memsets) is allowed too.
  reserveWrites(view, 0, a, lo, hi, b);
  space.checkWritable(a, b - a);
  // The discard may grow the page-table arena or the overflow refcount table, which the engine
  // may refuse (OutOfMemoryError, nothing discarded) after the memsets. With a partial page that
  // needs a frame, the core readies those now with that frame's (reserveWrites skips one page):
  // the memsets then leave the discard room. Without, keep the partial pages' bytes to put back.
  const need = (a < lo ? space.framesNeeded(a, lo - a) : 0) + (hi < b ? space.framesNeeded(hi, b - hi) : 0);
  if (need > 0) space.reserveFrames(need); // reserveWrites checked them: the hook does not run
  const head = a < lo ? readBytes(space, a, lo) : null;
  const tail = hi < b ? readBytes(space, hi, b) : null;
  if (head !== null) space.fill(0, a, lo);
  if (tail !== null) space.fill(0, hi, b);
  try {
    space.discard(lo, hi - lo);
  } catch (e) {
    // Pages the memsets made private: these writes take no frame and allocate nothing.
    if (head !== null) space.write(a, head);
    if (tail !== null) space.write(hi, tail);
    throw e;
  }
}

/** Bytes `[a, b)` of `space`, copied out. */
function readBytes(space: AddressSpace, a: number, b: number): Uint8Array {
  const out = new Uint8Array(b - a);
  space.read(a, out);
  return out;
}

/**
 * Refuses (OutOfMemoryError) a zero fill of elements `[start, end)` the pool
 * could not complete, as {@link fillElements} would do it: only the partial
 * pages at both ends take frames, whole pages go back to the zero frame.
 */
export function reserveZeroFill(view: ElementView, start: number, end: number): void {
  if (end <= start) return;
  const ps = view.space.pageSize;
  const a = view.byteOffset + start * view.kind.bytes;
  const b = view.byteOffset + end * view.kind.bytes;
  const lo = Math.ceil(a / ps) * ps;
  const hi = Math.floor(b / ps) * ps;
  if (hi <= lo) reserveWrites(view, 0, a, b);
  else {
    reserveWrites(view, 0, a, lo, hi, b);
    view.space.checkWritable(a, b - a); // the discard too, before the caller changes anything
  }
}

/** The byte every byte of `bytes` equals, or -1 when they differ. */
function repeatedByte(bytes: Uint8Array): number {
  const b = bytes[0] as number;
  for (let i = 1; i < bytes.length; i++) if (bytes[i] !== b) return -1;
  return b;
}

/**
 * Copies elements `[from, from + count)` of `src` to element `at` of `dst`, two
 * views of the same kind in different spaces: each destination page is faulted
 * in (the cursor reserves every frame first) and the source bytes are read
 * straight into it.
 */
export function copyBetween(src: ElementView, from: number, dst: ElementView, at: number, count: number): void {
  if (count <= 0) return;
  const w = src.kind.bytes;
  let srcAddr = src.byteOffset + from * w;
  const dstAddr = dst.byteOffset + at * w;
  dst.owner.writes++;
  reserveElements(dst, at, count); // before the write cursor's own reservation (see reserveElements)
  for (const c = dst.space.spans(Uint8Array, dstAddr, count * w, "write"); c.next(); ) {
    const n = c.end - c.start;
    src.space.read(srcAddr, c.array.subarray(c.start, c.end));
    srcAddr += n;
  }
}

/**
 * Stores the values of `src`, a native typed array of any kind (same
 * BigInt-ness as the view: the caller checks), at element `at` of `view`,
 * converting them as the native `set` does. Same kind: one byte copy.
 */
export function setFromNative(view: ElementView, src: NativeTypedArray, at: number): void {
  if (src.length === 0) return;
  if (src.constructor === view.kind.Native) {
    writeFrom(view, at, src);
    return;
  }
  view.owner.writes++;
  reserveElements(view, at, src.length); // before the write cursor's own reservation (see reserveElements)
  let k = 0;
  for (const c = writeSpans(view, at, src.length); c.next(); ) {
    const n = c.end - c.start;
    (c.array as Float64Array).set(src.subarray(k, k + n) as Float64Array, c.start);
    k += n;
  }
}

/**
 * Stores `count` elements of the view `src` (any kind of the same
 * BigInt-ness) at element `at` of `view`. Same kind in another space: a copy
 * between spaces. Otherwise (another kind, or the same space, where the
 * ranges may overlap) the source is read out first, as the native `set`
 * clones an overlapping source.
 */
export function setFromView(view: ElementView, src: ElementView, at: number): void {
  const count = src.len;
  if (count === 0) return;
  if (src.kind === view.kind && src.space !== view.space) {
    copyBetween(src, 0, view, at, count);
    return;
  }
  setFromNative(view, copyOut(src, 0, count), at);
}

/**
 * Converts the elements of an array-like (`source[0 .. length)`) as the native
 * `set` does, into a native array of `kind`: all values are converted before
 * anything is written, so a value that throws (a symbol, a bigint into a
 * number kind) changes nothing.
 */
export function convertArrayLike(kind: ElementKind, source: ArrayLike<unknown>, length: number): NativeTypedArray {
  const out = new kind.Native(length) as unknown as unknown[];
  for (let k = 0; k < length; k++) out[k] = source[k];
  return out as unknown as NativeTypedArray;
}

/**
 * Writes `next` (a native array of the view's kind, `[from, from + next.length)`)
 * back over the view, writing only the pages whose bytes change: a sort of
 * sorted data, or any rewrite that leaves pages as they were, copies nothing
 * and keeps those pages shared with other versions.
 */
export function writeChanged(view: ElementView, from: number, next: NativeTypedArray): void {
  const n = next.length;
  if (n === 0) return;
  const space = view.space;
  const start = view.byteOffset + from * view.kind.bytes;
  const nb = bytesOf(next);
  // Pass 1: which page spans differ (read-only, no frames).
  const changed: number[] = [];
  let pos = 0;
  for (const c = space.spans(Uint8Array, start, nb.length); c.next(); ) {
    const a = c.array;
    const len = c.end - c.start;
    for (let i = 0; i < len; i++) {
      if (a[c.start + i] !== nb[pos + i]) {
        changed.push(pos, len);
        break;
      }
    }
    pos += len;
  }
  if (changed.length === 0) return;
  // Pass 2: refuse before writing if the pool cannot cover every changed page, then write them.
  // Near the limit, count them exactly (and again after the out-of-memory hook, see reserve.ts); over
  // several pages, always (the core then readies the engine's allocations: a slab refused at a later page
  // left the sort half written).
  const k = changed.length >>> 1;
  if (k > 1 || space.pool.framesAvailable() < k) {
    const r = new Float64Array(changed);
    for (let i = 0; i < r.length; i += 2) r[i] = start + (r[i] as number);
    reserveRanges(view, 0, r, k);
  }
  view.owner.writes++;
  for (let i = 0; i < changed.length; i += 2) {
    const p = changed[i] as number;
    space.write(start + p, nb.subarray(p, p + (changed[i + 1] as number)));
  }
}

/** memmove of elements `[from, from + count)` to element `to` within one view. */
export function moveElements(view: ElementView, to: number, from: number, count: number): void {
  if (count <= 0 || to === from) return;
  const w = view.kind.bytes;
  const base = view.byteOffset;
  view.owner.writes++;
  reserveElements(view, to, count); // before the core's copy reserves (see reserveElements)
  view.space.copyWithin(base + to * w, base + from * w, base + (from + count) * w);
}

/** Reads elements `[from, to)` one chunk of {@link CHUNK_BYTES} at a time into `buf`, calling `each(buf, n)` per chunk. */
export function chunks(
  view: ElementView,
  from: number,
  to: number,
  each: (buf: NativeTypedArray, n: number) => void,
): void {
  const per = CHUNK_BYTES >>> view.kind.shift;
  const buf = new view.kind.Native(Math.min(per, Math.max(0, to - from))) as NativeTypedArray;
  for (let k = from; k < to; k += per) {
    const n = Math.min(per, to - k);
    readInto(view, k, n === buf.length ? buf : (buf.subarray(0, n) as NativeTypedArray));
    each(buf, n);
  }
}
