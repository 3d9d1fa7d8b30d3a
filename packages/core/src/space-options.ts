/**
 * The options of an address space and their checks: which pool a new
 * space takes frames from, and its size in whole pages. Run once per new
 * space (a fork skips them), never on a hot path.
 *
 * @module
 */
import { isFramePool } from "./brand.js";
import { MAX_PAGES } from "./constants.js";
import { throwInvalid } from "./errors.js";
import { FramePool } from "./frame-pool.js";

/** The pool `options` names, or a new one of `options.pageSize`; throws on bad options. */
export function poolOf(options: AddressSpaceOptions): FramePool {
  if (options === null || typeof options !== "object")
    throwInvalid("options", options, "an object { size, pageSize?, pool? }");
  const pool = options.pool;
  if (pool === undefined) return new FramePool(options.pageSize === undefined ? {} : { pageSize: options.pageSize });
  if (!isFramePool(pool)) throwInvalid("pool", pool, "a FramePool");
  if (options.pageSize !== undefined && options.pageSize !== pool.pageSize)
    throwInvalid("pageSize", options.pageSize, `the pool's page size ${pool.pageSize}`);
  return pool;
}

/** `options.size` rounded up to whole pages of `pool`; throws on a bad size. */
export function sizeOf(options: AddressSpaceOptions, pool: FramePool): number {
  const size = options.size;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0)
    throwInvalid("size", size, "a positive integer number of bytes");
  const pages = Math.ceil(size / pool.pageSize);
  if (pages > MAX_PAGES) throwInvalid("size", size, `at most 2**32 pages (${MAX_PAGES * pool.pageSize} bytes)`);
  return pages * pool.pageSize;
}

/** Options of {@link AddressSpace}. */
export interface AddressSpaceOptions {
  /**
   * Size of the virtual address space in bytes, rounded up to a whole number of
   * pages. Unwritten pages cost nothing: a 1 TiB space that has written one
   * page holds one frame. At most `2 ** 32` pages and `Number.MAX_SAFE_INTEGER` bytes.
   */
  size: number;
  /** Page size in bytes (power of two, 256 to 65536). Default 4096, or the pool's. */
  pageSize?: number;
  /** The frame pool to take frames from. Default: a new pool of `pageSize`. */
  pool?: FramePool;
}
