/**
 * A direct-mapped translation lookaside buffer: vpn -> pfn for recently used
 * pages, so most accesses skip the page-table walk. Each space has a read TLB
 * (any mapped frame, the zero frame included) and a write TLB (only frames the
 * space owns privately, so a hit may write without a fault).
 *
 * Layout: one Int32Array of entry pairs `[tag, pfn]`, so a lookup touches one
 * cache line (with the tag and the pfn in two arrays, a random read missed
 * twice: the bench's random `getFloat64` loop over 8 MiB spent ~1.3x the
 * time of one array). The tag is `vpn | 0`: vpns are below 2^32, so
 * `| 0` is one-to-one and a compare stays int32. An empty entry holds a tag
 * whose low bits differ from its slot's, which no vpn mapped there can have
 * (see {@link emptyTag}).
 *
 * A space holds one TLB object, its read TLB; the write TLB hangs off it
 * (`write`), taken on the space's first write miss. One field per space
 * rather than two (issue 13: every kept version is a space), and the read
 * path loads exactly what it loaded before; a write miss loads one more.
 *
 * A TLB has as many entries as its space has pages, rounded up to a power of
 * two, from {@link MIN_ENTRIES} to {@link TLB_SIZE}: a small space does not
 * pay 64 KiB for a TLB it cannot fill, a large one gets the full reach. Nor
 * more than its pool's frames (their count rounded up the same way,
 * `FramePool.tlbLimit`): a space cannot fill more entries than the pool has
 * frames, short of reading many unwritten pages (the zero frame). A
 * standalone CowMap (2^36 bytes) in a new pool took two TLBs of 64 KiB for
 * one key. When the pool has grown since, the TLB grows in place on its next
 * insert (a miss, never a hit) to what its space and the pool allow now,
 * keeping every entry ({@link Tlb.insert}).
 *
 * @module
 */
import { TLB_SIZE } from "./constants.js";

/** Fills remembered per TLB for a cheap flush: a fork per keystroke writes ~4 pages. */
const FEW = 16;

/** Fewest entries of a TLB: two, so that every slot has an empty tag (see {@link emptyTag}). */
const MIN_ENTRIES = 2;

/**
 * Entries of the TLB of a space of `pages` pages: `pages` rounded up to a
 * power of two, clamped to `[MIN_ENTRIES, TLB_SIZE]`. O(1).
 * @internal
 */
export function tlbEntries(pages: number): number {
  if (pages >= TLB_SIZE) return TLB_SIZE;
  if (pages <= MIN_ENTRIES) return MIN_ENTRIES;
  // A shift, not `2 **`: with a variable exponent V8 compiles `**` to a call
  // of the C library's pow (~45 ns), and this runs on every TLB a space takes
  // (a fork that writes after its parent's TLBs went to another fork: two per
  // fork + write + release). Exact: the exponent is 2..TLB_SHIFT here.
  return 1 << (32 - Math.clz32(pages - 1));
}

/**
 * The tag of an empty entry in slot `slot` of a TLB of `mask + 1` entries: -1
 * (all low bits set) except in the last slot, whose index is all low bits
 * set, where it is 0. With at least two entries neither can equal
 * `vpn | 0` for a vpn that maps to that slot.
 */
function emptyTag(slot: number, mask: number): number {
  return slot === mask ? 0 : -1;
}

/** The limit of a TLB that is not a pool's: it never grows past the entries it was made with. */
const NO_LIMIT = Int32Array.of(TLB_SIZE - 1);

/** One direct-mapped TLB. @internal */
export class Tlb {
  /** `[tag, pfn]` per entry: entry `i` is `e[2i]`, `e[2i + 1]`. Replaced by a larger array when the TLB grows. */
  e: Int32Array;
  /** Entries - 1 (the entry count is a power of two). */
  mask: number;
  /** log2 of the entry count: the pool caches TLBs by it. */
  shift: number;
  /** The mask its space's pages allow, `tlbEntries(pages) - 1` (set by `FramePool.takeTlb`): it grows no further. */
  maxMask: number;
  /**
   * `[mask]` the pool's frames allow now, shared by every TLB of the pool
   * and raised when the pool adds a slab (`FramePool.tlbLimit`).
   */
  private readonly limit: Int32Array;

  /** Entries filled since the last flush, while there are at most FEW of them. */
  private readonly used: Int32Array;
  /** Number of entries in `used`; FEW + 1 once it overflowed. */
  private nUsed: number;
  /**
   * The space's write TLB, when this is its read TLB and the space has
   * written since it took it; null otherwise (always null in a write TLB,
   * and in a TLB the pool caches: see `FramePool.recycleTlb`).
   */
  write: Tlb | null;

  /**
   * @param entries - a power of two from 2 to {@link TLB_SIZE} (see {@link tlbEntries}).
   * @param limit - the pool's `[mask]` cell (see {@link Tlb.insert}); without
   *   one, and while `maxMask` is the mask it starts with, the TLB never grows.
   */
  constructor(entries: number, limit: Int32Array = NO_LIMIT) {
    this.e = new Int32Array(entries * 2);
    this.mask = entries - 1;
    this.shift = 31 - Math.clz32(entries);
    this.maxMask = entries - 1;
    this.limit = limit;
    this.used = new Int32Array(FEW);
    this.nUsed = FEW + 1; // the first flush clears every entry
    this.write = null;
    this.flush();
  }

  /** The pfn cached for `vpn`, or -1 on a miss. */
  lookup(vpn: number): number {
    const i = (vpn & this.mask) << 1;
    const e = this.e;
    return e[i] === (vpn | 0) ? (e[i + 1] as number) : -1;
  }

  /**
   * Caches `vpn -> pfn`, evicting whatever shared its slot. Runs on misses
   * only: first, when the TLB is smaller than its space's pages allow and
   * its pool has grown past its size, it grows (one compare when it is as
   * large as its space allows, two when its pool holds it back).
   */
  insert(vpn: number, pfn: number): void {
    if (this.mask < this.maxMask && this.mask < (this.limit[0] as number)) this.grow();
    const slot = vpn & this.mask;
    const e = this.e;
    e[slot << 1] = vpn | 0;
    e[(slot << 1) + 1] = pfn;
    if (this.nUsed < FEW) this.used[this.nUsed++] = slot;
    else this.nUsed = FEW + 1;
  }

  /** Drops the entry for `vpn`, if cached. */
  invalidate(vpn: number): void {
    const slot = vpn & this.mask;
    if (this.e[slot << 1] === (vpn | 0)) this.e[slot << 1] = emptyTag(slot, this.mask);
  }

  /**
   * Grows to `min(maxMask, limit) + 1` entries, keeping every entry: an
   * entry's new slot is its tag's low bits under the larger mask, and
   * entries in distinct slots stay in distinct slots. So a grown TLB holds
   * exactly the translations it held (the address-space model test counts
   * faults by that). O(entries filled since the last flush) when few were,
   * O(old entries) otherwise; once per doubling of the pool at most. When
   * the engine refuses the array the TLB stays as it is and stops growing.
   */
  private grow(): void {
    const mask = Math.min(this.maxMask, this.limit[0] as number); // both 2^k - 1
    const oldMask = this.mask;
    const old = this.e;
    let e: Int32Array;
    try {
      e = new Int32Array((mask + 1) * 2);
    } catch {
      this.maxMask = oldMask; // a cache: serving from the smaller one is correct
      return;
    }
    e.fill(-1);
    e[mask << 1] = emptyTag(mask, mask);
    const used = this.used;
    const n = this.nUsed;
    // A slot holds an entry when its tag's low bits are the slot's (an empty tag's are not).
    if (n <= FEW) {
      for (let k = 0; k < n; k++) {
        const slot = used[k] as number;
        const tag = old[slot << 1] as number;
        if ((tag & oldMask) !== slot) continue; // invalidated since: flush clears the slot anyway
        const to = tag & mask;
        e[to << 1] = tag;
        e[(to << 1) + 1] = old[(slot << 1) + 1] as number;
        used[k] = to;
      }
    } else {
      for (let slot = 0; slot <= oldMask; slot++) {
        const tag = old[slot << 1] as number;
        if ((tag & oldMask) !== slot) continue;
        const to = tag & mask;
        e[to << 1] = tag;
        e[(to << 1) + 1] = old[(slot << 1) + 1] as number;
      }
    }
    this.e = e;
    this.mask = mask;
    this.shift = 31 - Math.clz32(mask + 1);
  }

  /**
   * Drops every entry (a TLB shootdown). O(entries filled since the last
   * flush) when few were (a write TLB between two forks usually holds a
   * handful), O(entries) otherwise.
   */
  flush(): void {
    const n = this.nUsed;
    const e = this.e;
    const mask = this.mask;
    if (n <= FEW) {
      const used = this.used;
      for (let k = 0; k < n; k++) {
        const slot = used[k] as number;
        e[slot << 1] = emptyTag(slot, mask);
      }
    } else {
      e.fill(-1);
      e[mask << 1] = emptyTag(mask, mask);
    }
    this.nUsed = 0;
  }
}
