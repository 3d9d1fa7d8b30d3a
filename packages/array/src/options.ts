/**
 * Options shared by the COW arrays, the default page size and the default
 * frame pools.
 *
 * @module
 */
import { FramePool, InvalidArgumentError, isFramePool } from "@pagefork/core";

/**
 * Default page size of the COW arrays and vectors: 1 KiB.
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
 */
export const ARRAY_PAGE_SIZE = 1024;

/** Options of the COW arrays ({@link CowTypedArray} kinds and {@link CowVector}). */
export interface CowArrayOptions {
  /**
   * Page size in bytes (a power of two, 256 to 65536). Default
   * {@link ARRAY_PAGE_SIZE}, or the pool's page size when `pool` is given.
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
 * The pool an array made with `options` takes frames from.
 * @throws {InvalidArgumentError} for options that are not an object, a pool
 * that is not a FramePool, an invalid page size, or one that differs from the pool's.
 */
export function poolFor(options: CowArrayOptions | undefined): FramePool {
  if (options === undefined) return defaultPool(ARRAY_PAGE_SIZE);
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError("options", options, "an object { pageSize?, pool? }");
  const { pool, pageSize } = options;
  if (pool === undefined) return defaultPool(pageSize === undefined ? ARRAY_PAGE_SIZE : pageSize);
  if (!isFramePool(pool)) throw new InvalidArgumentError("pool", pool, "a FramePool");
  if (pageSize !== undefined && pageSize !== pool.pageSize)
    throw new InvalidArgumentError("pageSize", pageSize, `the pool's page size ${pool.pageSize}`);
  return pool;
}

function defaultPool(pageSize: number): FramePool {
  let pool = DEFAULT_POOLS.get(pageSize);
  if (pool === undefined) {
    pool = new FramePool({ pageSize }); // validates pageSize
    DEFAULT_POOLS.set(pageSize, pool);
  }
  return pool;
}
