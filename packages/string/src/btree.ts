/**
 * Edits of the counted B-tree of UTF-16 chunks behind CowText at its leaves
 * (descent and reads in tree.ts, inner nodes in inner.ts), written as an ordinary in-place B-tree over an address
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
import { cutPieces, pieceSize } from "./cut.js";
import { addToPath, ensureRep, pathWrites, replaceChildren, setRep } from "./inner.js";
import { ENTRY_BYTES, INNER_COUNT, LEAF_COUNT, LEAF_NARROW, N_COUNT, NODE_ENTRIES } from "./layout.js";
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
import { descend, type Path, smiAddress, type TreeState } from "./tree.js";
import { checkEditWritable } from "./writable.js";

/**
 * The common insert, planned and done in one descent: when `text` fits in
 * the leaf at `pos` and the pool has a frame for the leaf and for each inner
 * node above it (the most the edit can copy), shifts the leaf's tail and
 * writes the text in place. Otherwise returns false having written nothing,
 * and the caller plans the edit (plan.ts). O(height).
 *
 * Typing where the last edit was (95-99% of the W4 traces' edits) goes to
 * the finger's leaf (tree.ts `LagPath`) with no descent at all. A finger
 * exists only while the whole path above its leaf lags (its levels are the
 * tree's height), so an edit inside that leaf writes the leaf and nothing
 * else: one page, the path and its finger unchanged, which is what
 * `pathWrites` and `addToPath` would find after unpacking and repacking the
 * path. Skipping them (and a second read of the count word) took a finger
 * keystroke's own code from ~500 to ~300 ns (no fork, so no fault). `path`
 * is then left as it was: every operation starts with a descent or this check.
 * A position strictly inside the leaf, or at its end (an insert goes to the
 * end of the left leaf), is in it whichever way a descent scans.
 */
export function insertInLeaf(t: TreeState, pos: number, text: string, path: Path): boolean {
  if (t.root === 0) return false;
  const space = t.space;
  const lp = t.lp;
  const finger = lp.leaf;
  if (finger !== 0) {
    const off = pos - lp.start; // at 0 only for position 0: else the left leaf's end
    if (off > 0 || (off === 0 && pos === 0)) {
      const word = space.getUint32(finger + N_COUNT);
      if (off <= (word & LEAF_COUNT) && space.pool.framesAvailable() >= 1) {
        if (!insertIntoLeaf(space, finger, word, off, text, isLatin1(text), t.leafCap)) return false;
        t.len += text.length;
        return true;
      }
    }
  }
  const leaf = descend(t, pos, true, path);
  const depth = path.depth;
  const writes = pathWrites(t, path);
  if (writes > space.pool.framesAvailable()) return false;
  if (writes > 1) readyPath(t, leaf, path, writes);
  const word = space.getUint32(leaf + N_COUNT);
  if (!insertIntoLeaf(space, leaf, word, path.offset, text, isLatin1(text), t.leafCap)) return false;
  addToPath(t, path, depth, text.length);
  t.len += text.length;
  return true;
}

/**
 * Before an in-leaf edit that writes `writes > 1` pages (its leaf and the
 * inner nodes above it; the pool has the frames): throws, having changed
 * nothing, unless every one of them is writable, then has the core make now
 * the engine's allocations of their faults (slabs, page-table nodes), so that
 * the engine cannot refuse one at a later page than the first: a refusal at
 * the parent's copy left the leaf written and the counts above it not.
 */
function readyPath(t: TreeState, leaf: number, path: Path, writes: number): void {
  checkEditWritable(t, false, leaf, path, false);
  t.space.reserveFrames(writes); // no hook: the pool has the frames
}

/**
 * Inserts `text` (non-empty; `latin1` when {@link isLatin1} holds for it) at
 * the position planned by `planInsert` into `path`, which must still be
 * intact: nothing may descend with it in between. `heap` is the text's node
 * heap when the caller has it (null: attached here if the insert takes or
 * frees a page; a split whose pieces fit the leaf and the next one needs
 * none). O(height + text.length / leafCap) pages written.
 */
export function applyInsert(t: TreeState, text: string, latin1: boolean, path: Path, heap: Heap | null = null): void {
  const space = t.space;
  const k = text.length;
  let leaf = path.leaf;
  let word: number;
  if (t.root === 0) {
    // An empty text has no node: its first leaf becomes the root.
    leaf = (heap ?? t.nodeHeap()).allocPage(); // all zero: an empty (wide) leaf
    t.root = smiAddress(leaf);
    t.height = 0;
    path.offset = 0;
    path.depth = 0;
    word = latin1 ? LEAF_NARROW : 0; // not written yet: the insert writes it
  } else {
    word = space.getUint32(leaf + N_COUNT);
  }
  const count = word & LEAF_COUNT;
  const off = path.offset;
  const depth = path.depth;
  if (insertIntoLeaf(space, leaf, word, off, text, latin1, t.leafCap)) {
    addToPath(t, path, depth, k);
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
  let nodes = heap;
  const next = pieces > 1 ? mergeIntoNext(space, path, t.leafCap, buf, total, pieceSize(pieces - 1)) : 0;
  let at = 0;
  for (let i = 0; i < pieces; i++) {
    const size = pieceSize(i);
    if (i === pieces - 1 && next !== 0) {
      setRep(i, next, size + path.merged); // the last piece went to the front of the next leaf
      break;
    }
    if (i !== 0 && nodes === null) nodes = t.nodeHeap();
    const page = i === 0 ? leaf : (nodes as Heap).allocPage();
    // A first piece that is the old leaf as it was (an insert at the end of
    // a full leaf) is left unwritten: writing it would copy a shared page for nothing.
    if (i !== 0 || off !== count || !sameLeaf(word, size, narrow, buf, 0))
      writeLeaf(space, page, buf, at, size, narrow);
    setRep(i, page, size);
    at += size;
  }
  t.len += k;
  replaceChildren(t, nodes, path, depth, next === 0 ? 1 : 2, pieces, k);
}

/**
 * When the leaf that splits (at the end of `path`) has a next leaf under the same parent, and
 * `buf[total - size, total)` (the split's last piece) fits in front of that
 * leaf's units, writes them there and returns the next leaf's address (its
 * former count in `path.merged`); else returns 0 having written nothing.
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
  path: Path,
  narrowCap: number,
  buf: Uint16Array,
  total: number,
  size: number,
): number {
  const depth = path.depth;
  if (depth === 0) return 0;
  const parent = path.node[depth - 1] as number;
  const ci = path.idx[depth - 1] as number;
  if (ci + 1 >= (space.getUint32(parent + N_COUNT) & INNER_COUNT)) return 0;
  const next = space.getUint32(parent + NODE_ENTRIES + (ci + 1) * ENTRY_BYTES) * space.pageSize;
  const word = space.getUint32(next + N_COUNT);
  const n = word & LEAF_COUNT;
  if (size + n > narrowCap) return 0; // too long in either encoding
  buf.copyWithin(total, total - size, total);
  readUnits(space, next, word, 0, n, buf, total + size);
  if (size + n > narrowCap >>> 1 && !unitsLatin1(buf, total, total + size + n)) return 0; // too long wide
  writeLeaf(space, next, buf, total, size + n, false);
  path.merged = n;
  return next;
}

/**
 * The common delete, planned and done in one descent: when the range lies
 * in one leaf that keeps some units and the pool has a frame for the leaf
 * and each inner node above it, cuts the range out. Otherwise returns false
 * having written nothing, and the caller plans the edit (plan.ts). O(height).
 * A range starting in the finger's leaf is found without a descent, as in
 * {@link insertInLeaf} (a position at the leaf's start is in it).
 */
export function deleteInLeaf(t: TreeState, pos: number, count: number, path: Path): boolean {
  const space = t.space;
  const lp = t.lp;
  const finger = lp.leaf;
  if (finger !== 0) {
    const off = pos - lp.start;
    if (off >= 0) {
      const word = space.getUint32(finger + N_COUNT);
      const n = word & LEAF_COUNT;
      if (off < n) {
        if (off + count > n || (off === 0 && count === n) || space.pool.framesAvailable() < 1) return false;
        cutFromLeaf(space, finger, word, off, count);
        t.len -= count;
        return true;
      }
    }
  }
  const leaf = descend(t, pos, false, path);
  const off = path.offset;
  const depth = path.depth;
  const word = space.getUint32(leaf + N_COUNT);
  const n = word & LEAF_COUNT;
  if (off + count > n || (off === 0 && count === n)) return false;
  const writes = pathWrites(t, path);
  if (writes > space.pool.framesAvailable()) return false;
  if (writes > 1) readyPath(t, leaf, path, writes);
  cutFromLeaf(space, leaf, word, off, count);
  addToPath(t, path, depth, -count);
  t.len -= count;
  return true;
}

/**
 * Deletes `count` units at `pos` (pos + count <= length, count > 0), right
 * after `planDelete`: when the plan left `path.leaf` set (the delete stays
 * inside one leaf that keeps some units), its descent is used as is. `heap`
 * is the text's node heap when the caller has it (null: attached here once,
 * when the first leaf goes whole). O((height + 1) * leaves touched) pages written.
 */
export function applyDelete(t: TreeState, pos: number, count: number, path: Path, heap: Heap | null = null): void {
  const space = t.space;
  let left = count;
  let leaf = path.leaf;
  let nodes = heap;
  while (left > 0) {
    if (leaf === 0) leaf = descend(t, pos, false, path);
    const off = path.offset;
    const depth = path.depth;
    const word = space.getUint32(leaf + N_COUNT);
    const n = word & LEAF_COUNT;
    const r = Math.min(left, n - off);
    if (r === n) {
      // The whole leaf goes: unlink it from its parent and free its page; the
      // last leaf of the text leaves no node at all.
      if (nodes === null) nodes = t.nodeHeap();
      nodes.freePage(leaf);
      t.len -= r;
      if (depth > 0) replaceChildren(t, nodes, path, depth, 1, 0, -r);
      else t.root = 0;
    } else {
      cutFromLeaf(space, leaf, word, off, r);
      addToPath(t, path, depth, -r);
      t.len -= r;
    }
    left -= r;
    leaf = 0;
  }
}
