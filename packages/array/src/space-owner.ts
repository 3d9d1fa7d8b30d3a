/**
 * The owner of one address space shared by several views (an array and its
 * subarrays), as an ArrayBuffer is shared by the TypedArrays over it; for an
 * embedded array, the owner of its blocks in the embedder's heap.
 *
 * A standalone array is its own owner: the array that made or forked the
 * space holds the owner's two counters itself, and its subarrays point at
 * it. One object per kept version of a standalone array instead of two (the
 * array and a separate owner record of 56 bytes): a `CowFloat64Array` fork
 * kept in a history costs ~40 bytes of JS heap less (issue 13). An embedded
 * array's owner is a {@link SpaceOwner}, which also records its blocks.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";

/**
 * The key of a view owner's embedding: the {@link SpaceOwner} itself for an
 * embedded array, null for a standalone array (a constant on the arrays'
 * prototype, so it costs no field). A symbol, not a name: a user's subclass
 * of a COW array cannot shadow it by accident.
 * @internal
 */
export const EMBEDDING: unique symbol = Symbol("@pagefork/array embedding");

/**
 * What the views over one space share:
 *
 * - `views`: the space (standalone) or the header and element blocks
 *   (embedded) are released with the last view over them.
 * - `writes`: a write generation, bumped by every call that writes the space
 *   through a view (and by `release()`). Readers that hold page spans (the
 *   iterators, the callback loops) compare it after every element they hand
 *   to user code: a write may have moved the page to another frame (a
 *   copy-on-write fault) or grown the slab under the span, so on a change they
 *   re-translate before they read on. Writes made directly through `space`
 *   (or a standalone array's proxy view) are not counted here: the readers
 *   also compare the pool's page-table epoch, which every change of a frame
 *   moves (scan.ts).
 * - `[EMBEDDING]`: the embedded array's {@link SpaceOwner} (its heap, header
 *   and element blocks), or null for a standalone array, which owns its whole
 *   space.
 *
 * Implemented by a standalone array itself (see the module comment) and by
 * {@link SpaceOwner}.
 * @internal
 */
export interface ViewOwner {
  readonly space: AddressSpace;
  views: number;
  writes: number;
  readonly [EMBEDDING]: SpaceOwner | null;
}

/**
 * The owner of an embedded array's or vector's blocks: the heap it lives in,
 * the address of its header block and of its element block (0: none; a
 * vector's moves when it grows), and the counters of {@link ViewOwner}.
 * @internal
 */
export class SpaceOwner implements ViewOwner {
  readonly space: AddressSpace;
  views: number;
  writes: number;
  readonly heap: Heap;
  readonly header: number;
  data: number;

  constructor(heap: Heap, header: number, data: number) {
    this.space = heap.space;
    this.views = 1;
    this.writes = 0;
    this.heap = heap;
    this.header = header;
    this.data = data;
  }

  /** An embedded array's owner is its own embedding record. */
  get [EMBEDDING](): SpaceOwner {
    return this;
  }

  /**
   * Frees the element and header blocks (before the last view drops; the
   * caller reserved the frames of both frees). The first free is refused
   * before it changes anything (ProtectionFault in a frozen space); after it
   * the second cannot fail.
   */
  freeBlocks(): void {
    this.heap.free(this.data);
    this.data = 0;
    this.heap.free(this.header);
  }
}

/**
 * Drops one view of `owner`; with the last one of a standalone array
 * releases the space (an embedded one's blocks were freed by `freeBlocks`
 * first). O(1), plus the release.
 * @internal
 */
export function dropView(owner: ViewOwner): void {
  owner.writes++;
  if (--owner.views === 0 && owner[EMBEDDING] === null) owner.space.release();
}
