/**
 * Discarding a range of pages from a page table (`madvise(MADV_DONTNEED)`,
 * `munmap`): the range's pages return to the zero frame, walking only the
 * nodes that map something in it, path-copying the shared ones on its
 * boundary, and dropping a subtree that lies wholly inside it with one
 * release (O(1) when the subtree is shared).
 *
 * @module
 */
import { PT_FANOUT, PT_MASK, PT_SHIFT } from "./constants.js";
import type { PageTable } from "./page-table.js";
import { covers, type PageTableRoot } from "./page-table-geometry.js";

/**
 * Returns pages `first..last` (inclusive vpns) of the tree `t` in `pt` to the
 * zero frame and drops the references on their frames (see
 * `PageTable.discard`). Never takes a frame. O(nodes on the range's boundary
 * + nodes and frames freed).
 * @throws {OutOfMemoryError} when the arena cannot grow for the boundary's path copies (nothing changed).
 * @internal
 */
export function discardPages(pt: PageTable, t: PageTableRoot, first: number, last: number): void {
  if (t.root === 0 || !covers(t.levels, first)) return;
  // dropIn path-copies at most the two boundary nodes per level, and a
  // refused arena must not cut it short: it would leave `t.root` naming a
  // node whose reference the copy already dropped. So grow first.
  pt.ensureNodes(2 * t.levels);
  // Each copied boundary leaf retains its frames: room for them past 254 references.
  pt.pool.refOverflow.reserve(2 * PT_FANOUT);
  t.root = dropIn(pt, t.root, t.levels - 1, first, last, 0);
}

/**
 * Drops the range from `node`, the node at `level` whose first vpn is `base`;
 * returns what should now stand in its place (the node, a private copy of it,
 * or 0 when nothing is left under it).
 */
function dropIn(pt: PageTable, node: number, level: number, first: number, last: number, base: number): number {
  // Vpns under one entry of this node; plain multiplication: past 2^32 shifts would wrap.
  const childSpan = PT_FANOUT ** level;
  const span = childSpan * PT_FANOUT;
  if (first <= base && base + span - 1 <= last) {
    pt.release(node, level);
    return 0;
  }
  const lo = Math.max(0, Math.floor((first - base) / childSpan));
  const hi = Math.min(PT_MASK, Math.floor((last - base) / childSpan));
  let any = false;
  for (let i = lo; i <= hi && !any; i++) any = pt.nodes[(node << PT_SHIFT) + i] !== 0;
  if (!any) return node;
  node = pt.privatize(node, level);
  for (let i = lo; i <= hi; i++) {
    const e = pt.nodes[(node << PT_SHIFT) + i] as number;
    if (e === 0) continue;
    if (level === 0) pt.pool.releaseFrame(e);
    // Read pt.nodes again after the recursion: privatize may grow the arena.
    const keep = level === 0 ? 0 : dropIn(pt, e, level - 1, first, last, base + i * childSpan);
    pt.nodes[(node << PT_SHIFT) + i] = keep;
  }
  for (let i = 0; i < PT_FANOUT; i++) if (pt.nodes[(node << PT_SHIFT) + i] !== 0) return node;
  pt.release(node, level); // empty now: free it (its entries are all 0)
  return 0;
}
