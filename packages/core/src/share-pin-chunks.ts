/**
 * The owner's pin chunks (format in share-format.ts): one SharedArrayBuffer
 * per 64 handles, holding a header (the wake counter, the pool id, page and
 * slab size) and 64 pin words, filled in order and never reused. The owner
 * keeps the chunk new pins go to and every chunk with a live pin, and waits
 * (`Atomics.waitAsync`, without blocking and without keeping a Node process
 * alive) on the wake counter of each chunk with a live pin: a reader's
 * release bumps it, and the owner sweeps (share.ts).
 *
 * A pending wait is a garbage-collection root: the engine's list of waiters
 * holds its promise and callback, so the registry, the pool and its slabs.
 * So a chunk's wait ends with its last pin, whoever dropped it.
 *
 * @module
 */
import { throwRefused } from "./errors.js";
import {
  CHUNK_PAGE_SIZE,
  CHUNK_POOL_ID_HI,
  CHUNK_POOL_ID_LO,
  CHUNK_SLAB_BYTES,
  CHUNK_WAKE,
  PIN_CHUNK_BYTES,
  PIN_CHUNK_SLOTS,
  poolIdWords,
  wakeOwner,
} from "./share-format.js";

/** A pin chunk (see the module notes). @internal */
export interface PinChunk {
  readonly buffer: SharedArrayBuffer;
  /** The whole chunk as int32s: the header, then the pin words. */
  readonly words: Int32Array;
  /** Slots handed out (never reused). */
  used: number;
  /** Pins of this chunk not dropped yet. */
  live: number;
  /** The wake counter at the last sweep. */
  seen: number;
  /** A waitAsync on the wake counter is pending. */
  armed: boolean;
}

/** What a chunk's header says of its pool. @internal */
export interface ChunkHeader {
  readonly poolId: number;
  readonly pageSize: number;
  readonly slabBytes: number;
}

type AsyncWaiter = (
  a: Int32Array,
  index: number,
  value: number,
) => { async: boolean; value: Promise<unknown> | string };

/** The pin chunks of one shared pool, and the owner's waits on them. @internal */
export class PinChunks {
  private readonly header: ChunkHeader;
  /** Called when a wait ends (a reader released a pin, or the wait was ended): the registry's sweep. */
  private readonly onWake: () => void;
  /** The chunk new pins go to (null before the first share). */
  private current: PinChunk | null;
  /** The current chunk and every chunk with a live pin. */
  private readonly chunks: Set<PinChunk>;

  constructor(header: ChunkHeader, onWake: () => void) {
    this.header = header;
    this.onWake = onWake;
    this.current = null;
    this.chunks = new Set();
  }

  /** Chunks kept: the current one and every one with a live pin. O(1). */
  get size(): number {
    return this.chunks.size;
  }

  /**
   * The current chunk, or a new one when it is full (or there is none).
   * @throws {OutOfMemoryError} when the engine refuses the new chunk (nothing changed).
   */
  withRoom(): PinChunk {
    const cur = this.current;
    if (cur !== null && cur.used < PIN_CHUNK_SLOTS) return cur;
    let buffer: SharedArrayBuffer;
    try {
      buffer = new SharedArrayBuffer(PIN_CHUNK_BYTES);
    } catch (e) {
      throwRefused(e, PIN_CHUNK_BYTES, "a pin chunk");
    }
    const words = new Int32Array(buffer);
    const [lo, hi] = poolIdWords(this.header.poolId);
    words[CHUNK_PAGE_SIZE] = this.header.pageSize;
    words[CHUNK_POOL_ID_LO] = lo;
    words[CHUNK_POOL_ID_HI] = hi;
    words[CHUNK_SLAB_BYTES] = this.header.slabBytes;
    const chunk: PinChunk = { buffer, words, used: 0, live: 0, seen: 0, armed: false };
    this.current = chunk;
    this.chunks.add(chunk);
    if (cur !== null && cur.live === 0) this.retire(cur);
    return chunk;
  }

  /**
   * Counts a dropped pin of `chunk`. With its last one, a full chunk is
   * retired and the current one's wait ended (no reader will bump its
   * counter again; left pending after the owner itself dropped the last pin,
   * by unshare or dropWorker, it kept the whole pool for good). O(1).
   */
  pinDropped(chunk: PinChunk): void {
    if (--chunk.live > 0) return;
    if (chunk !== this.current) this.retire(chunk);
    else endWait(chunk);
  }

  /**
   * Whether a wake counter moved since the last call (a reader may have
   * released a pin), recording what each one says now. O(chunks).
   */
  countersMoved(): boolean {
    let changed = false;
    for (const c of this.chunks) {
      const now = Atomics.load(c.words, CHUNK_WAKE);
      if (now !== c.seen) {
        c.seen = now;
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Waits (without blocking, and without keeping a Node process alive) for
   * the next release by a reader of `chunk`'s pins, then calls `onWake`;
   * re-armed while the chunk has live pins. Where `Atomics.waitAsync` is
   * missing, sweeps happen at the next use.
   */
  arm(chunk: PinChunk): void {
    if (chunk.armed) return;
    const waitAsync = (Atomics as unknown as { waitAsync?: AsyncWaiter }).waitAsync;
    if (typeof waitAsync !== "function") return;
    // Wait on the counter value the last sweep saw, not on a fresh read: a
    // release that landed after that sweep read the counter (its pin already
    // passed over) makes the wait return at once ("not-equal"), and is swept
    // here; waiting on a fresh value would leave it pinned until the next
    // release or use of the pool.
    let r = waitAsync(chunk.words, CHUNK_WAKE, chunk.seen);
    while (!r.async) {
      this.onWake();
      if (chunk.live === 0) return;
      r = waitAsync(chunk.words, CHUNK_WAKE, chunk.seen);
    }
    chunk.armed = true;
    (r.value as Promise<unknown>).then(() => {
      chunk.armed = false;
      this.onWake();
      if (chunk.live > 0) this.arm(chunk);
    });
  }

  /** Forgets a full chunk whose pins were all dropped, ending its wait. */
  private retire(chunk: PinChunk): void {
    this.chunks.delete(chunk);
    endWait(chunk);
  }
}

/**
 * Ends `chunk`'s pending wait (its last pin was dropped): its callback does
 * not re-arm (live is 0); the next pin of the chunk arms it again. O(1).
 */
function endWait(chunk: PinChunk): void {
  if (chunk.armed) wakeOwner(chunk.words);
}
