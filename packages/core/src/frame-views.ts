/**
 * A direct-mapped cache of page-sized `Uint8Array` views of frames, for the
 * copies that cross slabs. `copyWithin` copies a page inside one slab without
 * allocating; between two slabs `TypedArray.prototype.set` needs a view of
 * exactly the source page, and making one per copy cost ~50 ns plus ~60 B of
 * JS heap per COW fault (W1b at 1 KiB pages: most copies cross slabs, since
 * the frames recycled from evicted versions sit in a later slab than the
 * state they copy). A frame's slab and offset never change while its pool
 * lives, so a view made once serves every later copy of the same frame.
 *
 * A view is kept only for a frame copied twice while it holds the entry (the
 * first copy records the pfn alone): a view stored in this long-lived array
 * survives the young generation and is promoted, so caching the view of
 * every frame copied once (a random page of a large state, W1 at 1M) made
 * old-generation garbage and made W1 ~5-12% slower than a view per copy.
 *
 * @module
 */

/**
 * Entries of the cache (a power of two): at most this many views live per
 * pool (~90 KB of JS heap when full). A fork's first writes to up to this many
 * consecutive pages hit after the first round (W7: 1,024 pages); frames copied
 * from a random page of a larger state hit in proportion (W1b at 1M float64s:
 * ~1 in 8).
 */
const ENTRIES = 1024;
const MASK = ENTRIES - 1;

/** The cache of one pool: entry `pfn & MASK` holds a view of frame `pfn` when `pfns` says so. @internal */
export class FrameViews {
  private readonly views: (Uint8Array | null)[];
  /**
   * The pfn of each entry: its view shows that frame, or the view is null
   * when the frame was copied once so far. 0 (the zero frame, never copied)
   * when empty.
   */
  private readonly pfns: Int32Array;

  constructor() {
    this.views = new Array<Uint8Array | null>(ENTRIES).fill(null);
    this.pfns = new Int32Array(ENTRIES);
  }

  /**
   * A view of the `bytes` bytes of frame `pfn`, which starts `byte` bytes into
   * `buffer` (its slab's). On a miss the view is made, and kept when the
   * entry already held this pfn (the frame's second copy); otherwise the
   * entry takes the pfn and drops its older view.
   */
  view(pfn: number, buffer: ArrayBufferLike, byte: number, bytes: number): Uint8Array {
    const k = pfn & MASK;
    const views = this.views;
    if (this.pfns[k] === pfn) {
      const kept = views[k] as Uint8Array | null;
      if (kept !== null) return kept;
      const v = new Uint8Array(buffer, byte, bytes); // a constructor call: no species lookup
      views[k] = v;
      return v;
    }
    this.pfns[k] = pfn;
    views[k] = null;
    return new Uint8Array(buffer, byte, bytes);
  }
}
