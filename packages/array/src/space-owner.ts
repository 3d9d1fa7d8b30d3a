/**
 * The owner of one address space shared by several views (an array and its
 * subarrays), as an ArrayBuffer is shared by the TypedArrays over it; for an
 * embedded array, the owner of its blocks in the embedder's heap.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";

/**
 * Where an embedded array's blocks are: the heap, its header block and its
 * element block (0: none; a vector's moves when it grows). A record of its
 * own, made only for embedded arrays, so a standalone array's owner (one per
 * kept version of a standalone array) has three fields fewer (issue 13).
 * @internal
 */
class EmbeddedBlocks {
  readonly heap: Heap;
  readonly header: number;
  data: number;

  constructor(heap: Heap, header: number, data: number) {
    this.heap = heap;
    this.header = header;
    this.data = data;
  }
}

/**
 * Holds the space, counts the live views over it, and counts writes.
 *
 * - `views`: the space (standalone) or the header and element blocks
 *   (embedded) are released with the last view over them.
 * - `writes`: a write generation, bumped by every call that writes the space
 *   through a view (and by `release()`). Readers that hold page spans (the
 *   iterators, the callback loops) compare it after every element they hand
 *   to user code: a write may have moved the page to another frame (a
 *   copy-on-write fault) or grown the slab under the span, so on a change they
 *   re-translate before they read on. Writes made directly through `space`
 *   are not counted (see the iterator notes in the README).
 * - `heap`, `header`, `data`: for an embedded array or vector, the heap it
 *   lives in, the address of its header block and of its element block (0:
 *   none; a vector's moves when it grows); null and 0 for a standalone one,
 *   which owns its whole space. Getters over an {@link EmbeddedBlocks}
 *   record, null for a standalone owner.
 *
 * @internal
 */
export class SpaceOwner {
  readonly space: AddressSpace;
  views: number;
  writes: number;
  private readonly blocks: EmbeddedBlocks | null;

  constructor(space: AddressSpace, heap: Heap | null = null, header = 0, data = 0) {
    this.space = space;
    this.views = 1;
    this.writes = 0;
    this.blocks = heap === null ? null : new EmbeddedBlocks(heap, header, data);
  }

  /** The heap of an embedded array; null for a standalone one. */
  get heap(): Heap | null {
    const b = this.blocks;
    return b === null ? null : b.heap;
  }

  /** Byte address of an embedded array's header block; 0 for a standalone one. */
  get header(): number {
    const b = this.blocks;
    return b === null ? 0 : b.header;
  }

  /** Byte address of an embedded array's element block (0: none, and for a standalone one). */
  get data(): number {
    const b = this.blocks;
    return b === null ? 0 : b.data;
  }

  /** Records an embedded array's new element block (a vector's grows). */
  set data(address: number) {
    if (this.blocks === null) throw new Error("internal error: a standalone array has no element block");
    this.blocks.data = address;
  }

  /**
   * Drops one view; with the last one of a standalone array releases the
   * space (an embedded one's blocks were freed by `freeBlocks` first).
   */
  drop(): void {
    this.writes++;
    if (--this.views === 0 && this.heap === null) this.space.release();
  }

  /**
   * Frees the element and header blocks of an embedded array (before its
   * last view drops; the caller reserved the frames of both frees). The
   * first free is refused before it changes anything (ProtectionFault in a
   * frozen space); after it the second cannot fail.
   */
  freeBlocks(): void {
    const b = this.blocks as EmbeddedBlocks;
    b.heap.free(b.data);
    b.data = 0;
    b.heap.free(b.header);
  }
}
