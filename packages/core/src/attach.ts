/**
 * Handing versions to other threads, the reader's side: `AddressSpace.attach`
 * turns a handle from `share()` into a frozen space over the owner's shared
 * slabs and page-table nodes, read in place, through the same accessors,
 * TLB and page-span code as any space (so at the same speed).
 *
 * Each attachment gets its own small pool (a "view pool") whose slabs are the
 * owner's, wrapped once per thread and cached per owner pool; its page-table
 * arena reads the owner's nodes. Nothing in the owner's memory is ever
 * written from here except the pin word. `fork()` of an attached space gives
 * a private, writable copy in the view pool: before the first fork the view
 * pool copies the node indices it may reach (O(page-table nodes of the owner
 * pool, about 1/128 of the bytes they map at 4 KiB pages), never the pages)
 * and counts every adopted frame and node as shared (refcount 2 / a large
 * count), so a write copies a page into a new, local slab and nothing of the
 * owner's is ever freed or reused here. The pin is released when the
 * attached space and every fork made from it were released, or collected
 * unreleased (the view pool reclaims dropped spaces, as any pool does).
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import { PT_FANOUT } from "./constants.js";
import { FramePool } from "./frame-pool.js";
import { MappingList } from "./mappings.js";
import {
  HANDLE_FORMAT,
  HEADER_BYTES,
  PIN_ATTACHED,
  PIN_ISSUED,
  PIN_RELEASED,
  PIN_WORDS,
  type SharedSpaceHandle,
} from "./share.js";
import { throwInvalidHandle } from "./share-errors.js";
import { Slab } from "./slab.js";

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

/** Slab views of the owner pools this thread reads, by pool id; dropped with the last attachment. */
const slabCache = new Map<number, { slabs: Slab[]; attachments: number }>();

/** One attached handle: its pin, and the view pool's state. @internal */
export class Attachment {
  private readonly word: Int32Array;
  private readonly wake: Int32Array;
  private readonly poolId: number;
  private readonly nodes: Int32Array;
  private readonly nodeCount: number;
  private forked: boolean;
  private unpinned: boolean;

  constructor(h: SharedSpaceHandle, word: Int32Array) {
    this.word = word;
    this.wake = new Int32Array(h.header, 0, 2);
    this.poolId = h.poolId;
    this.nodes = new Int32Array(h.nodes);
    this.nodeCount = h.nodeCount;
    this.forked = false;
    this.unpinned = false;
  }

  /** Gives the view pool private nodes and refcounts before its first fork. */
  beforeFork(pool: FramePool): void {
    if (this.forked) return;
    this.forked = true;
    const n = this.nodeCount;
    // Only the first nodeCount nodes: the owner may have used later ones since.
    const nodes = new Int32Array(Math.max(n * 2, 64) * PT_FANOUT);
    nodes.set(this.nodes.subarray(0, n * PT_FANOUT));
    const ref = new Int32Array(Math.max(n * 2, 64));
    ref.fill(ADOPTED_NODE_REF, 1, n);
    pool.pt.adopt(nodes, n, ref);
    pool.pinAdopted(ADOPTED_FRAME_REF);
  }

  /** Called after a space of the view pool was released: unpins with the last one. */
  spaceReleased(pool: FramePool): void {
    if (this.unpinned || pool.spaces.live > 0) return;
    this.unpinned = true;
    pinnedPools.delete(pool);
    // ATTACHED -> RELEASED, then wake the owner (share.ts sweeps it).
    Atomics.compareExchange(this.word, 0, PIN_ATTACHED, PIN_RELEASED);
    Atomics.add(this.wake, 0, 1);
    Atomics.notify(this.wake, 0);
    const cached = slabCache.get(this.poolId);
    if (cached !== undefined && --cached.attachments === 0) slabCache.delete(this.poolId);
  }
}

/**
 * Checks `handle` (shape, then its pin word), attaches it (ISSUED ->
 * ATTACHED), and builds the frozen space. Throws InvalidHandleError having
 * changed nothing. O(slabs) the first time a pool is seen in this thread,
 * then O(1) (the mappings aside).
 * @internal
 */
export function attachSpace(handle: unknown, make: (pool: FramePool, size: number) => AddressSpace): AddressSpace {
  const h = checkHandle(handle);
  const word = new Int32Array(h.pin);
  if (word[1] !== h.root || word[2] !== h.levels || word[3] !== h.id)
    throwInvalidHandle("forged", "the handle does not match the version it pins");
  const header = new Float64Array(h.header, 8, 1);
  if (header[0] !== h.poolId) throwInvalidHandle("forged", "the handle does not match its pool");
  const slabs = slabsOf(h);
  const was = Atomics.compareExchange(word, 0, PIN_ISSUED, PIN_ATTACHED);
  if (was !== PIN_ISSUED)
    throwInvalidHandle(
      was === PIN_ATTACHED ? "attached" : "released",
      was === PIN_ATTACHED
        ? "the handle is attached already (share() once per reader)"
        : "the handle was released (by its holder, by unshare(), or its worker exited)",
    );
  const attachment = new Attachment(h, word);
  const pool = new FramePool({ pageSize: h.pageSize, slabBytes: h.slabBytes });
  pool.adoptSlabs(slabs, attachment);
  pinnedPools.add(pool);
  const ref = new Int32Array(h.root + 1);
  ref[h.root] = ADOPTED_NODE_REF;
  pool.pt.adopt(new Int32Array(h.nodes), h.nodeCount, ref);
  const cached = slabCache.get(h.poolId);
  if (cached !== undefined) cached.attachments++;
  const space = make(pool, h.size);
  space.root = h.root;
  space.levels = h.levels;
  const m = h.mappings;
  space.maps = new MappingList([...m.starts], [...m.ends], [...m.writable], h.size);
  space.freeze();
  return space;
}

/** `handle` as a SharedSpaceHandle, or InvalidHandleError("forged"). */
function checkHandle(handle: unknown): SharedSpaceHandle {
  const h = handle as SharedSpaceHandle;
  const ok =
    typeof h === "object" &&
    h !== null &&
    h.format === HANDLE_FORMAT &&
    isUint(h.id) &&
    isUint(h.root) &&
    isUint(h.levels) &&
    h.levels >= 1 &&
    isUint(h.nodeCount) &&
    h.root < h.nodeCount &&
    isUint(h.size) &&
    isUint(h.pageSize) &&
    isUint(h.slabBytes) &&
    typeof h.poolId === "number" &&
    Array.isArray(h.slabs) &&
    h.slabs.length > 0 &&
    h.slabs.every((s) => s instanceof SharedArrayBuffer) &&
    h.nodes instanceof SharedArrayBuffer &&
    h.nodes.byteLength >= h.nodeCount * PT_FANOUT * 4 &&
    h.pin instanceof SharedArrayBuffer &&
    h.pin.byteLength === PIN_WORDS * 4 &&
    h.header instanceof SharedArrayBuffer &&
    h.header.byteLength === HEADER_BYTES &&
    typeof h.mappings === "object" &&
    h.mappings !== null &&
    Array.isArray(h.mappings.starts) &&
    Array.isArray(h.mappings.ends) &&
    Array.isArray(h.mappings.writable) &&
    h.mappings.starts.length === h.mappings.ends.length &&
    h.mappings.starts.length === h.mappings.writable.length;
  if (!ok) throwInvalidHandle("forged", "not a handle made by share()");
  return h;
}

function isUint(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/** The handle's slabs as Slab objects, reused from the cache where this thread has them. */
function slabsOf(h: SharedSpaceHandle): Slab[] {
  let cached = slabCache.get(h.poolId);
  if (cached !== undefined) {
    const s = cached.slabs;
    for (let i = 0; i < s.length && i < h.slabs.length; i++)
      if ((s[i] as Slab).buffer.byteLength !== (h.slabs[i] as SharedArrayBuffer).byteLength) {
        cached = undefined; // another pool with the same id: do not trust the cache
        break;
      }
  }
  if (cached === undefined) {
    cached = { slabs: [], attachments: 0 };
    slabCache.set(h.poolId, cached);
  }
  const slabs = cached.slabs;
  for (let i = slabs.length; i < h.slabs.length; i++) slabs.push(new Slab(h.slabs[i] as SharedArrayBuffer));
  return slabs.slice(0, h.slabs.length);
}
