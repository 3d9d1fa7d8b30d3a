/**
 * The short form of an address space that `JSON.stringify` and `console.log`
 * show: its sizes and memory figures, never its bytes or internals.
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";

/** What `JSON.stringify(space)` gives; sizes in bytes (see {@link SpaceStats} for the figures). */
export interface SpaceSummary {
  /** Virtual size of the space. */
  size: number;
  /** Page size. */
  pageSize: number;
  /** Bytes inside the space's mappings (its commit charge). */
  mappedBytes: number;
  /** Resident set size: bytes of frames mapped. */
  rss: number;
  /** Proportional set size: each frame's bytes divided among its sharers. */
  pss: number;
  /** Unique set size: bytes of frames no other space reaches. */
  uss: number;
  /** True once `freeze()` has run. */
  frozen: boolean;
  /** True once `release()` has run (the memory figures are then 0). */
  released: boolean;
}

/** The summary of `space`: O(page-table nodes), as `stats()`; never throws (a released space gives zeros). */
export function spaceSummary(space: AddressSpace): SpaceSummary {
  const { size, pageSize, frozen, released } = space;
  if (released) return { size, pageSize, mappedBytes: 0, rss: 0, pss: 0, uss: 0, frozen, released };
  const s = space.stats();
  return { size, pageSize, mappedBytes: s.mappedBytes, rss: s.rss, pss: s.pss, uss: s.uss, frozen, released };
}
