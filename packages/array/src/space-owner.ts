/**
 * The owner of one address space shared by several views (an array and its
 * subarrays), as an ArrayBuffer is shared by the TypedArrays over it; for an
 * embedded array, the owner of its blocks in the embedder's heap.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";

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
 *   which owns its whole space.
 *
 * @internal
 */
export class SpaceOwner {
  readonly space: AddressSpace;
  views: number;
  writes: number;
  readonly heap: Heap | null;
  readonly header: number;
  data: number;

  constructor(space: AddressSpace, heap: Heap | null = null, header = 0, data = 0) {
    this.space = space;
    this.views = 1;
    this.writes = 0;
    this.heap = heap;
    this.header = header;
    this.data = data;
  }

  /**
   * Drops one view; with the last one releases the space (standalone) or
   * frees the element and header blocks (embedded: the caller reserved the
   * frames of both frees; nothing to free once the embedder released the space).
   */
  drop(): void {
    this.writes++;
    if (--this.views > 0) return;
    const heap = this.heap;
    if (heap === null) this.space.release();
    else if (!this.space.released) {
      heap.free(this.data);
      heap.free(this.header);
    }
  }
}
