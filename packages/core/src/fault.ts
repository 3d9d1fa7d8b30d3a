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
import { PT_MASK, PT_SHIFT } from "./constants.js";
import type { FramePool } from "./frame-pool.js";
import { covers, PT_NODE_BYTES } from "./page-table.js";

/**
 * The parts of an address space the fault handler reads and updates. The
 * address space implements it; keeping the handler in its own module keeps the
 * class small.
 * @internal
 */
export interface FaultTarget {
  readonly pool: FramePool;
  root: number;
  levels: number;
  zeroFills: number;
  cowCopies: number;
  reuses: number;
  bytesCopied: number;
  pageTableBytesCopied: number;
}

/** Number of page-table levels needed to cover `vpn`. */
export function levelsFor(vpn: number): number {
  let levels = 1;
  while (levels * PT_SHIFT < 32 && vpn >>> (levels * PT_SHIFT) !== 0) levels++;
  return levels;
}

/**
 * True when a write to `vpn` would need a new frame (zero-fill or copy), that
 * is, when the PTE is the zero frame, or any node on the path or the frame
 * itself is shared. O(levels), changes nothing.
 */
export function needsFrame(t: FaultTarget, vpn: number): boolean {
  const pt = t.pool.pt;
  if (!covers(t.levels, vpn)) return true; // beyond the tree: a zero page
  const nodes = pt.nodes;
  const ref = pt.ref;
  let node = t.root;
  if (node === 0 || (ref[node] as number) > 1) return true;
  for (let shift = (t.levels - 1) * PT_SHIFT; shift > 0; shift -= PT_SHIFT) {
    node = nodes[(node << PT_SHIFT) + ((vpn >>> shift) & PT_MASK)] as number;
    if (node === 0 || (ref[node] as number) > 1) return true;
  }
  const pfn = nodes[(node << PT_SHIFT) + (vpn & PT_MASK)] as number;
  return pfn === 0 || (t.pool.refcount[pfn] as number) > 1;
}

/**
 * Makes `vpn` writable in `t` and returns its (now private) pfn.
 * O(levels + pageSize) for a copy, O(levels) otherwise.
 *
 * @throws {OutOfMemoryError} when a frame is needed and none can be had; nothing changes then.
 */
export function writeFault(t: FaultTarget, vpn: number): number {
  const pool = t.pool;
  const pt = pool.pt;
  // Walk twice only when the limit is near: with a frame to spare the fault cannot fail.
  if (pool.framesAvailable() < 1 && needsFrame(t, vpn)) pool.requireFrames(1);

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
    pool.refcount[old]--;
    t.cowCopies++;
    t.bytesCopied += pool.pageSize;
  } else {
    pfn = old;
    t.reuses++;
  }
  pt.nodes[slot] = pfn;
  before = pt.nodesInUse - before;
  if (before > 0) t.pageTableBytesCopied += before * PT_NODE_BYTES;
  return pfn;
}

/**
 * Unmaps `vpn` in `t` (its PTE goes back to the zero frame) and drops the
 * reference on its frame: `madvise(MADV_DONTNEED)` for one page. Path-copies
 * shared page-table nodes like a write fault, but never takes a frame.
 */
export function discardPage(t: FaultTarget, vpn: number): void {
  const pool = t.pool;
  const pt = pool.pt;
  if (pt.lookup(t.root, t.levels, vpn) === 0) return;
  let node = pt.privatize(t.root, t.levels - 1);
  t.root = node;
  for (let level = t.levels - 1; level > 0; level--) {
    const slot = (node << PT_SHIFT) + ((vpn >>> (level * PT_SHIFT)) & PT_MASK);
    const priv = pt.privatize(pt.nodes[slot] as number, level - 1);
    pt.nodes[slot] = priv;
    node = priv;
  }
  const slot = (node << PT_SHIFT) + (vpn & PT_MASK);
  pool.releaseFrame(pt.nodes[slot] as number);
  pt.nodes[slot] = 0;
}
