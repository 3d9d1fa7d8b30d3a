/**
 * The physical memory: frames in slabs, a refcount per frame, a free list, the
 * shared zero frame, a byte limit and counters. One pool also owns the page-table
 * node arena, because page-table nodes are shared across the spaces of a pool.
 * Its options and statistics types live in pool-options.ts.
 *
 * Size (~25 KB): the class keeps the frame calls the miss paths and faults
 * make (slabOf, frameByte, allocFrame, retainFrame, releaseFrame, copyFrame,
 * zeroFrame) next to the private fields they read, the commit charge and
 * its out-of-memory hook, and the TSDoc of its public members. Moving
 * members to a base class was not tried here: for spaces it made fork 2.5x
 * slower (address-space.ts). The sharing calls (unshare, dropWorker)
 * already delegate to share.ts.
 *
 * @module
 */

import type { AddressSpace } from "./address-space.js";
import type { Attachment } from "./attach.js";
import { brandClass, FRAME_POOL_BRAND } from "./brand.js";
import {
  DEFAULT_SLAB_BYTES,
  INITIAL_SLAB_BYTES,
  MAX_PAGE_SHIFT,
  MAX_SLAB_BYTES,
  MIN_PAGE_SHIFT,
  PAGE_SIZE,
  REF_MAX_INLINE,
  SHARED_INITIAL_SLAB_BYTES,
  TLB_SHIFT,
  ZERO_PFN,
} from "./constants.js";
import { OutOfMemoryError, throwInvalid, throwOom, throwRefused, throwReleased } from "./errors.js";
import { INSPECT_CUSTOM, type InspectFunction, type InspectOptions, inspectRecord } from "./inspect.js";
import { type OutOfMemoryEvent, type Overcommit, overcommitOf } from "./overcommit.js";
import { PageTable } from "./page-table.js";
import { checkSharedMemory, type FramePoolOptions, type FramePoolStats, log2Exact } from "./pool-options.js";
import { RefOverflow } from "./ref-overflow.js";
import { dropWorkerPins, type SharedSpaceHandle, type ShareRegistry, unsharePin } from "./share.js";
import { Slab } from "./slab.js";
import { SpaceRegistry } from "./space-registry.js";
import type { SpaceState } from "./space-state.js";
import { Tlb, tlbEntries } from "./tlb.js";

/** TLBs a pool keeps for reuse per TLB size: enough for a few spaces forked and released in a loop. */
const TLB_CACHE = 8;

/**
 * A refcount byte of this value means "255 or more: see the overflow table".
 * Counts 0..254 live in one byte per frame; a frame referenced by more page-table
 * leaves than that (a page left unchanged by hundreds of versions whose
 * neighbours changed) moves its count to the overflow table (ref-overflow.ts):
 * one byte per frame for the common case instead of four.
 */
const REF_OVERFLOW = REF_MAX_INLINE + 1;

/**
 * Slab bytes at which an unshared pool reserves room for a million
 * page-table nodes (`PageTable.reserve`, 36 MiB mapped lazily): a pool this
 * large reserves at most about half as much again for its page table, and a
 * smaller one keeps doubling its arena as before.
 */
const RESERVE_POOL_BYTES = 64 * 1024 * 1024;

/** Most frames a pool can hold: pfns are stored in Int32Array page-table entries and free lists. */
const MAX_FRAMES = 2 ** 31 - 1;

/**
 * Frames up to this size are copied across slabs with an int32 loop instead
 * of `set()` of a view. A copy across slabs costs a view (~100 ns) that a
 * `copyWithin` inside one slab does not; measured on Node 20 for cold frames
 * spread over 1 MiB, ns per copy, `copyWithin` / view + `set` / int32 loop:
 * 31 / 100 / 93 at 256 B, 70 / 175 / 972 at 1 KiB, 210 / 353 / 2428 at 4 KiB.
 */
const SMALL_FRAME = 256;

/** A new TLB of `entries` entries; a refused array is an OutOfMemoryError, not a RangeError. Out of line: takeTlb stays small. */
function newTlb(entries: number, limit: Int32Array): Tlb {
  try {
    return new Tlb(entries, limit);
  } catch (e) {
    throwRefused(e, entries * 8, "a TLB");
  }
}

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
 * a shared pool's `SHARED_INITIAL_SLAB_BYTES`, 16 MiB, since each slab travels
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
  /** log2(frames of slab 0). Slab k >= 1 holds `1 << (firstShift + k - 1)` frames until full size. */
  private readonly firstShift: number;
  /** Slabs before the first full-size one, minus one: full-size slab for pfn p is `geoLast + (p >>> slabShift)`. */
  private readonly geoLast: number;
  /** Byte limit on frames in use. */
  readonly maxBytes: number;
  /** `floor(maxBytes / pageSize)`. */
  private readonly maxFrames: number;
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
   * is handed out ({@link growFresh}), never when one is freed, so that
   * `releaseFrame`, and with it a space's `release()` and a discard, never
   * allocates. Grown on free, a refused list threw OutOfMemoryError out of
   * the middle of a release's page-table walk: the space read as released
   * and the frames the walk had not reached stayed in use forever.
   * @internal
   */
  private freeList: Int32Array;
  private freeTop: number;
  /** Next never-used pfn. */
  private nextPfn: number;
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
   */
  private freshEnd: number;
  /** Frames of capacity in the slabs allocated so far. */
  private capacity: number;
  private inUse: number;
  private peak: number;
  /** Scratch page for copies between overlapping ranges. @internal */
  readonly scratch: Uint8Array;
  /** TLBs of released spaces, ready for reuse, by log2 of their entry count. */
  private readonly tlbCache: Tlb[][];
  /**
   * `[tlbEntries(capacity) - 1]`: the largest TLB mask the pool's frames
   * justify now; shared with every TLB of the pool, which grows up to it on
   * a miss (tlb.ts). Raised when a slab is added. @internal
   */
  readonly tlbLimit: Int32Array;
  /** The overcommit policy. */
  readonly overcommit: Overcommit;
  /** The out-of-memory hook, or null. */
  private readonly onOom: ((event: OutOfMemoryEvent) => void) | null;
  /** True while the hook runs: an OOM inside it is not reported to it again. */
  private inOomHook: boolean;
  /**
   * Commit charge in bytes (see FramePoolStats.committedBytes) at [0], its
   * peak at [1]. In a typed array, not number fields: the charge passes 2^31
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
    const pageSize = options.pageSize ?? PAGE_SIZE;
    const shift = log2Exact(pageSize);
    if (shift < MIN_PAGE_SHIFT || shift > MAX_PAGE_SHIFT)
      throwInvalid("pageSize", pageSize, "a power of two from 256 to 65536 bytes");
    const slabBytes = options.slabBytes ?? Math.max(DEFAULT_SLAB_BYTES, pageSize);
    const slabLog = log2Exact(slabBytes);
    if (slabLog < shift || slabBytes > MAX_SLAB_BYTES)
      throwInvalid("slabBytes", slabBytes, `a power of two from pageSize (${pageSize}) to 1 GiB`);
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (typeof maxBytes !== "number" || !(maxBytes >= 0)) throwInvalid("maxBytes", maxBytes, "a number of bytes >= 0");
    const overcommit = overcommitOf(options.overcommit);
    const onOom = options.onOutOfMemory ?? null;
    if (onOom !== null && typeof onOom !== "function") throwInvalid("onOutOfMemory", onOom, "a function");
    const reclaimDropped = options.reclaimDropped ?? true;
    if (typeof reclaimDropped !== "boolean") throwInvalid("reclaimDropped", reclaimDropped, "a boolean");
    const shared = options.shared ?? false;
    if (typeof shared !== "boolean") throwInvalid("shared", shared, "a boolean");
    if (shared) checkSharedMemory();
    // Set before the slab and the page table: both choose their buffer kind from it.
    this.shared = shared;
    this.shares = null;
    this.attachment = null;
    this.pageSize = pageSize;
    this.pageShift = shift;
    this.pageMask = pageSize - 1;
    this.slabShift = slabLog - shift;
    this.slabMask = (1 << this.slabShift) - 1;
    this.maxBytes = maxBytes;
    this.maxFrames = Math.floor(maxBytes / pageSize);
    // A shared pool starts larger: its slabs travel with every handle (constants.ts).
    const initial = shared ? SHARED_INITIAL_SLAB_BYTES : INITIAL_SLAB_BYTES;
    const first = options.firstSlabBytes ?? Math.min(slabBytes, Math.max(initial, pageSize * 4));
    const firstLog = log2Exact(first);
    if (firstLog < shift || first > slabBytes)
      throwInvalid("firstSlabBytes", first, `a power of two from pageSize (${pageSize}) to slabBytes (${slabBytes})`);
    this.firstShift = log2Exact(first) - shift;
    this.geoLast = this.slabShift - this.firstShift;
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
    this.overcommit = overcommit;
    this.onOom = onOom;
    this.inOomHook = false;
    this.commit = new Float64Array(2);
    this.spaces = new SpaceRegistry(this, reclaimDropped);
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
    // Versions whose handles every holder released may still be pinned until swept.
    if (this.shares?.sweep() && n <= this.framesAvailable()) return;
    if (this.reclaim(n * this.pageSize, "fault", space) && n <= this.framesAvailable()) return;
    throwOom(
      n * this.pageSize,
      `pool limit maxBytes=${this.maxBytes} reached (${this.inUse} frames of ${this.pageSize} B in use)`,
    );
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
    if (this.overcommit !== "always" && this.refuses(bytes, isFork)) {
      if (!this.reclaim(bytes, "commit", space) || this.refuses(bytes, isFork))
        throwOom(
          bytes,
          this.overcommit === "never"
            ? `commit limit: ${this.commit[0]} of maxBytes=${this.maxBytes} bytes already committed (overcommit "never")`
            : `every frame is in use (maxBytes=${this.maxBytes}); a fork now is an obvious overcommit (overcommit "heuristic")`,
        );
    }
    const c = this.commit;
    const now = (c[0] as number) + bytes;
    c[0] = now;
    if (now > (c[1] as number)) c[1] = now;
  }

  /** Removes `bytes` from the commit charge (a space released, a range unmapped). */
  uncharge(bytes: number): void {
    this.commit[0] = (this.commit[0] as number) - bytes;
  }

  /** True when the policy refuses a charge of `bytes` now. */
  private refuses(bytes: number, isFork: boolean): boolean {
    if (this.overcommit === "never") return (this.commit[0] as number) + bytes > this.maxBytes;
    return isFork && this.inUse >= this.maxFrames;
  }

  /**
   * Runs the out-of-memory hook once, unless it is already running. True if it
   * ran. The one place that re-checks, after the hook, that the space asking
   * (if any) survived it: every caller then stops before changing anything.
   */
  private reclaim(requestedBytes: number, kind: OutOfMemoryEvent["kind"], space: SpaceState | undefined): boolean {
    if (this.onOom === null || this.inOomHook) return false;
    this.inOomHook = true;
    try {
      this.onOom({ kind, requestedBytes, pool: this });
    } catch (e) {
      throw new OutOfMemoryError(requestedBytes, `the onOutOfMemory hook threw: ${String(e)}`, { cause: e });
    } finally {
      this.inOomHook = false;
    }
    if (space?.isReleased) throwReleased("address space");
    return true;
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
      if (this.nextPfn >= this.freshEnd) this.growFresh(this.nextPfn); // a slab, a larger free list, or both
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
    if (this.freeTop === 0 && this.nextPfn >= this.freshEnd) this.growFresh(this.nextPfn);
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
    while (this.framesReady() < n) this.growFresh(this.freshEnd);
  }

  /** The exact refcount of `pfn` (0 for a free frame). O(1). */
  frameRefcount(pfn: number): number {
    const b = this.refcount[pfn] as number;
    return b < REF_OVERFLOW ? b : this.refOverflow.get(pfn);
  }

  /** Adds one reference to `pfn` (a page-table leaf copied by a path copy now maps it too). */
  retainFrame(pfn: number): void {
    this.pt.epoch++;
    const b = this.refcount[pfn] as number;
    if (b < REF_MAX_INLINE) this.refcount[pfn] = b + 1;
    else if (b === REF_OVERFLOW) this.refOverflow.add(pfn, 1);
    else {
      // 254 -> 255: the count moves to the table.
      this.refOverflow.add(pfn, REF_OVERFLOW);
      this.refcount[pfn] = REF_OVERFLOW;
    }
  }

  /** Drops one reference; the frame returns to the free list at zero. */
  releaseFrame(pfn: number): void {
    if (pfn === ZERO_PFN) return;
    this.pt.epoch++;
    const b = this.refcount[pfn] as number;
    if (b === REF_OVERFLOW) {
      const n = this.refOverflow.decrement(pfn); // never allocates: see `freeList`
      if (n < REF_OVERFLOW) {
        this.refOverflow.delete(pfn);
        this.refcount[pfn] = n;
      }
      return;
    }
    if (b === 1) {
      // The list has room: it grew when this frame was first handed out (see `freeList`).
      this.freeList[this.freeTop++] = pfn;
      this.inUse--;
    }
    this.refcount[pfn] = b - 1;
  }

  /** Copies frame `src` into frame `dst` (both whole pages). */
  copyFrame(dst: number, src: number): void {
    const ds = this.slabOf(dst);
    const ss = this.slabOf(src);
    const d = this.frameByte(dst);
    const s = this.frameByte(src);
    if (ds === ss) ds.u8.copyWithin(d, s, s + this.pageSize);
    else if (this.pageSize <= SMALL_FRAME) {
      // Across slabs, `set()` needs a view per copy: the smallest frames copy
      // as fast as an int32 loop (int32, not float64, so NaN bit patterns
      // cannot be canonicalized on the way).
      // Unrolled by 8 (a frame of 256 B is 64 int32s; pageSize >= 256, so
      // the count is a multiple of 8): eight loads, then eight stores, one
      // counter, branch and bounds check per 32 B. A plain loop cost ~1.6-2x
      // (cold frames spread over 1 MiB: 115-160 vs 167-457 ns per copy).
      const di = ds.i32;
      const si = ss.i32;
      const end = (s >>> 2) + (this.pageSize >>> 2);
      for (let j = s >>> 2, k = d >>> 2; j < end; j += 8, k += 8) {
        const a0 = si[j] as number;
        const a1 = si[j + 1] as number;
        const a2 = si[j + 2] as number;
        const a3 = si[j + 3] as number;
        const a4 = si[j + 4] as number;
        const a5 = si[j + 5] as number;
        const a6 = si[j + 6] as number;
        const a7 = si[j + 7] as number;
        di[k] = a0;
        di[k + 1] = a1;
        di[k + 2] = a2;
        di[k + 3] = a3;
        di[k + 4] = a4;
        di[k + 5] = a5;
        di[k + 6] = a6;
        di[k + 7] = a7;
      }
    } else ds.u8.set(new Uint8Array(ss.buffer, s, this.pageSize), d); // a constructor call: no species lookup
  }

  /** Fills frame `pfn` with zero bytes. */
  zeroFrame(pfn: number): void {
    const d = this.frameByte(pfn);
    this.slabOf(pfn).u8.fill(0, d, d + this.pageSize);
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
    const full = tlbEntries(pages);
    const limit = (this.tlbLimit[0] as number) + 1;
    const entries = Math.min(full, limit);
    let t = (this.tlbCache[31 - Math.clz32(entries)] as Tlb[]).pop();
    if (t === undefined) t = newTlb(entries, this.tlbLimit);
    t.maxMask = full - 1;
    return t;
  }

  /** Takes back the TLB of a released space, and the write TLB hanging off it (keeps at most TLB_CACHE of each size). @internal */
  recycleTlb(t: Tlb): void {
    const w = t.write;
    if (w !== null) {
      t.write = null; // cached TLBs stand alone: a taken one may become a read or a write TLB
      this.recycleTlb(w);
    }
    const cache = this.tlbCache[t.shift] as Tlb[];
    if (cache.length < TLB_CACHE) {
      t.flush();
      cache.push(t);
    }
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
   * Returns the number of pins dropped. Do not call it while the worker may
   * still read: its attached versions' frames may be reused. O(its handles).
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
    if (this.shares !== null) this.shares.sweep();
    let reserved = 0;
    for (const s of this.slabs) reserved += s.buffer.byteLength;
    const overflowBytes = this.refOverflow.byteLength;
    return {
      pageSize: this.pageSize,
      framesInUse: this.inUse,
      bytesInUse: this.inUse * this.pageSize,
      peakBytesInUse: this.peak * this.pageSize,
      bytesReserved: reserved,
      framesFree: this.freeTop + (this.capacity - this.nextPfn),
      pageTableNodes: this.pt.nodesInUse,
      pageTableBytes: this.pt.bytesInUse,
      metadataBytesPerFrame:
        (this.refcount.byteLength + this.freeList.byteLength + overflowBytes) / Math.max(1, this.capacity),
      overflowRefcounts: this.refOverflow.size,
      maxBytes: this.maxBytes,
      overcommit: this.overcommit,
      committedBytes: this.commit[0] as number,
      peakCommittedBytes: this.commit[1] as number,
      spaces: this.spaces.live,
      spacesReclaimed: this.spaces.reclaimed,
      sharedHandles: this.shares === null ? 0 : this.shares.outstanding,
    };
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
    let capacity = 0;
    for (const s of slabs) capacity += s.buffer.byteLength >>> this.pageShift;
    const none = new Uint8Array(0); // allocated before anything changes (see pinAdopted)
    this.slabs.length = 0;
    this.slabs.push(...slabs);
    this.capacity = capacity;
    this.nextPfn = capacity;
    this.freeBase = capacity; // adopted frames are pinned (attach.ts): the free list never holds them
    this.freshEnd = capacity;
    this.refcount = none;
    this.attachment = attachment;
    this.tlbLimit[0] = tlbEntries(capacity) - 1;
  }

  /**
   * Grows `refcount` to the capacity, every adopted frame's count set to `base`.
   * @throws {OutOfMemoryError} when the engine refuses the array (nothing changed).
   * @internal
   */
  pinAdopted(base: number): void {
    let rc: Uint8Array;
    try {
      rc = new Uint8Array(this.capacity);
    } catch (e) {
      throwRefused(e, this.capacity, "the refcount bytes");
    }
    rc.fill(base, ZERO_PFN + 1);
    this.refcount = rc;
  }

  /**
   * Makes room for never-used frame `pfn` (`nextPfn`; `freshEnd` when
   * {@link prepareFrames} makes room ahead, one step per call): adds a slab when
   * the slabs are full (as many frames as all slabs before it, so the pool
   * doubles, up to the full slab size; copies no frame), and doubles the
   * free list when it could not hold every frame handed out so far plus
   * this one (see `freeList`). Allocates everything that can throw (the
   * slab, the larger refcount bytes, the larger free list) before it
   * changes a field, so a refusal changes nothing: a capacity raised before
   * a refused refcount array left frames past the array's end whose
   * refcount writes the typed array dropped (a shared frame then read as
   * free: corruption, frame-pool-grow.test.ts). O(frames) for the copies,
   * amortized O(1) per frame.
   * @throws {OutOfMemoryError} at the pfn limit, or when the engine refuses an allocation.
   */
  private growFresh(pfn: number): void {
    const addSlab = pfn >= this.capacity;
    const k = this.slabs.length;
    const frames = !addSlab ? 0 : k > this.geoLast ? this.slabMask + 1 : 1 << (this.firstShift + k - 1);
    const capacity = this.capacity + frames;
    if (capacity > MAX_FRAMES) throwOom(this.pageSize, `the pool holds the most frames a pfn can name (${MAX_FRAMES})`);
    let slab: Slab | null = null;
    let rc = this.refcount;
    let list = this.freeList;
    let what = "a slab";
    try {
      if (addSlab) {
        slab = new Slab(frames << this.pageShift, this.shared);
        what = "the refcount bytes of a slab";
        if (capacity > rc.length) rc = new Uint8Array(Math.max(capacity, rc.length * 2));
      }
      what = "the free list";
      if (pfn - this.freeBase >= list.length) list = new Int32Array(list.length * 2);
    } catch (e) {
      throwRefused(e, this.pageSize, what);
    }
    // Nothing below throws.
    if (list !== this.freeList) {
      list.set(this.freeList);
      this.freeList = list;
    }
    if (slab !== null) {
      if (rc !== this.refcount) {
        rc.set(this.refcount);
        this.refcount = rc;
      }
      this.slabs.push(slab);
      this.capacity = capacity;
      this.tlbLimit[0] = tlbEntries(capacity) - 1; // TLBs of the pool grow up to it on their next miss
      // A large pool reserves its page table with its slabs (see PageTable.reserve).
      if (capacity * this.pageSize >= RESERVE_POOL_BYTES) this.pt.reserve();
    }
    this.freshEnd = Math.min(this.capacity, this.freeBase + this.freeList.length);
  }
}
