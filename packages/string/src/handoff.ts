/**
 * The hand-off to CowText's constructor from `fork()`, `attachShared()`,
 * `create()`/`attach()` (embedded texts) and `adoptText()`: one preallocated
 * object, filled by one of its methods and passed as the constructor's
 * argument, which recognises it by identity (`options === handoff`; no user
 * can pass it) and takes what it holds. So forks, attached and embedded
 * texts are made by the one public constructor (one hidden class for every
 * handle) without an options object or a validation pass, and the data flow
 * is in the call, not in module variables. The constructor reads it at once
 * and clears it (it keeps nothing alive); JS runs nothing in between.
 *
 * @module
 */
import type { Heap } from "@pagefork/core";
import type { CowText } from "./cow-text.js";
import type { AttachedText } from "./shared.js";

/** What a CowText handle is made from, other than options. @internal */
export class TextHandoff {
  /** fork(): the text whose space is forked (root, height and length are copied). */
  parent: CowText | null;
  /** attachShared() / adoptText(): a ready space with its root, height and length. */
  attached: AttachedText | null;
  /** create() / attach(): the heap of an embedded text (its header is in `header`). */
  heap: Heap | null;
  /** With `heap`: the address of the text's header block. */
  at: number;

  constructor() {
    this.parent = null;
    this.attached = null;
    this.heap = null;
    this.at = 0;
  }

  /** For `fork()` of `parent`. */
  fork(parent: CowText): this {
    this.parent = parent;
    return this;
  }

  /** For a text over a ready space. */
  adopt(attached: AttachedText): this {
    this.attached = attached;
    return this;
  }

  /** For an embedded text whose header block is at `at` in `heap`. */
  embed(heap: Heap, at: number): this {
    this.heap = heap;
    this.at = at;
    return this;
  }
}

/** The one hand-off object (see the module notes). @internal */
export const handoff = new TextHandoff();
