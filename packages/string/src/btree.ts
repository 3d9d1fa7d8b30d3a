/**
 * The counted B-tree of UTF-16 chunks behind CowText, written as an ordinary
 * in-place B-tree over an address space: persistence comes from the space,
 * which copies a page on its first write after a fork. So the algorithm needs
 * no path copying of its own, and an edit writes O(height) pages.
 *
 * Scratch arrays are module-level and reused: the operations are synchronous
 * and never re-entered, so no call allocates per node.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";
import { ENTRY_BYTES, ENTRY_LENGTH, LEAF_UNITS, N_COUNT, NODE_ENTRIES } from "./layout.js";

/** The registers of one text version: where its tree is. */
export interface TreeState {
  readonly space: AddressSpace;
  /** Byte address of the root node page. */
  root: number;
  /** 0 when the root is a leaf. */
  height: number;
  /** Length in UTF-16 code units. */
  len: number;
  /** Code units per leaf. */
  readonly leafCap: number;
  /** Children per inner node. */
  readonly nodeCap: number;
}

/** Deepest tree supported: 2^40 bytes of 256-byte pages with fanout 31 needs 9. */
const MAX_DEPTH = 32;
/** Inner nodes on the path of the last descent, root first (byte addresses). */
const pathNode = new Float64Array(MAX_DEPTH);
/** Child index taken at each inner node of that path. */
const pathIdx = new Int32Array(MAX_DEPTH);

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

/** Second and third results of the last `descend`: offset in the leaf, inner nodes on the path. */
export const descent = { offset: 0, depth: 0 };

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

/** Adds `delta` to the subtree length of every entry on the path above depth `depth`. */
function addToPath(space: AddressSpace, depth: number, delta: number): void {
  for (let d = depth - 1; d >= 0; d--) {
    const e = (pathNode[d] as number) + NODE_ENTRIES + (pathIdx[d] as number) * ENTRY_BYTES + ENTRY_LENGTH;
    space.setUint32(e, space.getUint32(e) + delta);
  }
}

/**
 * Inserts `text` at `pos` (0 <= pos <= length, text non-empty). O(height +
 * text.length / leafCap) pages written.
 */
export function insert(t: TreeState, heapOf: (t: TreeState) => Heap, pos: number, text: string): void {
  const space = t.space;
  const k = text.length;
  const leaf = descend(t, pos, true);
  const off = descent.offset;
  const depth = descent.depth;
  const count = space.getUint32(leaf + N_COUNT);
  if (count + k <= t.leafCap) {
    // Fast path: shift the tail of the leaf right and write the text in place.
    const c = space.spans(Uint16Array, leaf + LEAF_UNITS + off * 2, count - off + k, "write");
    c.next();
    const arr = c.array;
    const s = c.start;
    if (count > off) arr.copyWithin(s + k, s, s + (count - off));
    for (let j = 0; j < k; j++) arr[s + j] = text.charCodeAt(j);
    space.setUint32(leaf + N_COUNT, count + k);
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
  const heap = heapOf(t);
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
 * Deletes `count` units at `pos` (pos + count <= length, count > 0).
 * O((height + 1) * leaves touched) pages written.
 */
export function remove(t: TreeState, heapOf: (t: TreeState) => Heap, pos: number, count: number): void {
  const space = t.space;
  let left = count;
  while (left > 0) {
    const leaf = descend(t, pos, false);
    const off = descent.offset;
    const depth = descent.depth;
    const n = space.getUint32(leaf + N_COUNT);
    const r = Math.min(left, n - off);
    if (r === n && depth > 0) {
      // The whole leaf goes: unlink it from its parent and free its page.
      const heap = heapOf(t);
      heap.freePage(leaf);
      t.len -= r;
      replaceChildren(t, heap, depth, 1, 0, -r);
    } else {
      const tail = n - off - r;
      if (tail > 0) {
        const c = space.spans(Uint16Array, leaf + LEAF_UNITS + off * 2, r + tail, "write");
        c.next();
        c.array.copyWithin(c.start, c.start + r, c.start + r + tail);
      }
      space.setUint32(leaf + N_COUNT, n - r);
      addToPath(space, depth, -r);
      t.len -= r;
    }
    left -= r;
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
    if (total > 0 && total <= t.nodeCap) {
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
  const pieces = Math.ceil(total / t.nodeCap);
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
    t.root = heap.allocPage(); // an all-zero page is an empty leaf
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

/** Pushes the code units of [start, end) as strings onto `out`, one string per leaf. */
export function collect(t: TreeState, start: number, end: number, out: string[]): void {
  if (start >= end) return;
  const space = t.space;
  const ps = space.pageSize;
  let leaf = descend(t, start, false);
  let off = descent.offset;
  const depth = descent.depth;
  let left = end - start;
  for (;;) {
    const n = space.getUint32(leaf + N_COUNT);
    const take = Math.min(n - off, left);
    if (take > 0) {
      const c = space.spans(Uint16Array, leaf + LEAF_UNITS + off * 2, take, "read");
      c.next();
      out.push(String.fromCharCode.apply(null, c.array.subarray(c.start, c.end) as unknown as number[]));
      left -= take;
    }
    if (left === 0) return;
    // Next leaf: climb to the first ancestor with a next child, then go leftmost down.
    let d = depth - 1;
    while (d >= 0 && (pathIdx[d] as number) + 1 >= space.getUint32((pathNode[d] as number) + N_COUNT)) d--;
    if (d < 0) return;
    pathIdx[d] = (pathIdx[d] as number) + 1;
    let node = space.getUint32((pathNode[d] as number) + NODE_ENTRIES + (pathIdx[d] as number) * ENTRY_BYTES) * ps;
    for (let dd = d + 1; dd < depth; dd++) {
      pathNode[dd] = node;
      pathIdx[dd] = 0;
      node = space.getUint32(node + NODE_ENTRIES) * ps;
    }
    leaf = node;
    off = 0;
  }
}
