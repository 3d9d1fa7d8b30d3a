/**
 * Options of a standalone CowText, and the address space and heap they make.
 *
 * @module
 */
import { AddressSpace, FramePool, Heap } from "@pagefork/core";
import { throwInvalid } from "./errors.js";
import {
  H_MAGIC,
  H_VERSION,
  TEXT_LAYOUT_VERSION,
  TEXT_MAGIC,
  TEXT_MAX_PAGES,
  TEXT_MAX_PAGES_LIMIT,
  TEXT_MIN_PAGES,
  TEXT_NEVER_BYTES,
} from "./layout.js";

/**
 * Default page size of a CowText: 256 bytes (252 code units per leaf of
 * Latin-1 text, 126 otherwise; 31 children per inner node). Chosen by the undo-redo demo on the
 * automerge-paper trace, which keeps one version per keystroke: every edit
 * copies its leaf and the inner nodes above it, so smaller pages mean less
 * write amplification (see examples/undo-redo/README.md for the page-size sweep).
 *
 * @example
 * ```ts
 * new CowText().pageSize === TEXT_PAGE_SIZE; // true
 * ```
 */
export const TEXT_PAGE_SIZE = 256;

/** Options of a standalone {@link CowText} (embedded texts live in a heap they are given). */
export interface CowTextOptions {
  /** Page size in bytes (power of two, 256..65536). Default {@link TEXT_PAGE_SIZE}, or the pool's. */
  pageSize?: number;
  /** Frame pool to share with other structures and versions. Default: a new pool. */
  pool?: FramePool;
  /**
   * Virtual size of each version's address space, in pages: the header page,
   * the heap's header and page map (16 bytes per page, 1/16 of them at
   * 256-byte pages), and the node pages. An edit that needs more node pages
   * than are left throws {@link @pagefork/core!OutOfMemoryError | OutOfMemoryError}. Under the pool's
   * `overcommit: "never"` it is also what every version is charged
   * (`maxPages * pageSize` bytes of commit). An integer from 4 to 2^32.
   * Default {@link TEXT_MAX_PAGES} (2^20: 256 MiB at 256-byte pages, 60 to
   * 120 million code units, twice that of Latin-1 text), or 1 MiB worth of pages
   * ({@link TEXT_NEVER_BYTES} / pageSize) in a pool with
   * `overcommit: "never"`. A larger value costs no memory up front, only a
   * taller page table (see layout.ts).
   */
  maxPages?: number;
}

/**
 * The heap of a new standalone text, in a new address space of `maxPages`
 * pages: the text header at page 0 (empty: root 0), the heap from page 1. O(1).
 * @throws {InvalidArgumentError} for options that are not an object, a bad page size or `maxPages`.
 * @throws {OutOfMemoryError} when the pool refuses the commit charge or the two header frames.
 */
export function newTextHeap(options: CowTextOptions): Heap {
  // As AddressSpace's options: `null` read `null.pool` (an engine TypeError), and a string or a number passed as defaults.
  if (typeof options !== "object" || options === null)
    throwInvalid("options", options, "an object { pageSize?, pool?, maxPages? }");
  const pool = options.pool ?? new FramePool({ pageSize: options.pageSize ?? TEXT_PAGE_SIZE });
  const ps = options.pageSize ?? pool.pageSize;
  const maxPages =
    options.maxPages ??
    (pool.overcommit === "never" ? Math.max(TEXT_MIN_PAGES, TEXT_NEVER_BYTES / ps) : TEXT_MAX_PAGES);
  if (!Number.isInteger(maxPages) || maxPages < TEXT_MIN_PAGES || maxPages > TEXT_MAX_PAGES_LIMIT)
    throwInvalid("maxPages", maxPages, `an integer number of pages from ${TEXT_MIN_PAGES} to 2^32`);
  const size = maxPages * ps;
  const space = new AddressSpace(
    options.pageSize === undefined ? { size, pool } : { size, pool, pageSize: options.pageSize },
  );
  try {
    const heap = Heap.create(space, { base: space.pageSize, limit: size });
    space.setUint32(H_MAGIC, TEXT_MAGIC); // the rest of the header reads 0: an empty text
    space.setUint32(H_VERSION, TEXT_LAYOUT_VERSION);
    return heap;
  } catch (e) {
    space.release();
    throw e;
  }
}
