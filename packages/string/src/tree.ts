/**
 * The counted B-tree of UTF-16 chunks behind CowText as a reader sees it:
 * the registers of a version, and the descent to a leaf and along the leaves
 * that reads, plans and edits share (layout in layout.ts, edits in btree.ts).
 *
 * The path registers are module-level and reused: calls are synchronous and
 * never re-entered, so no descent allocates.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";
import { throwReleased } from "./errors.js";
import { ENTRY_BYTES, ENTRY_LENGTH, LEAF_COUNT, N_COUNT, NODE_ENTRIES } from "./layout.js";
import { leafString } from "./leaf.js";

/** The registers of one text version: where its tree is. */
export interface TreeState {
  readonly space: AddressSpace;
  /** Byte address of the root node page; 0 when the text is empty (no node at all). */
  root: number;
  /** 0 when the root is a leaf. */
  height: number;
  /** Length in UTF-16 code units. */
  len: number;
  /**
   * Code units per narrow leaf (a wide leaf holds half as many; children per
   * inner node: `nodeCapacity(space.pageSize)`, needed only by splits).
   */
  readonly leafCap: number;
  /** The heap that hands out and takes back node pages (only splits, merges and frees need it). */
  nodeHeap(): Heap;
}

/** Deepest tree supported: 2^40 bytes of 256-byte pages with fanout 31 needs 9. */
export const MAX_DEPTH = 32;
/** Inner nodes on the path of the last descent, root first (byte addresses). */
export const pathNode = new Float64Array(MAX_DEPTH);
/** Child index taken at each inner node of that path. */
export const pathIdx = new Int32Array(MAX_DEPTH);

/**
 * Results of the last `descend`: offset in the leaf, inner nodes on the path;
 * and, after a plan (plan.ts), the leaf itself and its count of code units,
 * which the apply step that follows the plan uses instead of descending again.
 */
export const descent = { offset: 0, depth: 0, leaf: 0, count: 0, entered: 0 };

/**
 * Descends to the leaf holding position `pos` and returns its byte address;
 * the offset in that leaf is left in `descent.offset`. With `inclusive`, a
 * position on a boundary goes to the end of the left leaf (for inserts);
 * without, to the start of the right one (for reads and deletes).
 */
export function descend(t: TreeState, pos: number, inclusive: boolean): number {
  const space = t.space;
  const ps = space.pageSize;
  let node = t.root;
  let p = pos;
  let depth = 0;
  for (let h = t.height; h > 0; h--) {
    const n = space.getUint32(node + N_COUNT);
    let i = 0;
    let e = node + NODE_ENTRIES;
    for (; i < n - 1; i++, e += ENTRY_BYTES) {
      const len = space.getUint32(e + ENTRY_LENGTH);
      if (inclusive ? p <= len : p < len) break;
      p -= len;
    }
    pathNode[depth] = node;
    pathIdx[depth] = i;
    depth++;
    node = space.getUint32(e) * ps;
  }
  descent.offset = p;
  descent.depth = depth;
  return node;
}

/**
 * Moves the path registers of the last descent (which ended at a leaf under
 * `depth` inner nodes) to the next leaf and returns its byte address, or 0
 * after the last leaf. Leaves in `descent.entered` how many inner nodes the
 * move entered that the path did not hold before. O(height).
 */
export function nextLeaf(t: TreeState, depth: number): number {
  const space = t.space;
  const ps = space.pageSize;
  // Climb to the first ancestor with a next child, then go leftmost down.
  let d = depth - 1;
  while (d >= 0 && (pathIdx[d] as number) + 1 >= space.getUint32((pathNode[d] as number) + N_COUNT)) d--;
  if (d < 0) return 0;
  pathIdx[d] = (pathIdx[d] as number) + 1;
  let node = space.getUint32((pathNode[d] as number) + NODE_ENTRIES + (pathIdx[d] as number) * ENTRY_BYTES) * ps;
  for (let dd = d + 1; dd < depth; dd++) {
    pathNode[dd] = node;
    pathIdx[dd] = 0;
    node = space.getUint32(node + NODE_ENTRIES) * ps;
  }
  descent.entered = depth - 1 - d;
  return node;
}

/** Pushes the code units of [start, end) as strings onto `out`, one string per leaf. */
export function collect(t: TreeState, start: number, end: number, out: string[]): void {
  if (start >= end) return;
  const space = t.space;
  let leaf = descend(t, start, false);
  let off = descent.offset;
  const depth = descent.depth;
  let left = end - start;
  for (;;) {
    const word = space.getUint32(leaf + N_COUNT);
    const take = Math.min((word & LEAF_COUNT) - off, left);
    if (take > 0) {
      out.push(leafString(space, leaf, word, off, take));
      left -= take;
    }
    if (left === 0) return;
    leaf = nextLeaf(t, depth);
    if (leaf === 0) return;
    off = 0;
  }
}

/**
 * The text of `t` as strings of at most one leaf each, in order, collected
 * 64 leaves per descent. Throws ReleasedError if `t` is released between two
 * of them. O(length) in all.
 */
export function* leafStrings(t: TreeState & { readonly released: boolean }): IterableIterator<string> {
  const out: string[] = [];
  const step = t.leafCap * 64;
  for (let at = 0; at < t.len; at += step) {
    if (t.released) throwReleased();
    out.length = 0;
    collect(t, at, Math.min(t.len, at + step), out);
    yield* out;
  }
}

/** The code points of a run of UTF-16 strings, keeping a surrogate pair split between two strings whole. */
export function* codePoints(chunks: Iterable<string>): IterableIterator<string> {
  let carry = "";
  for (const chunk of chunks) {
    const s = carry + chunk;
    const last = s.charCodeAt(s.length - 1);
    const cut = last >= 0xd800 && last <= 0xdbff ? s.length - 1 : s.length;
    carry = s.slice(cut);
    yield* s.slice(0, cut);
  }
  if (carry !== "") yield carry;
}
