/**
 * The geometry of the page table: how many levels a vpn needs, the most a
 * tree can have, the bytes of a node, and the root a space holds (a node
 * index and a level count). The arena and its walks are in page-table.ts.
 *
 * @module
 */
import { PT_FANOUT, PT_SHIFT } from "./constants.js";

/**
 * True when a tree of `levels` levels reaches `vpn` (`vpn < PT_FANOUT ** levels`).
 * One shift: the tree grows upward only when a write goes past it.
 */
export function covers(levels: number, vpn: number): boolean {
  const bits = levels * PT_SHIFT;
  return bits >= 32 || vpn >>> bits === 0;
}

/** Number of page-table levels needed to cover `vpn`. */
export function levelsFor(vpn: number): number {
  let levels = 1;
  while (levels * PT_SHIFT < 32 && vpn >>> (levels * PT_SHIFT) !== 0) levels++;
  return levels;
}

/** The page-table root of a space: what the page table's walks read and path-copy. @internal */
export interface PageTableRoot {
  /** Root node (0: every page is the zero frame). */
  root: number;
  /** Levels under the root, >= 1. */
  levels: number;
}

/** Most page-table levels: a vpn is below 2^32 and each level resolves PT_SHIFT bits (see {@link levelsFor}). */
const PT_MAX_LEVELS = Math.ceil(32 / PT_SHIFT);

/**
 * Most nodes one write fault takes: `growToCover` adds a node per new level
 * and `privatizePath` copies one per level. The fault reserves them first
 * (`PageTable.ensureNodes`, page-table.ts) so that a refused arena refuses the fault
 * before it changes anything.
 * @internal
 */
export const FAULT_NODES_MAX = 2 * PT_MAX_LEVELS;

/** Bytes of one page-table node. */
export const PT_NODE_BYTES = PT_FANOUT * Int32Array.BYTES_PER_ELEMENT;
