/**
 * Options shared by the COW arrays, the default page size and the default
 * frame pools.
 *
 * @module
 */
import { FramePool, InvalidArgumentError, isFramePool, TLB_SIZE } from "@pagefork/core";

/**
 * Default page size of a {@link CowVector}, and of a fixed-length COW array
 * of more than {@link SMALL_ARRAY_MAX_BYTES} (4 MiB): 1 KiB. Smaller arrays
 * get {@link SMALL_ARRAY_PAGE_SIZE} (see {@link arrayPageSizeFor}).
 *
 * The budget for a new version of a 1,000,000-element Float64 array
 * that differs in one element is <= 5 us and <= 2 KB, with a full scan at
 * most 1.5x a native Float64Array. A version costs one page, the page-table
 * path to it (32 B per level) and ~300-500 B of JS objects, so the page must
 * stay under 2 KB: 2 KiB pages already cost ~2.6 KB. Smaller pages cost less
 * per version but scan slower (one translation per page). Measured
 * (packages/array/README.md, "Page size"; Node 20, 2 cores under load,
 * 1M / 10M elements; scan ratios to a native indexed loop in the same run):
 *
 * | page   | bytes/version | us/version p50 | scan via spans() | via reduce |
 * | ------ | ------------- | -------------- | ---------------- | ---------- |
 * | 256 B  | 732 / 940     | 1.8 / 2.7      | 2.20x / 3.03x    | 2.3x / 3.2x |
 * | 512 B  | 1140 / 1026   | 1.9 / 2.2      | 1.71x / 2.36x    | 2.0x / 2.3x |
 * | 1 KiB  | 1690 / 1642   | 1.9 / 1.9      | 1.47x / 1.44x    | 1.6x / 1.6x |
 * | 2 KiB  | 2621 / 2747   | 2.0 / 2.7      | 1.42x / 1.34x    | 1.6x / 1.5x |
 * | 4 KiB  | 4600 / 4678   | 2.0 / 2.2      | 1.47x / 1.33x    | 1.6x / 1.4x |
 * | 16 KiB | 16799 / 17004 | 3.2 / 3.8      | 1.27x / 1.34x    | 1.4x / 1.5x |
 * | 64 KiB | 66161 / 66168 | 6.6 / 7.9      | 1.29x / 1.55x    | 1.5x / 1.6x |
 *
 * 1 KiB is the largest page inside the 2 KB budget, and scans within ~1.5x
 * native through page spans; past it scans gain little and versions grow.
 * Below it a 1M-element array's pages outnumber the largest TLB's entries:
 * at 512 B pages random `get` ran x2.06 slower than at 1 KiB, so 512 B is the
 * default only for arrays whose pages all fit the TLB.
 *
 * @example
 * ```ts
 * import { ARRAY_PAGE_SIZE, CowFloat64Array, CowVector } from "@pagefork/array";
 *
 * const a = new CowFloat64Array(1_000_000); // 8,000,000 bytes: over 4 MiB
 * const v = new CowVector(Float64Array);
 * [ARRAY_PAGE_SIZE, a.pageSize, v.pageSize]; // [1024, 1024, 1024]
 * a.release();
 * v.release();
 * ```
 */
export const ARRAY_PAGE_SIZE = 1024;

/**
 * Default page size of a fixed-length COW array of at most
 * {@link SMALL_ARRAY_MAX_BYTES} bytes: 512 B.
 *
 * Half the page halves the copy a version makes. Issue 13's W1 (fork a
 * 100,000-element Float64 array, set one random element, keep every
 * version): 848 bytes in use per version at 512 B against 1,354 at 1 KiB
 * (Immutable.js `List.set`: 1,286), time per version unchanged (x0.87-1.01,
 * noise x0.92). Reads pay a translation per page, but up to
 * {@link SMALL_ARRAY_MAX_BYTES} every page keeps its own TLB entry: against
 * 1 KiB, at 100,000 / 524,288 elements, `get` sequential x0.99-1.04, random
 * x0.87-1.05, `reduce` x0.97-1.07, `spans()` x1.07-1.10. Writing every page
 * (building an array, filling a fork) costs up to x1.7-2.0: a fault per page,
 * twice the pages. Measured on Node 20, 2 cores under load, medians of paired
 * ratios over alternating fresh processes (packages/array/README.md, "Page
 * size").
 *
 * @example
 * ```ts
 * import { CowFloat64Array, SMALL_ARRAY_PAGE_SIZE } from "@pagefork/array";
 *
 * const a = new CowFloat64Array(100_000); // 800,000 bytes
 * a.pageSize === SMALL_ARRAY_PAGE_SIZE; // true
 * a.release();
 * ```
 */
export const SMALL_ARRAY_PAGE_SIZE = 512;

/**
 * Largest byte length of a fixed-length COW array whose default page size
 * is {@link SMALL_ARRAY_PAGE_SIZE}: as many of those pages as the largest TLB
 * of the core has entries (`TLB_SIZE`, 8,192), so 4 MiB (4,194,304 bytes).
 * Up to it every page of the array has its own TLB entry, so reads never walk
 * the page table once the TLB is warm; above it 512 B pages would share
 * entries, and {@link ARRAY_PAGE_SIZE} (1 KiB) is the default.
 *
 * @example
 * ```ts
 * import { CowFloat64Array, SMALL_ARRAY_MAX_BYTES } from "@pagefork/array";
 *
 * SMALL_ARRAY_MAX_BYTES; // 4194304
 * const atBound = new CowFloat64Array(SMALL_ARRAY_MAX_BYTES / 8);
 * const above = new CowFloat64Array(SMALL_ARRAY_MAX_BYTES / 8 + 1);
 * [atBound.pageSize, above.pageSize]; // [512, 1024]
 * atBound.release();
 * above.release();
 * ```
 */
export const SMALL_ARRAY_MAX_BYTES = TLB_SIZE * SMALL_ARRAY_PAGE_SIZE;

/**
 * The page size in bytes a fixed-length COW array of `byteLength` bytes
 * gets when its options give neither `pageSize` nor `pool`:
 * {@link SMALL_ARRAY_PAGE_SIZE} (512) up to {@link SMALL_ARRAY_MAX_BYTES}
 * (4 MiB) included, {@link ARRAY_PAGE_SIZE} (1024) above. Use it to make a
 * pool of your own that matches the default: `new FramePool({ pageSize:
 * arrayPageSizeFor(n * 8) })`. O(1).
 *
 * @param byteLength - the array's length times its `BYTES_PER_ELEMENT`.
 * @throws {InvalidArgumentError} when `byteLength` is not a non-negative
 * safe integer.
 *
 * @example
 * ```ts
 * import { arrayPageSizeFor, CowUint8Array } from "@pagefork/array";
 * import { FramePool } from "@pagefork/core";
 *
 * arrayPageSizeFor(4 * 1024 * 1024); // 512
 * arrayPageSizeFor(4 * 1024 * 1024 + 1); // 1024
 * const pool = new FramePool({ pageSize: arrayPageSizeFor(1_000) });
 * const a = new CowUint8Array(1_000, { pool });
 * a.pageSize; // 512
 * a.release();
 * ```
 */
export function arrayPageSizeFor(byteLength: number): number {
  if (!Number.isSafeInteger(byteLength) || byteLength < 0)
    throw new InvalidArgumentError("byteLength", byteLength, "a non-negative safe integer (bytes)");
  return byteLength <= SMALL_ARRAY_MAX_BYTES ? SMALL_ARRAY_PAGE_SIZE : ARRAY_PAGE_SIZE;
}

/** Options of the COW arrays ({@link CowTypedArray} kinds and {@link CowVector}). */
export interface CowArrayOptions {
  /**
   * Page size in bytes (a power of two, 256 to 65536). Default: the pool's
   * page size when `pool` is given; otherwise, for a fixed-length array,
   * {@link arrayPageSizeFor}`(byteLength)` ({@link SMALL_ARRAY_PAGE_SIZE},
   * 512 B, up to {@link SMALL_ARRAY_MAX_BYTES}, 4 MiB; {@link ARRAY_PAGE_SIZE},
   * 1 KiB, above), and for a {@link CowVector} {@link ARRAY_PAGE_SIZE}. Forks,
   * subarrays and the arrays that methods return keep their source's pool,
   * so its page size.
   */
  pageSize?: number;
  /**
   * The frame pool to take frames from. Arrays that share a pool share its
   * memory accounting and its free frames; an array and its forks always
   * share one. Default: one pool per page size, shared by every array made
   * without a pool.
   */
  pool?: FramePool;
}

const DEFAULT_POOLS = new Map<number, FramePool>();

/**
 * The pool `options` choose: the given pool, or the default pool of the given
 * page size; `undefined` when they give neither (the caller then picks the
 * default page size, which may depend on the array's byte length).
 * @throws {InvalidArgumentError} for options that are not an object, a pool
 * that is not a FramePool, an invalid page size, or one that differs from the pool's.
 */
export function chosenPool(options: CowArrayOptions | undefined): FramePool | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError("options", options, "an object { pageSize?, pool? }");
  const { pool, pageSize } = options;
  if (pool === undefined) return pageSize === undefined ? undefined : defaultPool(pageSize);
  if (!isFramePool(pool)) throw new InvalidArgumentError("pool", pool, "a FramePool");
  if (pageSize !== undefined && pageSize !== pool.pageSize)
    throw new InvalidArgumentError("pageSize", pageSize, `the pool's page size ${pool.pageSize}`);
  return pool;
}

/**
 * The shared default pool of the page size {@link arrayPageSizeFor}
 * chooses for an array of `byteLength` bytes.
 */
export function defaultArrayPool(byteLength: number): FramePool {
  return defaultPool(arrayPageSizeFor(byteLength));
}

/**
 * The pool a vector made with `options` takes frames from: see
 * {@link chosenPool}; by default the shared pool of {@link ARRAY_PAGE_SIZE}.
 * @throws {InvalidArgumentError} as {@link chosenPool}.
 */
export function poolFor(options: CowArrayOptions | undefined): FramePool {
  return chosenPool(options) ?? defaultPool(ARRAY_PAGE_SIZE);
}

function defaultPool(pageSize: number): FramePool {
  let pool = DEFAULT_POOLS.get(pageSize);
  if (pool === undefined) {
    pool = new FramePool({ pageSize }); // validates pageSize
    DEFAULT_POOLS.set(pageSize, pool);
  }
  return pool;
}
