/**
 * Handing versions to other threads, the reader's side: `AddressSpace.attach`
 * turns a handle from `share()` into a frozen space over the owner's shared
 * slabs and page-table nodes, read in place, through the same accessors,
 * TLB and page-span code as any space (so at the same speed).
 *
 * Each attachment gets its own small pool (a "view pool") whose slabs are
 * the owner's, wrapped once per thread and cached per owner pool; its
 * page-table arena reads the owner's nodes. A view pool whose attachment
 * ended without a fork holds nothing of its own, so the next attachment of
 * the same owner pool in this thread takes it over (attach-cache.ts).
 * Nothing in the owner's memory is ever written from here except the pin
 * word. `fork()` of an attached space gives a private, writable copy in the
 * view pool: before the first fork the view pool copies the node indices it
 * may reach (O(page-table nodes of the owner pool, about 1/128 of the bytes
 * they map at 4 KiB pages), never the pages) and counts every adopted frame
 * and node as shared (refcount 2 / a large count), so a write copies a page
 * into a new, local slab and nothing of the owner's is ever freed or reused
 * here. A space made in the view pool (`new AddressSpace({ pool })`) gets the
 * same first. The pin is released when the attached space, every fork made
 * from it and every space made in its pool were released, or collected unreleased (the view pool reclaims dropped
 * spaces, as any pool does).
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import { attachmentEnded, attachmentMade, slabsOf, takeSpare } from "./attach-cache.js";
import { PT_FANOUT } from "./constants.js";
import { throwReleased } from "./errors.js";
import { FramePool } from "./frame-pool.js";
import { checkAgainstPin, checkHandle } from "./handle-check.js";
import { MappingList } from "./mappings.js";
import { throwInvalidHandle } from "./share-errors.js";
import { dataBytes } from "./share-fingerprint.js";
import {
  attachedState,
  CHUNK_HEADER_WORDS,
  HANDLE_FORMAT,
  MAX_THREAD_TAG,
  PIN_ATTACHED,
  PIN_ISSUED,
  PIN_RELEASED,
  PIN_STATE_MASK,
  PIN_WORDS,
  type SharedSpaceHandle,
  wakeOwner,
} from "./share-format.js";
import { attachCopy, COPY_FORMAT, type SpaceCopy } from "./transfer.js";

/**
 * Reference count given to every adopted page-table node before a fork: far
 * above what forks in one thread can add or remove, so an adopted node is
 * never privatized in place nor freed.
 */
const ADOPTED_NODE_REF = 1 << 30;
/** Refcount byte of every adopted frame before a fork: 2 means shared (a write copies), never 0. */
const ADOPTED_FRAME_REF = 2;

/**
 * View pools whose pin is held. A pool's FinalizationRegistry must stay
 * reachable for a dropped attached space to be reclaimed (and so unpinned):
 * nothing else refers to a view pool but its own spaces.
 */
const pinnedPools = new Set<FramePool>();

/**
 * This thread's tag in an ATTACHED pin word: Node's `threadId + 1` (the main
 * thread is 1), read without importing `node:worker_threads` (the core runs in
 * browsers too); 0 where it is unknown (a browser, a Node without
 * `process.getBuiltinModule`). The owner uses it when a worker exits: a pin
 * is dropped with the worker only if that worker attached it (share.ts).
 */
const THREAD_TAG = threadTag();
/** The ATTACHED word this thread writes. */
const ATTACHED_HERE = attachedState(THREAD_TAG);

function threadTag(): number {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const wt = proc?.getBuiltinModule?.("node:worker_threads") as { threadId?: unknown } | undefined;
    const id = wt?.threadId;
    return typeof id === "number" && Number.isInteger(id) && id >= 0 && id < MAX_THREAD_TAG ? id + 1 : 0;
  } catch {
    return 0;
  }
}

/** One attached handle: its pin, and the view pool's state. @internal */
export class Attachment {
  /** The handle's pin chunk: the wake counter at 0, the pin word at `at`. */
  private readonly words: Int32Array;
  private readonly at: number;
  private readonly poolId: number;
  private readonly nodes: Int32Array;
  /** Nodes adopted from the owner's arena (indices below it): the PSS census counts none of them. */
  readonly nodeCount: number;
  private forked: boolean;
  private unpinned: boolean;
  /** The attached space was made (attachSpace): every later new space of the pool is a scratch space (see beforeNewSpace). */
  made: boolean;
  /** The version's root and levels, and the frames of the handle's slabs (checked before the first fork). */
  private readonly root: number;
  private readonly levels: number;
  private readonly frames: number;

  constructor(h: SharedSpaceHandle, words: Int32Array, at: number, nodes: Int32Array) {
    this.words = words;
    this.at = at;
    this.poolId = h.poolId;
    this.nodes = nodes;
    this.nodeCount = h.nodeCount;
    this.forked = false;
    this.unpinned = false;
    this.made = false;
    this.root = h.root;
    this.levels = h.levels;
    let frames = 0;
    for (let i = 0; i < h.slabs.length; i++)
      frames += Math.floor((h.slabs[i] as SharedArrayBuffer).byteLength / h.pageSize);
    this.frames = frames;
  }

  /**
   * Gives the view pool private nodes and refcounts before its first fork.
   * First checks that the version names only nodes below `nodeCount` and
   * frames inside the handle's slabs, O(the version's page-table nodes), in
   * the same order as the copy below: the fork's local frames are numbered
   * from the end of those slabs, so a handle whose `slabs` list was cut
   * short made the version read the fork's new pages as its own (and a node
   * past `nodeCount` read as an empty subtree in the fork). Since format /3
   * attach refuses a handle that differs from its pin, so what reaches this
   * check is the shared memory itself changed after the attach (the owner's
   * node arena written by a stray or hostile write; tested in
   * review31-fork-tree-check).
   * @throws {InvalidHandleError} ("forged") when it names others; nothing changed.
   */
  beforeFork(pool: FramePool): void {
    if (this.forked) return;
    const n = this.nodeCount;
    if (this.root !== 0 && !treeWithin(this.nodes, this.root, this.levels - 1, n, this.frames))
      throwInvalidHandle("forged", "the version names page-table nodes or frames the handle does not hold");
    // Only the first nodeCount nodes: the owner may have used later ones since.
    const nodes = new Int32Array(Math.max(n * 2, 64) * PT_FANOUT);
    nodes.set(this.nodes.subarray(0, n * PT_FANOUT));
    const ref = new Int32Array(Math.max(n * 2, 64));
    ref.fill(ADOPTED_NODE_REF, 1, n);
    // The refcount bytes are the last allocation and may be refused (OutOfMemoryError):
    // before anything is adopted or marked forked, so the next fork tries again. Marked
    // forked first, a refused fork left the next ones with no refcount bytes: a fork's
    // write went in place into a frame the owner's thread still mapped.
    pool.pinAdopted(ADOPTED_FRAME_REF);
    pool.pt.adopt(nodes, n, ref);
    this.forked = true;
  }

  /**
   * Called before a new space of the view pool (not a fork) takes a slot:
   * `new AddressSpace({ pool: attached.pool })`, a scratch space next to the
   * version. Until the first fork, the pool's page-table arena is the owner's
   * node buffer, read in place: the new space's first write grew it into a
   * smaller private copy and threw a raw RangeError. So the new space gets
   * what a fork gets first ({@link beforeFork}). The space `attachSpace`
   * makes itself passes (`made` is false until then). O(1) after the first
   * time.
   * @throws {ReleasedError} when the version was released (every space of
   *   the pool): the owner may have reused its frames and nodes.
   * @throws {InvalidHandleError} or {@link OutOfMemoryError} as beforeFork; nothing changed.
   */
  beforeNewSpace(pool: FramePool): void {
    if (!this.made) return;
    if (this.unpinned) throwReleased("attached version (its pool makes no new space; attach a new handle)");
    this.beforeFork(pool);
  }

  /** Called after a space of the view pool was released: unpins with the last one. */
  spaceReleased(pool: FramePool): void {
    if (this.unpinned || pool.spaces.live > 0) return;
    this.unpinned = true;
    pinnedPools.delete(pool);
    // ATTACHED -> RELEASED, then wake the owner (share.ts sweeps it).
    const words = this.words;
    Atomics.compareExchange(words, this.at, ATTACHED_HERE, PIN_RELEASED);
    wakeOwner(words);
    attachmentEnded(this.poolId, pool, this.forked);
  }
}

/**
 * The space `handle` names, made by `make`: a {@link SpaceCopy} from
 * `transferCopy()` is rebuilt in a new local pool (transfer.ts), a handle
 * from `share()` attached in place ({@link attachSpace}). The body of
 * `AddressSpace.attach`.
 * @throws {InvalidHandleError} (nothing attached) when `handle` is neither, or see {@link attachSpace}.
 * @internal
 */
export function attachHandle(
  handle: SharedSpaceHandle | SpaceCopy,
  make: (pool: FramePool, size: number) => AddressSpace,
): AddressSpace {
  const format = typeof handle === "object" && handle !== null ? (handle as { format?: unknown }).format : undefined;
  if (format === COPY_FORMAT) return attachCopy(handle as SpaceCopy, make);
  if (format !== HANDLE_FORMAT) throwInvalidHandle("forged", "not a handle made by share() or transferCopy()");
  return attachSpace(handle, make);
}

/**
 * Checks `handle` (its shape, then everything it says against its pin
 * chunk and the fingerprints of its buffers: see {@link checkAgainstPin}),
 * attaches it (ISSUED -> ATTACHED), and builds the frozen space. Throws
 * InvalidHandleError having changed nothing. O(slabs + mappings); the slab
 * views are built the first time a pool is seen in this thread only.
 * @internal
 */
export function attachSpace(handle: unknown, make: (pool: FramePool, size: number) => AddressSpace): AddressSpace {
  const h = checkHandle(handle);
  const words = new Int32Array(h.pins);
  const at = CHUNK_HEADER_WORDS + h.slot * PIN_WORDS;
  checkAgainstPin(h, words, at);
  const was = Atomics.compareExchange(words, at, PIN_ISSUED, ATTACHED_HERE);
  if (was !== PIN_ISSUED)
    throwInvalidHandle(
      (was & PIN_STATE_MASK) === PIN_ATTACHED ? "attached" : "released",
      (was & PIN_STATE_MASK) === PIN_ATTACHED
        ? "the handle is attached already (share() once per reader)"
        : "the handle was released (by its holder, by unshare(), or its worker exited)",
    );
  // From here on nothing throws: the thread's cache changes only for an attach that succeeds.
  const slabs = slabsOf(h);
  // One view of the owner's node arena, for the page table and for a later fork.
  const nodes = new Int32Array(h.nodes);
  const attachment = new Attachment(h, words, at, nodes);
  const spare = takeSpare(h);
  // The owner pool's slab sizes: frame numbers name the same slabs here as there.
  const pool =
    spare ??
    new FramePool({
      pageSize: h.pageSize,
      slabBytes: h.slabBytes,
      firstSlabBytes: dataBytes(h.slabs[0] as SharedArrayBuffer),
    });
  pool.adoptSlabs(slabs, attachment);
  pinnedPools.add(pool);
  // Before a fork, the only refcount of the adopted arena ever read is the
  // root's (release() decrements it): a spare pool's array is reused when it
  // is long enough, instead of allocating O(root) zeroed bytes per attach.
  const old = spare === null ? null : pool.pt.ref;
  const ref = old !== null && old.length > h.root ? old : new Int32Array(h.root + 1);
  ref[h.root] = ADOPTED_NODE_REF;
  pool.pt.adopt(nodes, h.nodeCount, ref);
  attachmentMade(h.poolId);
  const space = make(pool, h.size);
  attachment.made = true;
  space.root = h.root;
  space.levels = h.levels; // the registry's copy too (the census and the collector walk with it)
  const m = h.mappings;
  space.maps = new MappingList([...m.starts], [...m.ends], [...m.writable], h.size);
  space.freeze();
  return space;
}

/**
 * Whether the subtree at `node` (at `level`, 0 for a leaf) of an owner's
 * arena names only nodes below `nodeCount` and frames below `frames`.
 * O(nodes of the subtree); the depth is bounded by the level count, whatever
 * a forged arena holds.
 */
function treeWithin(nodes: Int32Array, node: number, level: number, nodeCount: number, frames: number): boolean {
  const base = node * PT_FANOUT;
  for (let i = 0; i < PT_FANOUT; i++) {
    const e = nodes[base + i] as number;
    if (e === 0) continue; // the zero frame, or no subtree
    if (level === 0) {
      if (e < 0 || e >= frames) return false;
    } else if (e < 0 || e >= nodeCount || !treeWithin(nodes, e, level - 1, nodeCount, frames)) return false;
  }
  return true;
}
