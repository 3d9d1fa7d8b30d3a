/**
 * The storage of the page-table node arena ({@link PageTable}): how its two
 * int32 arrays (`nodes`, PT_FANOUT entries per node, and `ref`, a refcount
 * per node) are made, grown by doubling, and reserved at a million nodes for
 * a large pool. The arena's allocation, path copying and freeing stay in
 * page-table.ts, on the hot paths; everything here runs once per doubling.
 *
 * @module
 */
import { PT_FANOUT } from "./constants.js";
import { throwOom, throwRefused } from "./errors.js";
import type { PageTable } from "./page-table.js";
import { PT_NODE_BYTES } from "./page-table-geometry.js";
import { SHARED_TRAILER_BYTES } from "./share-fingerprint.js";

/**
 * `n` zeroed int32s, on a SharedArrayBuffer when `shared`: then the buffer
 * has `SHARED_TRAILER_BYTES` more past them, for the fingerprint a handle's
 * check reads (share-format.ts); the array ends before it. @internal
 */
export function int32s(n: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(n * 4 + SHARED_TRAILER_BYTES), 0, n) : new Int32Array(n);
}

/** Nodes the arena starts with. @internal */
export const INITIAL_NODES = 256;
/**
 * Nodes an unshared arena of a large pool holds room for (see
 * {@link reserveArena}): 1,048,576 nodes, 32 MiB of entries and 4 MiB
 * of refcounts in one 36 MiB buffer.
 */
const RESERVED_NODES = 2 ** 20;
/** Bytes of the {@link RESERVED_NODES} reservation: past glibc's largest mmap threshold (32 MiB), so always mapped fresh and lazily. */
const RESERVED_BYTES = RESERVED_NODES * (PT_NODE_BYTES + Int32Array.BYTES_PER_ELEMENT);
/** Most nodes in one pool's arena: node indices times the fanout must stay int32. */
const MAX_NODES = 2 ** 31 / PT_FANOUT;

/**
 * Makes room in `pt` for {@link RESERVED_NODES} nodes at once, when the arena
 * has less and its pool is unshared: called by the pool when its slabs reach
 * `RESERVE_POOL_BYTES` (frame-pool.ts, through `PageTable.reserve`), so a
 * large pool reserves its page table when it reserves large slabs, and small
 * pools never do.
 *
 * Why: an arena grown by doubling touches every node twice in fresh memory
 * (the copy, then the tail), and a first touch costs a page fault (~2 us
 * per 4 KiB on the 2-core VM): W1's doubling from 16,384 to 32,768 nodes at
 * 10M float64s took ~150 faults, 13-16% of the CPU samples of its 1,000
 * timed versions. The 36 MiB buffer is past glibc's largest mmap threshold,
 * so it is mapped fresh: untouched nodes cost no resident memory, and no
 * node is copied again until a million are in use. Its bytes count in
 * `process.memoryUsage().arrayBuffers` as untouched slab bytes do. A shared
 * pool's nodes are a SharedArrayBuffer sent to workers with each handle:
 * it keeps doubling. O(nodes) for the copy, once per pool. Never throws:
 * it runs inside a frame allocation, in the middle of a fault, so when the
 * engine refuses the buffer the arena just keeps doubling. The pool calls
 * it from `allocFrame`: every walk reads `nodes` again after taking a frame.
 * @internal
 */
export function reserveArena(pt: PageTable): void {
  if (pt.pool.shared || pt.ref.length >= RESERVED_NODES) return;
  let buffer: ArrayBuffer;
  try {
    buffer = new ArrayBuffer(RESERVED_BYTES);
  } catch {
    return; // out of memory for the reservation: doubling as before needs far less at once
  }
  moveTo(
    pt,
    new Int32Array(buffer, 0, RESERVED_NODES * PT_FANOUT),
    new Int32Array(buffer, RESERVED_NODES * PT_NODE_BYTES, RESERVED_NODES),
  );
}

/**
 * Doubles the arena of `pt`. O(nodes).
 * @throws {OutOfMemoryError} when the arena is at {@link MAX_NODES} or the
 * engine refuses the new arrays (nothing changed).
 * @internal
 */
export function growArena(pt: PageTable): void {
  const cap = pt.ref.length * 2;
  if (cap > MAX_NODES) throwOom(PT_NODE_BYTES, `page-table arena is full (${MAX_NODES} nodes)`);
  // Grown by copying into a new buffer: handles already sent to workers keep
  // the old one, in which the nodes of the versions they pin never change.
  let nodes: Int32Array;
  let ref: Int32Array;
  try {
    nodes = int32s(cap * PT_FANOUT, pt.pool.shared);
    ref = new Int32Array(cap);
  } catch (e) {
    throwRefused(e, PT_NODE_BYTES, "the page-table arena");
  }
  moveTo(pt, nodes, ref);
}

/** Copies the arena's entries and refcounts into larger arrays and makes `pt` use those from now on. O(nodes). */
function moveTo(pt: PageTable, nodes: Int32Array, ref: Int32Array): void {
  nodes.set(pt.nodes);
  ref.set(pt.ref);
  pt.nodes = nodes;
  pt.ref = ref;
}
