/**
 * Write spans: the write counterpart of page-span.ts's `readU32Span`. One
 * call makes a page writable, by the same write fault as the accessors
 * (`setUint8` and the rest: zero-fill, copy-on-write or reuse, through
 * mmu.ts's `loadWrite`), and points a caller-owned span at the slab slice of
 * that page's now private frame, so that a loop that shifts or fills a run of
 * elements in place (a text leaf's tail on every keystroke) indexes a typed
 * array instead of calling an accessor per element, and allocates nothing.
 *
 * Where the idea comes from: Linux's `get_user_pages(..., FOLL_WRITE)` breaks
 * copy-on-write before it hands a driver the page itself; here the page is
 * one frame's slice of a slab. Why not `AddressSpace.spans` in write mode: it
 * allocates a `PageSpanCursor` (104 B) per call, and a text edit shifts one
 * leaf per keystroke; the W4 profile of 2026-12-07 (bench/README.md, "W4,
 * fourth pass") measured ~150 ns per leaf shift through a cursor against
 * ~104 ns through a slice refilled in place, and 104 B of the ~449 B
 * allocated per edit.
 *
 * Two element widths, each its own span class and function, so that every
 * span's `array` field and every loop over it stays monomorphic: bytes
 * ({@link U8Span}: Latin-1 text, raw bytes) and uint16 elements
 * ({@link U16Span}: UTF-16 code units).
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import { loadRun } from "./page-span.js";

/** An empty byte view: what a {@link U8Span} holds before its first fill. */
const NO_BYTES = new Uint8Array(0);

/** An empty uint16 view: what a {@link U16Span} holds before its first fill. */
const NO_UNITS = new Uint16Array(0);

/**
 * The slab slice behind a run of bytes that lies within one page, as
 * {@link writeU8Span} (the page made private and writable) or `readU8Span`
 * (for reading only: the slice may be the zero frame or shared with forks)
 * leaves it: `array[start]` .. `array[end - 1]` are the bytes at addresses
 * `address`, `address + 1`, ... of the space. Writes through a span that
 * {@link writeU8Span} filled are writes to that space's page (and count in
 * its `stats().bytesWritten` when the span is filled). Meant to be allocated once and
 * refilled by every call (all fields are set in the constructor, so every
 * span has one hidden class and a loop over `array` stays monomorphic).
 *
 * The slice is the page's private frame at the time of the call. Fill the
 * span again before writing after any other call on the space: a fork shares
 * that frame with the child (a write through the old slice would show in
 * both), and `discard`, `unmap` or `release` give it back to the pool.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 1 << 16, pageSize: 256 });
 * const span = new U8Span();
 * writeU8Span(s, 256 + 10, 3, span); // zero-fills page 1
 * span.array.set([104, 105, 33], span.start);
 * Array.from(s.read(256 + 10, new Uint8Array(3))); // [104, 105, 33]
 * s.stats().bytesWritten; // 3
 * ```
 */
export class U8Span {
  /** The slab's byte view holding the bytes (the whole slab: index it only in [start, end)). */
  array: Uint8Array;
  /** Index in `array` of the first byte. */
  start: number;
  /** Index in `array` one past the last byte. */
  end: number;
  /** Virtual byte address of `array[start]`. */
  address: number;

  /** An empty span (`start === end`), to be filled by {@link writeU8Span} or `readU8Span`. O(1). */
  constructor() {
    this.array = NO_BYTES;
    this.start = 0;
    this.end = 0;
    this.address = 0;
  }
}

/**
 * The slab slice behind a run of uint16 elements (UTF-16 code units, say)
 * that lies within one page, as {@link writeU16Span} (writable) or
 * `readU16Span` (for reading only) leaves it:
 * `array[start]` .. `array[end - 1]` are the elements at byte addresses
 * `address`, `address + 2`, ... (little-endian, as
 * {@link AddressSpace.getUint16} reads them). Same lifetime rules as
 * {@link U8Span}: write only through a span {@link writeU16Span} filled, and
 * refill it after any other call on the space.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 1 << 16, pageSize: 256 });
 * const span = new U16Span();
 * writeU16Span(s, 512, 2, span);
 * span.array[span.start] = 0x20ac; // the euro sign
 * span.array[span.start + 1] = 0x31;
 * String.fromCharCode(s.getUint16(512), s.getUint16(514)); // "€1"
 * ```
 */
export class U16Span {
  /** The slab's uint16 view holding the elements (the whole slab: index it only in [start, end)). */
  array: Uint16Array;
  /** Index in `array` of the first element. */
  start: number;
  /** Index in `array` one past the last element. */
  end: number;
  /** Virtual byte address of `array[start]`. */
  address: number;

  /** An empty span (`start === end`), to be filled by {@link writeU16Span} or `readU16Span`. O(1). */
  constructor() {
    this.array = NO_UNITS;
    this.start = 0;
    this.end = 0;
    this.address = 0;
  }
}

/**
 * Makes the page holding the `length` bytes at `byteOffset` writable and
 * points `span` at them; the bytes must lie within one page. The page is
 * made private as by {@link AddressSpace.setUint8}: a page that maps the
 * zero frame gets a cleared frame (zero-fill), a frame shared with a fork is
 * copied (copy-on-write), a frame only this space holds is written in place
 * (reuse). When the page is already in the space's write cache (the last
 * page written), no translation or fault runs: a few comparisons. Adds
 * `length` to the space's `stats().bytesWritten`. O(1), plus O(page size) when the
 * fault copies or clears a page; allocates nothing once the space has its
 * TLBs (except the frame, node or slab a fault takes, as any write).
 *
 * A run of zero bytes is checked but faults nothing and takes no frame:
 * `span` is left empty (`start === end`).
 *
 * Only `Uint8Array` bytes here; {@link writeU16Span} serves uint16 elements,
 * and {@link AddressSpace.spans} (write mode) other types and ranges across
 * pages, allocating a cursor per call.
 *
 * The idea is Linux's `get_user_pages(..., FOLL_WRITE)`, which breaks
 * copy-on-write before it hands out the page itself, in the form of
 * `readU32Span` (a span the caller owns, refilled in place). Written
 * for CowText's leaf shifts: a keystroke shifted its leaf through a
 * write-mode cursor, ~150 ns and 104 B each, against ~104 ns and nothing
 * through a span (W4 profile, 2026-12-07).
 *
 * Whatever it throws, the space, its frames and refcounts, and `span` are as
 * they were.
 *
 * @throws {ReleasedError} when the space has been released, or when the
 *   pool's out-of-memory hook released it to make room.
 * @throws {InvalidArgumentError} when `length` is not an integer >= 0,
 *   `byteOffset` is not an integer, or the bytes cross a page boundary.
 * @throws {SegmentationFault} when the bytes leave the space or lie in a hole.
 * @throws {ProtectionFault} when the space is frozen or the bytes lie in a
 *   page mapped without write access.
 * @throws {OutOfMemoryError} when the fault needs a frame and the pool
 *   cannot supply one.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 1 << 16, pageSize: 256 });
 * s.write(0, new TextEncoder().encode("helo"));
 * const child = s.fork();
 * const span = new U8Span();
 * writeU8Span(child, 2, 3, span); // copies page 0 for the child: "lo" and one more byte
 * span.array.copyWithin(span.start + 1, span.start, span.start + 2); // shift the tail
 * span.array[span.start] = 108; // the inserted "l"
 * new TextDecoder().decode(child.read(0, new Uint8Array(5))); // "hello"
 * new TextDecoder().decode(s.read(0, new Uint8Array(4))); // "helo"
 * ```
 */
export function writeU8Span(space: AddressSpace, byteOffset: number, length: number, span: U8Span): void {
  const a = typeof byteOffset === "number" ? byteOffset : Number.NaN;
  let off = a - space.wPage;
  // Fast path, as the accessors' (address-space.ts): the page is in the write
  // cache, which holds only pages checked and faulted when they were loaded,
  // and the bytes end within it. Anything else (NaN included) takes the checks.
  if (!((off & space.pageMask) === off && a >= 0 && length >>> 0 === length && off + length <= space.pageMask + 1)) {
    off = loadRun(space, byteOffset, length, 1, true);
    if (off < 0) {
      span.start = 0;
      span.end = 0;
      span.address = byteOffset;
      return;
    }
  }
  const start = space.wByte + off;
  span.array = space.wSlab.u8;
  span.start = start;
  span.end = start + length;
  span.address = byteOffset;
  space.bytesWritten += length;
}

/**
 * Makes the page holding the `length` uint16 elements at byte `byteOffset`
 * writable and points `span` at them; the elements must lie within one page.
 * Same fault, cost and errors as {@link writeU8Span}, for 2-byte elements:
 * `byteOffset` must also be a multiple of 2, and `stats().bytesWritten` grows by
 * `2 * length`.
 *
 * Whatever it throws, the space, its frames and refcounts, and `span` are as
 * they were.
 *
 * @throws {ReleasedError} when the space has been released, or when the
 *   pool's out-of-memory hook released it to make room.
 * @throws {InvalidArgumentError} when `length` is not an integer >= 0,
 *   `byteOffset` is not an integer, or the elements cross a page boundary.
 * @throws {SegmentationFault} when the elements leave the space or lie in a hole.
 * @throws {ProtectionFault} when the space is frozen or the elements lie in
 *   a page mapped without write access.
 * @throws {AlignmentFault} when `byteOffset` is not a multiple of 2.
 * @throws {OutOfMemoryError} when the fault needs a frame and the pool
 *   cannot supply one.
 *
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 1 << 16, pageSize: 256 });
 * const units = "a€c";
 * const span = new U16Span();
 * writeU16Span(s, 256, units.length, span);
 * for (let i = 0; i < units.length; i++) span.array[span.start + i] = units.charCodeAt(i);
 * span.end - span.start; // 3
 * String.fromCharCode(s.getUint16(256), s.getUint16(258), s.getUint16(260)); // "a€c"
 * ```
 */
export function writeU16Span(space: AddressSpace, byteOffset: number, length: number, span: U16Span): void {
  const a = typeof byteOffset === "number" ? byteOffset : Number.NaN;
  let off = a - space.wPage;
  // The fast path of writeU8Span, with the alignment folded into the mask.
  if (
    !(
      (off & (space.pageMask & -2)) === off &&
      a >= 0 &&
      length >>> 0 === length &&
      off + length * 2 <= space.pageMask + 1
    )
  ) {
    off = loadRun(space, byteOffset, length, 2, true);
    if (off < 0) {
      span.start = 0;
      span.end = 0;
      span.address = byteOffset;
      return;
    }
  }
  const start = (space.wByte + off) >> 1;
  span.array = space.wSlab.u16;
  span.start = start;
  span.end = start + length;
  span.address = byteOffset;
  space.bytesWritten += length * 2;
}
