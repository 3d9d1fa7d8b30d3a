/**
 * The hand-off from `fork()`, `subarray()`, `create()`, `attach()` and
 * `attachShared()` to the constructor of a CowTypedArray kind or of
 * CowVector: a ready space owner and the window over it, passed as the
 * constructor's first argument, so that forks, views and attached arrays are
 * made by the class's own constructor (one hidden class per class) without
 * an options object or a validation pass.
 *
 * @module
 */
import type { ElementKind } from "./kinds.js";
import type { SpaceOwner } from "./space-owner.js";

/**
 * What a constructor adopts instead of making a space. Every field is set in
 * the constructor (one hidden class). One instance, {@link adoption}, serves
 * every hand-off (constructors recognise it by identity: `arg === adoption`): {@link Adoption.of} fills it and returns it, the
 * constructor reads it at once and clears `owner` (so that the object keeps
 * no space alive), and JS runs nothing in between: nothing is allocated per
 * fork or view.
 *
 * @internal
 */
export class Adoption {
  /** The owner of the space (null once a constructor has taken it). */
  owner: SpaceOwner | null;
  /** Element kind (CowVector reads it; a typed-array kind knows its own). */
  kind: ElementKind | null;
  /** Byte offset of element 0 in the space. */
  byteOffset: number;
  /** Number of elements. */
  len: number;
  /** CowVector: most elements the space holds. */
  maxLen: number;
  /** CowVector: bytes of room for elements. */
  capBytes: number;

  constructor() {
    this.owner = null;
    this.kind = null;
    this.byteOffset = 0;
    this.len = 0;
    this.maxLen = 0;
    this.capBytes = 0;
  }

  /** Fills the hand-off and returns it, to be passed straight to a constructor. */
  of(
    owner: SpaceOwner,
    kind: ElementKind | null,
    byteOffset: number,
    len: number,
    maxLen: number,
    capBytes: number,
  ): Adoption {
    this.owner = owner;
    this.kind = kind;
    this.byteOffset = byteOffset;
    this.len = len;
    this.maxLen = maxLen;
    this.capBytes = capBytes;
    return this;
  }

  /**
   * Fills only the window (what a fixed-length array's constructor reads: it
   * knows its kind and has no capacity); three stores on the path of every
   * `subarray()` and `fork()`.
   */
  window(owner: SpaceOwner, byteOffset: number, len: number): Adoption {
    this.owner = owner;
    this.byteOffset = byteOffset;
    this.len = len;
    return this;
  }

  /** The owner, taken: `owner` is cleared so that this object keeps no space alive (`kind` is a table entry). */
  take(): SpaceOwner {
    const owner = this.owner as SpaceOwner;
    this.owner = null;
    return owner;
  }
}

/** @internal The one preallocated hand-off (see {@link Adoption}). */
export const adoption = new Adoption();
