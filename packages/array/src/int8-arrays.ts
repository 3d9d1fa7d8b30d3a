/**
 * The 8-bit kinds: CowInt8Array, CowUint8Array and CowUint8ClampedArray. Each shares every method of
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
import { type ElementKind, elementKinds, I8, U8, U8C } from "./kinds.js";
import type { CowArrayOptions } from "./options.js";

// The kinds of this module's classes, once: module constants V8 folds into the
// constructors (an element lookup in core's table on every fork and subarray otherwise).
const INT8_KIND = elementKinds[I8] as ElementKind;
const UINT8_KIND = elementKinds[U8] as ElementKind;
const UINT8_CLAMPED_KIND = elementKinds[U8C] as ElementKind;

/**
 * A copy-on-write `Int8Array`: 1 byte per element, elements are numbers with the
 * native `Int8Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowInt8Array.of(127, 128).join(); // "127,-128"
 * ```
 */
export class CowInt8Array extends CowTypedArray<number> {
  /** Bytes per element: 1. */
  static readonly BYTES_PER_ELEMENT = 1;
  /** @internal */
  static readonly elementKind = INT8_KIND;
  static {
    kindOnPrototype(CowInt8Array, INT8_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowInt8Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowInt8Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(INT8_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Int8Array`: one bulk copy out. O(n). */
  override toTypedArray(): Int8Array {
    return super.toTypedArray() as Int8Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Int8Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Int8Array> {
    return super.spans(start, end) as PageSpanCursor<Int8Array>;
  }

  /** The trap-on-write proxy view, typed `Int8Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Int8Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<Int8Array<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getInt8(this.byteOffset + i);
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
      this.space.setInt8(this.byteOffset + i, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}

/**
 * A copy-on-write `Uint8Array`: 1 byte per element, elements are numbers with the
 * native `Uint8Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowUint8Array.of(256, -1).join(); // "0,255"
 * ```
 */
export class CowUint8Array extends CowTypedArray<number> {
  /** Bytes per element: 1. */
  static readonly BYTES_PER_ELEMENT = 1;
  /** @internal */
  static readonly elementKind = UINT8_KIND;
  static {
    kindOnPrototype(CowUint8Array, UINT8_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowUint8Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowUint8Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(UINT8_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Uint8Array`: one bulk copy out. O(n). */
  override toTypedArray(): Uint8Array {
    return super.toTypedArray() as Uint8Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Uint8Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Uint8Array> {
    return super.spans(start, end) as PageSpanCursor<Uint8Array>;
  }

  /** The trap-on-write proxy view, typed `Uint8Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Uint8Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<Uint8Array<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getUint8(this.byteOffset + i);
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
      this.space.setUint8(this.byteOffset + i, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}

/**
 * A copy-on-write `Uint8ClampedArray`: 1 byte per element, elements are numbers with the
 * native `Uint8ClampedArray` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowUint8ClampedArray.of(-5, 0.5, 1.5, 300).join(); // "0,0,2,255"
 * ```
 */
export class CowUint8ClampedArray extends CowTypedArray<number> {
  /** Bytes per element: 1. */
  static readonly BYTES_PER_ELEMENT = 1;
  /** @internal */
  static readonly elementKind = UINT8_CLAMPED_KIND;
  static {
    kindOnPrototype(CowUint8ClampedArray, UINT8_CLAMPED_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowUint8ClampedArray(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowUint8ClampedArray(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(UINT8_CLAMPED_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Uint8ClampedArray`: one bulk copy out. O(n). */
  override toTypedArray(): Uint8ClampedArray {
    return super.toTypedArray() as Uint8ClampedArray;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Uint8ClampedArray` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Uint8ClampedArray> {
    return super.spans(start, end) as PageSpanCursor<Uint8ClampedArray>;
  }

  /** The trap-on-write proxy view, typed `Uint8ClampedArray` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Uint8ClampedArray<ArrayBuffer>> {
    return super.proxy() as ProxyView<Uint8ClampedArray<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getUint8(this.byteOffset + i);
    return this.getSlow(index);
  }

  override set(index: number, value: number): void;
  override set(source: ArrayLike<number> | CowElements<number> | Iterable<number>, offset?: number): void;
  override set(a: unknown, b?: unknown): void {
    if (typeof a !== "number") {
      this.setFrom(a, b);
      return;
    }
    const v = clamp(typeof b === "number" ? b : +(b as number));
    const i = a >>> 0;
    if (i === a && i < this.len && this.space.pool.framesAvailable() > 0) {
      this.space.setUint8(this.byteOffset + i, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}

/** The Uint8Clamped conversion of a number (round half to even, clamp to [0, 255], NaN to 0), as the native store. */
function clamp(v: number): number {
  const s = CLAMP;
  s[0] = v;
  return s[0] as number;
}
const CLAMP = new Uint8ClampedArray(1);
