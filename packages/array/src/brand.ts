/**
 * Recognising a COW array made by another copy of the package (its ESM and
 * its CJS build, say), where `instanceof CowElements` is false: the
 * prototype of every COW array carries a registered symbol (see brand.ts in
 * @pagefork/core, which does the same for FramePool, AddressSpace and Heap).
 * A foreign array then goes through the COW-array paths of `set` and `from`
 * (its `space`, `byteOffset`, `len` and `kind` fields), rather than being read
 * as an array-like, which has no indices and would give NaNs.
 *
 * @module
 */
import type { CowElements } from "./cow-elements.js";

/**
 * Version of the fields another copy reads (`space`, `owner`, `byteOffset`,
 * `len`, `kind.code/bytes/bigint/Native`, `check()`): the brand's value.
 */
const ARRAY_BRAND_VERSION = 1;

/** The brand: a registered symbol, the same in every copy of the package. */
const COW_ARRAY_BRAND: unique symbol = Symbol.for("@pagefork/array.CowElements") as never;

/** Marks `cls.prototype` as a COW array's (once, when the class is defined). */
export function brandCowArrayClass(cls: { prototype: object }): void {
  Object.defineProperty(cls.prototype, COW_ARRAY_BRAND, { value: ARRAY_BRAND_VERSION });
}

/** True for a COW array or vector of any kind, from any copy of the package. O(1). */
export function isCowArray(x: unknown): x is CowElements<number | bigint> {
  return (
    typeof x === "object" &&
    x !== null &&
    (x as { [COW_ARRAY_BRAND]?: unknown })[COW_ARRAY_BRAND] === ARRAY_BRAND_VERSION
  );
}
