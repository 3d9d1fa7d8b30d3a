/**
 * A direct-mapped translation lookaside buffer: vpn -> pfn for recently used
 * pages, so most accesses skip the page-table walk. Each space has a read TLB
 * (any mapped frame, the zero frame included) and a write TLB (only frames the
 * space owns privately, so a hit may write without a fault).
 *
 * Entries live in typed arrays set up in the constructor: a lookup is two
 * loads and a compare, with no allocation.
 *
 * @module
 */
import { TLB_SIZE } from "./constants.js";

const TLB_MASK = TLB_SIZE - 1;
/** Fills remembered per TLB for a cheap flush: a fork per keystroke writes ~4 pages. */
const FEW = 16;

/** One direct-mapped TLB of {@link TLB_SIZE} entries. @internal */
export class Tlb {
  /** Cached vpn per entry; -1 marks an empty entry. vpns reach 2^32, hence Float64. */
  readonly tag: Float64Array;
  /** pfn per entry. */
  readonly pfn: Int32Array;

  /** Slots filled since the last flush, while there are at most FEW of them. */
  private readonly used: Int32Array;
  /** Number of entries in `used`; FEW + 1 once it overflowed. */
  private nUsed: number;

  constructor() {
    this.tag = new Float64Array(TLB_SIZE).fill(-1);
    this.pfn = new Int32Array(TLB_SIZE);
    this.used = new Int32Array(FEW);
    this.nUsed = 0;
  }

  /** The pfn cached for `vpn`, or -1 on a miss. */
  lookup(vpn: number): number {
    const i = vpn & TLB_MASK;
    return this.tag[i] === vpn ? (this.pfn[i] as number) : -1;
  }

  /** Caches `vpn -> pfn`, evicting whatever shared its slot. */
  insert(vpn: number, pfn: number): void {
    const i = vpn & TLB_MASK;
    this.tag[i] = vpn;
    this.pfn[i] = pfn;
    if (this.nUsed < FEW) this.used[this.nUsed++] = i;
    else this.nUsed = FEW + 1;
  }

  /** Drops the entry for `vpn`, if cached. */
  invalidate(vpn: number): void {
    const i = vpn & TLB_MASK;
    if (this.tag[i] === vpn) this.tag[i] = -1;
  }

  /**
   * Drops every entry (a TLB shootdown). O(entries filled since the last
   * flush) when few were (a write TLB between two forks usually holds a
   * handful), O(TLB_SIZE) otherwise.
   */
  flush(): void {
    const n = this.nUsed;
    if (n <= FEW) {
      const tag = this.tag;
      const used = this.used;
      for (let k = 0; k < n; k++) tag[used[k] as number] = -1;
    } else this.tag.fill(-1);
    this.nUsed = 0;
  }
}
