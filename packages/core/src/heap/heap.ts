/**
 * Heap: malloc/free/realloc, and whole-page allocation, inside an
 * {@link AddressSpace}. Every byte of its state lives in the space (layout in
 * layout.ts), so `space.fork()` forks the heap in O(1) and
 * `Heap.attach(child)` continues it independently. A Heap object is only a
 * handle (the space, `base` and three numbers read from the header).
 *
 * Files: layout.ts (bytes of the header, page map and blocks),
 * page-allocator.ts (pages and runs, the free-page stack), blocks.ts
 * (size classes, large blocks), realloc.ts, reserve.ts (plan,
 * reserve, then write), stats.ts, check.ts (integrity walk).
 *
 * @module
 */

import type { AddressSpace } from "../address-space.js";
import { brandClass, HEAP_BRAND, isAddressSpace } from "../brand.js";
import { throwInvalid, throwOom } from "../errors.js";
import { BlockInfo, classOf, commitAlloc, commitFree, isSmall, locateBlock, planAlloc, planFree } from "./blocks.js";
import { checkHeap } from "./check.js";
import {
  entryAt,
  geometryFor,
  H_BRK,
  H_HIGH,
  H_MAGIC,
  H_PAGE_SIZE,
  H_PAGES,
  H_PAGES_OUT,
  H_VERSION,
  HEAP_MAGIC,
  HEAP_VERSION,
  HEAP_VERSION_ONE_MAP,
  type HeapGeometry,
  pageAt,
  S_PAGE,
} from "./layout.js";
import { checkPages, commitRelease, commitRun, commitTake, planRelease, planRun, planTake } from "./page-allocator.js";
import { HeapPlans } from "./plans.js";
import { reallocBlock } from "./realloc.js";
import { beginWrites, reserveWrites, touch } from "./reserve.js";
import { type HeapStats, heapStats } from "./stats.js";

export type { HeapStats } from "./stats.js";

/**
 * The block {@link Heap.usableSize} locates, one for the module: nothing runs
 * between its locate and its read (no reservation, so no out-of-memory
 * hook), so no call can interleave with it, and a handle that only checks
 * block sizes (every `attach` of an embedded structure does) makes no plans
 * (session 33).
 */
const sizeProbe = new BlockInfo();

/** Options of {@link Heap.create}. */
export interface HeapOptions {
  /** Byte address of the heap header: a multiple of the page size. Default 0. */
  base?: number;
  /** End of the managed range in bytes, rounded down to a page. Default `space.size`. */
  limit?: number;
}

/**
 * A memory allocator whose state lives in the pages of an address space.
 *
 * - `allocPage()` / `freePage(addr)`: one zeroed page, O(1). Freeing never
 *   writes the page (it may be shared with other versions): it is discarded,
 *   like `madvise(MADV_DONTNEED)`, and its number goes on a free stack kept
 *   in metadata pages; a recycled page therefore reads as zeros for free.
 * - `allocPages(n)` / `freePages(addr, n)`: contiguous pages (first fit over
 *   freed runs, else from the break; runs are not coalesced, see
 *   page-allocator.ts). Each page is owned separately: any sub-run may be freed.
 * - `malloc`, `calloc`, `realloc`, `free`, `usableSize`: blocks from size
 *   classes 16 B .. pageSize/2 (an 8-byte header each, see blocks.ts) or
 *   whole pages above that. O(1), except large blocks: O(pages) and O(free runs).
 *
 * Each call writes O(1) pages of metadata (header, one or two page-map pages,
 * at most one stack chunk or slab neighbour), which is what a call costs on a
 * freshly forked space: a write to a shared page copies it.
 *
 * Errors: {@link InvalidArgumentError} for a size that is not an integer in
 * `[0, limit - base]`, or an address that is not a live block or page (double
 * free, interior pointer, out of range); {@link OutOfMemoryError} when
 * `[base, limit)` has no room, or when the pool cannot supply the frames the
 * call would write, or when that pool's `onOutOfMemory` hook, run by the
 * call, made a heap call on the same space (the waiting call's plan is stale;
 * call it again); {@link ReleasedError} from the space after `release()`;
 * {@link ProtectionFault} when a page the call would write, discard or hand
 * out (the header, a page-map page, a slab, a freed block's pages, the pages
 * `allocPage`, `allocPages` or a large block give the caller) is read-only or
 * the space is frozen, and {@link SegmentationFault} when such a page is
 * unmapped, as the write would throw: the heap never hands out memory its
 * caller cannot write. A call that throws changes nothing: it plans, checks
 * the mappings of everything it will write or hand out, and reserves frames
 * before it writes.
 *
 * Sources of the design: size-segregated slabs with per-class partial lists
 * (Bonwick, "The Slab Allocator", USENIX 1994; dlmalloc's bins), slab
 * descriptors in a page map rather than in the slab (jemalloc, tcmalloc's
 * pagemap), a per-CPU-style magazine in front of a stack of free pages
 * (Bonwick and Adams, "Magazines and Vmem", USENIX 2001) whose overflow pages
 * are linked like SQLite's freelist trunk pages, break trimming (`sbrk`,
 * dlmalloc's top chunk), and `madvise(MADV_DONTNEED)` for freed pages.
 *
 * Address 0 is never a block (the header is at `base`, and `0 < base`
 * otherwise), so it serves as NULL: `free(0)` does nothing and
 * `realloc(0, n)` is `malloc(n)`.
 *
 * @example
 * ```ts
 * import { AddressSpace, Heap } from "@pagefork/core";
 * const space = new AddressSpace({ size: 1 << 20, pageSize: 256 });
 * const heap = Heap.create(space);
 * const p = heap.malloc(12);
 * space.setUint32(p, 42);
 * const child = space.fork(); // forks the heap too, O(1)
 * const h2 = Heap.attach(child);
 * h2.free(p);
 * const q = h2.malloc(100); // diverges from the parent
 * space.getUint32(p); // 42: the parent still has its block
 * heap.usableSize(p); // 24: the 32-byte class less its 8-byte header
 * child.release();
 * space.release();
 * ```
 */
// Satisfies HeapCore structurally; not declared with `implements`, because the
// published .d.ts leave out the internal members that interface names (stripInternal).
export class Heap {
  static {
    brandClass(Heap, HEAP_BRAND); // see brand.ts: isHeap works across copies of the package
  }
  /** The address space holding the heap. */
  readonly space: AddressSpace;
  /** Byte address of the header. */
  readonly base: number;
  /** @internal log2(pageSize). */
  readonly shift: number;
  /** @internal Pages managed. */
  readonly pages: number;
  /** @internal First data page. */
  readonly dataStart: number;
  /** @internal First page past the data. */
  readonly dataEnd: number;
  /** @internal First page whose entry is in the high page map (`pages` when there is none). */
  readonly split: number;
  /** @internal Byte address of the high page map. */
  readonly highMap: number;
  /** This handle's plans once made (see {@link plans}). */
  private planSet: HeapPlans | null;

  private constructor(space: AddressSpace, base: number, pages: number, g: HeapGeometry) {
    this.space = space;
    this.base = base;
    this.shift = space.pool.pageShift;
    this.pages = pages;
    this.dataStart = g.dataStart;
    this.dataEnd = g.dataEnd;
    this.split = g.split;
    this.highMap = base + g.dataEnd * space.pool.pageSize;
    this.planSet = null;
  }

  /**
   * @internal This handle's plans (see plans.ts), made at its first call
   * that plans. A handle that never allocates or frees carries none: every
   * `produce` of @pagefork/state attaches a heap to its fork and each kept
   * version holds it, and most versions only overwrite (session 33: the six
   * plan objects were ~0.9 KB of the 5.6 KB a W9 version allocated, and
   * stayed with every kept version).
   */
  get plans(): HeapPlans {
    return this.planSet ?? this.newPlans();
  }

  private newPlans(): HeapPlans {
    const p = new HeapPlans();
    this.planSet = p;
    return p;
  }

  /**
   * Formats a heap managing `[base, limit)` of `space`: writes the header at
   * `base` (one page). O(1): the range must read as zeros (never written, or
   * discarded), as in a new space; pages are handed out without clearing.
   *
   * @throws {InvalidArgumentError} for a bad base or limit, a range too small
   * for the header, page map and one data page, or a heap already at `base`.
   * @example
   * ```ts
   * const space = new AddressSpace({ size: 1 << 16, pageSize: 256 });
   * const heap = Heap.create(space, { base: 256, limit: 32768 });
   * heap.stats().limit; // 32768
   * ```
   */
  static create(space: AddressSpace, options: HeapOptions = {}): Heap {
    if (!isAddressSpace(space)) throwInvalid("space", space, "an AddressSpace");
    const ps = space.pageSize;
    const base = options.base ?? 0;
    if (typeof base !== "number" || !Number.isSafeInteger(base) || base < 0 || base % ps !== 0 || base >= space.size)
      throwInvalid("base", base, `a multiple of the page size ${ps} inside the space`);
    const rawLimit = options.limit ?? space.size;
    if (typeof rawLimit !== "number" || !Number.isSafeInteger(rawLimit) || rawLimit <= base || rawLimit > space.size)
      throwInvalid("limit", rawLimit, `an integer in (base, ${space.size}]`);
    const limit = rawLimit - (rawLimit % ps);
    const pages = (limit - base) / ps;
    const g = geometryFor(pages, ps, HEAP_VERSION);
    if (g.dataEnd <= g.dataStart)
      throwInvalid("limit", rawLimit, "room for the header page, the page map and at least one data page");
    if (space.getUint32(base + H_MAGIC) === HEAP_MAGIC)
      throwInvalid("base", base, "a range without a heap (one is already there: use Heap.attach)");
    beginWrites();
    touch(base);
    reserveWrites(space);
    space.setUint32(base + H_MAGIC, HEAP_MAGIC);
    space.setUint32(base + H_VERSION, g.version);
    space.setUint32(base + H_PAGE_SIZE, ps);
    space.setFloat64(base + H_PAGES, pages);
    space.setFloat64(base + H_BRK, g.dataStart);
    space.setFloat64(base + H_HIGH, g.dataStart);
    return new Heap(space, base, pages, g);
  }

  /**
   * The heap whose header is at `base` in `space` (for instance in a fork).
   * O(1): reads four header words.
   *
   * @throws {InvalidArgumentError} when `base` is not a page-aligned address
   * of the space, or no heap of this layout version and page size is there.
   */
  static attach(space: AddressSpace, base = 0): Heap {
    if (!isAddressSpace(space)) throwInvalid("space", space, "an AddressSpace");
    const ps = space.pageSize;
    if (typeof base !== "number" || !Number.isSafeInteger(base) || base < 0 || base % ps !== 0 || base >= space.size)
      throwInvalid("base", base, `a multiple of the page size ${ps} inside the space`);
    const version = space.getUint32(base + H_VERSION);
    const pages = space.getFloat64(base + H_PAGES);
    if (
      space.getUint32(base + H_MAGIC) !== HEAP_MAGIC ||
      (version !== HEAP_VERSION && version !== HEAP_VERSION_ONE_MAP) ||
      space.getUint32(base + H_PAGE_SIZE) !== ps ||
      geometryFor(pages, ps, version).version !== version // a version-2 header on a heap too small for two maps
    )
      throwInvalid(
        "base",
        base,
        `the address of a heap (version ${HEAP_VERSION_ONE_MAP} or ${HEAP_VERSION}, page size ${ps})`,
      );
    return new Heap(space, base, pages, geometryFor(pages, ps, version));
  }

  /** Page size in bytes. */
  get pageSize(): number {
    return 1 << this.shift;
  }

  /** End of the managed range in bytes (exclusive). */
  get limit(): number {
    return this.base + this.pages * (1 << this.shift);
  }

  /**
   * Allocates one page and returns its page-aligned byte address; every byte
   * reads 0. O(1) amortized: the free stack, else the break, else a free run.
   * @throws {OutOfMemoryError} when the heap (or the pool) has no page left.
   * @throws {ProtectionFault} / {@link SegmentationFault} when the page it
   * would hand out (or one it writes) is write-protected / unmapped, or the
   * space is frozen; nothing changed.
   */
  allocPage(): number {
    beginWrites();
    const p = planTake(this, this.plans.take);
    if (p < 0) this.exhausted(1 << this.shift);
    reserveWrites(this.space);
    commitTake(this, this.plans.take);
    const s = this.space;
    s.setFloat64(this.base + H_PAGES_OUT, s.getFloat64(this.base + H_PAGES_OUT) + 1);
    s.setUint8(entryAt(this, p), S_PAGE);
    return pageAt(this, p);
  }

  /**
   * Frees a page from allocPage/allocPages. The page is discarded, never
   * written or copied. O(1).
   * @throws {InvalidArgumentError} unless `addr` is a live page of this heap.
   */
  freePage(addr: number): void {
    const p = checkPages(this, addr, 1, S_PAGE, "the address of a live page from allocPage/allocPages");
    beginWrites();
    planRelease(this, p, 1, this.plans.release);
    reserveWrites(this.space);
    const s = this.space;
    s.setFloat64(this.base + H_PAGES_OUT, s.getFloat64(this.base + H_PAGES_OUT) - 1);
    commitRelease(this, this.plans.release);
  }

  /**
   * Allocates `n` contiguous zeroed pages; returns the first one's address.
   * First fit over freed runs, else from the break. O(n + free runs).
   * @throws {InvalidArgumentError} unless `n` is an integer from 1 to the heap's pages.
   * @throws {OutOfMemoryError} when no free run or room above the break fits `n`.
   * @throws {ProtectionFault} / {@link SegmentationFault} when a page it would
   * hand out (or one it writes) is write-protected / unmapped, or the space is
   * frozen; nothing changed.
   */
  allocPages(n: number): number {
    this.checkCount(n);
    if (n === 1) return this.allocPage();
    beginWrites();
    const p = planRun(this, n, this.plans.run);
    if (p < 0) this.exhausted(n * (1 << this.shift));
    reserveWrites(this.space);
    commitRun(this, n, this.plans.run, S_PAGE, S_PAGE);
    const s = this.space;
    s.setFloat64(this.base + H_PAGES_OUT, s.getFloat64(this.base + H_PAGES_OUT) + n);
    return pageAt(this, p);
  }

  /**
   * Frees `n` contiguous live pages starting at `addr` (any pages from
   * allocPage/allocPages, like `munmap` of a sub-range). O(n).
   * @throws {InvalidArgumentError} unless all `n` pages are live pages of this heap.
   */
  freePages(addr: number, n: number): void {
    this.checkCount(n);
    const p = checkPages(this, addr, n, S_PAGE, `the address of ${n} live page(s) from allocPage/allocPages`);
    beginWrites();
    planRelease(this, p, n, this.plans.release);
    reserveWrites(this.space);
    const s = this.space;
    s.setFloat64(this.base + H_PAGES_OUT, s.getFloat64(this.base + H_PAGES_OUT) - n);
    commitRelease(this, this.plans.release);
  }

  /**
   * Allocates a block of `size` bytes (0 allowed) and returns the byte
   * address of its payload: 8-byte aligned, page-aligned above the largest
   * size class. Contents are unspecified (see {@link Heap.calloc}). O(1) for
   * small sizes; O(pages + free runs) for large ones.
   * @throws {InvalidArgumentError} unless `size` is an integer in `[0, limit - base]`.
   * @throws {OutOfMemoryError} when the heap or the pool has no room.
   */
  malloc(size: number): number {
    this.checkSize(size);
    beginWrites();
    if (!planAlloc(this, size, this.plans.alloc)) this.exhausted(size);
    reserveWrites(this.space);
    return commitAlloc(this, size, this.plans.alloc);
  }

  /** As {@link Heap.malloc}, with the usable bytes of the block set to 0. */
  calloc(size: number): number {
    this.checkSize(size);
    beginWrites();
    if (!planAlloc(this, size, this.plans.alloc)) this.exhausted(size);
    reserveWrites(this.space);
    const addr = commitAlloc(this, size, this.plans.alloc);
    // large blocks are fresh pages, already zero; a small slot may be reused
    if (isSmall(this, size)) this.space.fill(0, addr, addr + (16 << classOf(size)) - 8);
    return addr;
  }

  /**
   * Frees the block at `addr`; `free(0)` does nothing. O(1) small, O(pages) large.
   * @throws {InvalidArgumentError} unless `addr` is a live block (so a double free throws).
   */
  free(addr: number): void {
    if (addr === 0) return;
    locateBlock(this, addr, this.plans.block);
    beginWrites();
    planFree(this, this.plans.block, this.plans.free);
    reserveWrites(this.space);
    commitFree(this, this.plans.block, this.plans.free);
  }

  /**
   * Resizes the block at `addr` to `size` bytes, keeping the first
   * `min(old, size)` bytes, and returns its (possibly new) address. It stays
   * in place when the size class (small) or page count (large) is unchanged,
   * a large block shrinks in place (its tail pages are freed) and grows in
   * place when it ends at the break. Otherwise it moves (malloc, copy, free).
   * `realloc(0, n)` is `malloc(n)`; `realloc(addr, 0)` keeps a 0-byte block.
   * @throws {InvalidArgumentError} for a bad size or an address that is not a live block.
   * @throws {OutOfMemoryError} when there is no room; the old block is then untouched.
   */
  realloc(addr: number, size: number): number {
    if (addr === 0) return this.malloc(size);
    this.checkSize(size);
    const dst = reallocBlock(this, addr, size, this.plans);
    if (dst < 0) this.exhausted(size);
    return dst;
  }

  /**
   * Usable bytes of the block at `addr` (at least its requested size). O(1).
   * @throws {InvalidArgumentError} unless `addr` is a live block.
   */
  usableSize(addr: number): number {
    locateBlock(this, addr, sizeProbe);
    return sizeProbe.usable;
  }

  /** A snapshot of the heap's counters. O(1). */
  stats(): HeapStats {
    return heapStats(this);
  }

  /**
   * Walks every piece of heap metadata and throws an Error describing the
   * first inconsistency (corruption by a stray write, or a bug). O(pages
   * below the break). For tests and debugging, like glibc's `malloc_check`.
   */
  check(): void {
    checkHeap(this);
  }

  private checkSize(size: number): void {
    const cap = this.pages * (1 << this.shift);
    if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size > cap)
      throwInvalid("size", size, `an integer number of bytes from 0 to ${cap}`);
  }

  private checkCount(n: number): void {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > this.pages)
      throwInvalid("n", n, `an integer number of pages from 1 to ${this.pages}`);
  }

  private exhausted(bytes: number): never {
    return throwOom(bytes, `heap [${this.base}, ${this.limit}) has no room left`);
  }
}
