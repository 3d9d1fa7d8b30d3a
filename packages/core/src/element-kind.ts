/**
 * The eleven TypedArray element kinds, as one table that proxy views
 * (view-target.ts) and `@pagefork/array` share: each kind's code, native
 * constructor, width and a one-element scratch array that converts values
 * as the native store does.
 *
 * @module
 */
import type { SpanArrayConstructor } from "./page-span.js";

/** A native typed array of one of the eleven kinds. */
export type NativeTypedArray = InstanceType<SpanArrayConstructor>;

// Codes: small integers, so that a hot path picks the space's accessor with a
// `switch` on a number (no closure per array, one monomorphic call per case).
// The order is the table's and is stored in embedded arrays' headers
// (@pagefork/array in-space.ts): never reorder it.
/** Code of the Int8Array kind (see {@link ElementKind.code}). */
export const KIND_INT8 = 0;
/** Code of the Uint8Array kind. */
export const KIND_UINT8 = 1;
/** Code of the Uint8ClampedArray kind. */
export const KIND_UINT8_CLAMPED = 2;
/** Code of the Int16Array kind. */
export const KIND_INT16 = 3;
/** Code of the Uint16Array kind. */
export const KIND_UINT16 = 4;
/** Code of the Int32Array kind. */
export const KIND_INT32 = 5;
/** Code of the Uint32Array kind. */
export const KIND_UINT32 = 6;
/** Code of the Float32Array kind. */
export const KIND_FLOAT32 = 7;
/** Code of the Float64Array kind. */
export const KIND_FLOAT64 = 8;
/** Code of the BigInt64Array kind. */
export const KIND_BIGINT64 = 9;
/** Code of the BigUint64Array kind. */
export const KIND_BIGUINT64 = 10;

/**
 * One TypedArray element kind. Every instance is made once, by the table
 * {@link elementKinds}, so all share one hidden class; compare kinds by
 * identity or by `code`.
 *
 * @example
 * ```ts
 * const k = elementKindOf(Uint8ClampedArray)!;
 * [k.code === KIND_UINT8_CLAMPED, k.name, k.bytes, k.shift, k.bigint]; // [true, "Uint8Clamped", 1, 0, false]
 * k.scratch[0] = 300.7; // converts as a store into a Uint8ClampedArray does
 * k.scratch[0]; // 255
 * ```
 */
export class ElementKind {
  /** Code: the index in {@link elementKinds} (`KIND_INT8` 0 .. `KIND_BIGUINT64` 10). */
  readonly code: number;
  /** The native constructor's name without "Array": "Float64", "Uint8Clamped"... */
  readonly name: string;
  /** The native constructor. */
  readonly Native: SpanArrayConstructor;
  /** Bytes per element (1, 2, 4 or 8). */
  readonly bytes: number;
  /** log2 of `bytes`: an element index shifted left by it is a byte offset. */
  readonly shift: number;
  /** True for BigInt64 and BigUint64: elements are bigints. */
  readonly bigint: boolean;
  /**
   * One-element array of the kind: `scratch[0] = value; scratch[0]` converts
   * `value` exactly as a store into a native array of the kind does
   * (ToNumber / ToBigInt, with TypeError for a bigint into a number kind and
   * the reverse; then ToInt8..., Float32 rounding, or Uint8Clamped's clamp
   * with round-half-to-even). Scratch space: read it right after writing it.
   */
  readonly scratch: NativeTypedArray;

  /**
   * Made once per kind, by {@link elementKinds}: use the table's kinds (code
   * users compare kinds by identity), not new ones.
   */
  constructor(code: number, Native: SpanArrayConstructor) {
    this.code = code;
    this.name = Native.name.slice(0, -"Array".length);
    this.Native = Native;
    this.bytes = Native.BYTES_PER_ELEMENT;
    this.shift = 31 - Math.clz32(Native.BYTES_PER_ELEMENT);
    this.bigint = code === KIND_BIGINT64 || code === KIND_BIGUINT64;
    this.scratch = new Native(1);
  }
}

/**
 * The eleven element kinds, indexed by code (`elementKinds[KIND_FLOAT64]` is
 * Float64's). Frozen.
 *
 * @example
 * ```ts
 * elementKinds.length; // 11
 * elementKinds[KIND_FLOAT64]!.Native === Float64Array; // true
 * ```
 */
export const elementKinds: readonly ElementKind[] = Object.freeze(
  (
    [
      Int8Array,
      Uint8Array,
      Uint8ClampedArray,
      Int16Array,
      Uint16Array,
      Int32Array,
      Uint32Array,
      Float32Array,
      Float64Array,
      BigInt64Array,
      BigUint64Array,
    ] as SpanArrayConstructor[]
  ).map((Native, code) => new ElementKind(code, Native)),
);

const BY_NATIVE = new Map<unknown, ElementKind>(elementKinds.map((k) => [k.Native, k]));

/**
 * The kind of a native TypedArray constructor, or undefined for anything
 * else (DataView, Array, a subclass of a TypedArray...). O(1).
 *
 * @example
 * ```ts
 * elementKindOf(Int16Array)?.bytes; // 2
 * elementKindOf(DataView); // undefined
 * ```
 */
export function elementKindOf(Native: unknown): ElementKind | undefined {
  return BY_NATIVE.get(Native);
}
