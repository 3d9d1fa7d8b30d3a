/**
 * Memory accounting of one space, as Linux's `/proc/<pid>/smaps` reports it.
 *
 * - RSS: bytes of frames the space maps (zero-frame pages excluded);
 * - USS: bytes of frames only this space can reach (every node on the path and
 *   the frame itself have refcount 1);
 * - PSS: each frame's bytes divided among the spaces that reach it. Sharing
 *   here is a DAG of refcounted nodes, so each node splits its weight equally
 *   among the references to it. Summed over all live spaces of a pool, PSS is
 *   exactly the pool's bytes in use (Linux divides by the number of mappers
 *   instead; the two agree whenever sharing is a tree, as after plain forks).
 *   The shares come from one census of the whole pool in integer units
 *   (pss.ts), so that those sums are exact in floating point too.
 *
 * @module
 */

import { PT_FANOUT } from "./constants.js";
import { PT_NODE_BYTES } from "./page-table-geometry.js";
import { censusPss } from "./pss.js";
import { FAULT_COPY, FAULT_PT_NODES, FAULT_REUSE, FAULT_ZERO_FILL } from "./space-registry.js";
import type { SpaceState } from "./space-state.js";

/** Memory and fault counters of one {@link AddressSpace}; sizes in bytes. */
export interface SpaceStats {
  /** Page size in bytes. */
  pageSize: number;
  /** Virtual size of the space in bytes. */
  size: number;
  /** Bytes inside the space's mappings: its commit charge (see `FramePoolStats.committedBytes`). */
  mappedBytes: number;
  /** Resident set size: bytes of frames mapped (zero-frame pages excluded). */
  rss: number;
  /**
   * Proportional set size: each mapped frame's bytes divided among its
   * sharers, to within 2^-k bytes per shared page-table node (k = 52 - the
   * bits of the pool's bytes in use: about 2^-22 bytes for 1 GiB). Every
   * share is a multiple of 2^-k, so the PSS of the pool's live spaces adds up
   * to `pool.bytesInUse` exactly, in any order, and any subset adds up
   * without rounding.
   */
  pss: number;
  /** Unique set size: bytes of frames no other space can reach. */
  uss: number;
  /** `rss - uss`: bytes of frames shared with at least one other space. */
  sharedBytes: number;
  /** Page-table nodes reachable from this space's root. */
  pageTableNodes: number;
  /** Bytes of those nodes. */
  pageTableBytes: number;
  /** Faults served by clearing a fresh frame (first write to a page). */
  zeroFillFaults: number;
  /** Faults served by copying a shared frame (first write after a fork). */
  copyFaults: number;
  /** Faults served without a copy because the frame had refcount 1. */
  reuseFaults: number;
  /** Bytes copied by copy faults. */
  bytesCopied: number;
  /** Bytes of page-table nodes created by faults (path copies and new nodes). */
  pageTableBytesCopied: number;
  /** Bytes the program asked to write. */
  bytesWritten: number;
  /** `bytesCopied / bytesWritten` (0 when nothing was written). */
  writeAmplification: number;
}

/**
 * Computes {@link SpaceStats}. O(nodes reachable from the root), plus the PSS
 * census of the pool (O(nodes and frames of the pool)) when its page tables
 * changed since the last one.
 * @internal
 */
export function spaceStats(space: SpaceState): SpaceStats {
  const pool = space.pool;
  const pt = pool.pt;
  const ps = pool.pageSize;
  const acc = { rss: 0, pss: 0, uss: 0, nodes: 0 };
  const visit = (node: number, level: number, weight: number, unique: boolean): void => {
    acc.nodes++;
    for (let i = 0; i < PT_FANOUT; i++) {
      const e = pt.entry(node, i);
      if (e === 0) continue;
      if (level === 0) {
        const rc = pool.frameRefcount(e);
        acc.rss += ps;
        acc.pss += (ps * weight) / rc;
        if (unique && rc === 1) acc.uss += ps;
      } else {
        const r = pt.ref[e] as number;
        visit(e, level - 1, weight / r, unique && r === 1);
      }
    }
  };
  if (space.root !== 0) {
    const r = pt.ref[space.root] as number;
    visit(space.root, space.levels - 1, 1 / r, r === 1);
  }
  // The census's share; a space without a registry slot (past 2^26) keeps its own float sum.
  const pss = censusPss(space);
  // Fault counters live in the pool's registry (space-registry.ts); every copy fault copies one page.
  const spaces = pool.spaces;
  const copies = spaces.faultCount(space, FAULT_COPY);
  const bytesCopied = copies * ps;
  return {
    pageSize: ps,
    size: space.size,
    mappedBytes: space.maps.bytes,
    rss: acc.rss,
    pss: pss >= 0 ? pss : acc.pss,
    uss: acc.uss,
    sharedBytes: acc.rss - acc.uss,
    pageTableNodes: acc.nodes,
    pageTableBytes: acc.nodes * PT_NODE_BYTES,
    zeroFillFaults: spaces.faultCount(space, FAULT_ZERO_FILL),
    copyFaults: copies,
    reuseFaults: spaces.faultCount(space, FAULT_REUSE),
    bytesCopied,
    pageTableBytesCopied: spaces.faultCount(space, FAULT_PT_NODES) * PT_NODE_BYTES,
    bytesWritten: space.bytesWritten,
    writeAmplification: space.bytesWritten === 0 ? 0 : bytesCopied / space.bytesWritten,
  };
}
