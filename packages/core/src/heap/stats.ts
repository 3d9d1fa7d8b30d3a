/**
 * Counters of a {@link Heap}: the {@link HeapStats} snapshot, read from the
 * header in O(1) (every counter is kept up to date by the operations).
 *
 * @module
 */
import {
  E_BYTES,
  H_BLOCKS,
  H_BRK,
  H_CHUNKS,
  H_FREE,
  H_HIGH,
  H_PAGES_OUT,
  H_REQUESTED,
  H_USABLE,
  type HeapCore,
  pageAt,
} from "./layout.js";

/** A snapshot of a heap's counters (bytes, pages, or counts as named). */
export interface HeapStats {
  /** Page size in bytes. */
  pageSize: number;
  /** Byte address of the header (first managed byte). */
  base: number;
  /** End of the managed range (exclusive), in bytes. */
  limit: number;
  /** Byte address of the first data page (after the header and the page map). */
  dataStart: number;
  /**
   * End of the data pages (exclusive), in bytes: `limit`, or, in a heap of
   * at least 8,192 pages, where its high page map begins (the entries of
   * pages 4,096 and up; see the heap's layout, `@pagefork/core` heap/layout.ts).
   */
  dataEnd: number;
  /** Live malloc/calloc/realloc blocks. */
  blocks: number;
  /** Bytes requested by live blocks. */
  requestedBytes: number;
  /** Usable bytes of live blocks (`usableSize` summed). */
  usableBytes: number;
  /** Live pages from allocPage/allocPages. */
  pagesAllocated: number;
  /** Pages holding data: allocated pages, slab pages, large blocks. */
  dataPages: number;
  /** Pages of metadata written so far: header, page-map pages up to the high-water mark, stack chunks. */
  metadataPages: number;
  /** `dataPages + metadataPages`. */
  pagesInUse: number;
  /** Free pages below the break (they hold no frame: freed pages are discarded). */
  freePages: number;
  /** Current break: byte address of the first page never handed out (or trimmed). */
  brk: number;
  /** Highest break ever reached, in bytes (the high-water mark). */
  highWater: number;
}

/** Reads {@link HeapStats} of `h`. O(1). */
export function heapStats(h: HeapCore): HeapStats {
  const s = h.space;
  const b = h.base;
  const ps = 1 << h.shift;
  const brk = s.getFloat64(b + H_BRK);
  const high = s.getFloat64(b + H_HIGH);
  const free = s.getFloat64(b + H_FREE);
  const chunks = s.getFloat64(b + H_CHUNKS);
  // page-map entries of pages [dataStart, high) have been written: in the low
  // map those below the split, in the high map those above it
  const low = Math.min(high, h.split);
  const mapPages =
    (low === h.dataStart ? 0 : Math.ceil((low * E_BYTES) / ps) - Math.floor((h.dataStart * E_BYTES) / ps)) +
    (high <= h.split ? 0 : Math.ceil(((high - h.split) * E_BYTES) / ps));
  const dataPages = brk - h.dataStart - free - chunks;
  const metadataPages = 1 + mapPages + chunks;
  return {
    pageSize: ps,
    base: b,
    limit: b + h.pages * ps,
    dataStart: pageAt(h, h.dataStart),
    dataEnd: pageAt(h, h.dataEnd),
    blocks: s.getFloat64(b + H_BLOCKS),
    requestedBytes: s.getFloat64(b + H_REQUESTED),
    usableBytes: s.getFloat64(b + H_USABLE),
    pagesAllocated: s.getFloat64(b + H_PAGES_OUT),
    dataPages,
    metadataPages,
    pagesInUse: dataPages + metadataPages,
    freePages: free,
    brk: pageAt(h, brk),
    highWater: pageAt(h, high),
  };
}
