/**
 * Edits of the counted B-tree of UTF-16 chunks behind CowText (descent and
 * reads in tree.ts), written as an ordinary in-place B-tree over an address
 * space: persistence comes from the space, which copies a page on its first
 * write after a fork. So the algorithm needs no path copying of its own, and
 * an edit writes O(height) pages.
 *
 * Scratch arrays are module-level and reused: the operations are synchronous
 * and never re-entered, so no call allocates per node.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";
import { ENTRY_BYTES, ENTRY_LENGTH, LEAF_UNITS, N_COUNT, NODE_ENTRIES, nodeCapacity } from "./layout.js";
import { descend, descent, pathIdx, pathNode, type TreeState } from "./tree.js";

/** Scratch code units for leaf splits and merges. */
let units = new Uint16Array(1024);
/** Scratch entries (child page address, subtree length) for inner-node rebuilds. */
let entAddr = new Float64Array(256);
let entLen = new Float64Array(256);
/** Replacement entries handed from one level to the next while propagating. */
let repAddr = new Float64Array(64);
let repLen = new Float64Array(64);

function ensureUnits(n: number): Uint16Array {
  if (units.length < n) units = new Uint16Array(Math.max(n, units.length * 2));
  return units;
}

/** Size of piece `i` when `total` items are cut into `pieces` near-equal pieces (the first ones one larger). */
function pieceSize(total: number, pieces: number, i: number): number {
  return Math.floor(total / pieces) + (i < total % pieces ? 1 : 0);
}

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

function ensureRep(n: number): void {
  repAddr = grown(repAddr, n);
  repLen = grown(repLen, n);
}

/** Adds `delta` to the subtree length of every entry on the path above depth `depth`. */
function addToPath(space: AddressSpace, depth: number, delta: number): void {
  for (let d = depth - 1; d >= 0; d--) {
    const e = (pathNode[d] as number) + NODE_ENTRIES + (pathIdx[d] as number) * ENTRY_BYTES + ENTRY_LENGTH;
    space.setUint32(e, space.getUint32(e) + delta);
  }
}

/**
 * The common insert, planned and done in one descent: when `text` fits in
 * the leaf at `pos` and the pool has a frame for the leaf and for each inner
 * node above it (the most the edit can copy), shifts the leaf's tail and
 * writes the text in place. Otherwise returns false having written nothing,
 * and the caller plans the edit (plan.ts). O(height).
 */
export function insertInLeaf(t: TreeState, pos: number, text: string): boolean {
  if (t.root === 0) return false;
  const space = t.space;
  const k = text.length;
  const leaf = descend(t, pos, true);
  const count = space.getUint32(leaf + N_COUNT);
  const depth = descent.depth;
  if (count + k > t.leafCap || depth + 1 > space.pool.framesAvailable()) return false;
  writeInLeaf(space, leaf, count, descent.offset, text);
  addToPath(space, depth, k);
  t.len += k;
  return true;
}

/** Shifts units [off, count) of `leaf` right by text.length and writes `text` at `off` (it fits). */
function writeInLeaf(space: AddressSpace, leaf: number, count: number, off: number, text: string): void {
  const k = text.length;
  const c = space.spans(Uint16Array, leaf + LEAF_UNITS + off * 2, count - off + k, "write");
  c.next();
  const arr = c.array;
  const s = c.start;
  if (count > off) arr.copyWithin(s + k, s, s + (count - off));
  for (let j = 0; j < k; j++) arr[s + j] = text.charCodeAt(j);
  space.setUint32(leaf + N_COUNT, count + k);
}

/**
 * Inserts `text` (non-empty) at the position planned by `planInsert`, whose
 * descent registers must still be intact: nothing may descend in between.
 * O(height + text.length / leafCap) pages written.
 */
export function applyInsert(t: TreeState, text: string): void {
  const space = t.space;
  const k = text.length;
  let leaf = descent.leaf;
  let count = descent.count;
  if (t.root === 0) {
    // An empty text has no node: its first leaf becomes the root.
    leaf = t.nodeHeap().allocPage(); // all zero: an empty leaf
    t.root = leaf;
    t.height = 0;
    descent.offset = 0;
    descent.depth = 0;
    count = 0;
  }
  const off = descent.offset;
  const depth = descent.depth;
  if (count + k <= t.leafCap) {
    writeInLeaf(space, leaf, count, off, text);
    addToPath(space, depth, k);
    t.len += k;
    return;
  }
  // Split: gather leaf[0, off) + text + leaf[off, count), cut it into pieces.
  const total = count + k;
  const buf = ensureUnits(total);
  space.read(leaf + LEAF_UNITS, buf.subarray(0, off));
  for (let j = 0; j < k; j++) buf[off + j] = text.charCodeAt(j);
  space.read(leaf + LEAF_UNITS + off * 2, buf.subarray(off + k, total));
  const pieces = Math.ceil(total / t.leafCap);
  ensureRep(pieces);
  const heap = t.nodeHeap();
  let at = 0;
  for (let i = 0; i < pieces; i++) {
    const size = pieceSize(total, pieces, i);
    const page = i === 0 ? leaf : heap.allocPage();
    space.write(page + LEAF_UNITS, buf.subarray(at, at + size));
    space.setUint32(page + N_COUNT, size);
    repAddr[i] = page;
    repLen[i] = size;
    at += size;
  }
  t.len += k;
  replaceChildren(t, heap, depth, 1, pieces, k);
}

/**
 * The common delete, planned and done in one descent: when the range lies
 * in one leaf that keeps some units and the pool has a frame for the leaf
 * and each inner node above it, cuts the range out. Otherwise returns false
 * having written nothing, and the caller plans the edit (plan.ts). O(height).
 */
export function deleteInLeaf(t: TreeState, pos: number, count: number): boolean {
  const space = t.space;
  const leaf = descend(t, pos, false);
  const off = descent.offset;
  const depth = descent.depth;
  const n = space.getUint32(leaf + N_COUNT);
  if (off + count > n || (off === 0 && count === n) || depth + 1 > space.pool.framesAvailable()) return false;
  cutFromLeaf(space, leaf, n, off, count);
  addToPath(space, depth, -count);
  t.len -= count;
  return true;
}

/** Removes units [off, off + r) of `leaf`, which holds `n`. */
function cutFromLeaf(space: AddressSpace, leaf: number, n: number, off: number, r: number): void {
  const tail = n - off - r;
  if (tail > 0) {
    const c = space.spans(Uint16Array, leaf + LEAF_UNITS + off * 2, r + tail, "write");
    c.next();
    c.array.copyWithin(c.start, c.start + r, c.start + r + tail);
  }
  space.setUint32(leaf + N_COUNT, n - r);
}

/**
 * Deletes `count` units at `pos` (pos + count <= length, count > 0), right
 * after `planDelete`: when the plan left `descent.leaf` set (the delete stays
 * inside one leaf that keeps some units), its descent is used as is.
 * O((height + 1) * leaves touched) pages written.
 */
export function applyDelete(t: TreeState, pos: number, count: number): void {
  const space = t.space;
  let left = count;
  let leaf = descent.leaf;
  while (left > 0) {
    if (leaf === 0) leaf = descend(t, pos, false);
    const off = descent.offset;
    const depth = descent.depth;
    const n = space.getUint32(leaf + N_COUNT);
    const r = Math.min(left, n - off);
    if (r === n) {
      // The whole leaf goes: unlink it from its parent and free its page; the
      // last leaf of the text leaves no node at all.
      const heap = t.nodeHeap();
      heap.freePage(leaf);
      t.len -= r;
      if (depth > 0) replaceChildren(t, heap, depth, 1, 0, -r);
      else t.root = 0;
    } else {
      cutFromLeaf(space, leaf, n, off, r);
      addToPath(space, depth, -r);
      t.len -= r;
    }
    left -= r;
    leaf = 0;
  }
}

/**
 * Replaces `removeCount` entries, starting at the path's child index, of the
 * inner node at depth `depth - 1` with the `repCount` entries in repAddr/repLen,
 * then propagates splits or removals up to the root. `delta` is the change of
 * the total text length, added to the entries above the level where the
 * change stops.
 */
function replaceChildren(
  t: TreeState,
  heap: Heap,
  depth: number,
  removeCount: number,
  repCount: number,
  delta: number,
): void {
  const space = t.space;
  const ps = space.pageSize;
  const cap = nodeCapacity(ps);
  let d = depth - 1;
  let rc = repCount;
  let rm = removeCount;
  while (d >= 0) {
    const node = pathNode[d] as number;
    const ci = pathIdx[d] as number;
    const n = space.getUint32(node + N_COUNT);
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
    if (total > 0 && total <= cap) {
      writeEntries(space, node, ci, total);
      addToPath(space, d, delta);
      return;
    }
    if (total === 0) {
      heap.freePage(node);
      rc = 0;
    } else {
      rc = splitEntries(t, heap, entAddr, entLen, total, node);
    }
    rm = 1;
    d--;
  }
  newRoot(t, heap, rc);
}

/**
 * Cuts `total` (child address, subtree length) entries into ceil(total /
 * nodeCap) inner nodes of near-equal size, the first one written into `first`
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
  first: number,
): number {
  const space = t.space;
  const pieces = Math.ceil(total / nodeCapacity(space.pageSize));
  ensureRep(pieces);
  let at = 0;
  for (let i = 0; i < pieces; i++) {
    const size = pieceSize(total, pieces, i);
    const page = i === 0 && first !== 0 ? first : heap.allocPage();
    const sum = putEntries(space, page, 0, srcAddr, srcLen, at, size);
    space.setUint32(page + N_COUNT, size);
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

/** Writes entries [from, total) of the scratch list into `node` and sets its count. */
function writeEntries(space: AddressSpace, node: number, from: number, total: number): void {
  putEntries(space, node, from, entAddr, entLen, from, total - from);
  space.setUint32(node + N_COUNT, total);
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
    rc = splitEntries(t, heap, repAddr, repLen, rc, 0);
    t.height++;
  }
  t.root = repAddr[0] as number;
  // Shrink: a root with one child hands the root to that child.
  while (t.height > 0 && space.getUint32(t.root + N_COUNT) === 1) {
    const child = space.getUint32(t.root + NODE_ENTRIES) * ps;
    heap.freePage(t.root);
    t.root = child;
    t.height--;
  }
}
