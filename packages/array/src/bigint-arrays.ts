/**
 * The 64-bit integer kinds: CowBigInt64Array and CowBigUint64Array, whose elements are bigints. Each shares every method of
 * {@link CowTypedArray}; it adds only the typed fast path of `get(index)` and
 * `set(index, value)` (a bounds check and one typed accessor of the address
 * space, which TurboFan inlines into the caller's loop: a shared, kind-generic
 * path would dispatch on the kind per element) and the kind's types for
 * `toTypedArray` and `spans`.
 *
 * @module
 */
import type { PageSpanCursor, ProxyView } from "@pagefork/core";
import type { CowElements } from "./cow-elements.js";
import { CowTypedArray, kindOnPrototype } from "./cow-typed-array.js";
import { type ElementKind, elementKinds, I64, toElement, U64 } from "./kinds.js";
import type { CowArrayOptions } from "./options.js";

// The kinds of this module's classes, once: module constants V8 folds into the
// constructors (an element lookup in core's table on every fork and subarray otherwise).
const BIGINT64_KIND = elementKinds[I64] as ElementKind;
const BIGUINT64_KIND = elementKinds[U64] as ElementKind;

/**
 * A copy-on-write `BigInt64Array`: 8 bytes per element, elements are bigints with the
 * native `BigInt64Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowBigInt64Array.of(2n ** 63n).join(); // "-9223372036854775808"
 * ```
 */
export class CowBigInt64Array extends CowTypedArray<bigint> {
  /** Bytes per element: 8. */
  static readonly BYTES_PER_ELEMENT = 8;
  /** @internal */
  static readonly elementKind = BIGINT64_KIND;
  static {
    kindOnPrototype(CowBigInt64Array, BIGINT64_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowBigInt64Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowBigInt64Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<bigint> | ArrayLike<bigint> | CowElements<bigint>,
    options?: CowArrayOptions,
  ) {
    super(BIGINT64_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `BigInt64Array`: one bulk copy out. O(n). */
  override toTypedArray(): BigInt64Array {
    return super.toTypedArray() as BigInt64Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `BigInt64Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<BigInt64Array> {
    return super.spans(start, end) as PageSpanCursor<BigInt64Array>;
  }

  /** The trap-on-write proxy view, typed `BigInt64Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<BigInt64Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<BigInt64Array<ArrayBuffer>>;
  }

  override get(index: number): bigint | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getBigInt64(this.byteOffset + i * 8);
    return this.getSlow(index);
  }

  override set(index: number, value: bigint): void;
  override set(source: ArrayLike<bigint> | CowElements<bigint> | Iterable<bigint>, offset?: number): void;
  override set(a: unknown, b?: unknown): void {
    if (typeof a !== "number") {
      this.setFrom(a, b);
      return;
    }
    const v = typeof b === "bigint" ? b : (toElement(BIGINT64_KIND, b) as bigint); // ToBigInt: a number throws TypeError
    const i = a >>> 0;
    if (i === a && i < this.len && this.space.pool.framesAvailable() > 0) {
      this.space.setBigInt64(this.byteOffset + i * 8, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}

/**
 * A copy-on-write `BigUint64Array`: 8 bytes per element, elements are bigints with the
 * native `BigUint64Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowBigUint64Array.of(-1n).join(); // "18446744073709551615"
 * ```
 */
export class CowBigUint64Array extends CowTypedArray<bigint> {
  /** Bytes per element: 8. */
  static readonly BYTES_PER_ELEMENT = 8;
  /** @internal */
  static readonly elementKind = BIGUINT64_KIND;
  static {
    kindOnPrototype(CowBigUint64Array, BIGUINT64_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowBigUint64Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowBigUint64Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<bigint> | ArrayLike<bigint> | CowElements<bigint>,
    options?: CowArrayOptions,
  ) {
    super(BIGUINT64_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `BigUint64Array`: one bulk copy out. O(n). */
  override toTypedArray(): BigUint64Array {
    return super.toTypedArray() as BigUint64Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `BigUint64Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<BigUint64Array> {
    return super.spans(start, end) as PageSpanCursor<BigUint64Array>;
  }

  /** The trap-on-write proxy view, typed `BigUint64Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<BigUint64Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<BigUint64Array<ArrayBuffer>>;
  }

  override get(index: number): bigint | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getBigUint64(this.byteOffset + i * 8);
    return this.getSlow(index);
  }

  override set(index: number, value: bigint): void;
  override set(source: ArrayLike<bigint> | CowElements<bigint> | Iterable<bigint>, offset?: number): void;
  override set(a: unknown, b?: unknown): void {
    if (typeof a !== "number") {
      this.setFrom(a, b);
      return;
    }
    const v = typeof b === "bigint" ? b : (toElement(BIGUINT64_KIND, b) as bigint); // ToBigInt: a number throws TypeError
    const i = a >>> 0;
    if (i === a && i < this.len && this.space.pool.framesAvailable() > 0) {
      this.space.setBigUint64(this.byteOffset + i * 8, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}
