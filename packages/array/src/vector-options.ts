/**
 * Options of {@link CowVector} and {@link CowVector.create}, and the
 * defaults that depend on the pool (overcommit "never") or the heap.
 *
 * @module
 */
import { type FramePool, type Heap, OutOfMemoryError } from "@pagefork/core";
import type { ElementKind } from "./kinds.js";
import type { CowArrayOptions } from "./options.js";

/** Largest number of pages in one address space (the core's limit: vpns are uint32). */
export const MAX_PAGES = 2 ** 32;

/**
 * The default `maxLength`: the most the core allows, except under overcommit
 * `"never"`. There a new space is charged its whole size until the vector
 * unmaps all but its capacity (right away, in the constructor), so the
 * default is what the pool's commit limit has room for now: a vector can then
 * grow to as much as the pool could ever give it at this moment, and costs
 * only its capacity once made.
 * @throws {OutOfMemoryError} when the commit limit has no room for one element.
 */
export function defaultMaxLength(pool: FramePool, bytes: number, limit: number): number {
  if (pool.overcommit !== "never") return limit;
  const ps = pool.pageSize;
  const roomPages = Math.floor((pool.maxBytes - pool.stats().committedBytes) / ps);
  const n = Math.min(limit, Math.floor((Math.max(roomPages, 0) * ps) / bytes));
  if (n < 1) throwNoRoom(pool, bytes);
  return n;
}

export function throwNoRoom(pool: FramePool, bytes: number): never {
  throw new OutOfMemoryError(
    bytes,
    `commit limit: ${pool.stats().committedBytes} of maxBytes=${pool.maxBytes} bytes already committed (overcommit "never")`,
  );
}

/** Options of {@link CowVector}. */
export interface CowVectorOptions extends CowArrayOptions {
  /**
   * Most elements the vector may hold: its address space is sized to this
   * many elements up front. Unwritten pages cost nothing and page-table levels
   * grow with use, so a large value is free. Default: the most the core
   * allows (`2 ** 32` pages); in a pool with overcommit `"never"`, what its
   * commit limit has room for when the vector is made (`maxBytes` less the
   * bytes already committed), since the new space is charged its whole size
   * for that instant (then only its capacity).
   */
  maxLength?: number;
  /** Elements to `reserve` at creation. Default 0. */
  capacity?: number;
}

/** Options of {@link CowVector.create}. */
export interface CowVectorCreateOptions {
  /** Elements to allocate room for at creation (one heap block). Default 0: no block until the first element. */
  capacity?: number;
}

/** Most elements of `kind` an embedded vector in `heap` can hold: its range's bytes. */
export function heapMaxLength(heap: Heap, kind: ElementKind): number {
  return Math.max(1, Math.floor((heap.limit - heap.base) / kind.bytes));
}
