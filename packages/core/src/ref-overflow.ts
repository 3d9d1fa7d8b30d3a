/**
 * The overflow refcounts of a {@link FramePool}: the exact counts of the few
 * frames whose one-byte refcount passed 254, in an open-addressing hash table
 * of two `Int32Array`s (linear probing, deletion by backward shift: Knuth,
 * TAOCP vol. 3, 6.4, Algorithm R), so no tombstones build up.
 *
 * Why not a `Map`: a frame past 254 references is a cold neighbour of a hot
 * page, and every path copy of the page-table leaf that maps it adds one more
 * reference. A `Map` paid a `get` and a `set` (two hash lookups of a boxed
 * number) per reference; here it is one multiplicative hash and, at a load of
 * at most 1/2, about 1.5 probes that read and add in place. W4 (a fork per
 * edit, every version kept) takes ~1,400 such frames and millions of these
 * increments on automerge-paper.
 *
 * @module
 */
import { throwRefused } from "./errors.js";

/** Slots of the table once a first frame overflows (a power of two); none before. */
const INITIAL_SLOTS = 16;
/** Fibonacci hashing multiplier, 2^32 / golden ratio (Knuth, TAOCP vol. 3, 6.4). */
const GOLDEN = 0x9e3779b9;

/**
 * Counts by pfn. Keys are pfns >= 1 (0, the zero frame, is never counted, so
 * 0 marks an empty slot); counts are int32s. O(1) expected per call; the
 * table is empty (0 bytes) until a first frame overflows, doubles when half
 * full and never shrinks (it stays as large as the most frames that
 * overflowed at once).
 * @internal
 */
export class RefOverflow {
  /** pfn per slot, 0 when empty. */
  private keys: Int32Array;
  /** Count per slot. */
  private counts: Int32Array;
  /** 32 - log2(slots): the hash keeps the product's top bits. */
  private shift: number;
  /** Slots in use. */
  size: number;

  constructor() {
    // No slots until needed: most pools never see a count past 254.
    this.keys = new Int32Array(0);
    this.counts = new Int32Array(0);
    this.shift = 32;
    this.size = 0;
  }

  /** Bytes of the two arrays. */
  get byteLength(): number {
    return this.keys.byteLength + this.counts.byteLength;
  }

  /** The slot of `pfn`, or of the empty slot where it would go. The table must have slots. */
  private slot(pfn: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = Math.imul(pfn, GOLDEN) >>> this.shift;
    for (;;) {
      const k = keys[i] as number;
      if (k === pfn || k === 0) return i;
      i = (i + 1) & mask;
    }
  }

  /** The count of `pfn`, 0 when it has none. */
  get(pfn: number): number {
    if (this.size === 0) return 0;
    const i = this.slot(pfn);
    return this.keys[i] === pfn ? (this.counts[i] as number) : 0;
  }

  /** Adds `delta` to the count of `pfn` (an absent pfn counts 0) and returns the new count. */
  add(pfn: number, delta: number): number {
    // Room for one more at a load of at most 1/2, checked before the probe.
    if ((this.size + 1) * 2 > this.keys.length) this.rehash(Math.max(INITIAL_SLOTS, this.keys.length * 2));
    const i = this.slot(pfn);
    if (this.keys[i] !== pfn) {
      this.keys[i] = pfn;
      this.counts[i] = 0;
      this.size++;
    }
    const n = (this.counts[i] as number) + delta;
    this.counts[i] = n;
    return n;
  }

  /**
   * Makes room now for `n` keys more (at a load of at most 1/2), so that the
   * next `n` {@link add}s of new keys allocate nothing: a path copy retains
   * up to eight frames of a copied leaf in the middle of changing the page
   * table, and must not be refused there (fault.ts, page-table-discard.ts
   * call this first). O(1) unless it grows; the first call makes the first
   * table (16 slots, 128 bytes), as a first overflow would.
   * @throws {OutOfMemoryError} when the engine refuses the table (nothing changed).
   */
  reserve(n: number): void {
    const need = (this.size + n) * 2;
    if (need <= this.keys.length) return;
    let slots = Math.max(INITIAL_SLOTS, this.keys.length * 2);
    while (slots < need) slots *= 2;
    try {
      this.rehash(slots);
    } catch (e) {
      throwRefused(e, slots * 8, "the overflow refcount table");
    }
  }

  /**
   * Subtracts one from the count of `pfn`, which must be in the table, and
   * returns the new count. Never allocates, unlike {@link add} (which makes
   * room for a new key first, even for a key already there): a release
   * calls it in the middle of its page-table walk, which must not stop
   * halfway (frame-pool.ts, `releaseFrame`).
   */
  decrement(pfn: number): number {
    const i = this.slot(pfn);
    const n = (this.counts[i] as number) - 1;
    this.counts[i] = n;
    return n;
  }

  /** Removes `pfn` and its count (no-op when absent). */
  delete(pfn: number): void {
    const keys = this.keys;
    const counts = this.counts;
    if (this.size === 0) return;
    const mask = keys.length - 1;
    let i = this.slot(pfn);
    if (keys[i] !== pfn) return;
    this.size--;
    // Backward shift: move later entries of the probe run into the hole when
    // their home slot does not lie cyclically in (hole, their slot].
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j] as number;
      if (k === 0) break;
      const home = Math.imul(k, GOLDEN) >>> this.shift;
      if (i <= j ? home > i && home <= j : home > i || home <= j) continue;
      keys[i] = k;
      counts[i] = counts[j] as number;
      i = j;
    }
    keys[i] = 0;
    counts[i] = 0;
  }

  /** Moves every entry into a table of `slots` slots (a power of two). */
  private rehash(slots: number): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    // Both arrays before any field changes: a refusal leaves the table as it was.
    const keys = new Int32Array(slots);
    const counts = new Int32Array(slots);
    this.keys = keys;
    this.counts = counts;
    this.shift = 32 - Math.log2(slots);
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i] as number;
      if (k === 0) continue;
      const j = this.slot(k);
      this.keys[j] = k;
      this.counts[j] = oldCounts[i] as number;
    }
  }
}
