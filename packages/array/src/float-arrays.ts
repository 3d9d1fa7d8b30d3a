/**
 * The floating-point kinds: CowFloat32Array and CowFloat64Array. Each shares every method of
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
import { type ElementKind, elementKinds, F32, F64 } from "./kinds.js";
import type { CowArrayOptions } from "./options.js";

/**
 * The core's `AddressSpace.readInF64` (internal, so not in its published types):
 * `getFloat64` for an address its caller has checked (an integer multiple of 8
 * inside the space).
 */
interface SpaceReadIn {
  readInF64(addr: number): number;
}

// The kinds of this module's classes, once: module constants V8 folds into the
// constructors (an element lookup in core's table on every fork and subarray otherwise).
const FLOAT32_KIND = elementKinds[F32] as ElementKind;
const FLOAT64_KIND = elementKinds[F64] as ElementKind;

/**
 * A copy-on-write `Float32Array`: 4 bytes per element, elements are numbers with the
 * native `Float32Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowFloat32Array.of(0.1).get(0); // 0.10000000149011612
 * ```
 */
export class CowFloat32Array extends CowTypedArray<number> {
  /** Bytes per element: 4. */
  static readonly BYTES_PER_ELEMENT = 4;
  /** @internal */
  static readonly elementKind = FLOAT32_KIND;
  static {
    kindOnPrototype(CowFloat32Array, FLOAT32_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowFloat32Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowFloat32Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(FLOAT32_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Float32Array`: one bulk copy out. O(n). */
  override toTypedArray(): Float32Array {
    return super.toTypedArray() as Float32Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Float32Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Float32Array> {
    return super.spans(start, end) as PageSpanCursor<Float32Array>;
  }

  /** The trap-on-write proxy view, typed `Float32Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Float32Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<Float32Array<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    if (i === index && i < this.len) return this.space.getFloat32(this.byteOffset + i * 4);
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
      this.space.setFloat32(this.byteOffset + i * 4, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}

/**
 * A copy-on-write `Float64Array`: 8 bytes per element, elements are numbers with the
 * native `Float64Array` conversions. See {@link CowTypedArray} for construction,
 * fork and views, and {@link CowElements} for every method.
 *
 * @example
 * ```ts
 * CowFloat64Array.of(0.1, -0).join(); // "0.1,0"
 * ```
 */
export class CowFloat64Array extends CowTypedArray<number> {
  /** Bytes per element: 8. */
  static readonly BYTES_PER_ELEMENT = 8;
  /** @internal */
  static readonly elementKind = FLOAT64_KIND;
  static {
    kindOnPrototype(CowFloat64Array, FLOAT64_KIND); // each array reads its kind from the prototype, not a field
  }

  /**
   * `new CowFloat64Array(length, options?)`: `length` zeros (RangeError for an invalid
   * length). `new CowFloat64Array(source, options?)`: a copy of an iterable,
   * array-like, native or COW typed array.
   */
  constructor(
    lengthOrSource?: number | Iterable<number> | ArrayLike<number> | CowElements<number>,
    options?: CowArrayOptions,
  ) {
    super(FLOAT64_KIND, lengthOrSource, options);
  }

  /** The elements as a new native `Float64Array`: one bulk copy out. O(n). */
  override toTypedArray(): Float64Array {
    return super.toTypedArray() as Float64Array;
  }

  /** A read-only page-span cursor over elements `[start, end)`, typed `Float64Array` (see {@link CowElements.spans}). */
  override spans(start?: number, end?: number): PageSpanCursor<Float64Array> {
    return super.spans(start, end) as PageSpanCursor<Float64Array>;
  }

  /** The trap-on-write proxy view, typed `Float64Array` (see {@link CowElements.proxy}). */
  override proxy(): ProxyView<Float64Array<ArrayBuffer>> {
    return super.proxy() as ProxyView<Float64Array<ArrayBuffer>>;
  }

  override get(index: number): number | undefined {
    const i = index >>> 0;
    // An element's address, checked here: core's readInF64 skips getFloat64's address checks (about 7% of a sequential loop).
    if (i === index && i < this.len) return (this.space as unknown as SpaceReadIn).readInF64(this.byteOffset + i * 8);
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
      this.space.setFloat64(this.byteOffset + i * 8, v);
      this.owner.writes++;
      return;
    }
    this.setSlow(a, v);
  }
}
