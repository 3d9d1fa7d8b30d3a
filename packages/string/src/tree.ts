/**
 * The counted B-tree of UTF-16 chunks behind CowText as a reader sees it:
 * the registers of a version, and the descent to a leaf and along the leaves
 * that reads, plans and edits share (layout in layout.ts, edits in btree.ts,
 * reading ranges and iterating in read.ts).
 *
 * A descent leaves where it went in a {@link Path} that the caller passes in:
 * CowText keeps one, allocated once, and hands it down through the plan and
 * the edit, so no call allocates and every function's signature shows what it
 * reads and writes.
 *
 * @module
 */
import { type AddressSpace, type Heap, readU32Span, U32Span } from "@pagefork/core";
import { throwLengthMismatch } from "./errors.js";
import {
  ENTRY_BYTES,
  ENTRY_LENGTH,
  INNER_COUNT,
  INNER_TOTAL,
  LEAF_COUNT,
  N_COUNT,
  N_TOTAL,
  NODE_ENTRIES,
  nodeCapacity,
} from "./layout.js";

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
   * True when the inner nodes above the edited leaf may lag (a standalone
   * text; see layout.ts): descents correct them, edits may leave them.
   */
  readonly lazyRoot: boolean;
  /**
   * The lagging path (see {@link findLag}, layout.ts) and, once a descent
   * went down it to a leaf, that leaf's finger: see {@link LagPath}. Kept by
   * the handle because the pages above the edited leaf are not written; set
   * it only through {@link setLag} (or to a {@link LagPath} a descent made).
   */
  lp: LagPath;
  /** The heap that hands out and takes back node pages (only splits, merges and frees need it). */
  nodeHeap(): Heap;
}

/**
 * A node address as a handle's `root` field should hold it: a small integer
 * (Smi) when below 2^31, any other address as it is. Unoptimized code
 * computes an address read from a `Float64Array` or multiplied from one as a
 * boxed HeapNumber even when it is an integer; stored once in `root`, it
 * turned the field's representation to Double for every CowText of the
 * process, which then carried a 16-byte number box per version (measured:
 * 307 B of JS heap per kept fork, 291 B with this). `| 0` makes it a Smi
 * in either tier. O(1).
 */
export function smiAddress(addr: number): number {
  return addr <= 0x7fffffff ? addr | 0 : addr;
}

/**
 * A text version's lagging path (layout.ts), immutable so that forks share
 * it: `lag` is 0 when no entry lags, -1 when not known yet (a handle made
 * from root, height and length only: the next descent finds it from the
 * pages), else the path's levels and child indices packed by
 * {@link packLag}. When the path reaches a leaf (it lags at every inner
 * level) and a descent has gone down it, `leaf` is that leaf's byte address,
 * `start` the position of its first code unit and `base` the root's own
 * total (the stored one, which lags): a finger. While the path stays as it
 * is, none of the three changes, whatever edits the leaf takes: an edit
 * elsewhere moves the path, and every restructure settles it first
 * (inner.ts), each making a new `LagPath`. So an edit in the leaf of the
 * previous one (95-99% of the W4 traces' edits) finds it without reading
 * an inner node, and writes only that leaf (btree.ts `insertInLeaf`,
 * `deleteInLeaf`); D, by which the path lags, is the handle's length minus
 * `base`.
 *
 * Why an object and not fields of the handle: a text keeps one handle per
 * version, and this is one field (as the packed Smi was); a new `LagPath` is
 * made only when the path moves, once per thousands of edits while typing.
 */
export class LagPath {
  /** The packed path (see above). */
  readonly lag: number;
  /** Byte address of the leaf at the end of the path; 0 when not known (no finger). */
  readonly leaf: number;
  /** Position of the leaf's first code unit in the text. */
  readonly start: number;
  /** The root's stored total while the path is unchanged. */
  readonly base: number;

  constructor(lag: number, leaf: number, start: number, base: number) {
    this.lag = lag;
    this.leaf = leaf;
    this.start = start;
    this.base = base;
  }
}

/** No lagging path. */
export const NO_LAG = new LagPath(0, 0, 0, 0);
/** A lagging path not known yet (found from the pages by the next descent). */
export const UNKNOWN_LAG = new LagPath(-1, 0, 0, 0);

/** Sets the lagging path of `t` to the packed `lag`, with no finger. Allocates only for a path that is neither none nor unknown. */
export function setLag(t: TreeState, lag: number): void {
  t.lp = lag === 0 ? NO_LAG : lag === -1 ? UNKNOWN_LAG : new LagPath(lag, 0, 0, 0);
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
  /**
   * By how much the lagging path's entries lag, as the last descent found it:
   * the text's length minus its root's own total (0: none lags).
   */
  staleDelta = 0;
}

/** Word indices in a node page (the byte offsets of layout.ts over 4), for reads through a {@link U32Span}. */
const W_COUNT = N_COUNT >>> 2;
const W_TOTAL = N_TOTAL >>> 2;
const W_ENTRIES = NODE_ENTRIES >>> 2;
const W_ENTRY = ENTRY_BYTES >>> 2;
const W_LENGTH = ENTRY_LENGTH >>> 2;

/**
 * The node page a descent is reading, as slab words (one per module, refilled
 * per node: nothing is allocated per call). Why not `space.getUint32` per
 * entry: a descent scans up to 31 entries per inner node, and the accessor
 * calls (not inlined at every call site: the inlining budget runs out) were
 * about half of the descent's time in the W4 profile; one translation per
 * node and a plain typed-array loop replace them.
 */
const nodeWords = new U32Span();

/**
 * Own length of the inner node whose words start at `w[b]`: its total, or
 * the sum of its entries when it has none (layout version 3).
 */
function innerLength(w: Uint32Array, b: number): number {
  const word = w[b + W_COUNT] as number;
  if ((word & INNER_TOTAL) !== 0) return w[b + W_TOTAL] as number;
  const n = word & INNER_COUNT;
  let sum = 0;
  for (let i = 0, e = b + W_ENTRIES + W_LENGTH; i < n; i++, e += W_ENTRY) sum += w[e] as number;
  return sum;
}

/**
 * Descends to the leaf holding position `pos` and returns its byte address;
 * the path and the offset in that leaf are left in `path`. With `inclusive`, a
 * position on a boundary goes to the end of the left leaf (for inserts);
 * without, to the start of the right one (for reads and deletes). O(height * nodeCap).
 *
 * Entries on the text's lagging path (layout.ts) read `path.staleDelta` more
 * than stored; the path comes from the handle (`t.lp`), found from the pages
 * first when the handle does not know it. Each inner node is read as one
 * span of words (see `nodeWords`).
 */
export function descend(t: TreeState, pos: number, inclusive: boolean, path: Path): number {
  const space = t.space;
  const ps = space.pageSize;
  const pageWords = ps >>> 2;
  const span = nodeWords;
  let node = t.root;
  let p = pos;
  let depth = 0;
  let lag = t.lp.lag;
  if (lag < 0 && t.height > 0) lag = findLag(t, path);
  // Levels of the descent that went down the lagging path (a finger when all of them did).
  let along = 0;
  let base = 0;
  let delta = 0;
  // Levels of the lagging path still ahead (0 once the descent left it, or when nothing lags); set at the root.
  let levels = 0;
  const bits = lagBits(ps);
  const mask = (1 << bits) - 1;
  let idx = lag >>> LAG_SHIFT;
  for (let h = t.height; h > 0; h--) {
    readU32Span(space, node, pageWords, span);
    const w = span.array;
    const b = span.start;
    if (depth === 0 && lag !== 0) {
      base = innerLength(w, b);
      delta = t.len - base;
      levels = delta === 0 ? 0 : lag & LAG_LEVELS;
    }
    const word = w[b + W_COUNT] as number;
    const n = word & INNER_COUNT;
    const stale = levels > 0 ? idx & mask : -1;
    // Scan from the nearer end: past the middle of the node's own length (its
    // total, plus the lag on the lagging path, as its entry there), from the
    // last entry back with x = the units after `p`, to the last child whose
    // start is before `p` (inclusive; at or before it otherwise): the child
    // the scan from the front stops at (starts never decrease). A quarter of
    // the entries on average instead of half. Nodes without a total (layout
    // 3) scan from the front. One loop for both directions, its arithmetic
    // run whichever way it goes: a branch that the warm-up never took has no
    // type feedback, and its first use deoptimized the descent in W4's timed
    // window (`--trace-deopt`).
    const total = (word & INNER_TOTAL) === 0 ? -1 : (w[b + W_TOTAL] as number) + (levels > 0 ? delta : 0);
    const back = total >= 0 && 2 * p > total ? 1 : 0;
    const le = (back === 1) !== inclusive; // from the back, `inclusive` turns strict
    let x = p + back * (total - 2 * p);
    const m = n > 0 ? n - 1 : 0; // the last entry (a node of no entries, a forged one, reads entry 0)
    let i = back * m;
    const stop = (1 - back) * m;
    const di = 1 - 2 * back;
    let e = b + W_ENTRIES + i * W_ENTRY;
    const de = di * W_ENTRY;
    for (; i !== stop; i += di, e += de) {
      let len = w[e + W_LENGTH] as number;
      if (i === stale) len += delta;
      if (le ? x <= len : x < len) break;
      x -= len;
    }
    // The offset in child i: x from the front; its length minus x from the back.
    const last = (w[e + W_LENGTH] as number) + (i === stale ? delta : 0);
    p = x + back * (last - 2 * x);
    levels = i === stale ? levels - 1 : 0; // off the lagging path, every entry is exact
    if (i === stale) along++;
    idx >>>= bits;
    path.node[depth] = node;
    path.idx[depth] = i;
    depth++;
    node = (w[e] as number) * ps;
  }
  // Every descent sets this: the edit that follows reads it, whatever text descended last.
  path.staleDelta = delta;
  path.offset = p;
  path.depth = depth;
  // Down the whole lagging path to a leaf (it lags at every inner level): keep the finger.
  if (along === depth && depth > 0 && (lag & LAG_LEVELS) === depth && t.lp.leaf !== node)
    t.lp = new LagPath(lag, node, pos - p, base);
  return node;
}

/** Mask of a packed lag (see {@link packLag}) giving its number of lagging levels. */
export const LAG_LEVELS = 7;
/** Bit offset of the first child index in a packed lag. */
export const LAG_SHIFT = 3;
/** Bits of child indices a packed lag may hold: 30 - LAG_SHIFT, so that it stays a Smi. */
const LAG_INDEX_BITS = 27;

/** Bits per child index in a packed lag at page size `ps` (5 at 256 B: 31 children per node). */
export function lagBits(ps: number): number {
  return 32 - Math.clz32(nodeCapacity(ps));
}

/**
 * Most levels a standalone text's lagging path may have at page size `ps`
 * (5 at 256 B, 3 at 4 KiB, 2 at 64 KiB): what a packed lag holds. Edits
 * write the inner nodes below it.
 */
export function maxLagLevels(ps: number): number {
  return Math.min(LAG_LEVELS, (LAG_INDEX_BITS / lagBits(ps)) | 0);
}

/**
 * A lagging path packed into a Smi: `levels` (0 to {@link maxLagLevels}) in
 * the low bits, then the child index taken at each of the first `levels`
 * inner nodes of `path`, root first. 0 when `levels` is 0.
 */
export function packLag(path: Path, levels: number, ps: number): number {
  const bits = lagBits(ps);
  let lag = 0;
  for (let d = levels - 1; d >= 0; d--) lag = (lag << bits) | (path.idx[d] as number);
  return levels === 0 ? 0 : (lag << LAG_SHIFT) | levels;
}

/** Pages a {@link settleLag} of `t` may write (its lagging levels): plans add them to an edit's writes. */
export function lagWrites(t: TreeState): number {
  const lag = t.lp.lag;
  return lag > 0 ? lag & LAG_LEVELS : 0;
}

/** Own length of node `node`: a leaf's count (`height` 0), an inner node's total or the sum of its entries. */
export function ownLength(space: AddressSpace, node: number, height: number): number {
  if (height === 0) return space.getUint32(node + N_COUNT) & LEAF_COUNT;
  readU32Span(space, node, space.pageSize >>> 2, nodeWords);
  return innerLength(nodeWords.array, nodeWords.start);
}

/**
 * Finds the lagging path of `t` (height > 0) from the pages, stores it in
 * `t.lp` and returns it: for a handle made from root, height and length only
 * (a share handle, a stored state). The lag is `t.len` minus the root's own
 * total; the lagging path ends above the one node whose own length differs
 * from its parent's entry for it (every node above it lags by the same
 * amount in its entry and its total, so agrees with its own parent: see
 * layout.ts). A depth-first search: O(nodes) reads, once per handle.
 * @throws {InvalidArgumentError} when the handle's length is not the one
 *   the pages hold (a forged handle or a damaged saved state: read as its
 *   entries say, its `length` disagreed with `toString()` and an insert at
 *   the end wrote past the last leaf's units); the handle is unchanged, so
 *   every later read throws too.
 */
export function findLag(t: TreeState, path: Path): number {
  const lag = lagOf(t.space, t.root, t.height, t.len, path);
  if (lag === LAG_MISMATCH) throwLengthMismatch(t.len);
  setLag(t, lag);
  return lag;
}

/** What {@link lagOf} returns when the length does not fit the pages. */
export const LAG_MISMATCH = -2;

/**
 * The packed lagging path (see {@link packLag}; 0: none) of the text whose
 * root node `root` (non-zero) at `height` holds a text of `len` code units,
 * found from the pages as {@link findLag} does; or {@link LAG_MISMATCH}
 * when `len` cannot be that text's length: a leaf root whose count is not
 * `len`, or a root whose own total differs from `len` by an amount D that
 * no path of at most {@link maxLagLevels} levels lags by (the node ending
 * the path must hold its entry's value plus D). `path.idx` is left with the
 * path. O(nodes) reads when `len` differs from the root's total, else O(1).
 */
export function lagOf(space: AddressSpace, root: number, height: number, len: number, path: Path): number {
  const delta = len - ownLength(space, root, height);
  if (delta === 0) return 0;
  if (height === 0) return LAG_MISMATCH;
  const levels = searchLag(space, root, height, 0, path);
  if (levels === 0 || levels > maxLagLevels(space.pageSize)) return LAG_MISMATCH;
  // The node the path ends at holds its exact length, D more than its parent's entry for it.
  const ps = space.pageSize;
  let node = root;
  for (let d = 0; d < levels - 1; d++)
    node = space.getUint32(node + NODE_ENTRIES + (path.idx[d] as number) * ENTRY_BYTES) * ps;
  const e = node + NODE_ENTRIES + (path.idx[levels - 1] as number) * ENTRY_BYTES;
  const end = space.getUint32(e) * ps;
  if (ownLength(space, end, height - levels) - space.getUint32(e + ENTRY_LENGTH) !== delta) return LAG_MISMATCH;
  return packLag(path, levels, ps);
}

/** Depth-first search under `node` (at `depth`) for a child whose own length differs from its entry; its depth, or 0. */
function searchLag(space: AddressSpace, node: number, height: number, depth: number, path: Path): number {
  const ps = space.pageSize;
  const n = space.getUint32(node + N_COUNT) & INNER_COUNT;
  for (let i = 0, e = node + NODE_ENTRIES; i < n; i++, e += ENTRY_BYTES) {
    const child = space.getUint32(e) * ps;
    path.idx[depth] = i;
    if (ownLength(space, child, height - 1) !== space.getUint32(e + ENTRY_LENGTH)) return depth + 1;
    if (height > 1) {
      const found = searchLag(space, child, height - 1, depth + 1, path);
      if (found > 0) return found;
    }
  }
  return 0;
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
