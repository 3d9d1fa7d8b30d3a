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
 * Largest number of virtual pages in one address space (2^32 pages, so
 * `size` is at most `MAX_PAGES * pageSize` bytes): vpns must fit in a uint32
 * so the page-table walk can use `>>>`. A larger space is refused with
 * InvalidArgumentError; a shared handle or saved record naming one is damage.
 */
export const MAX_PAGES = 2 ** 32;

/** Frame number of the shared, never-written zero frame. A PTE of 0 maps it. */
export const ZERO_PFN = 0;

/**
 * Default (and full) slab size in bytes: 256 MiB. A pool's slabs start small
 * and each new one is as large as all before it, until they reach this size;
 * then every new slab has this size. Nothing is ever copied to grow (see
 * frame-pool.ts). Larger slabs keep more copy-on-write faults inside one slab,
 * where the copy is one `copyWithin`; a copy across slabs needs a view or a
 * loop (the fault benchmark measured a COW fault at 2.4x a page `copyWithin`
 * when every copy crossed 64 MiB slabs, 1.4x within one).
 */
export const DEFAULT_SLAB_BYTES = 1 << 28;
/** Largest slab: 1 GiB keeps every in-slab byte offset an int32 (no deopt to doubles). */
export const MAX_SLAB_BYTES = 1 << 30;
/** Size of a pool's first slab: small pools take 64 KiB, not a whole slab. */
export const INITIAL_SLAB_BYTES = 1 << 16;
/**
 * Size of a shared pool's first slab (`shared: true`): 32 MiB, so the slabs a
 * handle carries are few (a 256 MiB pool has 4 slabs instead of 14 at 64 KiB,
 * a 1 GiB one 7 instead of 17). Every slab travels with every handle as a
 * SharedArrayBuffer, and each costs the owner's `postMessage` ~0.8 us and the
 * one-way hand-off ~0.45 us (measured on Node 20: 17 against 0 of them).
 * The slab is reserved, not resident, only while the allocator maps it
 * fresh: Node allocates a SharedArrayBuffer with `calloc`, and glibc serves a
 * block below its mmap threshold from the heap, zeroed (so resident at once)
 * and kept there when freed, and raises the threshold to the largest mmapped
 * block freed, up to 32 MiB. A 32 MiB slab plus its 16-byte fingerprint is
 * past that ceiling, so it is always mapped fresh and unmapped when freed. At
 * 16 MiB, once one slab was freed the next came from the heap: measured on
 * this VM (Node 20, glibc), 300 shared pools made, shared, attached and
 * released one per event-loop turn left 158-180 MiB more RSS (peak 157-257
 * MiB); at 32 MiB, 3-5 MiB (peak 4-27 MiB).
 */
export const SHARED_INITIAL_SLAB_BYTES = 1 << 25;

/**
 * Most entries of a direct-mapped TLB (read and write are separate): 8192,
 * covering 8 MiB at the arrays' and maps' 1 KiB pages and 32 MiB at 4 KiB,
 * for 64 KiB per TLB (an int32 tag and pfn per entry). A space's TLBs have as
 * many entries as it has pages, rounded up to a power of two, up to this,
 * and no more than its pool has frames (growing with the pool; tlb.ts), so
 * small spaces, and large ones in small pools, take small TLBs. Measured on Node 20 (random
 * reads over 1,048,576 float64s, ratio to a native Float64Array loop, in one
 * process): `CowFloat64Array.get` at 1 KiB pages 13.3x native with 2048
 * entries (8,192 pages: three reads in four missed and walked the page
 * table), 4.9x with 8192; `getFloat64` at 4 KiB pages (2,048 pages) ~4.5x
 * with either. Earlier (bench `read`, random getFloat64 over 8 MiB): 129 ns
 * per read with 256 entries, 70 ns with 2048, where the working set fits.
 * TLBs are taken on a space's first write (or bulk read), move to the child
 * on fork and are recycled on release, so dormant versions never hold one.
 */
export const TLB_SHIFT = 13;
/** Number of TLB entries (`1 << TLB_SHIFT`). */
export const TLB_SIZE = 1 << TLB_SHIFT;

/**
 * Page address meaning "cache empty" in an address space's last-page caches:
 * the smallest Smi, so `rPage`/`wPage` stay Smi (int32) fields and the
 * fast-path check is integer arithmetic. NaN would also never match, but it
 * makes both fields Double (boxed) and the check float64: ~2.0x -> ~2.7x native
 * on a sequential read loop, measured on Node 20.
 *
 * A finite sentinel alone leaves a hole: on an empty cache the addresses
 * `NO_PAGE .. NO_PAGE + pageSize - 1` pass `(off & mask) === off`. Every fast
 * path therefore also requires `addr >= 0`; that holds on every filled cache
 * (page addresses are >= 0) and fails on the whole hole (it is negative), so an
 * empty or released cache misses for every address and the miss path throws
 * the SegmentationFault / ReleasedError. Do not drop that guard. @internal
 */
export const NO_PAGE = -0x40000000;

/**
 * Frame refcounts are one byte: 0..254 in the byte, 255 meaning "see the
 * pool's overflow table". Below this value an increment stays in the byte.
 */
export const REF_MAX_INLINE = 254;
