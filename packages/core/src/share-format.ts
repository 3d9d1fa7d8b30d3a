/**
 * The format of a shared-space handle, shared by both sides of it: the
 * owner's share.ts writes it, attach.ts in the reader checks and reads it.
 * Format constants, the pin word and pin chunk layouts, the handle's shape
 * and the options of `share()`.
 *
 * Pin word states: ISSUED (made, not attached) -> ATTACHED (a reader
 * attached it; compare-and-swap, so a handle attaches once) -> RELEASED (the
 * reader is done) -> DEAD (the owner dropped the pin). `unshare()` and a
 * worker's exit move ISSUED straight to DEAD; the exit of the worker a
 * handle was made for moves ATTACHED to DEAD only when that worker is the
 * thread that attached it. The ATTACHED word carries the attaching thread's
 * tag (see {@link attachedState}), written by the same compare-and-swap, so a
 * handle forwarded to (or posted by mistake to) another thread keeps its pin
 * while that thread reads it, whatever becomes of the worker it was made
 * for. Dropping it there would free frames a live reader still reads, and
 * the owner would reuse them under it.
 *
 * Pin chunks. Pin words live in chunks: one SharedArrayBuffer of
 * {@link PIN_CHUNK_BYTES} holding a header (the wake counter, the pool id,
 * page size and slab size) and {@link PIN_CHUNK_SLOTS} pins (a state word
 * and what the handle must say), filled in order, never reused (a
 * reused slot would let a stale handle attach a newer version's word). A
 * handle carries its chunk and slot: one SharedArrayBuffer where there were
 * two (a pin word and the pool's header), and `share()` allocates one per 64
 * handles instead of one per handle (measured on Node 20: ~1.4 us to
 * allocate a SharedArrayBuffer, ~0.3 us to post one and as much to receive
 * it). A reader bumps the wake counter of its handle's chunk; the owner waits
 * on every chunk with a live pin (usually one), and a full chunk whose pins
 * are all dropped is retired: the owner ends its wait itself.
 *
 * Binding a handle's buffers (format /3). A handle is plain data: its fields
 * can be edited and its SharedArrayBuffers swapped for others of the same
 * size. Each buffer a shared pool hands out (slabs, node arenas) ends with a
 * 16-byte fingerprint (the pool id and the slab's index, or "nodes") that
 * no frame or node reaches, and the pin holds the handle's node count, arena
 * size, slab count and a hash of its size and mappings; the chunk header
 * holds the pool's id, page size and slab size. `attach` reads them all
 * before its compare-and-swap, so a handle that does not match its pin and
 * its pool is refused as forged having changed nothing (format /2 read a
 * swapped `nodes` or slab as zeros or as another version's bytes). A
 * byte-for-byte copy of a buffer is not told apart, and reads the same.
 *
 * @module
 */

import { MAX_PAGE_SHIFT, MAX_PAGES, MIN_PAGE_SHIFT } from "./constants.js";
/** The `format` of every handle this version of the package makes and accepts. */
export const HANDLE_FORMAT = "pagefork.shared-space/3";

/** Pin word states (see the module notes). @internal */
export const PIN_DEAD = 0;
/** @internal */
export const PIN_ISSUED = 1;
/** @internal */
export const PIN_ATTACHED = 2;
/** @internal */
export const PIN_RELEASED = 3;
/** The state bits of a pin word; above them, an ATTACHED word holds the attaching thread's tag. @internal */
export const PIN_STATE_MASK = 3;
/**
 * The ATTACHED word of a reader whose thread tag is `tag` (Node's
 * `threadId + 1`; 0 where the thread cannot tell its id, e.g. a browser). @internal
 */
export function attachedState(tag: number): number {
  return PIN_ATTACHED | (tag << 2);
}
/** Largest thread tag an ATTACHED word holds (int32, two state bits); a larger id counts as unknown (0). @internal */
export const MAX_THREAD_TAG = 2 ** 29 - 1;
/**
 * Int32 words of a pin: its state, then what the handle must say of the
 * version and of the SharedArrayBuffers it carries (checked by attach before
 * anything changes): root, levels, handle id, node count, the node arena's
 * capacity, the slab count and the layout hash. @internal
 */
export const PIN_WORDS = 8;
/** Offsets in a pin (from its state word): the pinned version's root, its levels, the handle id. @internal */
export const PIN_ROOT = 1;
/** @internal */
export const PIN_LEVELS = 2;
/** @internal */
export const PIN_ID = 3;
/** Offset in a pin: the handle's `nodeCount` (node indices handed out when it was made). @internal */
export const PIN_NODE_COUNT = 4;
/** Offset in a pin: the capacity in nodes of the arena whose buffer the handle carries (its size names it: the arena only doubles). @internal */
export const PIN_ARENA = 5;
/** Offset in a pin: the number of slabs the handle carries. @internal */
export const PIN_SLABS = 6;
/** Offset in a pin: {@link layoutHash} of the version's size and mappings. @internal */
export const PIN_LAYOUT = 7;
/**
 * Int32 words of a pin chunk's header: the wake counter at 0, the pool's page
 * size at 1, the pool id's low 32 bits at 2 and its high bits at 3, the pool's
 * full slab size at 4; 5 to 7 unused. @internal
 */
export const CHUNK_HEADER_WORDS = 8;
/** Header word of a pin chunk: the wake counter a reader bumps after a release. @internal */
export const CHUNK_WAKE = 0;
/** Header word of a pin chunk: the pool's page size in bytes. @internal */
export const CHUNK_PAGE_SIZE = 1;
/** Header words of a pin chunk: the pool id's low and high halves (see {@link poolIdWords}). @internal */
export const CHUNK_POOL_ID_LO = 2;
/** @internal */
export const CHUNK_POOL_ID_HI = 3;
/** Header word of a pin chunk: the pool's full slab size in bytes (at most 1 GiB). @internal */
export const CHUNK_SLAB_BYTES = 4;
/** Pin words per chunk: one SharedArrayBuffer allocation per 64 handles. @internal */
export const PIN_CHUNK_SLOTS = 64;
/** Bytes of a pin chunk (2,080: 8 header words, 64 pins of 8 words). @internal */
export const PIN_CHUNK_BYTES = (CHUNK_HEADER_WORDS + PIN_CHUNK_SLOTS * PIN_WORDS) * 4;
/** The pool id's words in a chunk header (a 52-bit integer as low and high halves). @internal */
export function poolIdWords(poolId: number): [lo: number, hi: number] {
  return [(poolId % 2 ** 32) | 0, Math.floor(poolId / 2 ** 32)];
}
/**
 * Bumps a pin chunk's wake counter and wakes the owner waiting on it (a
 * reader after a release; the owner itself when it retires a chunk). @internal
 */
export function wakeOwner(words: Int32Array): void {
  Atomics.add(words, CHUNK_WAKE, 1);
  Atomics.notify(words, CHUNK_WAKE);
}

/** A space's mappings as parallel arrays, ascending (what a handle or a copy carries). */
export interface MappingArrays {
  /** First byte address of each mapping. */
  readonly starts: readonly number[];
  /** One past the last byte address of each mapping. */
  readonly ends: readonly number[];
  /** Whether each mapping is read-write (false: read-only). */
  readonly writable: readonly boolean[];
}

/** Whether `x` is a non-negative safe integer. @internal */
export function isUint(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/** Whether `x` is a power of two from `lo` to `hi`. @internal */
export function isPow2(x: unknown, lo: number, hi: number): x is number {
  return isUint(x) && x >= lo && x <= hi && (x & (x - 1)) === 0;
}

/**
 * Whether `pageSize` and `size` are a page size and a space size the pool and
 * space constructors take (a power of two from 256 B to 64 KiB; a positive
 * safe integer of at most `MAX_PAGES` pages): a handle or a copy is refused
 * before anything changes, not by those constructors halfway through an
 * attach (a size they refused left a handle attached and pinned for good). @internal
 */
export function isSpaceGeometry(pageSize: unknown, size: unknown): boolean {
  return (
    isPow2(pageSize, 1 << MIN_PAGE_SHIFT, 1 << MAX_PAGE_SHIFT) &&
    isUint(size) &&
    size > 0 &&
    Math.ceil(size / pageSize) <= MAX_PAGES
  );
}

/**
 * Whether `m` is a well-formed mapping list of a space of `size` bytes and
 * `pageSize`-byte pages, as `share()` and `transferCopy()` write it: parallel
 * arrays of one length, each start a multiple of the page size, each end one
 * too (or `size`), `start < end`, ascending without overlap, inside
 * `[0, size]`, and a boolean protection each. O(mappings). Checked before an
 * attach changes anything: an unsorted, unaligned or out-of-range list made a
 * space whose reads faulted where the version was mapped, or read where it was
 * not. @internal
 */
export function isMappingArrays(m: unknown, pageSize: number, size: number): m is MappingArrays {
  if (typeof m !== "object" || m === null) return false;
  const { starts, ends, writable } = m as Partial<MappingArrays>;
  if (!Array.isArray(starts) || !Array.isArray(ends) || !Array.isArray(writable)) return false;
  const n = starts.length;
  if (ends.length !== n || writable.length !== n) return false;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const s = starts[i];
    const e = ends[i];
    if (typeof s !== "number" || !Number.isSafeInteger(s) || s < prev || s % pageSize !== 0) return false;
    if (typeof e !== "number" || !Number.isSafeInteger(e) || e <= s || e > size) return false;
    if (e % pageSize !== 0 && e !== size) return false;
    if (typeof writable[i] !== "boolean") return false;
    prev = e;
  }
  return true;
}

/**
 * A version of an address space handed to another thread: what
 * {@link AddressSpace.share} returns and {@link AddressSpace.attach} takes.
 * Plain data (numbers, arrays, SharedArrayBuffers), so `postMessage` carries
 * it as it is, in O(slabs): no page is copied. Treat it as opaque; a handle
 * whose fields were changed is refused with {@link InvalidHandleError}.
 */
export interface SharedSpaceHandle {
  /**
   * `"pagefork.shared-space/3"`: what {@link AddressSpace.attach} checks
   * first. (`/1` had a pin word and a pool header of its own; `/2` did not
   * bind its SharedArrayBuffers to the pool: `/3` buffers end with a
   * fingerprint and its pin words hold what the handle must say.)
   */
  readonly format: typeof HANDLE_FORMAT;
  /** Random id of the pool that made it (shared between its handles). */
  readonly poolId: number;
  /** Id of this handle within its pool, from 1. */
  readonly id: number;
  /** Page size in bytes. */
  readonly pageSize: number;
  /** Full slab size of the pool in bytes. */
  readonly slabBytes: number;
  /** The pool's slabs when the handle was made, in pfn order. */
  readonly slabs: readonly SharedArrayBuffer[];
  /** The pool's page-table node arena when the handle was made. */
  readonly nodes: SharedArrayBuffer;
  /** Node indices handed out when the handle was made (every node of the version is below). */
  readonly nodeCount: number;
  /** Page-table root of the version. */
  readonly root: number;
  /** Page-table levels of the version. */
  readonly levels: number;
  /** Size of the space in bytes. */
  readonly size: number;
  /** The version's mappings. */
  readonly mappings: MappingArrays;
  /**
   * The pin chunk holding this handle's pin word: a header (the pool's wake
   * counter for this chunk, the pool id) and 64 pin words (state, root,
   * levels, id as int32s), shared by up to 64 handles of the pool.
   */
  readonly pins: SharedArrayBuffer;
  /** This handle's pin word in `pins`, 0 to 63. */
  readonly slot: number;
}

/**
 * A worker as far as sharing needs one: Node's `worker_threads.Worker` (its
 * `"exit"` event drops the worker's pins). In a browser, where a Worker has
 * no exit event, call {@link FramePool.dropWorker} after `terminate()`.
 */
export interface WorkerLike {
  /** Subscribes once to an event; only `"exit"` is used. */
  once(event: "exit", listener: () => void): unknown;
  /**
   * Unsubscribes (Node's `EventEmitter` has it): used, when present, once
   * the worker holds no pin of the pool, since the listener keeps the pool
   * alive as long as the worker.
   */
  removeListener?(event: "exit", listener: () => void): unknown;
}

/** Options of {@link AddressSpace.share}. */
export interface ShareOptions {
  /**
   * The worker the handle is for. When it exits (ends, crashes or is
   * terminated), every pin of the handles made for it is dropped, attached
   * or not; for a Node `Worker` that has exited already, the pin is dropped
   * at once (the handle is released: a message to it is dropped anyway).
   * Without it, only `release()` in the reader (or `pool.unshare`
   * before it attached) drops the pin.
   */
  worker?: WorkerLike | object;
}
