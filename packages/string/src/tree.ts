/**
 * The counted B-tree of UTF-16 chunks behind CowText as a reader sees it:
 * the registers of a version, and the descent to a leaf and along the leaves
 * that reads, plans and edits share (layout in layout.ts, edits in btree.ts).
 *
 * A descent leaves where it went in a {@link Path} that the caller passes in:
 * CowText keeps one, allocated once, and hands it down through the plan and
 * the edit, so no call allocates and every function's signature shows what it
 * reads and writes.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";
import { throwReleased } from "./errors.js";
import {
  ENTRY_BYTES,
  ENTRY_LENGTH,
  INNER_COUNT,
  INNER_TOTAL,
  LEAF_COUNT,
  N_COUNT,
  N_TOTAL,
  NODE_ENTRIES,
} from "./layout.js";
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
  /**
   * True when one entry of the root may lag behind its subtree's length (a
   * standalone text; see layout.ts): descents find it, edits may leave it.
   */
  readonly lazyRoot: boolean;
  /** The heap that hands out and takes back node pages (only splits, merges and frees need it). */
  nodeHeap(): Heap;
}

/** Deepest tree supported: 2^40 bytes of 256-byte pages with fanout 31 needs 9. */
export const MAX_DEPTH = 32;

/**
 * Where a descent went: the inner nodes on the path and the child taken at
 * each, the offset in the leaf; after a plan (plan.ts), the leaf itself and
 * its count of code units, which the apply step that follows the plan uses
 * instead of descending again. Reused from call to call (allocate one, pass
 * it to every call): all fields are set in this constructor, so every path
 * has one hidden class.
 */
export class Path {
  /** Inner nodes on the path, root first (byte addresses); `depth` of them. */
  readonly node = new Float64Array(MAX_DEPTH);
  /** Child index taken at each inner node of the path. */
  readonly idx = new Int32Array(MAX_DEPTH);
  /** Offset in the leaf, in code units. */
  offset = 0;
  /** Inner nodes on the path (the leaf's depth). */
  depth = 0;
  /** The leaf a plan found (0: none; descend again). */
  leaf = 0;
  /** That leaf's count of code units. */
  count = 0;
  /** Inner nodes the last {@link nextLeaf} entered that the path did not hold before. */
  entered = 0;
  /** Units the next leaf held before the last split merged its tail into it (btree.ts). */
  merged = 0;
  /** The root's entry that lags (see layout.ts) as the last descent found it, or -1. */
  stale = -1;
  /** By how much it lags: the subtree's length minus the entry (0 when `stale` is -1). */
  staleDelta = 0;
  /** The root entry that lagged last: tried first by the next {@link findStale}. */
  hint = 0;
}

/**
 * Descends to the leaf holding position `pos` and returns its byte address;
 * the path and the offset in that leaf are left in `path`. With `inclusive`, a
 * position on a boundary goes to the end of the left leaf (for inserts);
 * without, to the start of the right one (for reads and deletes). O(height * nodeCap).
 */
export function descend(t: TreeState, pos: number, inclusive: boolean, path: Path): number {
  const space = t.space;
  const ps = space.pageSize;
  let node = t.root;
  let p = pos;
  let depth = 0;
  // Every descent sets these: the edit that follows reads them, whatever text descended last.
  path.stale = -1;
  path.staleDelta = 0;
  if (t.lazyRoot && t.height > 0) findStale(t, path);
  let stale = path.stale;
  const delta = path.staleDelta;
  for (let h = t.height; h > 0; h--) {
    const n = space.getUint32(node + N_COUNT) & INNER_COUNT;
    let i = 0;
    let e = node + NODE_ENTRIES;
    for (; i < n - 1; i++, e += ENTRY_BYTES) {
      let len = space.getUint32(e + ENTRY_LENGTH);
      if (i === stale) len += delta;
      if (inclusive ? p <= len : p < len) break;
      p -= len;
    }
    stale = -1; // only the root's entries may lag
    path.node[depth] = node;
    path.idx[depth] = i;
    depth++;
    node = space.getUint32(e) * ps;
  }
  path.offset = p;
  path.depth = depth;
  return node;
}

/**
 * Finds which entry of the root of `t` (height > 0) lags behind its subtree,
 * and by how much, into `path.stale` and `path.staleDelta` (-1 and 0 when
 * none does): the difference is `t.len` minus the sum of the root's entries,
 * and the entry is the one whose child's own length (a leaf's count, an
 * inner node's total) differs from it by that much (layout.ts). The sum is
 * the root's own total when it has one. `path.hint` is tried first; only
 * when it misses (another text was edited in between) are the children read
 * one by one. O(1) reads with a total and a hit; O(nodeCap) without a total,
 * plus O(nodeCap) pages when the hint misses. A text whose length disagrees with
 * every child (a forged share handle) reads as its entries say.
 */
export function findStale(t: TreeState, path: Path): void {
  const space = t.space;
  const root = t.root;
  const word = space.getUint32(root + N_COUNT);
  const n = word & INNER_COUNT;
  // The root's total is the sum of its entries as they are stored (inner.ts
  // keeps it so on every write): one read instead of n.
  let sum = 0;
  if ((word & INNER_TOTAL) !== 0) sum = space.getUint32(root + N_TOTAL);
  else for (let i = 0, e = root + NODE_ENTRIES + ENTRY_LENGTH; i < n; i++, e += ENTRY_BYTES) sum += space.getUint32(e);
  const delta = t.len - sum;
  path.stale = -1;
  path.staleDelta = 0;
  if (delta === 0) return;
  const leaves = t.height === 1;
  let i = path.hint;
  if (i >= n || lagOf(space, root, i, leaves) !== delta) {
    for (i = 0; i < n && lagOf(space, root, i, leaves) !== delta; i++);
    if (i === n) return;
  }
  path.stale = i;
  path.staleDelta = delta;
  path.hint = i;
}

/**
 * How far the root's entry `i` lags behind its child's own length; 0 when
 * the child (an inner node, `leaves` false) holds no total. O(1).
 */
function lagOf(space: TreeState["space"], root: number, i: number, leaves: boolean): number {
  // The root's two words first, then the child's: one change of page, not two.
  const e = root + NODE_ENTRIES + i * ENTRY_BYTES;
  const child = space.getUint32(e) * space.pageSize;
  const stored = space.getUint32(e + ENTRY_LENGTH);
  const word = space.getUint32(child + N_COUNT);
  if (leaves) return (word & LEAF_COUNT) - stored;
  if ((word & INNER_TOTAL) === 0) return 0;
  return space.getUint32(child + N_TOTAL) - stored;
}

/**
 * Moves `path` (which ended at a leaf under `path.depth` inner nodes) to the
 * next leaf and returns its byte address, or 0 after the last leaf. Leaves in
 * `path.entered` how many inner nodes the move entered that the path did not
 * hold before. O(height).
 */
export function nextLeaf(t: TreeState, path: Path): number {
  const space = t.space;
  const ps = space.pageSize;
  const depth = path.depth;
  const pathNode = path.node;
  const pathIdx = path.idx;
  // Climb to the first ancestor with a next child, then go leftmost down.
  let d = depth - 1;
  while (d >= 0 && (pathIdx[d] as number) + 1 >= (space.getUint32((pathNode[d] as number) + N_COUNT) & INNER_COUNT))
    d--;
  if (d < 0) return 0;
  pathIdx[d] = (pathIdx[d] as number) + 1;
  let node = space.getUint32((pathNode[d] as number) + NODE_ENTRIES + (pathIdx[d] as number) * ENTRY_BYTES) * ps;
  for (let dd = d + 1; dd < depth; dd++) {
    pathNode[dd] = node;
    pathIdx[dd] = 0;
    node = space.getUint32(node + NODE_ENTRIES) * ps;
  }
  path.entered = depth - 1 - d;
  return node;
}

/** Pushes the code units of [start, end) as strings onto `out`, one string per leaf (descending with `path`). */
export function collect(t: TreeState, start: number, end: number, out: string[], path: Path): void {
  if (start >= end) return;
  const space = t.space;
  let leaf = descend(t, start, false, path);
  let off = path.offset;
  let left = end - start;
  for (;;) {
    const word = space.getUint32(leaf + N_COUNT);
    const take = Math.min((word & LEAF_COUNT) - off, left);
    if (take > 0) {
      out.push(leafString(space, leaf, word, off, take));
      left -= take;
    }
    if (left === 0) return;
    leaf = nextLeaf(t, path);
    if (leaf === 0) return;
    off = 0;
  }
}

/**
 * The text of `t` as strings of at most one leaf each, in order, collected
 * 64 leaves per descent (with `path`, which other calls may use between two
 * yields: each descent starts afresh). Throws ReleasedError if `t` is released between two
 * of them. O(length) in all.
 */
export function* leafStrings(t: TreeState & { readonly released: boolean }, path: Path): IterableIterator<string> {
  const out: string[] = [];
  const step = t.leafCap * 64;
  for (let at = 0; at < t.len; at += step) {
    if (t.released) throwReleased();
    out.length = 0;
    collect(t, at, Math.min(t.len, at + step), out, path);
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
