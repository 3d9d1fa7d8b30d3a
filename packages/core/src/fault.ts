/**
 * The write-fault handler: what runs when a write finds no writable frame for
 * its page. It path-copies the shared page-table nodes from the root down,
 * then serves the page one of three ways, as Linux's `mm/memory.c` does:
 *
 * - **zero-fill** ({@link zeroFillPage}, `do_anonymous_page`): the PTE maps
 *   the zero frame; take a frame and clear it;
 * - **COW copy** ({@link copyPage}, `wp_page_copy`): the frame has refcount
 *   > 1; take a frame and copy the page;
 * - **reuse** ({@link reusePage}, `wp_page_reuse`): the frame has refcount 1;
 *   write in place, copy nothing.
 *
 * Before it changes anything it checks that a frame is available (reserve.ts),
 * so an out-of-memory refusal leaves every refcount as it was. The page
 * table's layout is page-table.ts's: this module only calls its walks.
 *
 * @module
 */
import { PT_FANOUT } from "./constants.js";
import type { FramePool } from "./frame-pool.js";
import { covers, FAULT_NODES_MAX } from "./page-table-geometry.js";
import { recheckWrite, reserveFrames } from "./reserve.js";
import { FAULT_COPY, FAULT_PT_NODES, FAULT_REUSE, FAULT_ZERO_FILL } from "./space-registry.js";
import type { SpaceState } from "./space-state.js";

/**
 * The reuse fault on its own (Linux's `wp_page_reuse`), tried before
 * {@link writeFault}: when every node on the path to `vpn` and its frame
 * have refcount 1 (the space wrote the page before a fork flushed its write
 * TLB, and the fork was released or wrote its own copy), counts the fault and
 * returns the pfn, which stays where it was. Otherwise 0, changing nothing.
 * O(levels); takes no frame, allocates nothing and skips writeFault's
 * bookkeeping (limit check, node counts, registry sync): that took a reuse
 * fault at 4 KiB pages from ~109 to ~88 ns (median; 62 -> 53 ns best
 * round), measured interleaved in one process (bench/README.md). The PTE
 * does not change, so the caller keeps its read translations as they are.
 */
export function reuseFault(t: SpaceState, vpn: number): number {
  const pfn = t.pool.pt.reusablePfn(t.root, t.levels, vpn);
  if (pfn !== 0) reusePage(t, pfn);
  return pfn;
}

/**
 * Makes `vpn` writable in `t` and returns its (now private) pfn, when
 * {@link reuseFault} found it not reusable as it is. O(levels + pageSize)
 * for a copy, O(levels) otherwise.
 *
 * @throws {OutOfMemoryError} when a frame is needed and none can be had; nothing changes then.
 * @throws {ReleasedError} when the out-of-memory hook released `t` itself; nothing changes then.
 */
export function writeFault(t: SpaceState, vpn: number): number {
  const pool = t.pool;
  const pt = pool.pt;
  // Walk twice only when the limit is near: with a frame to spare the fault cannot fail.
  // The out-of-memory hook may run and release spaces: reserveFrames throws if it released t.
  if (pool.framesAvailable() < 1 && pt.needsFrame(t.root, t.levels, vpn)) {
    reserveFrames(t, 1);
    // The hook may also have frozen `t` or unmapped the page: check again, as the write did before.
    recheckWrite(t, vpn * pool.pageSize, pool.pageSize);
  }
  // The frame may need a new slab, which the engine may refuse (OutOfMemoryError):
  // add it before the path copy below changes the space, so a refused fault changes nothing.
  pool.prepareFrame();

  // Likewise the nodes of the path copy: a refused arena must not cut it short;
  // nor a refused overflow table, into which a copied leaf's frames may pass 254 references.
  pt.ensureNodes(FAULT_NODES_MAX);
  pool.refOverflow.reserve(PT_FANOUT);

  const before = pt.nodesInUse;
  if (!covers(t.levels, vpn)) pt.growToCover(t, vpn); // rare: one shift decides
  const slot = pt.privatizePath(t, vpn);
  const old = pt.nodes[slot] as number;
  const pfn =
    old === 0 ? zeroFillPage(t, pool) : (pool.refcount[old] as number) > 1 ? copyPage(t, pool, old) : reusePage(t, old);
  pt.nodes[slot] = pfn; // read pt.nodes again: a new frame or node may have grown the arena
  const added = pt.nodesInUse - before;
  if (added > 0) pool.spaces.countFault(t, FAULT_PT_NODES, added);
  return pfn;
}

/** Zero-fill fault (Linux `do_anonymous_page`): a fresh, cleared frame for a page that mapped the zero frame. */
function zeroFillPage(t: SpaceState, pool: FramePool): number {
  const pfn = pool.allocFrame();
  pool.zeroFrame(pfn);
  pool.spaces.countFault(t, FAULT_ZERO_FILL, 1);
  return pfn;
}

/** COW fault (Linux `wp_page_copy`): a private copy of shared frame `old`, whose reference moves to the copy. */
function copyPage(t: SpaceState, pool: FramePool, old: number): number {
  const pfn = pool.allocFrame();
  pool.copyFrame(pfn, old);
  pool.releaseFrame(old); // shared: never the last reference
  pool.spaces.countFault(t, FAULT_COPY, 1);
  return pfn;
}

/** Reuse fault (Linux `wp_page_reuse`): frame `pfn` has refcount 1 and is written in place. */
function reusePage(t: SpaceState, pfn: number): number {
  t.pool.spaces.countFault(t, FAULT_REUSE, 1);
  return pfn;
}
