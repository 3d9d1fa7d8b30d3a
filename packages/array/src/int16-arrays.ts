/**
 * The 16-bit kinds: CowInt16Array and CowUint16Array. Each shares every method of
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
import { type ElementKind, elementKinds, I16, U16 } from "./kinds.js";
import type { CowArrayOptions } from "./options.js";

// The kinds of this module's classes, once: module constants V8 folds into the
// constructors (an element lookup in core's table on every fork and subarray otherwise).
const INT16_KIND = elementKinds[I16] as ElementKind;
const UINT16_KIND = elementKinds[U16] as ElementKind;

/**
 * A copy-on-write `Int16Array`: 2 bytes per element, elements are numbers with the
 * native `Int16Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowInt16Array.of(32768).join(); // "-32768"
 * ```
 */
export class CowInt16Array extends CowTypedArray<number> {
  /** Bytes per element: 2. */
  static readonly BYTES_PER_ELEMENT = 2;
  /** @internal */
  static readonly elementKind = INT16_KIND;
  static {
    kindOnPrototype(CowInt16Array, INT16_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowInt16Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowInt16Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(INT16_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Int16Array`: one bulk copy out. O(n). */
  override toTypedArray(): Int16Array {
    return super.toTypedArray() as Int16Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Int16Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Int16Array> {
    return super.spans(start, end) as PageSpanCursor<Int16Array>;
  }

  /** The trap-on-write proxy view, typed `Int16Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Int16Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<Int16Array<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getInt16(this.byteOffset + i * 2);
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
      this.space.setInt16(this.byteOffset + i * 2, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}

/**
 * A copy-on-write `Uint16Array`: 2 bytes per element, elements are numbers with the
 * native `Uint16Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowUint16Array.of(-1).join(); // "65535"
 * ```
 */
export class CowUint16Array extends CowTypedArray<number> {
  /** Bytes per element: 2. */
  static readonly BYTES_PER_ELEMENT = 2;
  /** @internal */
  static readonly elementKind = UINT16_KIND;
  static {
    kindOnPrototype(CowUint16Array, UINT16_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowUint16Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowUint16Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(UINT16_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Uint16Array`: one bulk copy out. O(n). */
  override toTypedArray(): Uint16Array {
    return super.toTypedArray() as Uint16Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Uint16Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Uint16Array> {
    return super.spans(start, end) as PageSpanCursor<Uint16Array>;
  }

  /** The trap-on-write proxy view, typed `Uint16Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Uint16Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<Uint16Array<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getUint16(this.byteOffset + i * 2);
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
      this.space.setUint16(this.byteOffset + i * 2, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}
