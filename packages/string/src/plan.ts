/**
 * Edit planning and reservation: what an insert or delete may need, found
 * and reserved before it writes anything, so that an edit the pool or the
 * heap cannot serve is refused whole ("a call that throws changes nothing")
 * instead of failing halfway.
 *
 * A plan reads the tree (the descent the edit needs anyway) and counts, as
 * upper bounds: `writes`, the node pages the edit writes (each may need a
 * frame: a copy when shared with another version, a zero-fill when new);
 * `allocs`, the node pages it takes from the heap; `frees`, the node pages it
 * gives back. {@link framesFor} then adds the heap's own metadata writes. The
 * common edit (a keystroke inside a leaf with room) plans in one descent and
 * allocates nothing, so its check is one comparison.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";
import { applyDelete, applyInsert } from "./btree.js";
import { cutPieces, pieceSize } from "./cut.js";
import { throwHeapFull, throwHookEdited, throwReleased, throwShortAfterHook } from "./errors.js";
import { raiseStaleHeader, writeHeader } from "./header.js";
import { pathWrites } from "./inner.js";
import {
  ENTRY_BYTES,
  H_VERSION,
  INNER_COUNT,
  LEAF_COUNT,
  LEAF_NARROW,
  N_COUNT,
  NODE_ENTRIES,
  nodeCapacity,
} from "./layout.js";
import { insertCap, isLatin1 } from "./leaf.js";
import { descend, lagWrites, nextLeaf, type Path, type TreeState } from "./tree.js";
import { checkEditWritable } from "./writable.js";

/**
 * Bytes of one entry of the heap's page map (E_BYTES in @pagefork/core
 * heap/layout.ts): the heap writes the entry of every page it hands out or
 * takes back.
 */
const HEAP_ENTRY_BYTES = 16;

/** Upper bounds of the last plan (see the module comment). */
export const plan = { writes: 0, allocs: 0, frees: 0 };

/** Byte addresses of the pages the last plan may free (`plan.frees` of them). */
let freeable = new Float64Array(64);

function mayFree(addr: number): void {
  const n = plan.frees;
  if (n === freeable.length) {
    const a = new Float64Array(n * 2);
    a.set(freeable);
    freeable = a;
  }
  freeable[n] = addr;
  plan.frees = n + 1;
}

/** The `i`th page the last plan may free (for `free()`, which frees them all). */
export function freeablePage(i: number): number {
  return freeable[i] as number;
}

/** What {@link measureHeap} found: frames the planned edit may take, pages the heap can still hand out. */
export const heapNeeds = { frames: 0, room: 0 };

/**
 * Plans inserting `k > 0` units at `pos` (`latin1`: all of them <= 0xff, see
 * leaf.ts), and leaves the descent in `path` for `applyInsert`. O(height).
 */
export function planInsert(t: TreeState, pos: number, k: number, latin1: boolean, path: Path): void {
  let written: number;
  let pieces: number;
  let allocs: number;
  let h: number;
  let extraWrites = 0;
  let merged = 0;
  if (t.root === 0) {
    // Empty text: every leaf is new, the first one is also the root.
    written = 0;
    h = 0;
    pieces = Math.ceil(k / insertCap(latin1 ? LEAF_NARROW : 0, latin1, t.leafCap));
    allocs = pieces;
  } else {
    const leaf = descend(t, pos, true, path);
    const word = t.space.getUint32(leaf + N_COUNT);
    const count = word & LEAF_COUNT;
    const cap = insertCap(word, latin1, t.leafCap);
    path.leaf = leaf;
    path.count = count;
    h = path.depth;
    written = h + 1 + lagWrites(t); // + the lagging path, brought up to date when the edit goes elsewhere
    if (count + k <= cap) {
      // Fast path: the leaf and the inner nodes above it that do not lag, nothing else.
      plan.writes = pathWrites(t, path);
      plan.allocs = 0;
      plan.frees = 0;
      return;
    }
    pieces = Math.ceil((count + k) / cap);
    // The split's last piece joins the next leaf (btree.ts mergeIntoNext)
    // about half the time; when it surely will, that piece takes no page
    // and no entry in the parent, so a split into two pieces takes nothing
    // from the heap and the edit never attaches it (Heap.attach and its
    // measure were ~2% of seph-blog1's replay).
    merged = mergesIntoNext(t, path, word, latin1, count + k, k, cap);
    allocs = pieces - 1 - merged;
    extraWrites = 1; // the next leaf, which may take the last piece (btree.ts mergeIntoNext)
  }
  // New inner nodes, level by level: a node that receives x more entries than
  // it had (at most nodeCap before) splits into at most ceil(x / nodeCap) more
  // nodes; above the old root, new roots are stacked until one holds them all.
  const cap = nodeCapacity(t.space.pageSize);
  let x = pieces - 1 - merged;
  for (let level = 0; level < h && x > 0; level++) {
    x = Math.ceil(x / cap);
    allocs += x;
    if (level + 1 < h) extraWrites++; // a sibling that takes entries instead of a split (btree.ts shareWithNext)
  }
  if (x > 0) {
    for (let rc = x + 1; rc > 1; ) {
      rc = Math.ceil(rc / cap);
      allocs += rc;
    }
  }
  // Every allocated page is written (a zero-fill), besides the path.
  plan.writes = written + allocs + extraWrites;
  plan.allocs = allocs;
  plan.frees = 0;
}

/**
 * 1 when the split of the leaf at the end of `path` (count word `word`,
 * `total` units once the `k` inserted ones are in, cut into pieces of at
 * most `cap`) surely puts its last piece into the next leaf, as
 * btree.ts `mergeIntoNext` decides, else 0. Sure means: the next leaf is
 * under the same parent and both fit in a wide leaf, or in a narrow one when
 * the next leaf, the split leaf and the text are all narrow (then every unit
 * is <= 0xff). Anything else counts as no merge, which only overestimates
 * the plan. Reads the parent's count and the next leaf's count word. O(pieces).
 */
function mergesIntoNext(
  t: TreeState,
  path: Path,
  word: number,
  latin1: boolean,
  total: number,
  k: number,
  cap: number,
): number {
  const depth = path.depth;
  if (depth === 0) return 0;
  const space = t.space;
  const parent = path.node[depth - 1] as number;
  const ci = path.idx[depth - 1] as number;
  if (ci + 1 >= (space.getUint32(parent + N_COUNT) & INNER_COUNT)) return 0;
  const pieces = cutPieces(total, path.offset + k, cap); // as applyInsert cuts
  const size = pieceSize(pieces - 1);
  const next = space.getUint32(parent + NODE_ENTRIES + (ci + 1) * ENTRY_BYTES) * space.pageSize;
  const nextWord = space.getUint32(next + N_COUNT);
  const units = size + (nextWord & LEAF_COUNT);
  const narrowCap = t.leafCap;
  if (units > narrowCap) return 0;
  if (units <= narrowCap >>> 1) return 1;
  return latin1 && (word & LEAF_NARROW) !== 0 && (nextWord & LEAF_NARROW) !== 0 ? 1 : 0;
}

/**
 * Plans deleting `count > 0` units at `pos`. When the delete stays inside one
 * leaf that keeps some units (the common case), leaves the descent in
 * `path` for `applyDelete` (`path.leaf`); otherwise walks the leaves it
 * covers, O(leaves + inner nodes touched), and clears `path.leaf`.
 */
export function planDelete(t: TreeState, pos: number, count: number, path: Path): void {
  const space = t.space;
  let leaf = descend(t, pos, false, path);
  let off = path.offset;
  const depth = path.depth;
  let n = space.getUint32(leaf + N_COUNT) & LEAF_COUNT;
  if (off + count <= n && (off > 0 || count < n)) {
    path.leaf = leaf;
    plan.writes = pathWrites(t, path);
    plan.allocs = 0;
    plan.frees = 0;
    return;
  }
  path.leaf = 0;
  // Only the first and the last leaf can be cut; the ones between go whole.
  // Each inner node on the way may be written once (later writes find it
  // private) and may be freed; so may every leaf.
  plan.frees = 0;
  for (let d = 0; d < depth; d++) mayFree(path.node[d] as number);
  let leaves = 0;
  for (let left = count; ; ) {
    leaves++;
    mayFree(leaf);
    left -= Math.min(n - off, left);
    if (left === 0) break;
    leaf = nextLeaf(t, path);
    if (leaf === 0) break;
    for (let d = depth - path.entered; d < depth; d++) mayFree(path.node[d] as number);
    n = space.getUint32(leaf + N_COUNT) & LEAF_COUNT;
    off = 0;
  }
  plan.writes = Math.min(leaves, 2) + plan.frees - leaves + lagWrites(t);
  plan.allocs = 0;
}

/** Plans freeing every node of `t` (an embedded text's `free()`). O(nodes). */
export function planFree(t: TreeState): void {
  plan.writes = 0;
  plan.allocs = 0;
  plan.frees = 0;
  if (t.root !== 0) visit(t.space, t.root, t.height);
}

function visit(space: AddressSpace, node: number, height: number): void {
  if (height > 0) {
    const ps = space.pageSize;
    const n = space.getUint32(node + N_COUNT) & INNER_COUNT;
    for (let i = 0, e = node + NODE_ENTRIES; i < n; i++, e += ENTRY_BYTES)
      visit(space, space.getUint32(e) * ps, height - 1);
  }
  mayFree(node);
}

/**
 * Fills {@link heapNeeds} for the last plan: the frames it may take from the
 * pool (its node writes, the heap's metadata writes for its allocations and
 * frees, and `extra` more) and the pages `heap` can still hand out one at a
 * time (free stack, free runs, above the break). O(1) for allocations (reads
 * the heap's header counters), O(frees log frees) for frees.
 *
 * The heap's metadata (see @pagefork/core heap/layout.ts and
 * heap/page-allocator.ts): one header page, written by every call; the page-map
 * entry of every page handed out or taken back (one or two entries for an
 * allocation from the free stack or a free run; consecutive entries for
 * allocations from the break); and, for frees, the chunk pages of the
 * free-page stack, `pageSize / 4 - 1` page numbers each. Every bound errs on
 * the heap's side.
 */
export function measureHeap(heap: Heap, extra: number): void {
  const allocs = plan.allocs;
  const frees = plan.frees;
  const st = heap.stats();
  const ps = st.pageSize;
  // The low page map lies between the header and the data, the high one (a heap of 8,192 pages or more) after it.
  const mapPages = (st.dataStart - st.base) / ps - 1 + (st.limit - st.dataEnd) / ps;
  const room = (st.dataEnd - st.dataStart) / ps - st.dataPages;
  const fromStack = Math.min(allocs, room - (st.dataEnd - st.brk) / ps);
  const fromBreak = allocs - fromStack;
  let map = 2 * fromStack + (fromBreak > 0 ? Math.ceil((fromBreak * HEAP_ENTRY_BYTES) / ps) + 1 : 0);
  if (frees > 0) map += mapPagesOf(st.base, ps, frees);
  if (map > mapPages) map = mapPages;
  const chunks = frees > 0 ? Math.ceil(frees / ((ps >>> 2) - 1)) + 1 : 0;
  heapNeeds.frames = plan.writes + 1 + map + chunks + extra;
  heapNeeds.room = room;
}

/**
 * Distinct page-map pages holding the entries of the first `n` freeable pages.
 * O(n log n). The index below counts as if one map held every entry: the high
 * map starts at the entry of page 4,096, whose offset in one map would be a
 * multiple of every page size, so pages group into map pages the same way.
 */
function mapPagesOf(base: number, ps: number, n: number): number {
  const pages = freeable.subarray(0, n).sort();
  let count = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const m = Math.floor((ps + (((pages[i] as number) - base) / ps) * HEAP_ENTRY_BYTES) / ps);
    if (m !== last) count++;
    last = m;
  }
  return count;
}

/** A text as the reservation sees it. */
export interface Reservable extends TreeState {
  /** True once released or freed (the pool's hook may release it). */
  readonly released: boolean;
  /** True for a text embedded in a heap it does not own. */
  readonly embedded: boolean;
  /** Byte address of its header in `space`. */
  readonly address: number;
}

/**
 * An insert that may split leaves or find the pool short: plan, reserve, then write (descending with `path`).
 * `stale`: the handle must first write its header's layout version (header.ts `isStale`): that page is
 * checked and its frame reserved with the edit's, and written only once nothing can refuse the edit.
 */
export function insertPlanned(t: Reservable, pos: number, text: string, path: Path, stale = false): void {
  const k = text.length;
  const latin1 = isLatin1(text);
  planInsert(t, pos, k, latin1, path);
  // Protection before the heap's room and the pool's frames: a read-only page is a fault whatever they hold.
  checkEditWritable(t, plan.allocs !== 0, t.root === 0 ? 0 : path.leaf, path, true);
  if (stale) t.space.checkWritable(t.address + H_VERSION, 4);
  const heap =
    stale || plan.allocs !== 0 || plan.writes > 1 || plan.writes > t.space.pool.framesAvailable()
      ? reserveEdit(t, path, pos, k, stale ? 1 : 0, latin1)
      : null;
  if (stale) raiseStaleHeader(t); // page writable, frame reserved: cannot fail now
  const h = t.height;
  const r = t.root;
  applyInsert(t, text, latin1, path, heap);
  if (h !== t.height || r !== t.root) writeHeader(t.space, t.address, t.root, t.height);
}

/** A delete that may free leaves or find the pool short: plan, reserve, then write (descending with `path`); `stale` as {@link insertPlanned}. */
export function deletePlanned(t: Reservable, pos: number, count: number, path: Path, stale = false): void {
  planDelete(t, pos, count, path);
  checkEditWritable(t, plan.frees !== 0, path.leaf, path, false);
  if (stale) t.space.checkWritable(t.address + H_VERSION, 4);
  const heap =
    stale || plan.frees !== 0 || plan.writes > 1 || plan.writes > t.space.pool.framesAvailable()
      ? reserveEdit(t, path, pos, -count, stale ? 1 : 0)
      : null;
  if (stale) raiseStaleHeader(t);
  const h = t.height;
  const r = t.root;
  applyDelete(t, pos, count, path, heap);
  if (h !== t.height || r !== t.root) writeHeader(t.space, t.address, t.root, t.height);
}

/**
 * Slow path of an edit's check, after its plan: refuses an edit whose node
 * pages the heap cannot hand out, then asks the pool for every frame the
 * edit may need with `space.reserveFrames`, which runs the pool's
 * `onOutOfMemory` hook once if they are short. `n` is the insert's length
 * (`latin1`: its text is all <= 0xff), or minus the delete's count; `extra`
 * frames are added to the plan's, and `pages` heap pages to its `allocs`
 * (`create`'s header block: the caller added them to the first plan, and
 * every replan adds them again); `path` holds the plan's descent.
 * Writes nothing. Returns the text's node heap when it attached it (the
 * plan takes or frees pages), else null: the edit that follows uses it, so
 * a standalone text's heap is attached at most once per edit. After the
 * hook ran, plans and measures again (the hook may have written the heap).
 * @throws {OutOfMemoryError} when the heap or the pool (after its hook) is
 * short, or the hook edited `t` (its root, height or length changed).
 * @throws {ReleasedError} when the hook released the text.
 */
export function reserveEdit(
  t: Reservable,
  path: Path,
  pos: number,
  n: number,
  extra: number,
  latin1 = false,
  pages = 0,
): Heap | null {
  let heap: Heap | null = plan.allocs !== 0 || plan.frees !== 0 ? t.nodeHeap() : null;
  const frames = editFrames(t, heap, extra);
  if (frames > t.space.pool.framesAvailable()) {
    const { root, height, len } = t;
    requireFrames(t, frames);
    // The hook is user code. It may have edited this text: the edit's
    // position may be past its end now (a delete's replan then looped
    // forever), so refuse it. It may have walked or edited other texts,
    // whose descents share the path this edit planned in, and written this
    // text's heap (another embedded text in it took its last pages: the edit
    // went on with the room measured before, and the heap refused a page
    // halfway, the text's length counted over its old pages): plan and
    // measure again, and refuse without running the hook again.
    if (t.root !== root || t.height !== height || t.len !== len) throwHookEdited(frames, t.space.pageSize);
    if (n > 0) planInsert(t, pos, n, latin1, path);
    else planDelete(t, pos, -n, path);
    plan.allocs += pages; // without them, create went on with a heap one page short and failed halfway
    if (heap === null && (plan.allocs !== 0 || plan.frees !== 0)) heap = t.nodeHeap();
    const again = editFrames(t, heap, extra);
    if (again > t.space.pool.framesAvailable()) throwShortAfterHook(t.space.pool, again);
    t.space.reserveFrames(again); // no hook now: the core readies the engine's allocations (below)
  } else {
    // The engine may refuse a slab or a page-table node at a later page of the edit (a leaf split half
    // made): the core makes those allocations now, before the first write.
    t.space.reserveFrames(frames);
  }
  return heap;
}

/**
 * Frames the last plan may take (its writes and `extra`; with `heap`, the
 * node heap of a plan that takes or frees pages, the heap's metadata too).
 * @throws {OutOfMemoryError} when the plan needs more pages than `heap` has left.
 */
function editFrames(t: Reservable, heap: Heap | null, extra: number): number {
  if (heap === null) return plan.writes + extra;
  measureHeap(heap, extra + 1); // + 1: the text header, written when the root or the height changes
  if (plan.allocs > heapNeeds.room) {
    const ps = t.space.pageSize;
    throwHeapFull(
      plan.allocs,
      ps,
      t.embedded
        ? `heap [${heap.base}, ${heap.limit}) has no room left for ${plan.allocs} page(s)`
        : `this text's space is full: ${t.space.size / ps} pages (the maxPages option)`,
    );
  }
  return heapNeeds.frames;
}

/**
 * `space.reserveFrames(n)` (the core's one check, which may run the pool's
 * hook once); then refuses to go on if the hook released `t`, froze its
 * space, or unmapped or write-protected any part of the space that was
 * mapped read-write (ProtectionFault or SegmentationFault, nothing changed).
 * The edit's page writes are bounds, not a list of pages, so any such
 * change counts: the edit would otherwise stop at the first write there,
 * its earlier writes done (a leaf split half made, the heap's metadata
 * half written). A fork made by the hook needs no check: every page the
 * plan counts is counted as needing a frame, shared or not.
 * O(mappings) besides the hook.
 */
export function requireFrames(t: Reservable, n: number): void {
  const space = t.space;
  const before = space.mappings();
  // A frozen space first: the call cannot be done, so the hook (which releases the user's spaces) need not run
  // (a frozen embedded text's free() ran it, then threw OutOfMemoryError or ReleasedError, not ProtectionFault).
  if (space.frozen) for (const b of before) space.checkWritable(b.start, b.end - b.start);
  space.reserveFrames(n);
  if (t.released) throwReleased();
  // Still writable wherever it was (the core's check: frozen, read-only, unmapped).
  for (const b of before) if (b.protection === "read-write") space.checkWritable(b.start, b.end - b.start);
}
