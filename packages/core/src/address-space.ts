/**
 * The address space: one "process" view of paged memory. It holds a page-table
 * root, two lazily allocated TLBs, a last-page cache for reads and one for
 * writes, and counters (all in {@link SpaceAccessors}, with the typed
 * accessors). `fork()` is O(1): it shares the root and bumps one refcount;
 * pages are copied on their first write afterwards.
 *
 * @module
 */
import { copyBytesWithin, discardRange, fillBytes, readBytes, writeBytes } from "./bulk.js";
import { MAX_PAGES, NO_PAGE } from "./constants.js";
import { throwInvalid, throwReleased } from "./errors.js";
import { FramePool } from "./frame-pool.js";

import { PageSpanCursor, type SpanArrayConstructor, type SpanMode } from "./page-span.js";
import { SpaceAccessors } from "./space-accessors.js";
import { type SpaceStats, spaceStats } from "./stats.js";

/** Set by `fork()` just before it calls the constructor (see there). */
let forkOf: AddressSpace | null = null;
/** The options object `fork()` passes; ignored while `forkOf` is set. */
const FORK_OPTIONS: AddressSpaceOptions = { size: 1 };

/** Options of {@link AddressSpace}. */
export interface AddressSpaceOptions {
  /**
   * Size of the virtual address space in bytes, rounded up to a whole number of
   * pages. Unwritten pages cost nothing: a 1 TiB space that has written one
   * page holds one frame. At most `2 ** 32` pages and `Number.MAX_SAFE_INTEGER` bytes.
   */
  size: number;
  /** Page size in bytes (power of two, 256 to 65536). Default 4096, or the pool's. */
  pageSize?: number;
  /** The frame pool to take frames from. Default: a new pool of `pageSize`. */
  pool?: FramePool;
}

/**
 * A copy-on-write address space of `size` bytes.
 *
 * Typed accessors are named as DataView's, without the endianness argument:
 * every multi-byte access is little-endian and must be naturally aligned
 * (`addr % width === 0`), so no element ever straddles two pages. Reads never
 * allocate; a read of a never-written page returns zeros from the zero frame.
 *
 * Errors: a non-integer address, or a value that is not a number (a bigint for
 * the 64-bit integer setters), throws {@link InvalidArgumentError}, an access
 * outside `[0, size)` {@link SegmentationFault}, a misaligned one
 * {@link AlignmentFault}, any call after `release()` {@link ReleasedError}, and
 * a write that needs a frame past the pool's limit {@link OutOfMemoryError}.
 * A call that throws changes nothing.
 *
 * Source of the idea: `fork()` with copy-on-write in Unix (Bach, "The Design of
 * the UNIX Operating System", 1986, ch. 7) and Linux's `mm/memory.c`.
 *
 * @example
 * ```ts
 * import { AddressSpace } from "@pagefork/core";
 * using a = new AddressSpace({ size: 1 << 30 }); // 1 GiB, nothing allocated yet
 * a.setFloat64(0, 3.5);
 * using b = a.fork(); // O(1): shares every page
 * b.setFloat64(0, 7); // copies one page
 * a.getFloat64(0); // 3.5
 * b.getFloat64(0); // 7
 * ```
 */
export class AddressSpace extends SpaceAccessors {
  /**
   * Creates an empty space: every page reads as zero and holds no frame.
   * O(1).
   *
   * @throws {InvalidArgumentError} when `size` is not a positive safe integer
   * within `2 ** 32` pages, when `pageSize` is invalid, or when `pageSize`
   * differs from the given pool's.
   */
  constructor(options: AddressSpaceOptions) {
    const parent = forkOf;
    if (parent !== null) {
      // fork(): same shape, no validation, no options object per fork.
      forkOf = null;
      super(parent.pool, parent.size);
      return;
    }
    if (options === null || typeof options !== "object")
      throwInvalid("options", options, "an object { size, pageSize?, pool? }");
    let pool = options.pool;
    if (pool === undefined) pool = new FramePool(options.pageSize === undefined ? {} : { pageSize: options.pageSize });
    else if (!(pool instanceof FramePool)) throwInvalid("pool", pool, "a FramePool");
    else if (options.pageSize !== undefined && options.pageSize !== pool.pageSize)
      throwInvalid("pageSize", options.pageSize, `the pool's page size ${pool.pageSize}`);
    const size = options.size;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0)
      throwInvalid("size", size, "a positive integer number of bytes");
    const pages = Math.ceil(size / pool.pageSize);
    if (pages > MAX_PAGES) throwInvalid("size", size, `at most 2**32 pages (${MAX_PAGES * pool.pageSize} bytes)`);
    super(pool, pages * pool.pageSize);
  }

  /**
   * A new space that shares every page with this one, in O(1) whatever the
   * size: the child takes the page-table root and one more reference to it.
   * Afterwards both spaces see the same bytes until one writes; the first write
   * to a shared page copies that page and the page-table path to it.
   *
   * The parent's write TLB and write cache are flushed (the shootdown: its
   * private pages are now shared). Both TLBs move to the child, which is
   * usually the side that goes on working; the parent allocates new ones only
   * if it is used again, so a retained version costs no TLB.
   *
   * @throws {ReleasedError} after `release()`.
   * @example
   * ```ts
   * const a = new AddressSpace({ size: 4096 });
   * a.setUint8(0, 1);
   * const b = a.fork();
   * b.setUint8(0, 2);
   * [a.getUint8(0), b.getUint8(0)]; // [1, 2]
   * ```
   */
  fork(): AddressSpace {
    if (this.isReleased) throwReleased("address space");
    forkOf = this;
    const child = new AddressSpace(FORK_OPTIONS);
    this.pool.pt.retain(this.root);
    child.root = this.root;
    child.levels = this.levels;
    const w = this.wtlb;
    if (w !== null) w.flush();
    this.wPage = NO_PAGE;
    child.wtlb = w;
    child.rtlb = this.rtlb;
    this.wtlb = null;
    this.rtlb = null;
    return child;
  }

  /**
   * Drops this space's reference to its page table; frames and nodes no other
   * space shares return to the pool. Idempotent. O(pages only this space
   * maps). Prefer `using space = ...` so release cannot be forgotten.
   */
  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    this.pool.pt.release(this.root, this.levels - 1);
    this.root = 0;
    this.rPage = NO_PAGE;
    this.wPage = NO_PAGE;
    if (this.rtlb !== null) this.pool.recycleTlb(this.rtlb);
    if (this.wtlb !== null) this.pool.recycleTlb(this.wtlb);
    this.rtlb = null;
    this.wtlb = null;
  }

  /** Same as `release()`, for `using` declarations. */
  [Symbol.dispose](): void {
    this.release();
  }

  /**
   * Copies `dst.byteLength` bytes starting at `addr` into `dst`. O(bytes).
   * @returns `dst`.
   * @throws {SegmentationFault} if the range leaves the space.
   */
  read<T extends ArrayBufferView>(addr: number, dst: T): T {
    readBytes(this, addr, dst);
    return dst;
  }

  /**
   * Copies all bytes of `src` into the space at `addr`, faulting pages in.
   * O(bytes). Either every byte is written or (on error) none.
   * @throws {SegmentationFault} if the range leaves the space.
   * @throws {OutOfMemoryError} if the pool cannot supply the frames needed.
   */
  write(addr: number, src: ArrayBufferView): void {
    writeBytes(this, addr, src);
  }

  /**
   * Sets bytes `[start, end)` to `value & 0xff`, as `Uint8Array.prototype.fill`.
   * Filling a range with 0 that is still unwritten copies nothing, but pages
   * already mapped are faulted and cleared. O(bytes).
   */
  fill(value: number, start: number, end: number): void {
    fillBytes(this, value, start, end);
  }

  /**
   * Copies bytes `[start, end)` to `target` (memmove: overlapping ranges are
   * fine), as `Uint8Array.prototype.copyWithin` but with byte addresses and
   * without negative indices. O(bytes).
   */
  copyWithin(target: number, start: number, end: number): void {
    copyBytesWithin(this, target, start, end);
  }

  /**
   * Returns the pages in `[addr, addr + length)` to the zero frame and drops
   * their frames, like `madvise(MADV_DONTNEED)`. `addr` and `length` must be
   * multiples of the page size. O(pages).
   */
  discard(addr: number, length: number): void {
    discardRange(this, addr, length);
  }

  /**
   * A cursor over the raw slab slices behind `length` elements of type `type`
   * starting at byte `byteOffset`: one slice per page, for loops that need
   * native speed. In `"read"` mode the slices may be shared with other spaces
   * (or be the zero frame): never write through them. In `"write"` mode each
   * page is faulted in before its slice is handed out, and is counted as
   * written. A slice is valid until the next call that allocates a frame.
   *
   * @example
   * ```ts
   * const s = new AddressSpace({ size: 1 << 20 });
   * let sum = 0;
   * for (const c = s.spans(Float64Array, 0, 1024); c.next(); )
   *   for (let i = c.start; i < c.end; i++) sum += c.array[i]!;
   * ```
   */
  spans<A extends SpanArrayConstructor>(
    type: A,
    byteOffset: number,
    length: number,
    mode: SpanMode = "read",
  ): PageSpanCursor<InstanceType<A>> {
    return new PageSpanCursor(this, type, byteOffset, length, mode);
  }

  /**
   * Memory and fault counters of this space, as Linux reports them in
   * `/proc/<pid>/smaps`. O(page-table nodes reachable from the root).
   */
  stats(): SpaceStats {
    if (this.isReleased) throwReleased("address space");
    return spaceStats(this);
  }
}
