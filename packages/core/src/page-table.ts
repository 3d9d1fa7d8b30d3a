/**
 * The page table: a persistent radix tree mapping vpn -> pfn, with nodes kept
 * in one Int32Array arena and refcounted, so spaces share whole subtrees.
 *
 * This module owns the layout: the other modules (fault, diff, stats, pss)
 * walk the tree through `entry`, `lookup`, `needsFrame`, `reusablePfn`,
 * `privatizePath` and `discard`, and never compute an index into `nodes`.
 * The tree's geometry (levels, node bytes) is in page-table-geometry.ts; how
 * the arena's arrays are made and grown, in page-table-arena.ts.
 *
 * A node is `PT_FANOUT` int32 entries. A node at level 0 (a leaf node) holds
 * pfns, 0 meaning the zero frame. A node at level L > 0 holds indices of nodes
 * at level L-1, 0 meaning "every page below is the zero frame". Node 0 is that
 * all-zero node and is never allocated or freed, so a walk needs no null checks.
 *
 * Sharing follows the persistent-data-structure rule (Driscoll et al., "Making
 * data structures persistent", 1989; the same path copying as the HAMTs in
 * Clojure and Immutable.js): fork shares the root; a write copies only the
 * shared nodes on the path from the root to the page. Unlike Linux, which
 * copies page tables at fork (about 10 ms per GB), fork here is O(1).
 *
 * @module
 */
import { PT_FANOUT, PT_MASK, PT_SHIFT, REF_MAX_INLINE } from "./constants.js";
import type { FramePool } from "./frame-pool.js";
import { growArena, INITIAL_NODES, int32s, reserveArena } from "./page-table-arena.js";
import { discardPages } from "./page-table-discard.js";
import { freeNode } from "./page-table-free.js";
import { covers, levelsFor, type PageTableRoot, PT_NODE_BYTES } from "./page-table-geometry.js";

/**
 * Page-table node arena of one {@link FramePool}. Internal to the core: spaces
 * hold a root index and a level count, the arena holds everything else.
 */
export class PageTable {
  /** Entries of every node: node `n` is `nodes[n * PT_FANOUT ...]`. */
  nodes: Int32Array;
  /** Refcount per node: number of parent entries or space roots that point at it. */
  ref: Int32Array;
  /**
   * Top of the stack of freed nodes, 0 when none (node 0, the all-zero node,
   * is never freed): a freed node's entry 0 links to the node freed before
   * it (a free list threaded through the free blocks themselves, as in
   * Knuth's TAOCP vol. 1, 2.5). No array beside the arena, so freeing a node
   * never allocates: a space's `release()` cannot be refused halfway. The
   * most recently freed node is taken first (LIFO: its cache lines are
   * likely still hot), and taking it reads the line it is about to write.
   * See page-table-free.ts. @internal
   */
  freeHead: number;
  /** Freed nodes on that stack. @internal */
  freeCount: number;
  private next: number;
  /** Nodes currently in use (node 0 excluded). */
  nodesInUse: number;
  /**
   * Bumped by every change of a node, a frame's refcount or a live space's
   * root (here, in the pool's frame calls and in the space registry), so that
   * results cached per pool (the PSS census, pss.ts) know when to recompute.
   */
  epoch: number;
  /**
   * A paging-structure cache of one entry for reuse faults: the leaf node
   * `leafNode` covers vpns `leafTag << PT_SHIFT ...` of the tree whose root
   * is node `leafRoot`, and every node from that root down to it had
   * refcount 1 when `epoch` was `leafEpoch`. Any change of a node, a frame's
   * refcount or a root anywhere in the pool bumps `epoch` and so retires it;
   * a reuse fault changes none, so a run of them through one leaf walks
   * once, not once per page (see {@link reusablePfn}). Keyed by the root
   * node, not the space: a root with refcount 1 belongs to one space, and
   * the cache holds no object (a space dropped without `release()` must
   * stay collectable). @internal
   */
  leafRoot: number;
  /** @internal */
  leafTag: number;
  /** @internal */
  leafNode: number;
  /** @internal */
  leafEpoch: number;
  /** The pool whose frames the leaf entries name. @internal */
  readonly pool: FramePool;

  constructor(pool: FramePool) {
    this.pool = pool;
    // Plain buffers, grown by doubling: views of resizable buffers pay a length
    // check with a runtime-call branch on every access in Node 20 (see slab.ts),
    // and the walk runs inside the accessors' miss paths.
    // A shared pool keeps nodes in a SharedArrayBuffer: workers walk them (share.ts).
    this.nodes = int32s(INITIAL_NODES * PT_FANOUT, pool.shared);
    this.ref = new Int32Array(INITIAL_NODES);
    this.freeHead = 0;
    this.freeCount = 0;
    this.next = 1; // node 0 is the shared all-zero node
    this.nodesInUse = 0;
    this.epoch = 0;
    this.leafRoot = 0;
    this.leafTag = -1;
    this.leafNode = 0;
    this.leafEpoch = -1;
  }

  /** Bytes of the nodes in use. */
  get bytesInUse(): number {
    return this.nodesInUse * PT_NODE_BYTES;
  }

  /**
   * Walks from `root` (a node at level `levels - 1`) to the PTE of `vpn`.
   * Returns the pfn, 0 for the zero frame (also for a vpn beyond the tree,
   * which no write has reached). O(levels), no allocation.
   */
  lookup(root: number, levels: number, vpn: number): number {
    if (!covers(levels, vpn)) return 0;
    const nodes = this.nodes;
    let node = root;
    for (let shift = (levels - 1) * PT_SHIFT; shift > 0; shift -= PT_SHIFT)
      node = nodes[(node << PT_SHIFT) + ((vpn >>> shift) & PT_MASK)] as number;
    return nodes[(node << PT_SHIFT) + (vpn & PT_MASK)] as number;
  }

  /**
   * True when a write to `vpn` in the tree at `root` (`levels` levels) would
   * need a new frame (a zero-fill or a copy): its PTE is the zero frame, or a
   * node on its path or the frame itself is shared. O(levels), changes nothing.
   * @internal
   */
  needsFrame(root: number, levels: number, vpn: number): boolean {
    if (!covers(levels, vpn)) return true; // beyond the tree: a zero page
    const nodes = this.nodes;
    const ref = this.ref;
    let node = root;
    if (node === 0 || (ref[node] as number) > 1) return true;
    for (let shift = (levels - 1) * PT_SHIFT; shift > 0; shift -= PT_SHIFT) {
      node = nodes[(node << PT_SHIFT) + ((vpn >>> shift) & PT_MASK)] as number;
      if (node === 0 || (ref[node] as number) > 1) return true;
    }
    const pfn = nodes[(node << PT_SHIFT) + (vpn & PT_MASK)] as number;
    return pfn === 0 || (this.pool.refcount[pfn] as number) > 1;
  }

  /** Entry `i` (0 .. PT_FANOUT-1) of `node`: a pfn at level 0, a child node above. @internal */
  entry(node: number, i: number): number {
    return this.nodes[(node << PT_SHIFT) + i] as number;
  }

  /**
   * The pfn of `vpn` in the tree at `root` (`levels` levels) when a write
   * there may reuse it in place (Linux's `wp_page_reuse`): every node on the
   * path and the frame itself have refcount 1. Otherwise 0. O(levels), or
   * O(1) when the last walk that succeeded (in this tree, nothing changed in
   * the pool since: `leafEpoch`) ended in the same leaf: a run of reuse
   * faults over consecutive pages walks once per leaf. Changes nothing but
   * that cache; no call.
   * @internal
   */
  reusablePfn(root: number, levels: number, vpn: number): number {
    const tag = vpn >>> PT_SHIFT;
    let node: number;
    if (this.leafEpoch === this.epoch && this.leafRoot === root && this.leafTag === tag && root !== 0)
      node = this.leafNode;
    else {
      if (!covers(levels, vpn)) return 0;
      const nodes = this.nodes;
      const ref = this.ref;
      node = root;
      if (node === 0 || ref[node] !== 1) return 0;
      for (let shift = (levels - 1) * PT_SHIFT; shift > 0; shift -= PT_SHIFT) {
        node = nodes[(node << PT_SHIFT) + ((vpn >>> shift) & PT_MASK)] as number;
        if (node === 0 || ref[node] !== 1) return 0;
      }
      this.leafRoot = root;
      this.leafTag = tag;
      this.leafNode = node;
      this.leafEpoch = this.epoch;
    }
    const pfn = this.nodes[(node << PT_SHIFT) + (vpn & PT_MASK)] as number;
    return pfn !== 0 && this.pool.refcount[pfn] === 1 ? pfn : 0;
  }

  /**
   * Grows the tree of `t` upward until it covers `vpn`: the old root moves
   * under a new root, keeping its one reference (now from the new root's
   * entry 0). Takes at most one node per level added.
   * @internal
   */
  growToCover(t: PageTableRoot, vpn: number): void {
    const want = levelsFor(vpn);
    while (t.levels < want) {
      if (t.root !== 0) {
        const r = this.alloc();
        this.nodes[r << PT_SHIFT] = t.root;
        t.root = r;
      }
      t.levels++;
    }
  }

  /**
   * Makes every node on the path from `t.root` to `vpn` private to `t`
   * (path copying, see the module comment; `t.root` may change) and returns
   * the index in `nodes` of `vpn`'s PTE, which the caller may now overwrite.
   * The tree must cover `vpn` ({@link growToCover}). O(levels); nodes
   * already private (refcount 1) are walked through without a call.
   * @internal
   */
  privatizePath(t: PageTableRoot, vpn: number): number {
    let node = t.root;
    if (node === 0 || (this.ref[node] as number) !== 1) {
      node = this.privatize(node, t.levels - 1);
      t.root = node;
    }
    for (let level = t.levels - 1; level > 0; level--) {
      const slot = (node << PT_SHIFT) + ((vpn >>> (level * PT_SHIFT)) & PT_MASK);
      const child = this.nodes[slot] as number;
      if (child !== 0 && (this.ref[child] as number) === 1) {
        node = child;
        continue;
      }
      const priv = this.privatize(child, level - 1);
      this.nodes[slot] = priv; // read this.nodes again: privatize may grow the arena
      node = priv;
    }
    return (node << PT_SHIFT) + (vpn & PT_MASK);
  }

  /**
   * Returns pages `first..last` (inclusive vpns) of `t` to the zero frame
   * and drops the references on their frames. It walks only the nodes that
   * map something in the range, path-copying shared ones, and drops a
   * subtree that lies wholly inside the range with one release (O(1) when it
   * is shared). Never takes a frame. O(nodes on the range's boundary + nodes
   * and frames freed).
   * @internal
   */
  discard(t: PageTableRoot, first: number, last: number): void {
    discardPages(this, t, first, last);
  }

  /**
   * Grows the arena now, if needed, so that `n` nodes can be taken without
   * growing it: an operation that must not stop halfway calls this first.
   * O(1) unless it grows.
   * @throws {OutOfMemoryError} when the arena cannot grow (nothing changed).
   * @internal
   */
  ensureNodes(n: number): void {
    while (this.freeCount + (this.ref.length - this.next) < n) growArena(this);
  }

  /** A new node with refcount 1 and all entries 0. */
  alloc(): number {
    const recycled = this.freeHead !== 0;
    const n = this.take();
    if (recycled) {
      const nodes = this.nodes;
      const base = n << PT_SHIFT;
      // A loop of 8 stores beats the fill builtin's call overhead here.
      for (let i = 0; i < PT_FANOUT; i++) nodes[base + i] = 0;
    }
    return n;
  }

  /**
   * A node with refcount 1 whose entries the caller overwrites: the most
   * recently freed one (LIFO, so its cache lines are likely still hot) or,
   * when none is free, a never-used one (all 0: the arena grows zeroed).
   */
  private take(): number {
    this.epoch++;
    let n: number;
    if (this.freeHead !== 0) {
      n = this.freeHead;
      this.freeHead = this.nodes[n << PT_SHIFT] as number; // the link freeNode stored in entry 0
      this.freeCount--;
    } else {
      n = this.next++;
      if (n >= this.ref.length) growArena(this);
    }
    this.ref[n] = 1;
    this.nodesInUse++;
    return n;
  }

  /**
   * Returns a node this caller may modify in place: `node` itself if its
   * refcount is 1, otherwise a copy (whose children gain a reference) while
   * `node` loses the caller's reference. `node` 0 yields a fresh empty node.
   * `level` is the node's level (0 = its entries are pfns).
   */
  privatize(node: number, level: number): number {
    if (node === 0) return this.alloc();
    if (this.ref[node] === 1) return node;
    // Every entry is overwritten below: zeroing a recycled node first cost
    // ~16% of a COW fault's own time (a store miss on the node's line).
    const copy = this.take();
    const nodes = this.nodes;
    const src = node << PT_SHIFT;
    const dst = copy << PT_SHIFT;
    // Copy and take a reference on each child, unrolled for PT_FANOUT = 8
    // (a test checks PT_FANOUT): the eight loads, then the eight stores, then
    // the references. The loop cost a counter, a branch and a bounds check per
    // entry; unrolled, the path copy and the freeing of an evicted version's
    // path (freeNode) took W1b (History of 100 versions, one write per commit)
    // to x0.93-0.97 at 100K float64s and x0.89-0.92 at 1M (interleaved in one
    // process, both load orders). No copyWithin call either.
    const e0 = nodes[src] as number;
    const e1 = nodes[src + 1] as number;
    const e2 = nodes[src + 2] as number;
    const e3 = nodes[src + 3] as number;
    const e4 = nodes[src + 4] as number;
    const e5 = nodes[src + 5] as number;
    const e6 = nodes[src + 6] as number;
    const e7 = nodes[src + 7] as number;
    nodes[dst] = e0;
    nodes[dst + 1] = e1;
    nodes[dst + 2] = e2;
    nodes[dst + 3] = e3;
    nodes[dst + 4] = e4;
    nodes[dst + 5] = e5;
    nodes[dst + 6] = e6;
    nodes[dst + 7] = e7;
    if (level === 0) {
      const pool = this.pool;
      const rc = pool.refcount;
      // The one-byte common case inline; counts near and past 254 go through the pool.
      if (e0 !== 0) {
        const b = rc[e0] as number;
        if (b < REF_MAX_INLINE) rc[e0] = b + 1;
        else pool.retainFrame(e0);
      }
      if (e1 !== 0) {
        const b = rc[e1] as number;
        if (b < REF_MAX_INLINE) rc[e1] = b + 1;
        else pool.retainFrame(e1);
      }
      if (e2 !== 0) {
        const b = rc[e2] as number;
        if (b < REF_MAX_INLINE) rc[e2] = b + 1;
        else pool.retainFrame(e2);
      }
      if (e3 !== 0) {
        const b = rc[e3] as number;
        if (b < REF_MAX_INLINE) rc[e3] = b + 1;
        else pool.retainFrame(e3);
      }
      if (e4 !== 0) {
        const b = rc[e4] as number;
        if (b < REF_MAX_INLINE) rc[e4] = b + 1;
        else pool.retainFrame(e4);
      }
      if (e5 !== 0) {
        const b = rc[e5] as number;
        if (b < REF_MAX_INLINE) rc[e5] = b + 1;
        else pool.retainFrame(e5);
      }
      if (e6 !== 0) {
        const b = rc[e6] as number;
        if (b < REF_MAX_INLINE) rc[e6] = b + 1;
        else pool.retainFrame(e6);
      }
      if (e7 !== 0) {
        const b = rc[e7] as number;
        if (b < REF_MAX_INLINE) rc[e7] = b + 1;
        else pool.retainFrame(e7);
      }
    } else {
      const ref = this.ref;
      if (e0 !== 0) ref[e0]++;
      if (e1 !== 0) ref[e1]++;
      if (e2 !== 0) ref[e2]++;
      if (e3 !== 0) ref[e3]++;
      if (e4 !== 0) ref[e4]++;
      if (e5 !== 0) ref[e5]++;
      if (e6 !== 0) ref[e6]++;
      if (e7 !== 0) ref[e7]++;
    }
    this.ref[node]--;
    return copy;
  }

  /** Adds a reference to `node` (no-op for node 0). */
  retain(node: number): void {
    if (node === 0) return;
    this.ref[node]++;
    this.epoch++;
  }

  /**
   * Drops a reference to `node` at `level`; at zero, releases its children
   * (frames at level 0) and frees it. O(nodes and frames freed).
   */
  release(node: number, level: number): void {
    if (node === 0) return;
    this.epoch++;
    if (--this.ref[node] === 0) freeNode(this, node, level);
  }

  /** Nodes ever handed out, node 0 included: every index in use is below it. @internal */
  get highWater(): number {
    return this.next;
  }

  /**
   * Makes this (new, empty) arena a worker's view of another thread's nodes
   * (attach.ts): `nodes` are read in place until the first fork, which gives
   * this arena a private copy of the first `next` nodes (see `adoptCopy`).
   * @internal
   */
  adopt(nodes: Int32Array, next: number, ref: Int32Array): void {
    this.epoch++; // retires the cached leaf: its indices named the old nodes
    this.nodes = nodes;
    this.next = next;
    this.ref = ref;
  }

  /**
   * Makes room for a million nodes at once when the arena has less and its
   * pool is unshared: the pool calls it when its slabs reach
   * `RESERVE_POOL_BYTES` (frame-pool.ts). Why, and what it costs:
   * {@link reserveArena}. Never throws. O(nodes), once per pool.
   * @internal
   */
  reserve(): void {
    reserveArena(this);
  }
}
