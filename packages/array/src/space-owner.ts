/**
 * The owner of one address space shared by several views (an array and its
 * subarrays), as an ArrayBuffer is shared by the TypedArrays over it.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";

/**
 * Holds the space, counts the live views over it, and counts writes.
 *
 * - `views`: the space is released when the last view over it is.
 * - `writes`: a write generation, bumped by every call that writes the space
 *   through a view (and by `release()`). Readers that hold page spans (the
 *   iterators, the callback loops) compare it after every element they hand
 *   to user code: a write may have moved the page to another frame (a
 *   copy-on-write fault) or grown the slab under the span, so on a change they
 *   re-translate before they read on. Writes made directly through `space`
 *   are not counted (see the iterator notes in the README).
 *
 * @internal
 */
export class SpaceOwner {
  readonly space: AddressSpace;
  views: number;
  writes: number;

  constructor(space: AddressSpace) {
    this.space = space;
    this.views = 1;
    this.writes = 0;
  }

  /** Drops one view; releases the space with the last one. */
  drop(): void {
    this.writes++;
    if (--this.views === 0) this.space.release();
  }
}
