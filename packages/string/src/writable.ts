/**
 * The protection check of an edit that writes more than one page: every page
 * it may write must be writable before it writes the first, or it would stop
 * at the first read-only one (a page mapped "read-only" by `space.protect`,
 * or an unmapped hole) with its earlier pages written: a leaf cut without
 * the counts above it, a split half made, pages taken from the heap and
 * never linked. A frozen space fails every page the same way; one page's
 * edit (a keystroke at the finger) needs no check, its first write faults
 * before anything changed.
 *
 * The check is one `checkWritable` over the text's whole range (its space,
 * or for an embedded text its heap's range), O(1) for a space mapped
 * read-write throughout (the usual case). Only when part of that range is
 * not writable does it look closer: an edit that takes or frees heap pages
 * (whose place in the heap, and the heap metadata it writes, the plan does
 * not list) then needs the whole range writable; any other edit, the pages it
 * can write (its leaf, the next leaf, the inner nodes on its path and the
 * lagging path). Either way the fault is the core's, from `checkWritable`:
 * ProtectionFault for a read-only or frozen page, SegmentationFault for an
 * unmapped one, as the first write there would have thrown.
 *
 * @module
 */
import { ENTRY_BYTES, INNER_COUNT, N_COUNT, NODE_ENTRIES } from "./layout.js";
import { LAG_LEVELS, LAG_SHIFT, lagBits, type Path, type TreeState } from "./tree.js";

/**
 * Throws the core's fault unless every page an edit of `t` may write is
 * writable (see the module comment). `heapOps`: the edit takes or frees heap
 * pages (or writes the text's header). `leaf` is the edited leaf (0: none),
 * `path` its descent; `next`: an insert whose split may go into the next leaf.
 * Writes nothing. O(1) when the text's range is writable; else O(mappings in
 * the range + height).
 * @throws {ProtectionFault} when a page the edit may write is read-only, or the space is frozen.
 * @throws {SegmentationFault} when one is unmapped.
 */
export function checkEditWritable(t: TreeState, heapOps: boolean, leaf: number, path: Path, next: boolean): void {
  try {
    checkTextWritable(t);
    return;
  } catch (e) {
    if (heapOps) throw e; // the heap's pages are not listed: the whole range must be writable
  }
  checkPathWritable(t, leaf, path, next);
}

/**
 * Throws the core's fault unless the whole range of `t` is writable: its
 * space for a standalone text (`lazyRoot`), else its heap's range, which
 * holds its header block and every node page. O(1) for a space mapped
 * read-write throughout; else O(log mappings + mappings in the range).
 * @throws {ProtectionFault} when a page of the range is read-only, or the space is frozen.
 * @throws {SegmentationFault} when one is unmapped.
 */
export function checkTextWritable(t: TreeState): void {
  const space = t.space;
  if (t.lazyRoot) {
    space.checkWritable(0, space.size);
  } else {
    const heap = t.nodeHeap(); // an embedded text's own heap: a field read
    space.checkWritable(heap.base, heap.limit - heap.base);
  }
}

/**
 * Throws unless the pages of an edit that stays within `leaf` and the inner
 * nodes above it (and, with `next`, the leaf after it under the same
 * parent) are writable, with the lagging path, which the edit may bring up
 * to date. O(height).
 */
export function checkPathWritable(t: TreeState, leaf: number, path: Path, next: boolean): void {
  const space = t.space;
  const ps = space.pageSize;
  const depth = path.depth;
  if (leaf !== 0) space.checkWritable(leaf, ps);
  for (let d = 0; d < depth; d++) space.checkWritable(path.node[d] as number, ps);
  if (next && depth > 0) {
    const parent = path.node[depth - 1] as number;
    const ci = path.idx[depth - 1] as number;
    if (ci + 1 < (space.getUint32(parent + N_COUNT) & INNER_COUNT))
      space.checkWritable(space.getUint32(parent + NODE_ENTRIES + (ci + 1) * ENTRY_BYTES) * ps, ps);
  }
  const lag = t.lp.lag;
  if (lag > 0) {
    // The lagging path's nodes, as inner.ts settleLag walks them.
    const bits = lagBits(ps);
    const mask = (1 << bits) - 1;
    let node = t.root;
    let idx = lag >>> LAG_SHIFT;
    for (let d = 0, levels = lag & LAG_LEVELS; d < levels; d++, idx >>>= bits) {
      space.checkWritable(node, ps);
      node = space.getUint32(node + NODE_ENTRIES + (idx & mask) * ENTRY_BYTES) * ps;
    }
  }
}
