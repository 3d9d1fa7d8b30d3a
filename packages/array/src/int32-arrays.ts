/**
 * The 32-bit integer kinds: CowInt32Array and CowUint32Array. Each shares every method of
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
import { type ElementKind, elementKinds, I32, U32 } from "./kinds.js";
import type { CowArrayOptions } from "./options.js";

// The kinds of this module's classes, once: module constants V8 folds into the
// constructors (an element lookup in core's table on every fork and subarray otherwise).
const INT32_KIND = elementKinds[I32] as ElementKind;
const UINT32_KIND = elementKinds[U32] as ElementKind;

/**
 * A copy-on-write `Int32Array`: 4 bytes per element, elements are numbers with the
 * native `Int32Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowInt32Array.of(2 ** 31).join(); // "-2147483648"
 * ```
 */
export class CowInt32Array extends CowTypedArray<number> {
  /** Bytes per element: 4. */
  static readonly BYTES_PER_ELEMENT = 4;
  /** @internal */
  static readonly elementKind = INT32_KIND;
  static {
    kindOnPrototype(CowInt32Array, INT32_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowInt32Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowInt32Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(INT32_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Int32Array`: one bulk copy out. O(n). */
  override toTypedArray(): Int32Array {
    return super.toTypedArray() as Int32Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Int32Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Int32Array> {
    return super.spans(start, end) as PageSpanCursor<Int32Array>;
  }

  /** The trap-on-write proxy view, typed `Int32Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Int32Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<Int32Array<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getInt32(this.byteOffset + i * 4);
    return this.getSlow(index);
  }

  override set(index: number, value: number): void;
  override set(source: ArrayLike<number> | CowElements<number> | Iterable<number>, offset?: number): void;
  override set(a: unknown, b?: unknown): void {
    if (typeof a !== "number") {
      this.setFrom(a, b);
      return;
    }
    const v = typeof b === "number" ? b : +(b as number); // ToNumber: a bigint or symbol throws TypeError
    const i = a >>> 0;
    if (i === a && i < this.len && this.space.pool.framesAvailable() > 0) {
      this.space.setInt32(this.byteOffset + i * 4, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}

/**
 * A copy-on-write `Uint32Array`: 4 bytes per element, elements are numbers with the
 * native `Uint32Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowUint32Array.of(-1).join(); // "4294967295"
 * ```
 */
export class CowUint32Array extends CowTypedArray<number> {
  /** Bytes per element: 4. */
  static readonly BYTES_PER_ELEMENT = 4;
  /** @internal */
  static readonly elementKind = UINT32_KIND;
  static {
    kindOnPrototype(CowUint32Array, UINT32_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowUint32Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowUint32Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(UINT32_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Uint32Array`: one bulk copy out. O(n). */
  override toTypedArray(): Uint32Array {
    return super.toTypedArray() as Uint32Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Uint32Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Uint32Array> {
    return super.spans(start, end) as PageSpanCursor<Uint32Array>;
  }

  /** The trap-on-write proxy view, typed `Uint32Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Uint32Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<Uint32Array<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getUint32(this.byteOffset + i * 4);
    return this.getSlow(index);
  }

  override set(index: number, value: number): void;
  override set(source: ArrayLike<number> | CowElements<number> | Iterable<number>, offset?: number): void;
  override set(a: unknown, b?: unknown): void {
    if (typeof a !== "number") {
      this.setFrom(a, b);
      return;
    }
    const v = typeof b === "number" ? b : +(b as number); // ToNumber: a bigint or symbol throws TypeError
    const i = a >>> 0;
    if (i === a && i < this.len && this.space.pool.framesAvailable() > 0) {
      this.space.setUint32(this.byteOffset + i * 4, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}
