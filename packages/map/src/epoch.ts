/**
 * Epochs keep live iterators right across rehashes, as V8's OrderedHashTable
 * does with its "obsolete table" chain: an iterator holds a byte offset into
 * the log and the epoch it was taken in; a rehash (or `clear`) closes the
 * current epoch with the map from old offsets to new ones and opens the next;
 * an iterator that wakes up in a closed epoch follows the chain, remapping
 * its offset at each step, before it reads on.
 *
 * Only collections that have handed out an iterator keep an epoch at all
 * (`Table.epoch` is null until then), and closed epochs are referenced only
 * by the iterators still in them, so the garbage collector drops the chain
 * behind the oldest live iterator.
 *
 * @module
 */

/** One epoch of a table's log; closed by the next rehash or clear. */
export class Epoch {
  /** The epoch that replaced this one, or null while this one is current. */
  next: Epoch | null;
  /** True when the epoch was closed by `clear`: every offset maps to 0. */
  cleared: boolean;
  /** Live runs of the closed log, ascending: old start offset, new start offset and length of each. */
  oldStart: number[];
  newStart: number[];
  length: number[];
  /** Bytes of the new log right after the rehash: where offsets past every run go. */
  newUsed: number;
  constructor() {
    this.next = null;
    this.cleared = false;
    this.oldStart = [];
    this.newStart = [];
    this.length = [];
    this.newUsed = 0;
  }

  /**
   * The offset in the next epoch's log of the first record at or after old
   * offset `p`: inside a live run it moves with the run; in a dropped gap it
   * goes to the start of the next live run; past every run, to the end.
   * O(log runs).
   */
  remap(p: number): number {
    if (this.cleared) return 0;
    const starts = this.oldStart;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) + (this.length[mid] as number) <= p) lo = mid + 1;
      else hi = mid;
    }
    if (lo === starts.length) return this.newUsed;
    const s = starts[lo] as number;
    return (this.newStart[lo] as number) + (p > s ? p - s : 0);
  }
}
