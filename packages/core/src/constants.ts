/**
 * Layout constants. Every size is derived from a shift so that the hot paths
 * can use `>>>`, `&` and `<<` instead of division (V8 keeps them in int32).
 *
 * @module
 */

/** Default page shift: 4 KiB pages, the size of an x86-64 base page. */
export const PAGE_SHIFT = 12;
/** Default page size in bytes (`1 << PAGE_SHIFT`). */
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** Mask of the in-page offset bits for the default page size. */
export const PAGE_MASK = PAGE_SIZE - 1;

/**
 * Smallest page shift a pool accepts: 256 B pages. Below this the page-table
 * entry per page (4 bytes) and the per-fault fixed cost dominate the copy.
 */
export const MIN_PAGE_SHIFT = 8;
/** Largest page shift a pool accepts: 64 KiB pages (the largest arm64 base page). */
export const MAX_PAGE_SHIFT = 16;

/**
 * Bits of virtual page number resolved by one page-table level: fanout 8.
 *
 * Why 8: a write after a fork copies one node per level whose path is still
 * shared, so bytes copied per fault grow with the fanout while the number of
 * levels shrinks only with its logarithm. Measured on the undo-redo demo
 * (automerge-paper, 259,779 versions, 256-byte pages, one fork per edit):
 * page tables of all versions took 210 MiB at fanout 32, 142 MiB at 16,
 * 91 MiB at 8 and 71 MiB at 4, with edits/s flat within noise from 4 to 16
 * and ~15% lower at 32. Fanout 8 keeps most of the saving while a 1 GiB space
 * of 4 KiB pages still walks only 6 levels (fanout 4 would need 9).
 */
export const PT_SHIFT = 3;
/** Entries per page-table node (`1 << PT_SHIFT`). */
export const PT_FANOUT = 1 << PT_SHIFT;
/** Mask selecting one level's index bits from a vpn. */
export const PT_MASK = PT_FANOUT - 1;

/**
 * Largest number of virtual pages in one address space: vpns must fit in a
 * uint32 so the page-table walk can use `>>>`.
 */
export const MAX_PAGES = 2 ** 32;

/** Frame number of the shared, never-written zero frame. A PTE of 0 maps it. */
export const ZERO_PFN = 0;

/**
 * Default slab size in bytes: 1 GiB, the largest (see MAX_SLAB_BYTES). A slab
 * is a resizable ArrayBuffer that reserves this much address space and grows in
 * place, so a large slab costs nothing until used; and a copy-on-write fault
 * between two frames of one slab is a single `copyWithin`, where a copy across
 * slabs needs a view per copy or a loop (the W1 fault benchmark measured a COW
 * fault at 2.4x a page `copyWithin` with 64 MiB slabs, the copies crossing slabs).
 */
export const DEFAULT_SLAB_BYTES = 1 << 30;
/** Largest slab: 1 GiB keeps every in-slab byte offset an int32 (no deopt to doubles). */
export const MAX_SLAB_BYTES = 1 << 30;
/** First size of a growing slab: small pools commit 64 KiB, not a whole slab. */
export const INITIAL_SLAB_BYTES = 1 << 16;

/**
 * Entries in each direct-mapped TLB (read and write are separate).
 * 256 entries cover 1 MiB at 4 KiB pages; a set costs 3 KiB (Float64 tag +
 * Int32 pfn). TLBs are allocated on first use only, and move to the child on
 * fork, so dormant versions never pay for one.
 */
export const TLB_SHIFT = 8;
/** Number of TLB entries (`1 << TLB_SHIFT`). */
export const TLB_SIZE = 1 << TLB_SHIFT;

/**
 * Page address meaning "cache empty" in an address space's last-page caches.
 * It must be NaN: `addr - NaN` is NaN and `NaN & mask` is 0, so the fast-path
 * check `(off & mask) === off` fails for every address. Any finite sentinel
 * leaves a hole: with the former `-0x40000000`, the addresses
 * `-0x40000000 .. -0x40000000 + pageSize - 1` passed the check on an empty
 * cache, so a write there went to whatever frame the stale cache pointed at
 * (the zero frame of a fresh space, a page shared with a fork) instead of
 * throwing a SegmentationFault. @internal
 */
export const NO_PAGE = -0x40000000;
