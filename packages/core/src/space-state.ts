/**
 * The internal state of an address space, and the one place that keeps its
 * caches coherent.
 *
 * `AddressSpace` holds its state in plain fields (the accessors' fast paths
 * read them inline, see address-space.ts). The modules that work on a space
 * from outside the class (mmu, bulk, mmap, fault, diff, stats, pss,
 * page-span, the heap's reservation) type against {@link SpaceState} rather
 * than the class, so none of them imports address-space.ts and the class is
 * one implementation of the contract (it satisfies it structurally: an
 * `implements` clause would break the published `.d.ts`, whose
 * `stripInternal` drops these members). Every call that hands `this` to a
 * helper typed `SpaceState` checks the class against it.
 *
 * Cache coherence. A space caches translations in four places: the read and
 * write last-page caches (`rPage`/`rSlab`/`rByte`, `wPage`/`wSlab`/`wByte`)
 * and the read and write TLBs (`rtlb`, and `rtlb.write`). Whatever changes a PTE, a mapping or a
 * protection other than through a write fault drops stale entries with one
 * of the functions below, as Linux's `flush_tlb_mm` / `flush_tlb_page` do;
 * a write fault reports its new frame with {@link remapPage}. Only two
 * places write the caches themselves: the accessors' read-miss refill
 * (address-space.ts, which must stay call-free) and mmu.ts's refills.
 *
 * @module
 */
import { NO_PAGE } from "./constants.js";
import type { FramePool } from "./frame-pool.js";
import type { MappingList } from "./mappings.js";
import type { Slab } from "./slab.js";
import type { Tlb } from "./tlb.js";

/**
 * The fields of an address space that the core's helper modules read and
 * write. `AddressSpace` implements it (see the module comment). Internal:
 * a helper exported from a module that also holds public types (diff.ts,
 * stats.ts) is tagged internal too, so the published `.d.ts` never name it.
 * @internal
 */
export interface SpaceState {
  /** Virtual address of the page in the read cache; NO_PAGE when empty. */
  rPage: number;
  /** Byte offset of that page's frame in `rSlab`. */
  rByte: number;
  /** Slab holding that frame. */
  rSlab: Slab;
  /** Virtual address of the page in the write cache; NO_PAGE when empty. */
  wPage: number;
  /** Byte offset of that page's frame in `wSlab`. */
  wByte: number;
  /** Slab holding that frame. */
  wSlab: Slab;
  /** `pageSize - 1`. */
  readonly pageMask: number;
  /** Bytes the program asked to write (the write-amplification denominator). */
  bytesWritten: number;
  /** Page-table root node (0: every page is the zero frame); an accessor over the space's registry slot (`AddressSpace.root`: no field per space). */
  root: number;
  /** Page-table levels under the root, 1 to 16 (an accessor over `AddressSpace.flags`: no field per space). */
  levels: number;
  /** The frame pool the space takes frames from. */
  readonly pool: FramePool;
  /** Size of the space in bytes (a multiple of the page size): `maps.size`, a getter (no field per space). */
  readonly size: number;
  /**
   * Read TLB, taken lazily (see mmu.ts); null when none. Its `write` is the
   * write TLB (a hit there means the frame is private and the page
   * writable), taken on the first write miss: one field per space for both.
   */
  rtlb: Tlb | null;
  /** Set by `release()`. */
  isReleased: boolean;
  /** The mappings (shared with forks until one changes them). */
  maps: MappingList;
  /** Set by `freeze()`: every write is refused. */
  isFrozen: boolean;
  /** Finalization slot in `pool.spaces` (see space-registry.ts), -1 when none; also indexes the space's fault counters there. */
  slot: number;
}

/** Virtual page number of a valid address (exact past 2^32: pageSize is a power of two). */
export function vpnOf(space: SpaceState, addr: number): number {
  const pool = space.pool;
  return addr <= 0x7fffffff ? addr >>> pool.pageShift : Math.floor(addr / pool.pageSize);
}

/**
 * Drops every cached translation of `s`: after its PTEs, mappings or
 * protections changed other than by a write fault (munmap, mprotect, a large
 * discard). The TLB objects stay, empty. O(TLB size).
 */
export function flushAll(s: SpaceState): void {
  s.rPage = NO_PAGE;
  s.wPage = NO_PAGE;
  const t = s.rtlb;
  if (t === null) return;
  t.flush();
  if (t.write !== null) t.write.flush();
}

/**
 * Drops the write translations of `s`, so that its next write to any page
 * reaches the fault handler: after a fork (every private frame became
 * shared) and a freeze. Reads keep their translations: the frames did not
 * change. O(TLB size).
 */
export function flushWrite(s: SpaceState): void {
  s.wPage = NO_PAGE;
  const t = s.rtlb;
  if (t !== null && t.write !== null) t.write.flush();
}

/**
 * Drops every cached translation of page `vpn` of `s` (after its PTE was
 * returned to the zero frame by a small discard), leaving the other pages'
 * translations in place. O(1).
 */
export function invalidatePage(s: SpaceState, vpn: number): void {
  const t = s.rtlb;
  if (t !== null) {
    t.invalidate(vpn);
    if (t.write !== null) t.write.invalidate(vpn);
  }
  const page = vpn * s.pool.pageSize;
  if (s.rPage === page) s.rPage = NO_PAGE;
  if (s.wPage === page) s.wPage = NO_PAGE;
}

/**
 * Keeps the read side of `s` coherent after a write fault mapped page `vpn`
 * to frame `pfn` (which may differ from the frame reads were served from: a
 * copy or a zero-fill). The write side is refilled by the caller. O(1).
 */
export function remapPage(s: SpaceState, vpn: number, pfn: number): void {
  if (s.rtlb !== null) s.rtlb.insert(vpn, pfn);
  if (s.rPage === vpn * s.pool.pageSize) {
    const pool = s.pool;
    s.rSlab = pool.slabOf(pfn);
    s.rByte = pool.frameByte(pfn);
  }
}

/**
 * Hands the TLBs of `parent` to `child`, its fork made this instant: both
 * map the same frames, so every translation stays valid for reads in the
 * child, and the child allocates no TLB (allocating them at fork caused GC
 * pauses). Write translations are dropped first: every frame is shared now.
 * The parent takes new TLBs on its next miss. O(TLB size) for the flush.
 */
export function moveTlbs(parent: SpaceState, child: SpaceState): void {
  flushWrite(parent);
  child.rtlb = parent.rtlb; // the write TLB moves with it
  parent.rtlb = null;
}

/** Empties every cache of `s` and gives its TLBs back to the pool (release). O(1). */
export function dropTlbs(s: SpaceState): void {
  s.rPage = NO_PAGE;
  s.wPage = NO_PAGE;
  if (s.rtlb !== null) s.pool.recycleTlb(s.rtlb); // and its write TLB
  s.rtlb = null;
}
