/**
 * Handing versions to other threads, the owner's side. `space.share()` pins
 * the version with a frozen fork (O(1): one refcount) and returns a handle,
 * plain data that `postMessage` carries: the SharedArrayBuffers of the
 * pool's slabs and page-table nodes, the version's root, and a pin word (a
 * slot of a pin chunk, see below).
 *
 * Who touches what. Frame and node refcounts, free lists and the arena are
 * only ever changed by the thread that owns the pool, so none of the owner's
 * hot paths (accessors, faults, forks) needs an atomic operation or a lock:
 * a shared pool runs exactly the code of a plain one. A reader in another
 * thread only reads slabs and nodes that its pin keeps immutable (every page
 * of a pinned version has refcount >= 2, so every write copies it first),
 * and tells the owner it is done through its pin word with Atomics: it
 * moves the word from ATTACHED to RELEASED and bumps the pool's wake
 * counter. The owner then releases the pin fork, the one place a refcount
 * changes, on its own thread: at once when `Atomics.waitAsync` is available
 * (it wakes the owner's event loop, without keeping it alive), and in any
 * case at the next `share()`, `stats()`, `framesInUse`/`bytesInUse` read, or
 * before an out-of-memory error.
 *
 * The format (pin words, pin chunks, the handle) is in share-format.ts, the
 * pin chunks and the owner's waits on them in share-pin-chunks.ts, the ties
 * of pins to workers (`share({ worker })`) in share-workers.ts, the workers
 * met by thread, for pins another thread attached, in share-threads.ts.
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import { PT_FANOUT } from "./constants.js";
import { throwReleased } from "./errors.js";
import type { FramePool } from "./frame-pool.js";
import { throwInvalidHandle, throwSharingUnavailable } from "./share-errors.js";
import { FINGERPRINT_NODES, layoutHash, stampFingerprint } from "./share-fingerprint.js";
import {
  CHUNK_HEADER_WORDS,
  HANDLE_FORMAT,
  PIN_ARENA,
  PIN_ATTACHED,
  PIN_DEAD,
  PIN_ID,
  PIN_ISSUED,
  PIN_LAYOUT,
  PIN_LEVELS,
  PIN_NODE_COUNT,
  PIN_RELEASED,
  PIN_ROOT,
  PIN_SLABS,
  PIN_STATE_MASK,
  PIN_WORDS,
  type SharedSpaceHandle,
  type ShareOptions,
} from "./share-format.js";
import { type PinChunk, PinChunks } from "./share-pin-chunks.js";
import { AttachingThreads } from "./share-threads.js";
import { hasExited, tagOf, WorkerTies, workerOf } from "./share-workers.js";
import type { Slab } from "./slab.js";

// address-space.ts and frame-pool.ts import these from here.
export { HANDLE_FORMAT, type SharedSpaceHandle, type ShareOptions } from "./share-format.js";

/**
 * A frozen fork that keeps a version's frames, and the handles that hold it.
 * Handles of a version that did not change between two `share()` calls hold
 * the same fork (handing one version to several workers forks once).
 */
interface PinFork {
  readonly space: AddressSpace;
  /** The space it was forked from. */
  readonly source: AddressSpace;
  /** Handles whose pin holds it; released at 0. */
  holders: number;
  /** layoutHash of the version's size and mappings (its pin words hold it). */
  readonly layout: number;
}

/** One pin: the frozen fork that keeps a version's frames, and its word. */
interface Pin {
  /** The handle's id. */
  readonly id: number;
  readonly fork: PinFork;
  readonly chunk: PinChunk;
  /** Index of the pin's state word in `chunk.words`. */
  readonly at: number;
  /** The worker it is tied to (null: none, or no longer tied to one). */
  worker: object | null;
  /** That worker's thread tag (`threadId + 1`), 0 if unknown; untied, the tag of the thread that attached it. */
  tag: number;
}

/** The handles of one shared pool, created by its first `share()`. @internal */
export class ShareRegistry {
  readonly poolId: number;
  private readonly pool: FramePool;
  private readonly pins: Map<number, Pin>;
  /** The workers pins were made for (share({ worker })). */
  private readonly workers: WorkerTies;
  /** The workers met, by thread tag, and the pins whose attaching thread none of them is yet. */
  private readonly threads: AttachingThreads;
  private nextId: number;
  private readonly chunks: PinChunks;
  /** The last pin fork made, while a handle holds it: the next share() of the same, unchanged version reuses it. */
  private last: PinFork | null;
  /** Slab buffers, rebuilt when a slab is added (slabs never change otherwise); each stamped with its fingerprint. */
  private slabBuffers: readonly SharedArrayBuffer[];
  /** Capacity in nodes of the last node arena stamped with its fingerprint (an arena only doubles: it names the buffer). */
  private stampedArena: number;

  constructor(pool: FramePool) {
    this.pool = pool;
    // 52 random bits: a worker caches slab views per pool id (attach.ts).
    this.poolId = Math.floor(Math.random() * 2 ** 52) + 1;
    this.pins = new Map();
    this.workers = new WorkerTies((worker) => this.dropWorker(worker, true));
    this.threads = new AttachingThreads();
    this.nextId = 1;
    const header = { poolId: this.poolId, pageSize: pool.pageSize, slabBytes: (pool.slabMask + 1) * pool.pageSize };
    this.chunks = new PinChunks(header, () => this.sweep());
    this.last = null;
    this.slabBuffers = [];
    this.stampedArena = 0;
  }

  /** Handles whose pin is still held. */
  get outstanding(): number {
    this.sweep();
    return this.pins.size;
  }

  /** Pins `space` with a frozen fork and returns its handle. See AddressSpace.share. */
  share(space: AddressSpace, options: ShareOptions | undefined): SharedSpaceHandle {
    const worker = workerOf(options);
    this.sweep();
    const pool = this.pool;
    // What may be refused comes before the pin fork: a pin chunk refused after
    // it escaped as a RangeError and left the fork counted, pinned for good.
    const chunk = this.chunks.withRoom();
    const slabs = this.stampedSlabs();
    let fork = this.last;
    if (fork === null || fork.source !== space || !unchanged(fork.space, space)) {
      // The pin: an O(1) fork. It may throw (overcommit), changing nothing.
      const pin = space.fork();
      // fork() moves the TLBs to the child; the owner goes on working, so they
      // come back (the write TLB was flushed: its pages are shared now).
      space.rtlb = pin.rtlb; // with the write TLB hanging off it
      pin.rtlb = null;
      pin.freeze();
      const maps = pin.maps;
      const layout = layoutHash(pin.size, { starts: maps.starts, ends: maps.ends, writable: maps.writable });
      fork = { space: pin, source: space, holders: 0, layout };
      this.last = fork;
    }
    fork.holders++;
    const pin = fork.space;
    const id = this.nextId++;
    const slot = chunk.used++;
    const at = CHUNK_HEADER_WORDS + slot * PIN_WORDS;
    const nodes = this.stampedNodes();
    const arena = pool.pt.nodes.length / PT_FANOUT;
    const words = chunk.words;
    words[at + PIN_ROOT] = pin.root;
    words[at + PIN_LEVELS] = pin.levels;
    words[at + PIN_ID] = id;
    words[at + PIN_NODE_COUNT] = pool.pt.highWater;
    words[at + PIN_ARENA] = arena;
    words[at + PIN_SLABS] = slabs.length;
    words[at + PIN_LAYOUT] = fork.layout;
    Atomics.store(words, at, PIN_ISSUED);
    chunk.live++;
    const made: Pin = { id, fork, chunk, at, worker, tag: tagOf(worker) };
    this.pins.set(id, made);
    const maps = pin.maps;
    const handle: SharedSpaceHandle = {
      format: HANDLE_FORMAT,
      poolId: this.poolId,
      id,
      pageSize: pool.pageSize,
      slabBytes: (pool.slabMask + 1) * pool.pageSize,
      slabs,
      nodes,
      nodeCount: pool.pt.highWater,
      root: pin.root,
      levels: pin.levels,
      size: pin.size,
      mappings: { starts: maps.starts, ends: maps.ends, writable: maps.writable },
      pins: chunk.buffer,
      slot,
    };
    if (worker !== null && hasExited(worker)) {
      // A Node Worker that exited already emits no more "exit": tracked, its
      // pin was never dropped (the handle cannot reach it: postMessage to an
      // exited worker drops the message). Dropped now, as its exit would have.
      Atomics.store(words, at, PIN_DEAD);
      this.drop(id, made);
      return handle;
    }
    if (worker !== null) this.tie(worker, made);
    this.chunks.arm(chunk);
    return handle;
  }

  /**
   * Ties `pin` (`id`) to the running worker it was made for; a Node `Worker`
   * met so is recorded by its thread tag, and the pins its thread attached
   * that waited for it are tied to it too (see share-threads.ts). O(1) but
   * for those pins.
   */
  private tie(worker: object, pin: Pin): void {
    this.workers.tie(worker, pin.id);
    if (pin.tag === 0) return;
    const waiting = this.threads.meet(worker, pin.tag);
    if (waiting !== undefined)
      for (const id of waiting) {
        const p = this.pins.get(id);
        if (p === undefined) continue;
        p.worker = worker;
        this.workers.tie(worker, id);
      }
  }

  /**
   * Pin `pin`, made for a worker that exited (or is dropped by hand) but
   * attached by another thread, of tag `by`: dropped when that thread is a
   * worker met that exited (true returned: the caller drops it), else tied to
   * it when it runs, else left waiting for it to be met (share-threads.ts).
   */
  private attachedElsewhere(pin: Pin, by: number): boolean {
    const other = this.threads.workerOf(by);
    if (other !== undefined && hasExited(other)) return true;
    pin.tag = by;
    if (other !== undefined) {
      pin.worker = other;
      this.workers.tie(other, pin.id);
    } else {
      pin.worker = null;
      this.threads.wait(by, pin.id);
    }
    return false;
  }

  /**
   * The pool's slab buffers, each stamped with its fingerprint (pool id and
   * index) the first time it is handed out. O(1) unless a slab was added.
   */
  private stampedSlabs(): readonly SharedArrayBuffer[] {
    const slabs = this.pool.slabs;
    const had = this.slabBuffers.length;
    if (had === slabs.length) return this.slabBuffers;
    for (let k = had; k < slabs.length; k++)
      stampFingerprint((slabs[k] as Slab).buffer as SharedArrayBuffer, this.poolId, k);
    this.slabBuffers = Object.freeze(slabs.map((s) => s.buffer as SharedArrayBuffer));
    return this.slabBuffers;
  }

  /** The pool's node arena buffer, stamped with its fingerprint the first time it is handed out. O(1). */
  private stampedNodes(): SharedArrayBuffer {
    const pt = this.pool.pt;
    const buffer = pt.nodes.buffer as SharedArrayBuffer;
    const arena = pt.nodes.length / PT_FANOUT;
    if (arena !== this.stampedArena) {
      stampFingerprint(buffer, this.poolId, FINGERPRINT_NODES);
      this.stampedArena = arena;
    }
    return buffer;
  }

  /**
   * Releases the pins whose holders released them. True if any was. O(1)
   * when no holder released anything since the last sweep, else O(handles).
   */
  sweep(): boolean {
    // The counters first, then the words: a release after a counter was read
    // moves that counter again, so the next sweep sees it.
    if (!this.chunks.countersMoved()) return false;
    let freed = false;
    for (const [id, pin] of this.pins)
      if (Atomics.load(pin.chunk.words, pin.at) === PIN_RELEASED) {
        Atomics.store(pin.chunk.words, pin.at, PIN_DEAD);
        this.drop(id, pin);
        freed = true;
      }
    return freed;
  }

  /** Drops the pin of a handle no reader attached yet. See FramePool.unshare. */
  unshare(handle: unknown): void {
    const id = this.idOf(handle);
    const pin = this.pins.get(id);
    if (pin === undefined) throwInvalidHandle("released", `handle ${id} was already released`);
    const words = pin.chunk.words;
    // The handle's pin word, as attach checks it: a handle whose id was changed
    // to another handle's dropped that other pin.
    const h = handle as SharedSpaceHandle;
    if (
      h.slot !== (pin.at - CHUNK_HEADER_WORDS) / PIN_WORDS ||
      h.root !== words[pin.at + PIN_ROOT] ||
      h.levels !== words[pin.at + PIN_LEVELS]
    )
      throwInvalidHandle("forged", "the handle does not match the version it pins");
    const was = Atomics.compareExchange(words, pin.at, PIN_ISSUED, PIN_DEAD);
    if ((was & PIN_STATE_MASK) === PIN_ATTACHED)
      throwInvalidHandle("attached", `handle ${id} is attached in another thread: release it there`);
    if (was === PIN_RELEASED) Atomics.store(words, pin.at, PIN_DEAD);
    this.drop(id, pin);
  }

  /**
   * Drops the pins made for `worker`: those not attached, and those it
   * attached itself (or whose attaching thread is unknown). A pin another
   * thread attached stays, no longer tied to the worker: that thread still
   * reads the version and releases it; since review 33 it is dropped when
   * that thread is a worker met (a handle was made for it) that exited, tied
   * to it while it runs, else it waits to be tied to it (share-threads.ts). Called by hand (`exiting` false) for
   * a Node `Worker` that still runs (`threadId` >= 0; Node sets -1 when the
   * thread ends), the pins it attached stay too, tied to it: it may still
   * read them (dropped, their frames were reused under it: it read another
   * version's bytes); its release or exit drops them. O(its handles).
   */
  dropWorker(worker: object, exiting = false): number {
    const ids = this.workers.take(worker);
    if (ids === undefined) return 0;
    const running = !exiting && tagOf(worker) !== 0;
    let n = 0;
    for (const id of ids) {
      const pin = this.pins.get(id);
      if (pin === undefined) continue;
      const was = Atomics.compareExchange(pin.chunk.words, pin.at, PIN_ISSUED, PIN_DEAD);
      if ((was & PIN_STATE_MASK) === PIN_ATTACHED) {
        const by = was >>> 2;
        if (by !== 0 && pin.tag !== 0 && by !== pin.tag) {
          // Attached by another thread: kept while it runs (tied to it, or waiting for it to be met);
          // before review 33 tied to nothing, and kept for good once that thread ended unreleased.
          if (!this.attachedElsewhere(pin, by)) continue;
        } else if (running) {
          this.workers.tie(worker, id); // its exit, or its release, drops it
          continue;
        }
      }
      Atomics.store(pin.chunk.words, pin.at, PIN_DEAD);
      this.drop(id, pin);
      n++;
    }
    return n;
  }

  /** The id of `handle` if this pool made it; throws InvalidHandleError otherwise. */
  private idOf(handle: unknown): number {
    const h = handle as Partial<SharedSpaceHandle> | null;
    if (typeof h !== "object" || h === null || h.format !== HANDLE_FORMAT || typeof h.id !== "number")
      throwInvalidHandle("forged", "not a handle made by share()");
    if (h.poolId !== this.poolId) throwInvalidHandle("foreign", "the handle was made by another pool");
    return h.id;
  }

  private drop(id: number, pin: Pin): void {
    this.pins.delete(id);
    if (pin.worker !== null) this.workers.untie(pin.worker, id);
    else this.threads.dropped(pin.tag, id);
    this.chunks.pinDropped(pin.chunk);
    const fork = pin.fork;
    if (--fork.holders === 0) {
      if (this.last === fork) this.last = null;
      fork.space.release();
    }
  }
}

/**
 * Whether `space` still is the version `pin` froze: the same page-table
 * root, levels, mappings and size. A write after the fork copies the shared
 * root first (its refcount is >= 2 while the pin holds it), and a mapping
 * change replaces the mapping list, so an equal root and list mean that
 * nothing changed; while the pin is held its root cannot be freed and reused.
 */
function unchanged(pin: AddressSpace, space: AddressSpace): boolean {
  return (
    !space.isReleased &&
    space.root === pin.root &&
    space.levels === pin.levels &&
    space.maps === pin.maps &&
    space.size === pin.size
  );
}

/** See FramePool.unshare. @internal */
export function unsharePin(pool: FramePool, handle: unknown): void {
  const shares = pool.shares;
  if (shares === null) {
    const h = handle as Partial<SharedSpaceHandle> | null;
    if (typeof h !== "object" || h === null || h.format !== HANDLE_FORMAT)
      throwInvalidHandle("forged", "not a handle made by share()");
    throwInvalidHandle("foreign", "the handle was made by another pool (this one never shared a version)");
  }
  shares.unshare(handle);
}

/** See FramePool.dropWorker. @internal */
export function dropWorkerPins(pool: FramePool, worker: object): number {
  return pool.shares === null ? 0 : pool.shares.dropWorker(worker);
}

/** Checks that `space` can be shared, before anything changes. @internal */
export function checkShareable(space: AddressSpace): void {
  if (space.isReleased) throwReleased("address space");
  const pool = space.pool;
  if (pool.attachment !== null)
    throwSharingUnavailable(
      "this version was attached from another thread, and it and its forks live in this thread's view pool, which cannot share: share it from the owner's thread, or send a transferCopy()",
    );
  if (!pool.shared)
    throwSharingUnavailable(
      "the version's pool is not shared: create it with new FramePool({ shared: true }), or use transferCopy()",
    );
}
