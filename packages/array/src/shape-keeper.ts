/**
 * One tiny array per class, and one vector, kept for the module's life, so
 * that V8 keeps the hidden classes of the arrays alive (a standalone array
 * is its own space's owner, space-owner.ts; the SpaceOwner of embedded
 * arrays is not kept here) (the array package's counterpart of the core's
 * `shapeKeeper` in address-space.ts).
 *
 * Why: V8 holds the maps an object reaches through its constructor's field
 * stores only while some object uses them. When every array of a class has
 * been dropped (a warm-up round, a closed document, a finished test), the
 * next ones are built on new maps, and at the next GC every optimized
 * function that embedded the old ones is deoptimized ("weak objects" in
 * `--trace-deopt`: `fork`, `forkSpace`, `adopt`, `adoptInto`, `set`, the
 * class's constructor, `SpaceOwner`), to be compiled again only after
 * thousands more calls. Measured 2026-12-06: a 100K-element
 * CowFloat64Array, 20,000 versions (fork + one write) on a pool that was then
 * dropped and collected, then 1,000 versions on a new pool: 7 such deopts
 * without a kept array, none with one.
 *
 * Cost: one pool of 256-byte pages, a frame per kept class used (about
 * 1 KB each), made with the first array of the kind or of a subclass of it;
 * importing the module allocates nothing. Never throws: without it only the
 * optimization is lost.
 *
 * @module
 */
import { FramePool } from "@pagefork/core";
import type { CowArrayOptions } from "./options.js";

/** Slot of CowVector in {@link shapesKept}, past the eleven kind codes. */
export const VECTOR_SHAPES = 11;
/** 1 at index `kind.code` once that Cow*Array class has its kept array; at {@link VECTOR_SHAPES} once CowVector has. */
export const shapesKept = new Uint8Array(16);
const keepers: object[] = [];
let keeperPool: FramePool | null = null;

function pool(): FramePool {
  keeperPool ??= new FramePool({ pageSize: 256, reclaimDropped: false });
  return keeperPool;
}

/** A kept structure: forked and iterated. */
interface Iterated {
  fork(): object;
  [Symbol.iterator](): Iterator<unknown>;
  keys(): Iterator<unknown>;
  entries(): Iterator<unknown>;
}

/**
 * Keeps an iterator of each kind over `a` (values, keys, entries), each run
 * to its end. Why (session 33, `--trace-deopt` and `--trace-generalization`
 * of W2's `for..of` timing): an iterator reaches its hidden class through
 * field stores that V8 holds only while some iterator lives. Dropped after
 * each loop, the class died at every full GC ("weak objects": `next`,
 * `refill` and the caller's loop deoptimized), and the next iterator rebuilt
 * it with every field constant, so its end (`view = null`) generalized it
 * again and threw the fresh code away ("code dependencies"). Kept run to the
 * end, the class stays, with its fields already general.
 */
function keepIterators(a: Iterated): void {
  for (const it of [a[Symbol.iterator](), a.keys(), a.entries()]) {
    while (it.next().done !== true);
    keepers.push(it);
  }
}

/**
 * Keeps an array of kind code `code` and a fork of it. `Ctor` is the class
 * being constructed: the kept array is of the kind's own class, the first
 * class up `Ctor`'s chain with its own `elementKind` (a user's subclass is
 * never constructed here: its constructor may take other arguments or have
 * effects).
 */
export function keepTypedShapes(code: number, Ctor: object): void {
  shapesKept[code] = 1; // first: the constructor below calls back here
  let Own: object | null = Ctor;
  while (Own !== null && !Object.hasOwn(Own, "elementKind")) Own = Object.getPrototypeOf(Own) as object | null;
  if (Own === null) return;
  try {
    const a = new (Own as new (length: number, options: CowArrayOptions) => Iterated)(1, { pool: pool() });
    keepers.push(a, a.fork());
    keepIterators(a);
  } catch {
    // An engine out of memory for 1 KB: the caller's own allocation will say so.
  }
}

/** Keeps a vector and a fork of it (`make` builds one in the given pool). */
export function keepVectorShapes(make: (pool: FramePool) => Iterated): void {
  shapesKept[VECTOR_SHAPES] = 1; // first: the constructor below calls back here
  try {
    const v = make(pool());
    keepers.push(v, v.fork());
    keepIterators(v);
  } catch {
    // as above
  }
}
