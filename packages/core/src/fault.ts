/**
 * The write-fault handler: what runs when a write finds no writable frame for
 * its page. It path-copies the shared page-table nodes from the root down, then
 * serves the page one of three ways, exactly as a kernel's `do_wp_page` /
 * `do_anonymous_page` do:
 *
 * - **zero-fill**: the PTE maps the zero frame; take a frame and clear it;
 * - **COW copy**: the frame has refcount > 1; take a frame and copy the page;
 * - **reuse**: the frame has refcount 1; write in place, copy nothing.
 *
 * Before it changes anything it checks that a frame is available, so an
 * out-of-memory refusal leaves every refcount as it was.
 *
 * @module
 */
import { PT_FANOUT, PT_MASK, PT_SHIFT } from "./constants.js";
import type { FramePool } from "./frame-pool.js";
import { covers, PT_NODE_BYTES } from "./page-table.js";
import { reserveFrames } from "./reserve.js";
import type { SpaceState } from "./space-state.js";

/** Number of page-table levels needed to cover `vpn`. */
export function levelsFor(vpn: number): number {
  let levels = 1;
  while (levels * PT_SHIFT < 32 && vpn >>> (levels * PT_SHIFT) !== 0) levels++;
  return levels;
}

/**
 * Makes `vpn` writable in `t` and returns its (now private) pfn.
 * O(levels + pageSize) for a copy, O(levels) otherwise.
 *
 * @throws {OutOfMemoryError} when a frame is needed and none can be had; nothing changes then.
 * @throws {ReleasedError} when the out-of-memory hook released `t` itself; nothing changes then.
 */
export function writeFault(t: SpaceState, vpn: number): number {
  const pool = t.pool;
  const pt = pool.pt;
  // The reuse fault first: every node on the path and the frame have
  // refcount 1 (the space wrote the page before a fork flushed its write
  // TLB, and the fork was released or wrote its own copy). Nothing changes
  // but a counter, so this walk takes no frame, allocates nothing and skips
  // the bookkeeping below (limit check, node counts, registry sync): it
  // took a reuse fault at 4 KiB pages from ~109 to ~88 ns (median; 62 -> 53
  // ns best round), measured interleaved in one process (bench/README.md).
  if (covers(t.levels, vpn)) {
    const nodes = pt.nodes;
    const ref = pt.ref;
    let node = t.root;
    let shift = (t.levels - 1) * PT_SHIFT;
    if (node !== 0 && ref[node] === 1) {
      for (; shift > 0; shift -= PT_SHIFT) {
        const child = nodes[(node << PT_SHIFT) + ((vpn >>> shift) & PT_MASK)] as number;
        if (child === 0 || ref[child] !== 1) break;
        node = child;
      }
      if (shift === 0) {
        const pfn = nodes[(node << PT_SHIFT) + (vpn & PT_MASK)] as number;
        if (pfn !== 0 && pool.refcount[pfn] === 1) {
          t.reuses++;
          return pfn;
        }
      }
    }
  }
  // Walk twice only when the limit is near: with a frame to spare the fault cannot fail.
  // The out-of-memory hook may run and release spaces: requireFrames throws if it released t.
  if (pool.framesAvailable() < 1 && pt.needsFrame(t.root, t.levels, vpn)) reserveFrames(t, 1);

  // Grow the tree upward until it covers vpn: the old root moves under a new
  // root, keeping its one reference (now from the new root's entry 0). Rare,
  // so one shift decides whether to compute the height at all.
  const want = covers(t.levels, vpn) ? t.levels : levelsFor(vpn);
  while (t.levels < want) {
    if (t.root !== 0) {
      const r = pt.alloc();
      pt.nodes[r << PT_SHIFT] = t.root;
      t.root = r;
    }
    t.levels++;
  }

  let before = pt.nodesInUse;
  // Nodes already private (refcount 1) are walked through without a call or a
  // store: after the first fault of a version most of the path is.
  let node = t.root;
  if (node === 0 || (pt.ref[node] as number) !== 1) {
    node = pt.privatize(node, t.levels - 1);
    t.root = node;
  }
  for (let level = t.levels - 1; level > 0; level--) {
    const slot = (node << PT_SHIFT) + ((vpn >>> (level * PT_SHIFT)) & PT_MASK);
    const child = pt.nodes[slot] as number;
    if (child !== 0 && (pt.ref[child] as number) === 1) {
      node = child;
      continue;
    }
    const priv = pt.privatize(child, level - 1);
    pt.nodes[slot] = priv; // read pt.nodes again: privatize may grow the arena
    node = priv;
  }
  const slot = (node << PT_SHIFT) + (vpn & PT_MASK);
  const old = pt.nodes[slot] as number;
  let pfn: number;
  if (old === 0) {
    pfn = pool.allocFrame();
    pool.zeroFrame(pfn);
    t.zeroFills++;
  } else if ((pool.refcount[old] as number) > 1) {
    pfn = pool.allocFrame();
    pool.copyFrame(pfn, old);
    pool.releaseFrame(old); // shared: never the last reference
    t.cowCopies++;
    t.bytesCopied += pool.pageSize;
  } else {
    pfn = old;
    t.reuses++;
  }
  pt.nodes[slot] = pfn;
  before = pt.nodesInUse - before;
  if (before > 0) t.pageTableBytesCopied += before * PT_NODE_BYTES;
  if (t.slot >= 0) pool.spaces.sync(t);
  return pfn;
}

/**
 * Returns pages `first..last` (inclusive vpns) of `t` to the zero frame and
 * drops the references on their frames: `madvise(MADV_DONTNEED)`, and the page
 * side of `munmap`. It walks only the page-table nodes that map something in
 * the range, path-copying shared ones like a write fault, and drops a subtree
 * that lies wholly inside the range with one release (O(1) when it is shared).
 * Never takes a frame, so it cannot fail. O(nodes on the range's boundary +
 * nodes and frames freed).
 */
export function discardPages(t: SpaceState, first: number, last: number): void {
  if (t.root === 0 || !covers(t.levels, first)) return;
  t.root = dropIn(t.pool, t.root, t.levels - 1, first, last, 0);
  if (t.slot >= 0) t.pool.spaces.sync(t);
}

/**
 * Drops the range from `node`, the node at `level` whose first vpn is `base`;
 * returns what should now stand in its place (the node, a private copy of it,
 * or 0 when nothing is left under it).
 */
function dropIn(pool: FramePool, node: number, level: number, first: number, last: number, base: number): number {
  const pt = pool.pt;
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
    if (level === 0) pool.releaseFrame(e);
    // Read pt.nodes again after the recursion: privatize may grow the arena.
    const keep = level === 0 ? 0 : dropIn(pool, e, level - 1, first, last, base + i * childSpan);
    pt.nodes[(node << PT_SHIFT) + i] = keep;
  }
  for (let i = 0; i < PT_FANOUT; i++) if (pt.nodes[(node << PT_SHIFT) + i] !== 0) return node;
  pt.release(node, level); // empty now: free it (its entries are all 0)
  return 0;
}
