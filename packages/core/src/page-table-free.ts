/**
 * Freeing page-table nodes: a node whose refcount reached 0 drops one
 * reference from each child (a frame at level 0, a node above), frees the
 * children that reach 0 in turn, and goes on the arena's free stack (linked
 * through the freed nodes' entry 0, so freeing allocates nothing), where
 * `PageTable.take` finds it first. It is the path an evicted or released
 * version takes (W1b frees one version's path per commit).
 *
 * @module
 */
import { PT_FANOUT, PT_SHIFT, REF_MAX_INLINE } from "./constants.js";
import type { PageTable } from "./page-table.js";

/**
 * Frees `node`, whose refcount just reached 0: drops one reference from
 * each child and recurses only into children that reach 0 in turn. The
 * common case (a child still shared with another version) is one decrement
 * inline, not a call: freeing an evicted version's path visits 8 children
 * per node and frees one of them, which the loop then frees without a call
 * (W1b at 100K float64s x0.79-0.92 in 5 interleaved processes, 1M
 * x0.94-1.12, median 1.02). Called by `PageTable.release`.
 * @internal
 */
export function freeNode(pt: PageTable, node: number, level: number): void {
  // A loop down the chain, recursing only for a second child freed by the
  // same node: an evicted version's path frees one child per node.
  for (;;) {
    const nodes = pt.nodes;
    const base = node << PT_SHIFT;
    let next = 0;
    if (level === 0) {
      const pool = pt.pool;
      const rc = pool.refcount;
      for (let i = 0; i < PT_FANOUT; i++) {
        const e = nodes[base + i] as number;
        if (e === 0) continue;
        // Counts 2..254 stay shared; the last reference and overflow counts go through the pool.
        const b = rc[e] as number;
        if (b > 1 && b <= REF_MAX_INLINE) rc[e] = b - 1;
        else pool.releaseFrame(e);
      }
    } else {
      // Unrolled for PT_FANOUT = 8, as in privatize: the loads first, then
      // one decrement per child, the common case (still shared) inline; a
      // second child freed by the same node recurses, the first is looped to.
      const ref = pt.ref;
      const e0 = nodes[base] as number;
      const e1 = nodes[base + 1] as number;
      const e2 = nodes[base + 2] as number;
      const e3 = nodes[base + 3] as number;
      const e4 = nodes[base + 4] as number;
      const e5 = nodes[base + 5] as number;
      const e6 = nodes[base + 6] as number;
      const e7 = nodes[base + 7] as number;
      if (e0 !== 0 && --(ref[e0] as number) === 0) next = e0;
      if (e1 !== 0 && --(ref[e1] as number) === 0) {
        if (next === 0) next = e1;
        else freeNode(pt, e1, level - 1);
      }
      if (e2 !== 0 && --(ref[e2] as number) === 0) {
        if (next === 0) next = e2;
        else freeNode(pt, e2, level - 1);
      }
      if (e3 !== 0 && --(ref[e3] as number) === 0) {
        if (next === 0) next = e3;
        else freeNode(pt, e3, level - 1);
      }
      if (e4 !== 0 && --(ref[e4] as number) === 0) {
        if (next === 0) next = e4;
        else freeNode(pt, e4, level - 1);
      }
      if (e5 !== 0 && --(ref[e5] as number) === 0) {
        if (next === 0) next = e5;
        else freeNode(pt, e5, level - 1);
      }
      if (e6 !== 0 && --(ref[e6] as number) === 0) {
        if (next === 0) next = e6;
        else freeNode(pt, e6, level - 1);
      }
      if (e7 !== 0 && --(ref[e7] as number) === 0) {
        if (next === 0) next = e7;
        else freeNode(pt, e7, level - 1);
      }
    }
    // On the free stack, linked through its entry 0 (read above: the entries are dead now).
    nodes[base] = pt.freeHead;
    pt.freeHead = node;
    pt.freeCount++;
    pt.nodesInUse--;
    if (next === 0) return;
    node = next;
    level--;
  }
}
