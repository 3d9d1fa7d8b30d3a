/**
 * Byte layout of a CowText inside its address space. Every node of the
 * B-tree is exactly one page, so an edit copies whole nodes and nothing else.
 *
 * ```
 * text header   u32 magic | u32 layout version | u32 root page number (0: empty text) | u32 height
 * leaf node     u32 count word | code units: u8 units[capacity] (narrow) or u16 units[capacity / 2] (wide)
 * inner node    u32 count word | u32 total | { u32 child page, u32 subtree length }[capacity]
 * ```
 *
 * A standalone text owns its space: the header at address 0 (page 0), then a
 * heap (@pagefork/core Heap) from page 1 to `maxPages` that hands out the node
 * pages. An embedded text (`CowText.create(heap)`) lives in someone else's
 * space: its header is a 16-byte block malloc'd from that heap, and its nodes
 * are pages of the same heap. An empty text has no node page at all (root 0),
 * so an empty embedded text costs one 32-byte heap slot.
 *
 * A leaf's count word holds its number of UTF-16 code units (low 16 bits)
 * and the LEAF_NARROW flag: set, the leaf stores each code unit in one byte
 * (all of them are U+0000..U+00FF, Latin-1), so a 256-byte page holds 252 of
 * them; clear, two bytes each (126). Most text in the editing traces is
 * ASCII, and a leaf twice as long means half the leaves and a lower tree
 * (see leaf.ts). A leaf with flag clear is laid out as in layout version 2,
 * so version 3 reads version 2 texts unchanged.
 *
 * An inner node's count word holds its number of children (low 16 bits) and
 * the INNER_TOTAL flag: set, the node's second word holds the sum of its
 * entries' lengths, its own length (layout version 4; every write of a node
 * sets it, and a version-3 node gets it on its first write).
 *
 * The length is not stored: it is the sum of the root's entries (or the root
 * leaf's count), read when a handle is attached. So an edit writes the header
 * only when the root or the height changes.
 *
 * A standalone text's handle keeps its exact length, and its root may lag
 * (layout version 4): one entry of the root, at most, may differ from the
 * length of its subtree, which that child holds itself (a leaf's count, an
 * inner node's total). Why: every edit writes the leaf and every inner node
 * above it, and a forked version copies each of those pages on its first
 * write; typing stays under one child of the root for thousands of edits, so
 * leaving the root's entry behind saves one page copy (and its page-table
 * path) per edit: on automerge-paper, 3 pages per edit become 2.
 *
 * Layout version 5 lets a whole path lag: the first k inner nodes on the way
 * to one node s (k at most 5 at 256-byte pages, see tree.ts maxLagLevels)
 * each have one entry, the one towards s, and their own total lagging by the
 * same amount D; s and everything off that path are exact. D is the handle's
 * length minus the root's total, and s is the one node whose own length
 * differs from its parent's entry for it (by D), so the space and the length
 * still say which path lags (tree.ts findLag); the handle keeps the path, so
 * only a handle made from root, height and length searches for it. Typing
 * into one leaf then writes that leaf only: an edit that goes elsewhere
 * first brings the path up to date (inner.ts settleLag). Version 4 is the
 * case k = 1. An embedded text never lags: its space must be complete
 * between any two calls (attach reads the length from the root).
 *
 * Subtree lengths are kept in the parent's entry (a counted B-tree, as in
 * ropes and Boehm et al.'s "Ropes: an alternative to strings", 1995), so an
 * edit at position p descends by lengths and then adds its delta to each entry
 * on the path: O(height) pages written.
 *
 * @module
 */

/** Word offset of a node's count (units and the LEAF_NARROW flag in a leaf, children in an inner node). */
export const N_COUNT = 0;
/** Byte offset of the first code unit in a leaf. */
export const LEAF_UNITS = 4;
/** Flag of a leaf's count word: its code units are stored one byte each (all <= 0xff). */
export const LEAF_NARROW = 0x10000;
/** Mask of a leaf's count word giving its number of code units (at most 65,532 at 64 KiB pages). */
export const LEAF_COUNT = 0xffff;
/** Byte offset of an inner node's total (its own length; valid when INNER_TOTAL is set). */
export const N_TOTAL = 4;
/** Flag of an inner node's count word: N_TOTAL holds the sum of its entries' lengths. */
export const INNER_TOTAL = 0x10000;
/** Mask of an inner node's count word giving its number of children. */
export const INNER_COUNT = 0xffff;
/** Byte offset of the first entry in an inner node (8 keeps entries 8-aligned). */
export const NODE_ENTRIES = 8;
/** Bytes per inner-node entry. */
export const ENTRY_BYTES = 8;
/** Offset of the subtree length inside an entry (the child page number is at 0). */
export const ENTRY_LENGTH = 4;

/** Header word offsets (from the header's address). */
export const H_MAGIC = 0;
export const H_VERSION = 4;
export const H_ROOT = 8;
export const H_HEIGHT = 12;
/** "TXT1" read as a little-endian uint32. */
export const TEXT_MAGIC = 0x31545854;
/**
 * Layout version written in the header (2: root 0 means empty; the header
 * may be a heap block. 3: leaves may be narrow, one byte per code unit. 4:
 * inner nodes may hold their total, and a standalone text's root may lag. 5:
 * a standalone text's inner nodes down one path may lag).
 */
export const TEXT_LAYOUT_VERSION = 5;
/**
 * Layout version an embedded text's header is written with (and raised to
 * when attached): its nodes never lag, so a version-4 reader still reads it.
 */
export const TEXT_LAYOUT_EMBEDDED = 4;
/** Oldest layout version a handle attaches to (its leaves are all wide and no inner node has a total, which later versions read as they are). */
export const TEXT_LAYOUT_OLDEST = 2;
/** Bytes of the header. */
export const HEADER_BYTES = 16;

/** Code units a narrow leaf holds at page size `pageSize` (a wide one holds half as many). */
export function leafCapacity(pageSize: number): number {
  return pageSize - LEAF_UNITS;
}

/** Children an inner node holds at page size `pageSize`. */
export function nodeCapacity(pageSize: number): number {
  return ((pageSize - NODE_ENTRIES) / ENTRY_BYTES) | 0;
}

/**
 * Default of the `maxPages` option: pages of one standalone text's address
 * space (its header page, the heap's header and page map, and the node
 * pages), so one version holds about 2^20 - 2^20 / 16 node pages at 256-byte
 * pages (some 60 to 120 million code units; twice that of Latin-1 text).
 *
 * Why a bound at all, and why this one: the heap keeps a 16-byte page-map
 * entry per page it manages. Those of its first 4,096 pages lie ahead of
 * the data (heap layout 2, @pagefork/core heap/layout.ts), so a text of up
 * to ~4,000 node pages writes only pages below vpn 4,096 and its page table
 * has 4 levels at any `maxPages` (automerge-paper: 5.3 page-table nodes
 * copied per edit, against 7.5 when one map put the data above vpn 65,536).
 * A larger text also writes the high map at the heap's top, and then its page
 * table is as tall as `maxPages` needs: a larger `maxPages` costs page-table
 * height, not memory up front.
 *
 * @example
 * ```ts
 * const t = new CowText(); // 256-byte pages
 * t.space.size === TEXT_MAX_PAGES * 256; // true
 * t.release();
 * ```
 */
export const TEXT_MAX_PAGES = 2 ** 20;

/**
 * Virtual size of a text's space, in bytes, when the `maxPages` option is
 * not given and the pool has `overcommit: "never"`, which charges every
 * version its whole virtual size: 1 MiB, so `maxPages` defaults to
 * `2 ** 20 / pageSize` (4096 pages at 256 bytes; 3,839 of them node pages,
 * 240,000 to 480,000 code units; twice that of Latin-1 text). A pool of 64 MiB then holds 64 versions.
 *
 * @example
 * ```ts
 * const pool = new FramePool({ pageSize: 256, maxBytes: 64 << 20, overcommit: "never" });
 * const t = new CowText({ pool });
 * pool.stats().committedBytes === TEXT_NEVER_BYTES; // true
 * t.release();
 * ```
 */
export const TEXT_NEVER_BYTES = 2 ** 20;

/** Smallest `maxPages`: the text header page, the heap's header and page-map pages, and a node page. */
export const TEXT_MIN_PAGES = 4;

/** Largest `maxPages`: an address space has at most 2^32 pages. */
export const TEXT_MAX_PAGES_LIMIT = 2 ** 32;

/** Longest text in UTF-16 code units: subtree lengths are uint32 fields of the inner nodes. */
export const MAX_TEXT_LENGTH = 2 ** 32 - 1;
