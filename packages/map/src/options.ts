/**
 * Options shared by CowMap and CowSet, and the space they create.
 *
 * @module
 */
import { AddressSpace, FramePool, InvalidArgumentError, isFramePool } from "@pagefork/core";
import { SPACE_BYTES } from "./layout.js";
import type { Table } from "./table.js";

/**
 * Default page size of a CowMap or CowSet: 512 bytes.
 *
 * Measured on W5 (1,000,000 string keys to numbers, 1,000 versions that each
 * change one random key, all kept; Node 20 on 2 cores shared with other
 * work; see the package README): an update copies one page plus the
 * page-table path to it, so the bytes per version follow the page size
 * (512 B pages: 736 B per version, 1 KiB: 1,216 B, 2 KiB: 2,240 B, 4 KiB:
 * 4,288 B, over the 4 KB target). Until table layout 2 the log started at
 * 2^27, which at 512 B pages needs 7 page-table levels, and 1 KiB was the
 * default (at 512 B a commit of W5b cost ~1.05x, random `get` more). With
 * the log at 2^26 (layout 2) a 1M-key map keeps 6 levels at 512 B. Against
 * 1 KiB pages and layout 1 (issue 13, A/B against bdadef7, the bench's W5
 * sequence, load 4-11): W5 with every version kept x0.60-0.90 per version
 * in alternating processes (page faults per version 0.274 -> 0.125, pool
 * bytes per version 1,217 -> 705 B), W5 steady x0.92-1.00 and W5b
 * x0.95-1.01 with both builds in one process; random `get` x0.80-1.01 in
 * alternating processes, x1.00-1.09 CPU time (median 1.04) and x1.06-1.23
 * wall time (median 1.11) in one process: at 512 B a random `get` walks the
 * page table 1.95 times against 1.62, the TLB's 8,192 entries reaching half
 * the bytes (16,384 entries brought the walks back to 1.62 but not the
 * time, and were not kept).
 */
export const MAP_PAGE_SIZE = 512;

/**
 * Slab size of the frame pools CowMap and CowSet create: 16 MiB. A slab grows
 * by doubling (one copy) up to this size; with the default 256 MiB the last
 * slab of a 34 MB map reached 64 MiB, so the pool reserved ~2x what it used
 * (measured on W5). With 16 MiB slabs the slack stays under 16 MiB and
 * growth never holds two large buffers at once; a copy between slabs is a
 * loop instead of one `copyWithin`, which at 1 KiB pages is the core's copy
 * path anyway.
 */
const MAP_SLAB_BYTES = 16 << 20;

/**
 * Options of {@link CowMap} and {@link CowSet}.
 *
 * @example
 * ```ts
 * const pool = new FramePool({ pageSize: 1024, maxBytes: 64 << 20 }); // a 64 MiB budget
 * const users = new CowMap<string, { name: string }>(null, { pool });
 * const tags = new CowSet<string>(null, { pool }); // shares the budget
 * users.set("u1", { name: "Ada" });
 * tags.add("admin");
 * pool.framesInUse > 0; // true
 * users.release(); tags.release();
 *
 * // Strict commit accounting charges each version its whole space: bound it.
 * const strict = new FramePool({ pageSize: 1024, maxBytes: 64 << 20, overcommit: "never" });
 * const small = new CowMap<string, number>(null, { pool: strict, maxBytes: 1 << 20 });
 * strict.stats().committedBytes; // 1048576
 * small.release();
 * ```
 */
export interface CowMapOptions {
  /**
   * Page size in bytes: a power of two from 256 to 65536. Default
   * {@link MAP_PAGE_SIZE}, or the pool's page size when `pool` is given.
   * Smaller pages make each version cheaper (a write copies one page), larger
   * ones make random reads faster.
   */
  pageSize?: number;
  /** Frame pool to share with other structures and versions. Default: a new pool of `pageSize`. */
  pool?: FramePool;
  /**
   * Most bytes the collection's table may take (buckets, keys, values and
   * dead records not yet compacted), i.e. the virtual size of its address
   * space, rounded up to whole pages: an integer from two pages to
   * 2^36 (64 GiB, the default). Unwritten bytes cost nothing,
   * so this matters only under a pool with `overcommit: "never"`, which
   * charges every space (every version: a fork too) its whole size against
   * the pool's own `maxBytes`: with the default, one map would need a 64 GiB
   * budget. A write that would pass the bound first compacts dead records
   * away if there are any, and otherwise throws `RangeError` ("maximum size
   * exceeded", as a native Map past its capacity) and changes nothing.
   * An eighth of the bound (a power of two, at most 128 MiB) holds the
   * bucket array; past what it holds, chains grow longer instead.
   */
  maxBytes?: number;
}

/** The options of a collection made without any: frozen, shared (a fork allocates no options object). @internal */
export const NO_OPTIONS: CowMapOptions = Object.freeze({});

/**
 * A new space for a collection, of `maxBytes` (default SPACE_BYTES).
 * @throws {InvalidArgumentError} for bad options (nothing is created).
 * @throws {OutOfMemoryError} when the pool's commit limit refuses the space (overcommit "never").
 */
export function spaceFor(options: CowMapOptions): AddressSpace {
  if (options === null || typeof options !== "object")
    throw new InvalidArgumentError("options", options, "an object { pageSize?, pool?, maxBytes? }");
  const { pageSize, pool, maxBytes } = options;
  if (pool !== undefined && !isFramePool(pool)) throw new InvalidArgumentError("pool", pool, "a FramePool");
  const size = maxBytes ?? SPACE_BYTES;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0 || size > SPACE_BYTES)
    throw new InvalidArgumentError("maxBytes", maxBytes, `an integer number of bytes up to ${SPACE_BYTES}`);
  const ps = pageSize ?? pool?.pageSize ?? MAP_PAGE_SIZE;
  if (typeof ps === "number" && size < 2 * ps)
    throw new InvalidArgumentError("maxBytes", maxBytes, `at least two pages (${2 * ps} bytes)`);
  const p =
    pool ?? new FramePool({ pageSize: ps, slabBytes: Math.max(MAP_SLAB_BYTES, typeof ps === "number" ? ps : 0) });
  return new AddressSpace(pageSize === undefined ? { size, pool: p } : { size, pool: p, pageSize });
}

/**
 * True when `from` may make a collection with `options` as an O(1) fork of
 * the standalone table `t`: same pool, page size and bound (a `maxBytes`
 * given must be the size of `t`'s space, which a fork keeps; another bound,
 * or a bad one, goes the copying path, which applies or refuses it). @internal
 */
export function sharesPool(t: Table, options: CowMapOptions): boolean {
  // an embedded table is never forked: that would fork the embedder's whole space
  if (options === null || typeof options !== "object" || t.space.released || t.heap !== null) return false;
  const pool = options.pool ?? t.space.pool;
  return (
    pool === t.space.pool &&
    (options.pageSize === undefined || options.pageSize === pool.pageSize) &&
    (options.maxBytes === undefined || options.maxBytes === t.space.size)
  );
}

/**
 * The options `from` copies a CowMap or CowSet (table `t`) with when it
 * cannot fork it (another `maxBytes`, or an embedded source, which is never
 * forked): without a `pool` option, the source's pool (as the fork would be;
 * an embedded source's is its embedder's pool, where its set methods put
 * their results too), unless `pageSize` asks for another page size;
 * otherwise `options` as given. A copy of an embedded source into a pool
 * with overcommit "never" (which charges each space its whole size) gets,
 * without a `maxBytes`, the embedder's space size as its bound (at most
 * SPACE_BYTES), as those results do. @internal
 */
export function copyOptions(t: Table, options: CowMapOptions): CowMapOptions {
  if (options === null || typeof options !== "object" || t.space.released) return options;
  const { pageSize, pool, maxBytes } = options;
  if (pool !== undefined) return options;
  const own = t.space.pool;
  if (pageSize !== undefined && pageSize !== own.pageSize) return options;
  if (maxBytes !== undefined) return { pool: own, maxBytes };
  if (t.heap !== null && own.overcommit === "never")
    return { pool: own, maxBytes: Math.min(t.space.size, SPACE_BYTES) };
  return { pool: own };
}
