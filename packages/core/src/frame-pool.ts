/**
 * The physical memory: frames in slabs, a refcount per frame, a free list, the
 * shared zero frame, a byte limit and counters. One pool also owns the page-table
 * node arena, because page-table nodes are shared across the spaces of a pool.
 *
 * @module
 */
import {
  DEFAULT_SLAB_BYTES,
  INITIAL_SLAB_BYTES,
  MAX_PAGE_SHIFT,
  MAX_SLAB_BYTES,
  MIN_PAGE_SHIFT,
  PAGE_SIZE,
  ZERO_PFN,
} from "./constants.js";
import { throwInvalid, throwOom } from "./errors.js";
import { PageTable } from "./page-table.js";
import { Slab } from "./slab.js";
import { Tlb } from "./tlb.js";

/** TLBs a pool keeps for reuse: enough for a few spaces forked and released in a loop. */
const TLB_CACHE = 8;

/** Options of {@link FramePool}. */
export interface FramePoolOptions {
  /** Page (and frame) size in bytes: a power of two from 256 to 65536. Default 4096. */
  pageSize?: number;
  /** Bytes per slab: a power of two from `pageSize` to 1 GiB. Default 256 MiB. */
  slabBytes?: number;
  /** Most bytes of frames in use at once (the zero frame excluded). Default: no limit. */
  maxBytes?: number;
}

/** A snapshot of a pool's counters, all in bytes or counts as named. */
export interface FramePoolStats {
  /** Page size in bytes. */
  pageSize: number;
  /** Frames currently referenced by at least one PTE (the zero frame excluded). */
  framesInUse: number;
  /** `framesInUse * pageSize`. */
  bytesInUse: number;
  /** Highest `bytesInUse` seen. */
  peakBytesInUse: number;
  /** Bytes of ArrayBuffer held by slabs (frames in use, free and never used). */
  bytesReserved: number;
  /** Frames on the free list, ready for reuse without touching fresh memory. */
  framesFree: number;
  /** Page-table nodes in use. */
  pageTableNodes: number;
  /** Bytes of page-table nodes in use (32 bytes each at fanout 8). */
  pageTableBytes: number;
  /** Metadata bytes per frame (refcount and free-list slot). */
  metadataBytesPerFrame: number;
  /** The byte limit, or `Infinity`. */
  maxBytes: number;
}

/** Frames up to this size are copied across slabs with a loop instead of `set(subarray())`. */
const SMALL_FRAME = 1024;

function log2Exact(n: number): number {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0 ? 31 - Math.clz32(n) : -1;
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
 * Complexity: `allocFrame` and `releaseFrame` are O(1) amortized (a slab grows
 * by doubling, so each frame is copied at most once on average).
 *
 * @throws {InvalidArgumentError} when `pageSize`, `slabBytes` or `maxBytes` is out of range.
 * @example
 * ```ts
 * const pool = new FramePool({ pageSize: 1024 });
 * const a = new AddressSpace({ size: 1 << 20, pool });
 * a.setUint8(0, 1);
 * pool.stats().framesInUse; // 1
 * ```
 */
export class FramePool {
  /** Page size in bytes. */
  readonly pageSize: number;
  /** log2(pageSize). */
  readonly pageShift: number;
  /** pageSize - 1. */
  readonly pageMask: number;
  /** log2(frames per slab). */
  readonly slabShift: number;
  /** frames per slab - 1. */
  readonly slabMask: number;
  /** Byte limit on frames in use. */
  readonly maxBytes: number;
  /** `floor(maxBytes / pageSize)`. */
  private readonly maxFrames: number;
  /** The slabs; only the last one may still grow. */
  readonly slabs: Slab[];
  /** The page-table node arena shared by every space of this pool. */
  readonly pt: PageTable;

  /** Refcount per pfn: number of PTEs that map the frame. @internal */
  refcount: Int32Array;
  /** Stack of free pfns. @internal */
  private freeList: Int32Array;
  private freeTop: number;
  /** Next never-used pfn. */
  private nextPfn: number;
  /** Frames of capacity in the slabs allocated so far. */
  private capacity: number;
  private inUse: number;
  private peak: number;
  /** Scratch page for copies between overlapping ranges. @internal */
  readonly scratch: Uint8Array;
  /** TLBs of released spaces, ready for reuse. */
  private readonly tlbCache: Tlb[];

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
    this.pageSize = pageSize;
    this.pageShift = shift;
    this.pageMask = pageSize - 1;
    this.slabShift = slabLog - shift;
    this.slabMask = (1 << this.slabShift) - 1;
    this.maxBytes = maxBytes;
    this.maxFrames = Math.floor(maxBytes / pageSize);
    const first = Math.min(slabBytes, Math.max(INITIAL_SLAB_BYTES, pageSize * 4));
    this.slabs = [new Slab(first)];
    this.capacity = first >>> shift;
    this.refcount = new Int32Array(this.capacity);
    this.freeList = new Int32Array(64);
    this.freeTop = 0;
    this.nextPfn = ZERO_PFN + 1; // pfn 0 is the zero frame: never handed out
    this.inUse = 0;
    this.peak = 0;
    this.pt = new PageTable(this);
    this.scratch = new Uint8Array(pageSize);
    this.tlbCache = [];
  }

  /** Frames referenced by at least one PTE (the zero frame is never counted). */
  get framesInUse(): number {
    return this.inUse;
  }

  /** `framesInUse * pageSize`. */
  get bytesInUse(): number {
    return this.inUse * this.pageSize;
  }

  /** How many more frames can be allocated before `maxBytes` is reached. */
  framesAvailable(): number {
    return this.maxFrames - this.inUse;
  }

  /**
   * Throws {@link OutOfMemoryError} unless `n` frames can be allocated now.
   * Callers check before they change anything, so a refused call changes nothing.
   */
  requireFrames(n: number): void {
    if (n > 0 && n > this.framesAvailable())
      throwOom(
        n * this.pageSize,
        `pool limit maxBytes=${this.maxBytes} reached (${this.inUse} frames of ${this.pageSize} B in use)`,
      );
  }

  /** The slab holding `pfn`. */
  slabOf(pfn: number): Slab {
    return this.slabs[pfn >>> this.slabShift] as Slab;
  }

  /** Byte offset of `pfn`'s frame inside its slab. */
  frameByte(pfn: number): number {
    return (pfn & this.slabMask) << this.pageShift;
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
      if (this.nextPfn >= this.capacity) this.grow();
      pfn = this.nextPfn++;
    }
    this.refcount[pfn] = 1;
    if (++this.inUse > this.peak) this.peak = this.inUse;
    return pfn;
  }

  /** Drops one reference; the frame returns to the free list at zero. */
  releaseFrame(pfn: number): void {
    if (pfn === ZERO_PFN) return;
    if (--this.refcount[pfn] === 0) {
      if (this.freeTop === this.freeList.length) {
        const next = new Int32Array(this.freeList.length * 2);
        next.set(this.freeList);
        this.freeList = next;
      }
      this.freeList[this.freeTop++] = pfn;
      this.inUse--;
    }
  }

  /** Copies frame `src` into frame `dst` (both whole pages). */
  copyFrame(dst: number, src: number): void {
    const ds = this.slabOf(dst);
    const ss = this.slabOf(src);
    const d = this.frameByte(dst);
    const s = this.frameByte(src);
    if (ds === ss) ds.u8.copyWithin(d, s, s + this.pageSize);
    else if (this.pageSize <= SMALL_FRAME) {
      // Across slabs, `set(subarray())` allocates a view per copy: small frames
      // copy faster as an int32 loop (int32, not float64, so NaN bit patterns
      // cannot be canonicalized on the way).
      const di = ds.i32;
      const si = ss.i32;
      const d4 = d >>> 2;
      const s4 = s >>> 2;
      const n = this.pageSize >>> 2;
      for (let i = 0; i < n; i++) di[d4 + i] = si[s4 + i] as number;
    } else ds.u8.set(ss.u8.subarray(s, s + this.pageSize), d);
  }

  /** Fills frame `pfn` with zero bytes. */
  zeroFrame(pfn: number): void {
    const d = this.frameByte(pfn);
    this.slabOf(pfn).u8.fill(0, d, d + this.pageSize);
  }

  /**
   * A flushed TLB for a space that has none: recycled from a released space
   * when possible, so short-lived forks do not allocate typed arrays.
   * @internal
   */
  takeTlb(): Tlb {
    const t = this.tlbCache.pop();
    return t === undefined ? new Tlb() : t;
  }

  /** Takes back the TLB of a released space (keeps at most TLB_CACHE). @internal */
  recycleTlb(t: Tlb): void {
    if (this.tlbCache.length < TLB_CACHE) {
      t.flush();
      this.tlbCache.push(t);
    }
  }

  /** A snapshot of the counters. O(1). */
  stats(): FramePoolStats {
    let reserved = 0;
    for (const s of this.slabs) reserved += s.buffer.byteLength;
    return {
      pageSize: this.pageSize,
      framesInUse: this.inUse,
      bytesInUse: this.inUse * this.pageSize,
      peakBytesInUse: this.peak * this.pageSize,
      bytesReserved: reserved,
      framesFree: this.freeTop + (this.capacity - this.nextPfn),
      pageTableNodes: this.pt.nodesInUse,
      pageTableBytes: this.pt.bytesInUse,
      metadataBytesPerFrame: Int32Array.BYTES_PER_ELEMENT * 2,
      maxBytes: this.maxBytes,
    };
  }

  /** Adds capacity: doubles the last slab, or opens a new one when it is full. */
  private grow(): void {
    const framesPerSlab = this.slabMask + 1;
    const last = this.slabs[this.slabs.length - 1] as Slab;
    const lastFrames = last.buffer.byteLength >>> this.pageShift;
    try {
      if (lastFrames < framesPerSlab) {
        last.grow(Math.min(framesPerSlab, lastFrames * 2) << this.pageShift);
      } else {
        this.slabs.push(new Slab(Math.min(framesPerSlab << this.pageShift, INITIAL_SLAB_BYTES)));
      }
    } catch (e) {
      if (e instanceof RangeError) throwOom(this.pageSize, `the JS engine refused a slab: ${e.message}`);
      throw e;
    }
    this.capacity =
      ((this.slabs.length - 1) << this.slabShift) +
      ((this.slabs[this.slabs.length - 1] as Slab).buffer.byteLength >>> this.pageShift);
    if (this.capacity > this.refcount.length) {
      const rc = new Int32Array(Math.max(this.capacity, this.refcount.length * 2));
      rc.set(this.refcount);
      this.refcount = rc;
    }
  }
}
