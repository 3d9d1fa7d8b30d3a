/**
 * Brand checks that work across copies of the package. A program can load
 * @pagefork/core twice (its ESM and its CJS build, or two versions): each
 * copy has its own `FramePool` class, so `pool instanceof FramePool` refuses a
 * pool made by the other copy although it works the same. Instead, each
 * class's prototype carries a registered symbol (`Symbol.for`, one symbol
 * for the whole process), and `isFramePool(x)` and its siblings test it.
 *
 * The brand sits on the prototype, set once when the class is defined, not
 * on each instance: an own field would grow every AddressSpace and slow
 * `fork()`, which constructs one per call. Its value is
 * {@link CORE_BRAND_VERSION}: the version of the fields that one copy's code
 * reads in another copy's objects, so that a copy whose objects are laid out
 * differently is refused rather than misread.
 *
 * The error classes carry a brand too, and their `instanceof` uses it: a
 * `catch (e) { if (e instanceof OutOfMemoryError) ... }` recognises the error
 * whichever copy threw it.
 *
 * @module
 */
import type { AddressSpace } from "./address-space.js";
import type { FramePool } from "./frame-pool.js";
import type { Heap } from "./heap/heap.js";

/**
 * Version of the object layouts that copies of the core share: the brand
 * value of every class. Bumped when a field that another copy's code reads
 * changes meaning.
 */
export const CORE_BRAND_VERSION = 1;

/** @internal Brand of FramePool. */
export const FRAME_POOL_BRAND: unique symbol = Symbol.for("@pagefork/core.FramePool") as never;
/** @internal Brand of AddressSpace. */
export const ADDRESS_SPACE_BRAND: unique symbol = Symbol.for("@pagefork/core.AddressSpace") as never;
/** @internal Brand of Heap. */
export const HEAP_BRAND: unique symbol = Symbol.for("@pagefork/core.Heap") as never;
/** @internal Brand of the error classes; its value is the error's `code`. */
export const ERROR_BRAND: unique symbol = Symbol.for("@pagefork/core.Error") as never;

/** @internal Puts `value` under `key` on `cls.prototype` (not enumerable, not writable). */
export function brandClass(cls: { prototype: object }, key: symbol, value: unknown = CORE_BRAND_VERSION): void {
  Object.defineProperty(cls.prototype, key, { value, enumerable: false, writable: false, configurable: false });
}

function branded(x: unknown, key: symbol, value: unknown): boolean {
  return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[key] === value;
}

/**
 * True for a {@link FramePool}, from this copy of @pagefork/core or another
 * (the ESM and the CJS build, say): what the library checks instead of
 * `instanceof FramePool`. O(1).
 * @example
 * ```ts
 * [isFramePool(new FramePool()), isFramePool({ pageSize: 4096 })]; // [true, false]
 * ```
 */
export function isFramePool(x: unknown): x is FramePool {
  return branded(x, FRAME_POOL_BRAND, CORE_BRAND_VERSION);
}

/**
 * True for an {@link AddressSpace} (released or not), from any copy of
 * @pagefork/core. O(1).
 * @example
 * ```ts
 * const s = new AddressSpace({ size: 4096 });
 * [isAddressSpace(s), isAddressSpace(new ArrayBuffer(8))]; // [true, false]
 * s.release();
 * ```
 */
export function isAddressSpace(x: unknown): x is AddressSpace {
  return branded(x, ADDRESS_SPACE_BRAND, CORE_BRAND_VERSION);
}

/**
 * True for a {@link Heap} handle, from any copy of @pagefork/core. O(1).
 * @example
 * ```ts
 * const space = new AddressSpace({ size: 1 << 20, pageSize: 256 });
 * [isHeap(Heap.create(space, { base: 256 })), isHeap(space)]; // [true, false]
 * space.release();
 * ```
 */
export function isHeap(x: unknown): x is Heap {
  return branded(x, HEAP_BRAND, CORE_BRAND_VERSION);
}

/**
 * `x instanceof cls` for the error classes: the prototype chain as usual, and
 * for the class itself (not a subclass) any error that carries its brand,
 * from whichever copy of the package threw it.
 */
function errorHasInstance(cls: object, base: object, code: string, x: unknown): boolean {
  return Function.prototype[Symbol.hasInstance].call(cls, x) || (cls === base && branded(x, ERROR_BRAND, code));
}

/**
 * Makes `instanceof cls` recognise an error of class `cls` thrown by any copy
 * of the package that defines it (its ESM and its CJS build, say), as every
 * error class of the pagefork packages does: it brands `cls.prototype` with `code` and
 * gives `cls` a `Symbol.hasInstance` that accepts, besides the prototype
 * chain, any object carrying the same brand. Subclasses of `cls` keep plain
 * prototype-chain `instanceof`. For the sibling packages' error classes
 * (`KeyTypeError`, `SchemaError`...); call it once, right after the class.
 *
 * Costs nothing per error: the brand sits on the prototype. `instanceof` is
 * O(prototype chain).
 *
 * @param cls - the error class (its instances must carry `code`).
 * @param code - its stable error code, e.g. `"ERR_KEY_TYPE"`; unique across
 *   the pagefork packages.
 * @throws TypeError if `cls` already has a brand.
 * @example
 * ```ts
 * class MyError extends Error {
 *   readonly code = "ERR_MINE";
 * }
 * brandErrorClass(MyError, "ERR_MINE");
 * // An error from another copy of the package: a different class, the same brand.
 * class Copy extends Error {}
 * brandErrorClass(Copy, "ERR_MINE");
 * [new Copy() instanceof MyError, new Error() instanceof MyError]; // [true, false]
 * ```
 */
export function brandErrorClass(cls: abstract new (...args: never[]) => Error, code: string): void {
  brandClass(cls, ERROR_BRAND, code);
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: object, x: unknown): boolean {
      return errorHasInstance(this, cls, code, x);
    },
  });
}
