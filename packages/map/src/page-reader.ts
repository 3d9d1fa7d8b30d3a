/**
 * Raw reads of one page at a time, for sequential scans of the log
 * (iteration, `forEach`). The per-element accessors of AddressSpace are
 * small enough to inline only a few times per function (V8's inlining
 * budget; `getUint32` is 127 bytes of bytecode and its miss path 275); an
 * iterator step that reads a meta word, a float64 and a key through them ran
 * 40 to 100 ns per entry. Reading the page's slab slice directly, obtained
 * once per page with `space.spans`, brings it to native typed-array loads.
 *
 * A slice stays valid while this space maps the same frame there and the
 * frame's contents do not change. Only a write to this space can change
 * either: other versions sharing the frame copy it before they write
 * (copy-on-write), a frame is reused only after every space dropped it, and a
 * slab that grows into a new buffer leaves the old one holding the same
 * bytes. In an embedded table's space other structures write too, and a
 * write of theirs to a page shared with this log (a heap slab page) replaces
 * the frame this space maps. So the reader stamps a slice with the space's
 * `bytesWritten` plus the table's own write count (which also counts the
 * discards, which write no bytes) and reloads when the stamp moved.
 *
 * @module
 */
import type { AddressSpace, PageSpanCursor } from "@pagefork/core";

const EMPTY = new ArrayBuffer(8);

/**
 * The count of bytes written to `space`: the core keeps it for its write
 * amplification figure (`stats().bytesWritten`) in an internal field, read
 * here without the allocation of `stats()` as the stamp of a slice. Were the
 * field ever missing, the sum with it is NaN, which equals no stamp: every
 * step would reload its page, slower but still right.
 */
export function bytesWrittenOf(space: AddressSpace): number {
  return (space as unknown as { bytesWritten: number }).bytesWritten;
}

/**
 * Pages one `spans` cursor covers. Making a cursor validates its range
 * (~75-160 ns measured on Node 20); stepping it to the next page costs
 * ~30-80 ns, so a sequential scan takes 64 pages per cursor. Pages past the
 * end of the log read as the zero frame, which is harmless.
 */
const PAGES_PER_CURSOR = 64;

/** A cached slab slice of one page of a space, with u8/u32/f64 views of its slab. */
export class PageReader {
  readonly space: AddressSpace;
  readonly pageSize: number;
  /** Virtual address of the cached page (-1: none). */
  page: number;
  /** Index in the slab's bytes of the cached page's first byte. */
  base: number;
  /** The table's write count when the page was loaded. */
  stamp: number;
  u8: Uint8Array;
  u32: Uint32Array;
  f64: Float64Array;
  /** The cursor that loaded the cached page, kept to step to the next page. */
  cursor: PageSpanCursor<Uint8Array> | null;

  constructor(space: AddressSpace) {
    this.space = space;
    this.pageSize = space.pageSize;
    this.page = -1;
    this.base = 0;
    this.stamp = -1;
    this.u8 = new Uint8Array(EMPTY);
    this.u32 = new Uint32Array(EMPTY);
    this.f64 = new Float64Array(EMPTY);
    this.cursor = null;
  }

  /**
   * Slab byte index of virtual address `addr`, loading its page when it is
   * not the cached one or the table wrote since (`stamp` differs). Reads of
   * `[addr, end of its page)` may then use the views.
   */
  at(addr: number, stamp: number): number {
    const off = addr - this.page;
    if (off >= 0 && off < this.pageSize && stamp === this.stamp) return this.base + off;
    return this.load(addr, stamp);
  }

  /** Bytes from `addr` to the end of its page (the range `at(addr)` covers). */
  room(addr: number): number {
    return this.page + this.pageSize - addr;
  }

  private load(addr: number, stamp: number): number {
    const ps = this.pageSize;
    const page = addr - (addr % ps);
    let c = this.cursor;
    // The next page of an unchanged table: step the cursor (a write may have
    // replaced frames, so after one a new cursor translates afresh).
    if (c === null || page !== this.page + ps || stamp !== this.stamp || !c.next()) {
      const space = this.space;
      c = space.spans(Uint8Array, page, Math.min(PAGES_PER_CURSOR * ps, space.size - page), "read");
      c.next();
      this.cursor = c;
    }
    const u8 = c.array;
    if (u8 !== this.u8) {
      this.u8 = u8;
      this.u32 = new Uint32Array(u8.buffer);
      this.f64 = new Float64Array(u8.buffer);
    }
    this.page = page;
    this.base = c.start;
    this.stamp = stamp;
    return c.start + (addr - page);
  }
}
