/**
 * The physical memory: frames in slabs, a refcount per frame, a free list, the
 * shared zero frame, a byte limit and counters. One pool also owns the page-table
 * node arena, because page-table nodes are shared across the spaces of a pool.
 * Its options and statistics types, and the checks of its options
 * (`poolConfig`), live in pool-options.ts.
 *
 * Size: the class keeps its fields (all set in its one constructor: one
 * hidden class), the frame calls the miss paths and faults make most
 * (slabOf, frameByte, allocFrame and its prepare calls) and the TSDoc of its
 * public members; the bodies of the rest are calls into the modules that do
 * the work, typed against the class's internal fields: frame-refcount.ts
 * (frameRefcount, retainFrame, releaseFrame), frame-copy.ts (copyFrame,
 * zeroFrame), slab-growth.ts (a new slab, the free list, adopted slabs),
 * commit-charge.ts (a refused charge and the out-of-memory hook),
 * tlb-cache.ts (takeTlb, recycleTlb), pool-stats.ts (stats) and share.ts
 * (unshare, dropWorker). Moving members to a base class was not tried
 * here: for spaces it made fork 2.5x slower (address-space.ts).
 *
 * @module
 */

import type { AddressSpace } from "./address-space.js";
import type { Attachment } from "./attach.js";
import { brandClass, FRAME_POOL_BRAND } from "./brand.js";
import { chargeRefused, refusesCharge, requireFramesSlow } from "./commit-charge.js";
import { TLB_SHIFT, ZERO_PFN } from "./constants.js";
import { copyFrameBytes, zeroFrameBytes } from "./frame-copy.js";
import { refcountOf, releaseRef, retainRef } from "./frame-refcount.js";
import { INSPECT_CUSTOM, type InspectFunction, type InspectOptions, inspectRecord } from "./inspect.js";
import type { OutOfMemoryEvent, Overcommit } from "./overcommit.js";
import { PageTable } from "./page-table.js";
import { type FramePoolOptions, type FramePoolStats, poolConfig } from "./pool-options.js";
import { poolStats } from "./pool-stats.js";
import { RefOverflow } from "./ref-overflow.js";
import { dropWorkerPins, type SharedSpaceHandle, type ShareRegistry, unsharePin } from "./share.js";
import { Slab } from "./slab.js";
import { adoptSlabsInto, growFresh, pinAdoptedFrames, RESERVE_POOL_BYTES } from "./slab-growth.js";
import { SpaceRegistry } from "./space-registry.js";
import type { SpaceState } from "./space-state.js";
import { type Tlb, tlbEntries } from "./tlb.js";
import { recycleCachedTlb, takeCachedTlb } from "./tlb-cache.js";

/**
 * Physical memory for address spaces. Frames are `pageSize`-byte slices of
 * slabs; a frame number (pfn) names slab `pfn >>> slabShift` and byte offset
 * `(pfn & slabMask) << pageShift` in it. pfn 0 is the zero frame: all zero,
 * never written, never counted, the frame every unwritten page reads from
 * (the kernel's `ZERO_PAGE`).
 *
 * Frames are recycled through a free list, never allocated one ArrayBuffer at
 * a time: a fresh 4 KiB ArrayBuffer costs ~1 us and ~100 B of heap, and first
 * touch of fresh memory costs ~1.9 us per 4 KiB on the planning machine.
 *
 * Slabs are added, never grown: the first holds `INITIAL_SLAB_BYTES` (64 KiB;
 * a shared pool's `SHARED_INITIAL_SLAB_BYTES`, 32 MiB, since each slab travels
 * with every handle; at least 4 frames), each next one as many frames as all
 * before it, up to
 * `slabBytes`; from then on every new slab is `slabBytes`. So a small pool
 * reserves little, a large one reserves at most about twice what it used,
 * and no frame is ever copied to make room: growing by copying into a buffer
 * twice the size touched that much fresh memory again (measured on this VM:
 * 33 ms of page faults for the 8 to 16 MiB step, 2 to 17 us per 4 KiB page,
 * inside one version of the W1 bench at 1M elements). Untouched pages of a
 * new slab cost no resident memory until a frame there is first written.
 *
 * Complexity: `allocFrame` and `releaseFrame` are O(1) (amortized: the free
 * list and the refcount bytes grow by doubling; adding a slab copies nothing).
 *
 * @throws {InvalidArgumentError} when `pageSize`, `slabBytes` or `maxBytes` is out of range.
 * @throws {SharingUnavailableError} for `shared: true` where SharedArrayBuffer is missing
 *   (a browser page without cross-origin isolation).
 * @example
 * ```ts
 * const pool = new FramePool({ pageSize: 1024 });
 * const a = new AddressSpace({ size: 1 << 20, pool });
 * a.setUint8(0, 1);
 * pool.stats().framesInUse; // 1
 * ```
 */
export class FramePool {
  static {
    brandClass(FramePool, FRAME_POOL_BRAND); // see brand.ts: isFramePool works across copies of the package
  }
  /** Page size in bytes. */
  readonly pageSize: number;
  /** log2(pageSize). */
  readonly pageShift: number;
  /** pageSize - 1. */
  readonly pageMask: number;
  /** log2(frames per full-size slab, `slabBytes / pageSize`). */
  readonly slabShift: number;
  /** Frames per full-size slab - 1. */
  readonly slabMask: number;
  /** log2(frames of slab 0). Slab k >= 1 holds `1 << (firstShift + k - 1)` frames until full size. @internal */
  readonly firstShift: number;
  /** Slabs before the first full-size one, minus one: full-size slab for pfn p is `geoLast + (p >>> slabShift)`. @internal */
  readonly geoLast: number;
  /** Byte limit on frames in use. */
  readonly maxBytes: number;
  /** `floor(maxBytes / pageSize)`. @internal */
  readonly maxFrames: number;
  /** The slabs, in pfn order; slab k starts where slab k - 1 ends (see {@link slabOf}). */
  readonly slabs: Slab[];
  /** The page-table node arena shared by every space of this pool. */
  readonly pt: PageTable;

  /**
   * Refcount per pfn, one byte each: the number of PTEs that map the frame, or
   * REF_OVERFLOW when the count lives in `refOverflow`. Code that only asks
   * "shared or not" compares the byte with 1 directly (255 > 1 holds too).
   * @internal
   */
  refcount: Uint8Array;
  /** Counts of frames whose refcount byte is REF_OVERFLOW (a typed hash table, ref-overflow.ts). @internal */
  readonly refOverflow: RefOverflow;
  /**
   * Stack of free pfns. Always has room for every frame this pool may get
   * back (`length >= nextPfn - freeBase`): it grows when a never-used frame
   * is handed out (`growFresh`, slab-growth.ts), never when one is freed, so that
   * `releaseFrame`, and with it a space's `release()` and a discard, never
   * allocates. Grown on free, a refused list threw OutOfMemoryError out of
   * the middle of a release's page-table walk: the space read as released
   * and the frames the walk had not reached stayed in use forever.
   * @internal
   */
  freeList: Int32Array;
  /** Free pfns on `freeList`. @internal */
  freeTop: number;
  /** Next never-used pfn. @internal */
  nextPfn: number;
  /**
   * First pfn this pool may ever free: past the zero frame, or past the
   * adopted frames of an attached pool (pinned, never freed here), so the
   * free list takes no slot per adopted frame. The PSS census counts no
   * frame below it: adopted frames are the owner pool's memory. @internal
   */
  freeBase: number;
  /**
   * `min(capacity, freeBase + freeList.length)`: a fresh frame below it
   * needs neither a slab nor a larger free list. One compare on
   * `allocFrame`'s fresh path, as the capacity alone was.
   * @internal
   */
  freshEnd: number;
  /** Frames of capacity in the slabs allocated so far. @internal */
  capacity: number;
  /** Frames in use (refcount >= 1). @internal */
  inUse: number;
  /** The most frames ever in use at once. @internal */
  peak: number;
  /** Scratch page for copies between overlapping ranges. @internal */
  readonly scratch: Uint8Array;
  /** TLBs of released spaces, ready for reuse, by log2 of their entry count (tlb-cache.ts). @internal */
  readonly tlbCache: Tlb[][];
  /**
   * `[tlbEntries(capacity) - 1]`: the largest TLB mask the pool's frames
   * justify now; shared with every TLB of the pool, which grows up to it on
   * a miss (tlb.ts). Raised when a slab is added. @internal
   */
  readonly tlbLimit: Int32Array;
  /** The overcommit policy. */
  readonly overcommit: Overcommit;
  /** The out-of-memory hook, or null. @internal */
  readonly onOom: ((event: OutOfMemoryEvent) => void) | null;
  /** True while the hook runs: an OOM inside it is not reported to it again (commit-charge.ts). @internal */
  inOomHook: boolean;
  /**
   * Commit charge in bytes (see FramePoolStats.committedBytes) at [0], its
   * peak at [1], and at [2] the peak as it was when the out-of-memory hook
   * last made room for a charge, just before that charge was added (a call
   * refused after it takes the charge back and restores that peak:
   * commit-charge.ts, takeBackCharge). In a typed array, not number fields: the charge passes 2^31
   * after a few hundred forks of a large space (W1: 8 MB x 1,000 versions),
   * and a Smi field turning Double changes the pool's hidden class, which
   * deoptimized every function compiled for it (fork, writeFault, allocFrame,
   * slabOf, frameByte: "wrong map", once per new pool) in the middle of W1.
   * @internal Read and restored by a fork refused after its charge (address-space.ts).
   */
  readonly commit: Float64Array;
  /** Live spaces, their roots for finalization, and the finalization registry. @internal */
  readonly spaces: SpaceRegistry;
  /** True when slabs and page-table nodes live in SharedArrayBuffers (`FramePoolOptions.shared`). */
  readonly shared: boolean;
  /** Handles made by `share()` (created by the first one), or null. @internal */
  shares: ShareRegistry | null;
  /** Set on a worker's view of another thread's shared pool (attach.ts), else null. @internal */
  attachment: Attachment | null;

  constructor(options: FramePoolOptions = {}) {
    const c = poolConfig(options); // every check, before a field is set (pool-options.ts)
    const pageSize = c.pageSize;
    const shift = c.pageShift;
    const shared = c.shared;
    // Set before the slab and the page table: both choose their buffer kind from it.
    this.shared = shared;
    this.shares = null;
    this.attachment = null;
    this.pageSize = pageSize;
    this.pageShift = shift;
    this.pageMask = pageSize - 1;
    this.slabShift = c.slabShift;
    this.slabMask = (1 << this.slabShift) - 1;
    this.maxBytes = c.maxBytes;
    this.maxFrames = Math.floor(c.maxBytes / pageSize);
    this.firstShift = c.firstShift;
    this.geoLast = this.slabShift - this.firstShift;
    const first = c.firstBytes;
    this.slabs = [new Slab(first, shared)];
    this.capacity = first >>> shift;
    this.refcount = new Uint8Array(this.capacity);
    this.refOverflow = new RefOverflow();
    this.freeList = new Int32Array(64);
    this.freeTop = 0;
    this.nextPfn = ZERO_PFN + 1; // pfn 0 is the zero frame: never handed out
    this.freeBase = ZERO_PFN + 1;
    this.freshEnd = Math.min(this.capacity, this.freeBase + this.freeList.length);
    this.inUse = 0;
    this.peak = 0;
    this.pt = new PageTable(this);
    this.scratch = new Uint8Array(pageSize);
    this.tlbCache = [];
    for (let k = 0; k <= TLB_SHIFT; k++) this.tlbCache.push([]);
    this.tlbLimit = Int32Array.of(tlbEntries(this.capacity) - 1);
    this.overcommit = c.overcommit;
    this.onOom = c.onOom;
    this.inOomHook = false;
    this.commit = new Float64Array(3);
    this.spaces = new SpaceRegistry(this, c.reclaimDropped);
    // A first slab of RESERVE_POOL_BYTES or more (`firstSlabBytes`) reserves
    // the page table now, as `growFresh` does for the slab that gets a pool there.
    if (this.capacity * pageSize >= RESERVE_POOL_BYTES) this.pt.reserve();
  }

  /** Frames referenced by at least one PTE (the zero frame is never counted). */
  get framesInUse(): number {
    if (this.shares !== null) this.shares.sweep();
    return this.inUse;
  }

  /** `framesInUse * pageSize`. */
  get bytesInUse(): number {
    if (this.shares !== null) this.shares.sweep();
    return this.inUse * this.pageSize;
  }

  /** How many more frames can be allocated before `maxBytes` is reached. */
  framesAvailable(): number {
    return this.maxFrames - this.inUse;
  }

  /**
   * Throws {@link OutOfMemoryError} unless `n` frames can be allocated now,
   * after giving the out-of-memory hook one chance to release spaces. Callers
   * check before they change anything, so a refused call changes nothing.
   * O(1), plus the hook when it runs.
   *
   * @param n - frames the caller is about to take.
   * @param space - the space the frames are for. The hook may release it; then
   *   this throws {@link ReleasedError}, so the caller stops before it faults
   *   frames into a released space (which would never give them back). Pass it
   *   whenever there is one.
   * @throws {OutOfMemoryError} when the frames cannot be had, or the hook threw.
   * @throws {ReleasedError} when the hook released `space`.
   */
  requireFrames(n: number, space?: AddressSpace): void;
  /** @internal The core's helpers pass the space as its {@link SpaceState} (reserve.ts). */
  requireFrames(n: number, space?: SpaceState): void;
  requireFrames(n: number, space?: SpaceState): void {
    if (n <= 0 || n <= this.framesAvailable()) return;
    requireFramesSlow(this, n, space); // the hook, or OutOfMemoryError (commit-charge.ts)
  }

  /**
   * Adds `bytes` to the commit charge, or throws {@link OutOfMemoryError}
   * (after the hook's one chance) when the policy refuses it: under `"never"`
   * when the charge would pass `maxBytes`; under `"heuristic"` when a fork
   * finds every frame of the pool in use. Throws {@link ReleasedError},
   * charging nothing, when the hook released `space` (the space forked or
   * mapped into). O(1) unless refused.
   */
  charge(bytes: number, isFork: boolean, space?: AddressSpace): void;
  /** @internal The core's helpers pass the space as its {@link SpaceState} (mmap.ts). */
  charge(bytes: number, isFork: boolean, space?: SpaceState): void;
  charge(bytes: number, isFork: boolean, space?: SpaceState): void {
    // The refusal (the hook, then OutOfMemoryError) is out of line, in commit-charge.ts.
    if (this.overcommit !== "always" && refusesCharge(this, bytes, isFork)) chargeRefused(this, bytes, isFork, space);
    const c = this.commit;
    const now = (c[0] as number) + bytes;
    c[0] = now;
    if (now > (c[1] as number)) c[1] = now;
  }

  /** Removes `bytes` from the commit charge (a space released, a range unmapped). */
  uncharge(bytes: number): void {
    this.commit[0] = (this.commit[0] as number) - bytes;
  }

  /**
   * The slab holding `pfn`. Below the first full-size slab, slab k >= 1 starts
   * at pfn `2 ** (firstShift + k - 1)`, the highest power of two <= pfn, so its
   * index is the bit length of `pfn >>> firstShift`; above it, slabs are
   * `slabMask + 1` frames each. O(1): a compare, a shift and a clz.
   */
  slabOf(pfn: number): Slab {
    return this.slabs[
      pfn <= this.slabMask ? 32 - Math.clz32(pfn >>> this.firstShift) : this.geoLast + (pfn >>> this.slabShift)
    ] as Slab;
  }

  /** Byte offset of `pfn`'s frame inside its slab (see {@link slabOf}). */
  frameByte(pfn: number): number {
    if (pfn > this.slabMask || pfn >>> this.firstShift === 0) return (pfn & this.slabMask) << this.pageShift;
    return (pfn - (1 << (31 - Math.clz32(pfn)))) << this.pageShift;
  }

  /**
   * Takes a frame with refcount 1. Its contents are undefined (a recycled
   * frame keeps old bytes): the caller fills or copies it.
   *
   * @throws {OutOfMemoryError} at `maxBytes`, or when the engine cannot grow a slab.
   */
  allocFrame(): number {
    if (this.inUse >= this.maxFrames) this.requireFrames(1);
    let pfn: number;
    if (this.freeTop > 0) pfn = this.freeList[--this.freeTop] as number;
    else {
      if (this.nextPfn >= this.freshEnd) growFresh(this, this.nextPfn); // a slab, a larger free list, or both
      pfn = this.nextPfn++;
    }
    this.refcount[pfn] = 1;
    if (++this.inUse > this.peak) this.peak = this.inUse;
    this.pt.epoch++;
    return pfn;
  }

  /**
   * Makes sure the next {@link allocFrame} takes a frame without
   * allocating: adds the slab, or the larger free list, now when the free
   * list is empty and the next never-used frame needs one. The write fault
   * calls it before its path copy, so that an engine refusing either (or
   * the pfn limit) refuses the fault before it changes anything. O(1), plus
   * the allocation when there is one.
   * @throws {OutOfMemoryError} when the engine cannot allocate the slab or the free list.
   * @internal
   */
  prepareFrame(): void {
    if (this.freeTop === 0 && this.nextPfn >= this.freshEnd) growFresh(this, this.nextPfn);
  }

  /**
   * Frames the next {@link allocFrame} calls can take without allocating:
   * the free list, then the never-used frames below `freshEnd`. O(1).
   * @internal
   */
  framesReady(): number {
    return this.freeTop + (this.freshEnd - this.nextPfn);
  }

  /**
   * Frames the slabs hold that are not in use (the free list and the
   * never-used ones): {@link prepareFrames} of up to this many adds no slab,
   * at most a larger free list. O(1).
   * @internal
   */
  framesUnused(): number {
    return this.freeTop + (this.capacity - this.nextPfn);
  }

  /**
   * Makes sure the next `n` {@link allocFrame} calls take frames without
   * allocating: adds the slabs and the larger free list they would add, now.
   * A write over several pages calls it first (reserve.ts), so that an
   * engine refusing a slab refuses the write before its first page changes,
   * not halfway through it. O(1) when ready, plus the allocations.
   * @throws {OutOfMemoryError} when the engine refuses an allocation, or at
   *   the pfn limit (frames in use unchanged; slabs added before the refusal stay).
   * @internal
   */
  prepareFrames(n: number): void {
    while (this.framesReady() < n) growFresh(this, this.freshEnd);
  }

  /** The exact refcount of `pfn` (0 for a free frame). O(1). */
  frameRefcount(pfn: number): number {
    return refcountOf(this, pfn);
  }

  /** Adds one reference to `pfn` (a page-table leaf copied by a path copy now maps it too). */
  retainFrame(pfn: number): void {
    retainRef(this, pfn);
  }

  /** Drops one reference; the frame returns to the free list at zero. */
  releaseFrame(pfn: number): void {
    releaseRef(this, pfn);
  }

  /** Copies frame `src` into frame `dst` (both whole pages). */
  copyFrame(dst: number, src: number): void {
    copyFrameBytes(this, dst, src);
  }

  /** Fills frame `pfn` with zero bytes. */
  zeroFrame(pfn: number): void {
    zeroFrameBytes(this, pfn);
  }

  /**
   * A flushed TLB for a space of `pages` pages that has none, of
   * `tlbEntries(min(pages, capacity in frames))` entries: no larger than the
   * pool's frames can fill, growing up to `tlbEntries(pages)` as the pool
   * grows (tlb.ts). Recycled from a released space when possible, so
   * short-lived forks do not allocate typed arrays.
   * @throws {OutOfMemoryError} when the engine refuses a new TLB's array
   *   (the caller, a TLB miss, has changed nothing yet).
   * @internal
   */
  takeTlb(pages: number): Tlb {
    return takeCachedTlb(this, pages);
  }

  /** Takes back the TLB of a released space, and the write TLB hanging off it (see tlb-cache.ts). @internal */
  recycleTlb(t: Tlb): void {
    recycleCachedTlb(this, t);
  }

  /**
   * Drops the pin of a handle from {@link AddressSpace.share} that no reader
   * has attached (a message never delivered, a worker that will not use it):
   * the version's frames may return to the pool, and a later attach of the
   * handle throws {@link InvalidHandleError} (`"released"`). O(1), plus the
   * frames freed.
   *
   * @throws {InvalidHandleError} (changing nothing) when `handle` is not a
   *   handle (`"forged"`), was made by another pool (`"foreign"`), was
   *   released already (`"released"`), or is attached in a reader, which must
   *   release it there (`"attached"`).
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const v = new AddressSpace({ size: 4096, pool });
   * v.setUint8(0, 1);
   * const handle = v.share();
   * v.release();
   * pool.framesInUse; // 1: the handle pins the version
   * pool.unshare(handle);
   * pool.framesInUse; // 0
   * ```
   */
  unshare(handle: SharedSpaceHandle): void {
    unsharePin(this, handle);
  }

  /**
   * Drops every pin of the handles shared with `worker` (its `options.worker`
   * in {@link AddressSpace.share}), attached or not: what a Node worker's
   * `"exit"` event does by itself, for a browser Worker after `terminate()`.
   * A pin that another Node thread attached (a forwarded handle) is kept,
   * untied from `worker`: the pin word names the thread that attached it.
   * Returns the number of pins dropped. For a Node `Worker` that still runs
   * (`threadId >= 0`) the pins it attached are kept, tied to it, until its
   * `release()` or its exit. A browser Worker cannot be asked whether it
   * runs: do not call it while one may still read, or its attached versions'
   * frames may be reused under it. O(its handles).
   *
   * @example
   * ```ts
   * const pool = new FramePool({ shared: true });
   * const v = new AddressSpace({ size: 4096, pool });
   * v.setUint8(0, 1);
   * const worker = {}; // a browser Worker, terminated
   * v.share({ worker });
   * v.release();
   * pool.dropWorker(worker); // 1
   * pool.framesInUse; // 0
   * ```
   */
  dropWorker(worker: object): number {
    return dropWorkerPins(this, worker);
  }

  /** A snapshot of the counters. O(slabs). */
  stats(): FramePoolStats {
    return poolStats(this);
  }

  /**
   * What `JSON.stringify(pool)` writes: the counters of {@link stats}, never
   * the slabs. O(slabs). `maxBytes: Infinity` is written as `null`, as JSON
   * writes every non-finite number.
   * @example
   * ```ts
   * const pool = new FramePool({ pageSize: 4096 });
   * const s = new AddressSpace({ size: 8192, pool });
   * s.setUint8(0, 1);
   * JSON.parse(JSON.stringify(pool)).bytesInUse; // 4096
   * s.release();
   * ```
   */
  toJSON(): FramePoolStats {
    return this.stats();
  }

  /**
   * How `console.log` / `util.inspect` show the pool: its {@link stats}, e.g.
   * `FramePool { pageSize: 4096, framesInUse: 1, bytesInUse: 4096, ... }`,
   * never its slabs, refcounts or free list (megabytes of typed arrays).
   */
  [INSPECT_CUSTOM](depth: number, options: InspectOptions, inspect?: InspectFunction): string {
    return inspectRecord("FramePool", this.stats(), depth, options, inspect);
  }

  /**
   * Makes this (new, empty) pool a worker's view of another thread's shared
   * pool: `slabs` become its slabs, and every pfn they hold counts as taken,
   * so frames this pool allocates later (for a fork's writes) go to new,
   * local slabs after them. The refcount bytes of the adopted frames are set
   * by {@link Attachment} before the first fork. @internal
   */
  adoptSlabs(slabs: Slab[], attachment: Attachment): void {
    adoptSlabsInto(this, slabs, attachment);
  }

  /**
   * Grows `refcount` to the capacity, every adopted frame's count set to `base`.
   * @throws {OutOfMemoryError} when the engine refuses the array (nothing changed).
   * @internal
   */
  pinAdopted(base: number): void {
    pinAdoptedFrames(this, base);
  }
}
