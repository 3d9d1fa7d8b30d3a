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
import { ENTRY_BYTES, ENTRY_LENGTH, LEAF_COUNT, LEAF_NARROW, N_COUNT, NODE_ENTRIES, nodeCapacity } from "./layout.js";
import {
  cutFromLeaf,
  gatherInsert,
  insertCap,
  insertIntoLeaf,
  isLatin1,
  readUnits,
  sameLeaf,
  scratchUnits,
  unitsLatin1,
  writeLeaf,
} from "./leaf.js";
import { descend, descent, pathIdx, pathNode, type TreeState } from "./tree.js";

/** Scratch entries (child page address, subtree length) for inner-node rebuilds. */
let entAddr = new Float64Array(256);
let entLen = new Float64Array(256);
/** Replacement entries handed from one level to the next while propagating. */
let repAddr = new Float64Array(64);
let repLen = new Float64Array(64);

/** Sizes of the pieces of the last {@link cutPieces} (at most 2 more than the capacity's worth: grown as needed). */
let cut = new Int32Array(64);

/**
 * Cuts `total` items (code units of a leaf, entries of an inner node) into
 * the fewest pieces of at most `cap`, `ceil(total / cap)`, leaving their
 * sizes in `cut` and returning their number. `at` is the index just past the
 * inserted items (the cursor after a keystroke), or -1 for none. When one of
 * the cuts can fall there without needing more pieces, it does: the items
 * before it are packed full-first (so the piece that ends at the cursor,
 * which further typing fills, is the only one with room) and the items after
 * it go full-first too. Otherwise the pieces are near-equal (the first ones
 * one larger).
 *
 * Why: an even split leaves both halves half full, and typing (a run of
 * inserts at a moving cursor) fills one half and splits it again, so typed
 * text sits near 50% full: 50,000 keystrokes typed in one place fill 398
 * leaves of 252 units to 128 on average with even splits, 204 leaves to 250
 * with cuts at the cursor, as B+-trees do for ascending keys. Leaves use the
 * cursor; inner nodes do not: a cursor stays in one inner node for ~30 leaf
 * splits, far longer than a writer stays in one place, so there a cut at the
 * cursor is a cut at random (automerge-paper: inner nodes 14.9 entries full
 * on average with it, 17.9 with even splits). O(pieces).
 */
function cutPieces(total: number, at: number, cap: number): number {
  const pieces = Math.ceil(total / cap);
  if (cut.length < pieces) cut = new Int32Array(Math.max(pieces, cut.length * 2));
  const left = Math.ceil(at / cap);
  const right = Math.ceil((total - at) / cap);
  if (at >= 0 && left + right === pieces) {
    let i = 0;
    for (let rest = at; rest > 0; rest -= cap) cut[i++] = Math.min(rest, cap);
    for (let rest = total - at; rest > 0; rest -= cap) cut[i++] = Math.min(rest, cap);
  } else {
    for (let i = 0; i < pieces; i++) cut[i] = Math.floor(total / pieces) + (i < total % pieces ? 1 : 0);
  }
  return pieces;
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
  const leaf = descend(t, pos, true);
  const depth = descent.depth;
  if (depth + 1 > space.pool.framesAvailable()) return false;
  const word = space.getUint32(leaf + N_COUNT);
  if (!insertIntoLeaf(space, leaf, word, descent.offset, text, isLatin1(text), t.leafCap)) return false;
  addToPath(space, depth, text.length);
  t.len += text.length;
  return true;
}

/**
 * Inserts `text` (non-empty; `latin1` when {@link isLatin1} holds for it) at
 * the position planned by `planInsert`, whose descent registers must still
 * be intact: nothing may descend in between. O(height + text.length /
 * leafCap) pages written.
 */
export function applyInsert(t: TreeState, text: string, latin1: boolean): void {
  const space = t.space;
  const k = text.length;
  let leaf = descent.leaf;
  let word: number;
  if (t.root === 0) {
    // An empty text has no node: its first leaf becomes the root.
    leaf = t.nodeHeap().allocPage(); // all zero: an empty (wide) leaf
    t.root = leaf;
    t.height = 0;
    descent.offset = 0;
    descent.depth = 0;
    word = latin1 ? LEAF_NARROW : 0; // not written yet: the insert writes it
  } else {
    word = space.getUint32(leaf + N_COUNT);
  }
  const count = word & LEAF_COUNT;
  const off = descent.offset;
  const depth = descent.depth;
  if (insertIntoLeaf(space, leaf, word, off, text, latin1, t.leafCap)) {
    addToPath(space, depth, k);
    t.len += k;
    return;
  }
  // Split: gather leaf[0, off) + text + leaf[off, count), cut it into pieces
  // of the capacity the insert had (narrow only if leaf and text both are).
  const total = count + k;
  scratchUnits(total + t.leafCap); // room behind the gathered units for a merge with the next leaf
  const buf = gatherInsert(space, leaf, word, off, text);
  const cap = insertCap(word, latin1, t.leafCap);
  const narrow = cap === t.leafCap;
  const pieces = cutPieces(total, off + k, cap);
  ensureRep(pieces);
  const heap = t.nodeHeap();
  const next = pieces > 1 ? mergeIntoNext(space, t.leafCap, depth, buf, total, cut[pieces - 1] as number) : 0;
  let at = 0;
  for (let i = 0; i < pieces; i++) {
    const size = cut[i] as number;
    if (i === pieces - 1 && next !== 0) {
      repAddr[i] = next; // the last piece went to the front of the next leaf
      repLen[i] = size + mergedUnits;
      break;
    }
    const page = i === 0 ? leaf : heap.allocPage();
    // A first piece that is the old leaf as it was (an insert at the end of
    // a full leaf) is left unwritten: writing it would copy a shared page for nothing.
    if (i !== 0 || off !== count || !sameLeaf(word, size, narrow, buf, 0))
      writeLeaf(space, page, buf, at, size, narrow);
    repAddr[i] = page;
    repLen[i] = size;
    at += size;
  }
  t.len += k;
  replaceChildren(t, heap, depth, next === 0 ? 1 : 2, pieces, k);
}

/** Units the next leaf held before the last {@link mergeIntoNext} that returned it. */
let mergedUnits = 0;

/**
 * When the leaf that splits has a next leaf under the same parent, and
 * `buf[total - size, total)` (the split's last piece) fits in front of that
 * leaf's units, writes them there and returns the next leaf's address (its
 * former count in `mergedUnits`); else returns 0 having written nothing.
 * `buf` must have room for a leaf's capacity of units past `total`.
 *
 * Why: a split at the cursor leaves the text after the cursor as a piece of
 * its own, however short; a writer who types one character at the end of a
 * full leaf, or at a leaf boundary, and moves on leaves a leaf of one unit.
 * On automerge-paper 151 of 806 leaves held fewer than 32 units. Putting the
 * piece into the next leaf takes a page write (a copy, as the new leaf's
 * zero-fill would be) and no new page or parent entry. O(leaf).
 */
function mergeIntoNext(
  space: AddressSpace,
  narrowCap: number,
  depth: number,
  buf: Uint16Array,
  total: number,
  size: number,
): number {
  if (depth === 0) return 0;
  const parent = pathNode[depth - 1] as number;
  const ci = pathIdx[depth - 1] as number;
  if (ci + 1 >= space.getUint32(parent + N_COUNT)) return 0;
  const next = space.getUint32(parent + NODE_ENTRIES + (ci + 1) * ENTRY_BYTES) * space.pageSize;
  const word = space.getUint32(next + N_COUNT);
  const n = word & LEAF_COUNT;
  if (size + n > narrowCap) return 0; // too long in either encoding
  buf.copyWithin(total, total - size, total);
  readUnits(space, next, word, 0, n, buf, total + size);
  if (size + n > narrowCap >>> 1 && !unitsLatin1(buf, total, total + size + n)) return 0; // too long wide
  writeLeaf(space, next, buf, total, size + n, false);
  mergedUnits = n;
  return next;
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
  const word = space.getUint32(leaf + N_COUNT);
  const n = word & LEAF_COUNT;
  if (off + count > n || (off === 0 && count === n) || depth + 1 > space.pool.framesAvailable()) return false;
  cutFromLeaf(space, leaf, word, off, count);
  addToPath(space, depth, -count);
  t.len -= count;
  return true;
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
    const word = space.getUint32(leaf + N_COUNT);
    const n = word & LEAF_COUNT;
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
      cutFromLeaf(space, leaf, word, off, r);
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
      rc = splitEntries(t, heap, entAddr, entLen, total, -1, node); // even: see cutPieces
    }
    rm = 1;
    d--;
  }
  newRoot(t, heap, rc);
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
    const size = cut[i] as number;
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
    rc = splitEntries(t, heap, repAddr, repLen, rc, rc, 0);
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
