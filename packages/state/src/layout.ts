/**
 * The address space of a state:
 *
 * ```
 * page 0                      state header (below)
 * [pageSize, pageSize + heapBytes)   the Heap (core heap.ts) holding every node:
 *                             records, container nodes, strings, and the
 *                             embedded structures' headers, nodes and data
 * ```
 *
 * State header (offsets in page 0):
 *
 * ```
 * +0   u32  magic "PFST"
 * +4   u32  layout version
 * +8   f64  byte address of the root node
 * +16  u32  page size
 * ```
 *
 * The header page is written once at creation and when a recipe replaces the
 * whole root; every other write goes to heap pages.
 *
 * @module
 */

/** "PFST" read as a little-endian uint32. */
export const STATE_MAGIC = 0x54534650;
/** Layout version written in the header. */
export const STATE_LAYOUT_VERSION = 1;
/** u32 magic. */
export const SH_MAGIC = 0;
/** u32 layout version. */
export const SH_VERSION = 4;
/** f64 root node address. */
export const SH_ROOT = 8;
/** u32 page size. */
export const SH_PAGE_SIZE = 16;

/**
 * Default page size of a state: 256 bytes. A version costs the pages its
 * change copies (the changed record, each ancestor's record whose stamp
 * changes, the text leaf, the grid page, and the page-table paths to them),
 * so small pages keep undo histories cheap; the text package's page-size
 * sweep on automerge-paper chose 256 B for the same reason (bench W9 and
 * examples/undo-redo/README.md have the figures).
 */
export const STATE_PAGE_SIZE = 256;

/**
 * Default bytes the state's heap manages: 1 GiB. Untouched pages cost
 * nothing, but the heap keeps a dense page map (16 B per page) ahead of its
 * data, so a larger heap starts its data higher and makes the page table one
 * or two levels taller (one more 32-byte node copied per write path). Raise
 * it with the `heapBytes` option for states larger than ~1 GiB.
 */
export const STATE_HEAP_BYTES = 2 ** 30;
