/**
 * The hand-off from `fork()`, `subarray()`, `create()`, `attach()` and
 * `attachShared()` to the constructor of a CowTypedArray kind or of
 * CowVector: a ready space (and the owner of its views, unless the new
 * array is to own the space itself) and the window over it, passed as the
 * constructor's first argument, so that forks, views and attached arrays are
 * made by the class's own constructor (one hidden class per class) without
 * an options object or a validation pass.
 *
 * @module
 */
import type { AddressSpace } from "@pagefork/core";
import type { ElementKind } from "./kinds.js";
import type { ViewOwner } from "./space-owner.js";

/**
 * What a constructor adopts instead of making a space. Every field is set in
 * the constructor (one hidden class). One instance, {@link adoption}, serves
 * every hand-off (constructors recognise it by identity: `arg === adoption`): {@link Adoption.of} fills it and returns it, the
 * constructor reads it at once and clears `space` and `owner` (so that the
 * object keeps no space alive), and JS runs nothing in between: nothing is
 * allocated per fork or view.
 *
 * @internal
 */
export class Adoption {
  /** The space (null once a constructor has taken it). */
  space: AddressSpace | null;
  /**
   * The owner of the views over `space`, or null when the new array owns it
   * itself (a new standalone array or vector, a fork, an attached version:
   * see space-owner.ts).
   */
  owner: ViewOwner | null;
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
    this.space = null;
    this.owner = null;
    this.kind = null;
    this.byteOffset = 0;
    this.len = 0;
    this.maxLen = 0;
    this.capBytes = 0;
  }

  /** Fills the hand-off and returns it, to be passed straight to a constructor. */
  of(
    space: AddressSpace,
    owner: ViewOwner | null,
    kind: ElementKind | null,
    byteOffset: number,
    len: number,
    maxLen: number,
    capBytes: number,
  ): Adoption {
    this.space = space;
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
   * knows its kind and has no capacity); four stores on the path of every
   * `subarray()` and `fork()`.
   */
  window(space: AddressSpace, owner: ViewOwner | null, byteOffset: number, len: number): Adoption {
    this.space = space;
    this.owner = owner;
    this.byteOffset = byteOffset;
    this.len = len;
    return this;
  }

  /**
   * The space, taken: `space` and `owner` are cleared so that this object
   * keeps no space alive (`kind` is a table entry). Read `owner` first.
   */
  take(): AddressSpace {
    const space = this.space as AddressSpace;
    this.space = null;
    this.owner = null;
    return space;
  }
}

/** @internal The one preallocated hand-off (see {@link Adoption}). */
export const adoption = new Adoption();
