/**
 * Inner nodes of the counted B-tree behind CowText: the lengths on the path
 * of an edit, and the rebuild that replaces a node's children after a leaf
 * split, a merge or a removal, splitting, sharing or freeing inner nodes up
 * to the root (leaf edits in btree.ts).
 *
 * Scratch arrays are module-level and reused: the operations are synchronous
 * and never re-entered, so no call allocates per node.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";
import { cutPieces, pieceSize } from "./cut.js";
import {
  ENTRY_BYTES,
  ENTRY_LENGTH,
  INNER_COUNT,
  INNER_TOTAL,
  N_COUNT,
  N_TOTAL,
  NODE_ENTRIES,
  nodeCapacity,
} from "./layout.js";
import {
  LAG_LEVELS,
  LAG_SHIFT,
  lagBits,
  lagWrites,
  MAX_DEPTH,
  maxLagLevels,
  NO_LAG,
  type Path,
  packLag,
  setLag,
  smiAddress,
  type TreeState,
} from "./tree.js";

/** Scratch entries (child page address, subtree length) for inner-node rebuilds. */
let entAddr = new Float64Array(256);
let entLen = new Float64Array(256);
/** Replacement entries handed from one level to the next while propagating. */
let repAddr = new Float64Array(64);
let repLen = new Float64Array(64);

/** `a` itself if it holds `n` entries, else a copy at least twice as long. */
function grown(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  if (a.length >= n) return a;
  const b = new Float64Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

function ensureEntries(n: number): void {
  entAddr = grown(entAddr, n);
  entLen = grown(entLen, n);
}

export function ensureRep(n: number): void {
  repAddr = grown(repAddr, n);
  repLen = grown(repLen, n);
}

/** Sets replacement entry `i` (child page byte address, subtree length) for {@link replaceChildren}; call {@link ensureRep} first. */
export function setRep(i: number, addr: number, len: number): void {
  repAddr[i] = addr;
  repLen[i] = len;
}

/**
 * Adds `delta` to the subtree length of every entry of `path` above depth
 * `depth` (the node there holds its exact length: a leaf's count, or an inner
 * node just written), and to the total of each inner node it writes. When `t`
 * allows it (a standalone text; see layout.ts), the entries of the first
 * `maxLagLevels` inner nodes of the path are left behind instead: those pages
 * are not written, and `t.lp` names the path. Only one path may lag, by one
 * amount: an edit elsewhere first brings the lagging one up to date
 * ({@link settleLag}). So a keystroke into the leaf the last one went to
 * writes only that leaf. O(height) pages written: none above the leaf when
 * it extends the lagging path, up to twice the lagging levels when it moves it.
 */
export function addToPath(t: TreeState, path: Path, depth: number, delta: number): void {
  const space = t.space;
  const pathNode = path.node;
  const pathIdx = path.idx;
  const ps = space.pageSize;
  const levels = t.lazyRoot ? Math.min(depth, maxLagLevels(ps)) : 0;
  const lag = packLag(path, levels, ps);
  if (lag !== t.lp.lag && path.staleDelta !== 0) settleLag(t, path);
  for (let d = depth - 1; d >= levels; d--) {
    const node = pathNode[d] as number;
    const e = node + NODE_ENTRIES + (pathIdx[d] as number) * ENTRY_BYTES + ENTRY_LENGTH;
    space.setUint32(e, space.getUint32(e) + delta);
    addToTotal(space, node, delta);
  }
  // Above `levels` the entries now lag by `delta` more (or by `delta`, after a settle or when none lagged).
  // The same path keeps its LagPath and finger (the leaf, its start and the root's total stay as they were).
  if (lag !== t.lp.lag) setLag(t, lag);
  path.staleDelta = lag === 0 ? 0 : path.staleDelta + delta;
}

/**
 * Pages an {@link addToPath} of `t` over `path` (to its leaf's depth) writes,
 * the leaf included: the inner nodes below the levels that may lag, plus the
 * lagging path when the edit moves it ({@link settleLag}). What the plans
 * count for an edit inside one leaf, so that a keystroke that writes one page
 * needs one free frame. O(lagging levels).
 */
export function pathWrites(t: TreeState, path: Path): number {
  const depth = path.depth;
  const levels = t.lazyRoot ? Math.min(depth, maxLagLevels(t.space.pageSize)) : 0;
  const moves = packLag(path, levels, t.space.pageSize) !== t.lp.lag && path.staleDelta !== 0;
  return 1 + depth - levels + (moves ? lagWrites(t) : 0);
}

/** Scratch: the inner nodes of the lagging path, root first (byte addresses). */
const lagNodes = new Float64Array(MAX_DEPTH);

/**
 * Brings the lagging path of `t` up to date (layout.ts): adds
 * `path.staleDelta`, as the last descent of `t` found it, to each lagging
 * entry and to the total of each node on the path, then clears `t.lp` and
 * `path.staleDelta`. Writes the path's pages (at most `t.lp.lag & LAG_LEVELS`;
 * plans count them): the tree is then exact, as edits that restructure it
 * (splits, merges, removed leaves) expect. O(lagging levels) pages.
 */
export function settleLag(t: TreeState, path: Path): void {
  const lag = t.lp.lag;
  const delta = path.staleDelta;
  t.lp = NO_LAG;
  path.staleDelta = 0;
  if (lag <= 0 || delta === 0) return;
  const space = t.space;
  const ps = space.pageSize;
  const bits = lagBits(ps);
  const mask = (1 << bits) - 1;
  const levels = lag & LAG_LEVELS;
  let node = t.root;
  let idx = lag >>> LAG_SHIFT;
  for (let d = 0; d < levels; d++, idx >>>= bits) {
    lagNodes[d] = node;
    node = space.getUint32(node + NODE_ENTRIES + (idx & mask) * ENTRY_BYTES) * ps;
  }
  idx = lag >>> LAG_SHIFT;
  for (let d = levels - 1; d >= 0; d--) {
    const n = lagNodes[d] as number;
    const e = n + NODE_ENTRIES + ((idx >>> (d * bits)) & mask) * ENTRY_BYTES + ENTRY_LENGTH;
    space.setUint32(e, space.getUint32(e) + delta);
    addToTotal(space, n, delta);
  }
}

/**
 * Adds `delta` to the total of inner node `node`, whose entries already
 * include it; a node without a total (layout version 3) gets one, the sum of
 * its entries. O(1), or O(nodeCap) once per such node.
 */
function addToTotal(space: AddressSpace, node: number, delta: number): void {
  const word = space.getUint32(node + N_COUNT);
  if ((word & INNER_TOTAL) !== 0) {
    space.setUint32(node + N_TOTAL, space.getUint32(node + N_TOTAL) + delta);
    return;
  }
  const n = word & INNER_COUNT;
  let sum = 0;
  for (let i = 0, e = node + NODE_ENTRIES + ENTRY_LENGTH; i < n; i++, e += ENTRY_BYTES) sum += space.getUint32(e);
  space.setUint32(node + N_TOTAL, sum);
  space.setUint32(node + N_COUNT, word | INNER_TOTAL);
}

/** Sets the count word (with INNER_TOTAL) and the total of inner node `node`. */
function setInner(space: AddressSpace, node: number, count: number, total: number): void {
  space.setUint32(node + N_COUNT, count | INNER_TOTAL);
  space.setUint32(node + N_TOTAL, total);
}

/**
 * Replaces `removeCount` entries, starting at `path`'s child index, of the
 * inner node at depth `depth - 1` with the `repCount` entries in repAddr/repLen,
 * then propagates splits or removals up to the root. `delta` is the change of
 * the total text length, added to the entries above the level where the
 * change stops. The lagging path, if any, is brought up to date first
 * ({@link settleLag}); the entries above the change may lag again after.
 * `heap` is the text's node heap, or null when the caller has not attached
 * it: then it is attached here only if a node splits, empties or the root
 * changes (a rebuild that fits its node takes or frees no page).
 */
export function replaceChildren(
  t: TreeState,
  heap: Heap | null,
  path: Path,
  depth: number,
  removeCount: number,
  repCount: number,
  delta: number,
): void {
  const space = t.space;
  const pathNode = path.node;
  const pathIdx = path.idx;
  const ps = space.pageSize;
  const cap = nodeCapacity(ps);
  settleLag(t, path); // the entries rebuilt below are read from the pages: they must be exact
  let d = depth - 1;
  let rc = repCount;
  let rm = removeCount;
  let nodes = heap;
  while (d >= 0) {
    const node = pathNode[d] as number;
    const ci = pathIdx[d] as number;
    const n = space.getUint32(node + N_COUNT) & INNER_COUNT;
    const total = n - rm + rc;
    ensureEntries(total);
    // Entries before ci are unchanged; rebuild from ci onward.
    let m = 0;
    for (let i = 0; i < ci; i++, m++) {
      const e = node + NODE_ENTRIES + i * ENTRY_BYTES;
      entAddr[m] = space.getUint32(e) * ps;
      entLen[m] = space.getUint32(e + ENTRY_LENGTH);
    }
    for (let i = 0; i < rc; i++, m++) {
      entAddr[m] = repAddr[i] as number;
      entLen[m] = repLen[i] as number;
    }
    for (let i = ci + rm; i < n; i++, m++) {
      const e = node + NODE_ENTRIES + i * ENTRY_BYTES;
      entAddr[m] = space.getUint32(e) * ps;
      entLen[m] = space.getUint32(e + ENTRY_LENGTH);
    }
    const from = ci;
    if (total > 0 && total <= cap) {
      writeEntries(space, node, from, total);
      addToPath(t, path, d, delta);
      return;
    }
    if (nodes === null) nodes = t.nodeHeap(); // the node empties, splits or shares: the rare case
    if (total === 0) {
      nodes.freePage(node);
      rc = 0;
    } else if (d > 0 && shareWithNext(space, path, cap, d, node, ci, total)) {
      rc = 2; // the node and its next sibling, both rewritten: the level above keeps its entry count
      rm = 2;
      d--;
      continue;
    } else {
      rc = splitEntries(t, nodes, entAddr, entLen, total, -1, node); // even: see cutPieces
    }
    rm = 1;
    d--;
  }
  newRoot(t, nodes ?? t.nodeHeap(), rc);
}

/**
 * When inner node `node` (at depth `d` > 0, rebuilt from entry `ci` on into
 * the `total` > cap scratch entries) has a next sibling under the same parent
 * with room, moves its last entries to the front of that sibling instead of
 * splitting it, so that both end about equally full, and leaves their two
 * replacement entries in repAddr/repLen; returns false, having written
 * nothing, when there is no such sibling. O(nodeCap).
 *
 * Why: even splits leave inner nodes about 60% full on the traces
 * (automerge-paper: 19.6 of 31 entries), and the height of the tree is what
 * every edit pays, one page per level. Moving entries to a neighbour with
 * room (as B*-trees do) costs one more page write when a node overflows, once
 * per ~30 leaf splits, and no new page.
 */
function shareWithNext(
  space: AddressSpace,
  path: Path,
  cap: number,
  d: number,
  node: number,
  ci: number,
  total: number,
): boolean {
  const ps = space.pageSize;
  const parent = path.node[d - 1] as number;
  const pi = path.idx[d - 1] as number;
  if (pi + 1 >= (space.getUint32(parent + N_COUNT) & INNER_COUNT)) return false;
  const next = space.getUint32(parent + NODE_ENTRIES + (pi + 1) * ENTRY_BYTES) * ps;
  const n = space.getUint32(next + N_COUNT) & INNER_COUNT;
  const combined = total + n;
  if (combined > 2 * cap) return false; // more than the two nodes hold: split
  // The node keeps at least one entry and at most `cap`; the sibling takes the rest, at most `cap`.
  const keep = Math.max(combined - cap, Math.min(total - 1, Math.ceil(combined / 2)));
  ensureEntries(combined);
  for (let i = 0; i < n; i++) {
    const e = next + NODE_ENTRIES + i * ENTRY_BYTES;
    entAddr[total + i] = space.getUint32(e) * ps;
    entLen[total + i] = space.getUint32(e + ENTRY_LENGTH);
  }
  const from = Math.min(ci, keep);
  repLen[0] = sumLengths(0, keep);
  repLen[1] = putEntries(space, next, 0, entAddr, entLen, keep, combined - keep);
  setInner(space, next, combined - keep, repLen[1] as number);
  putEntries(space, node, from, entAddr, entLen, from, keep - from);
  setInner(space, node, keep, repLen[0] as number);
  repAddr[0] = node;
  repAddr[1] = next;
  return true;
}

/** Sum of the scratch entries' lengths in [from, to). */
function sumLengths(from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += entLen[i] as number;
  return sum;
}

/**
 * Cuts `total` (child address, subtree length) entries into ceil(total /
 * nodeCap) inner nodes (see {@link cutPieces}; `cursor` is the index just past
 * the new entries, or -1), the first one written into `first`
 * (0: a new page), and leaves one entry per node in repAddr/repLen; returns
 * the number of nodes. The source may be repAddr/repLen itself: node i's entry
 * is stored at index i only after its own entries, at indices >= i, were read.
 */
function splitEntries(
  t: TreeState,
  heap: Heap,
  srcAddr: Float64Array,
  srcLen: Float64Array,
  total: number,
  cursor: number,
  first: number,
): number {
  const space = t.space;
  const pieces = cutPieces(total, cursor, nodeCapacity(space.pageSize));
  ensureRep(pieces);
  let at = 0;
  for (let i = 0; i < pieces; i++) {
    const size = pieceSize(i);
    const page = i === 0 && first !== 0 ? first : heap.allocPage();
    const sum = putEntries(space, page, 0, srcAddr, srcLen, at, size);
    setInner(space, page, size, sum);
    repAddr[i] = page;
    repLen[i] = sum;
    at += size;
  }
  return pieces;
}

/**
 * Writes `count` entries, from index `from` of srcAddr/srcLen (child page
 * byte address, subtree length), into `node` starting at entry `to`.
 * Returns the sum of their lengths.
 */
function putEntries(
  space: AddressSpace,
  node: number,
  to: number,
  srcAddr: Float64Array,
  srcLen: Float64Array,
  from: number,
  count: number,
): number {
  const ps = space.pageSize;
  let sum = 0;
  for (let j = 0; j < count; j++) {
    const e = node + NODE_ENTRIES + (to + j) * ENTRY_BYTES;
    const len = srcLen[from + j] as number;
    space.setUint32(e, (srcAddr[from + j] as number) / ps);
    space.setUint32(e + ENTRY_LENGTH, len);
    sum += len;
  }
  return sum;
}

/** Writes entries [from, total) of the scratch list into `node` and sets its count and total. */
function writeEntries(space: AddressSpace, node: number, from: number, total: number): void {
  putEntries(space, node, from, entAddr, entLen, from, total - from);
  setInner(space, node, total, sumLengths(0, total));
}

/** Sets the root from the `rc` replacement entries left after propagation. */
function newRoot(t: TreeState, heap: Heap, rc: number): void {
  const space = t.space;
  const ps = space.pageSize;
  if (rc === 0) {
    t.root = 0; // the text is empty: no node at all
    t.height = 0;
    return;
  }
  // Grow: stack new roots until one node holds every entry.
  while (rc > 1) {
    rc = splitEntries(t, heap, repAddr, repLen, rc, rc, 0);
    t.height++;
  }
  t.root = smiAddress(repAddr[0] as number);
  // Shrink: a root with one child hands the root to that child.
  while (t.height > 0 && (space.getUint32(t.root + N_COUNT) & INNER_COUNT) === 1) {
    const child = space.getUint32(t.root + NODE_ENTRIES) * ps;
    heap.freePage(t.root);
    t.root = smiAddress(child);
    t.height--;
  }
}
