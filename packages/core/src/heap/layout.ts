/**
 * Byte layout of a {@link Heap} inside its address space. Everything the heap
 * knows is here, in pages of the space, so forking the space forks the heap.
 *
 * Layout version 2 (a heap of N >= 2 * SPLIT_PAGES pages):
 *
 * ```
 * page 0 (at base)   header: magic, version, page size, counters, list heads,
 *                    then a "magazine" of free page numbers filling the page
 * pages 1 .. A       low page map: the 16-byte entries of heap pages 0 .. L-1
 *                    (L = SPLIT_PAGES, A = ceil(16 L / pageSize))
 * pages A+1 .. D-1   data: pages handed out, slab pages of small blocks, large
 *                    blocks, free pages, and the chunk pages of the free-page stack
 * pages D .. N-1     high page map: the entries of heap pages L .. N-1
 *                    (D = N - ceil(16 (N - L) / pageSize))
 * ```
 *
 * Layout version 1 (every heap formatted before version 2, and a heap of
 * fewer than 2 * SPLIT_PAGES pages, which is written as version 1 because its
 * bytes are the same) has one page map, pages 1 .. M with M = ceil(16 N /
 * pageSize), and data from M+1 to N-1.
 *
 * Why the split: the page table of a space is as tall as its highest page
 * written needs (page-table.ts), and every version's first write copies the
 * whole path from the root. With one page map sized for N pages, the first
 * data page sits above page N/16 (65,537 at N = 2^20, 256-byte pages: 6
 * levels), however little the heap holds. With the split, a heap that uses
 * fewer than L pages writes only pages below L (CowText on automerge-paper:
 * 4 levels), and only a heap that grows past L writes the high map.
 *
 * Page numbers are relative to `base` (page 0 is the header, so 0 also means
 * "none" in every link field) and fit a uint32. Counters that can pass 2^32
 * are float64 (exact up to 2^53).
 *
 * @module
 */
import { MAX_PAGE_SHIFT } from "../constants.js";

const U8 = 1;
const U16 = 2;
const U32 = 4;
const F64 = 8;

/** "pfhp" in a little-endian hex dump. */
export const HEAP_MAGIC = 0x70686670;
/** Layout version of a heap of at least `2 * SPLIT_PAGES` pages (two page maps). */
export const HEAP_VERSION = 2;
/** Layout version of a smaller heap (one page map), and of every heap formatted before version 2. */
export const HEAP_VERSION_ONE_MAP = 1;
/**
 * Heap pages whose page-map entries sit in the low map (version 2): 4,096, so
 * that a heap using fewer pages than that, placed at the start of its space,
 * keeps its pages below vpn 4,096 (a page table of 4 levels at fanout 8)
 * while the low map costs at most 256 pages (at 256-byte pages) of virtual
 * space, none of them touched until written.
 */
export const SPLIT_PAGES = 4096;

// ---- header (offsets from base) ----
/** u32 magic. */
export const H_MAGIC = 0;
/** u32 layout version. */
export const H_VERSION = H_MAGIC + U32;
/** u32 page size the heap was formatted with. */
export const H_PAGE_SIZE = H_VERSION + U32;
/** u32 entries in the header magazine. */
export const H_MAG_COUNT = H_PAGE_SIZE + U32;
/** f64 pages managed, N = (limit - base) / pageSize. */
export const H_PAGES = H_MAG_COUNT + U32;
/** f64 break: first page never handed out (pages at and above it are unused). */
export const H_BRK = H_PAGES + F64;
/** f64 highest break ever reached (the high-water mark). */
export const H_HIGH = H_BRK + F64;
/** f64 free pages below the break (stack entries plus free-run pages). */
export const H_FREE = H_HIGH + F64;
/** f64 chunk pages of the free-page stack. */
export const H_CHUNKS = H_FREE + F64;
/** f64 pages live from allocPage/allocPages. */
export const H_PAGES_OUT = H_CHUNKS + F64;
/** f64 live malloc blocks. */
export const H_BLOCKS = H_PAGES_OUT + F64;
/** f64 bytes requested by live malloc blocks. */
export const H_REQUESTED = H_BLOCKS + F64;
/** f64 usable bytes of live malloc blocks. */
export const H_USABLE = H_REQUESTED + F64;
/** u32 top chunk page of the free-page stack (0: none). */
export const H_CHUNK_TOP = H_USABLE + F64;
/** u32 entries in the top chunk (chunks below it are always full). */
export const H_CHUNK_COUNT = H_CHUNK_TOP + U32;
/** u32 first page of the free-run list (0: none). */
export const H_RUNS = H_CHUNK_COUNT + U32;
/** u32[MAX_CLASSES] first slab page with a free slot, per size class (0: none). */
export const H_PARTIAL = H_RUNS + U32;

/** log2 of the smallest size class (16 bytes). */
export const MIN_CLASS_SHIFT = 4;
/** Size classes at the largest page size: 16 B .. 32 KiB. */
export const MAX_CLASSES = MAX_PAGE_SHIFT - 1 - MIN_CLASS_SHIFT + 1;
/** u32[] the magazine: free page numbers, from here to the end of the header page. */
export const H_MAG = H_PARTIAL + MAX_CLASSES * U32;

// ---- page-map entry (16 bytes per heap page) ----
/** Bytes of one page-map entry. */
export const E_BYTES = 16;
/** u8 page state (S_*). */
export const E_STATE = 0;
/** u8 size class of a slab page. */
export const E_CLASS = E_STATE + U8;
/** u16 slots in use in a slab page. */
export const E_USED = E_CLASS + U8;
/** u16 first free slot + 1 of a slab page (0: none). */
export const E_FREE = E_USED + U16;
/** u16 slots carved so far from a slab page (slots at and above are untouched zeros). */
export const E_BUMP = E_FREE + U16;
/** u32 next page: partial-slab list, or free-run list. */
export const E_NEXT = E_BUMP + U16;
/** u32 previous page in the partial-slab list. */
export const E_PREV = E_NEXT + U32;
/** u32 length in pages of a free run (head entry). */
export const E_LEN = E_PREV;
/** f64 requested bytes of a large block (head entry; overlays NEXT and PREV). */
export const E_SIZE = E_NEXT;

/** Never handed out, or trimmed off the top: at or above the break. */
export const S_UNUSED = 0;
/** Free: in the stack, or the body of a free run. */
export const S_FREE = 1;
/** First page of a free run. */
export const S_RUN = 2;
/** A chunk page of the free-page stack (metadata). */
export const S_CHUNK = 3;
/** Handed out by allocPage/allocPages. */
export const S_PAGE = 4;
/** A slab page carved into blocks of one size class. */
export const S_SLAB = 5;
/** First page of a large block. */
export const S_LARGE = 6;
/** Later pages of a large block. */
export const S_LARGE_BODY = 7;

// ---- small block: 8-byte header in front of the payload ----
/** u32 requested bytes. */
export const B_SIZE = 0;
/** u32 state tag. */
export const B_TAG = B_SIZE + U32;
/** Offset of the payload (8-byte aligned); a free block keeps its free-list link here. */
export const B_PAYLOAD = B_TAG + U32;
/** Tag of a live small block. */
export const TAG_LIVE = 0xa110c8ed;
/** Tag of a freed small block. */
export const TAG_FREE = 0xf4eeb10c;

// ---- chunk page of the free-page stack ----
/** u32 previous (full) chunk page, 0 for the bottom one. */
export const C_PREV = 0;
/** u32[] page numbers. */
export const C_ENTRIES = C_PREV + U32;

/** Size of one u32 slot in the magazine and in chunk pages. */
export const SLOT = U32;

/** Fields of a heap handle every heap module reads (not exported from the package). */
export interface HeapCore {
  readonly space: import("../address-space.js").AddressSpace;
  /** Byte address of the header. */
  readonly base: number;
  /** log2(pageSize). */
  readonly shift: number;
  /** Pages managed (N). */
  readonly pages: number;
  /** First data page (after the header and the low page map). */
  readonly dataStart: number;
  /** First page past the data (N, or the first page of the high page map). */
  readonly dataEnd: number;
  /** First page whose entry is in the high page map (N when there is none). */
  readonly split: number;
  /** Byte address of page `split`'s entry (the high map's first byte). */
  readonly highMap: number;
}

/** Byte address of heap page `p`. */
export function pageAt(h: HeapCore, p: number): number {
  return h.base + p * (1 << h.shift);
}

/** Byte address of page `p`'s page-map entry. */
export function entryAt(h: HeapCore, p: number): number {
  return p < h.split ? h.base + (1 << h.shift) + p * E_BYTES : h.highMap + (p - h.split) * E_BYTES;
}

/** Entries the header magazine holds. */
export function magCap(h: HeapCore): number {
  return ((1 << h.shift) - H_MAG) >>> 2;
}

/** Entries one chunk page holds. */
export function chunkCap(h: HeapCore): number {
  return ((1 << h.shift) - C_ENTRIES) >>> 2;
}

/** Where the page maps and the data of a heap lie, in heap pages (see the module comment). */
export interface HeapGeometry {
  /** Layout version: {@link HEAP_VERSION} or {@link HEAP_VERSION_ONE_MAP}. */
  version: number;
  /** First data page. */
  dataStart: number;
  /** First page past the data. */
  dataEnd: number;
  /** First page whose entry is in the high map (`pages` for one map). */
  split: number;
}

/**
 * The geometry of a heap of `pages` pages of `pageSize` bytes in layout
 * `version` (the header's; a new heap passes {@link HEAP_VERSION}, and gets
 * version 1 back when it is too small for two maps). O(1).
 */
export function geometryFor(pages: number, pageSize: number, version: number): HeapGeometry {
  if (version === HEAP_VERSION && pages >= 2 * SPLIT_PAGES) {
    const high = Math.ceil(((pages - SPLIT_PAGES) * E_BYTES) / pageSize);
    return {
      version,
      dataStart: 1 + Math.ceil((SPLIT_PAGES * E_BYTES) / pageSize),
      dataEnd: pages - high,
      split: SPLIT_PAGES,
    };
  }
  return {
    version: HEAP_VERSION_ONE_MAP,
    dataStart: 1 + Math.ceil((pages * E_BYTES) / pageSize),
    dataEnd: pages,
    split: pages,
  };
}
