/**
 * Element kinds: the eleven TypedArray element types of core's table
 * (`ElementKind`, each with its native constructor, width and a one-element
 * scratch array of the kind), looked up and converted. Assigning to the
 * scratch array is how values get the native conversions (ToInt8 wrapping,
 * Uint8Clamped round-half-to-even, Float32 rounding, ToBigInt).
 *
 * @module
 */
import {
  type AddressSpace,
  type ElementKind,
  elementKindOf,
  KIND_BIGINT64,
  KIND_BIGUINT64,
  KIND_FLOAT32,
  KIND_FLOAT64,
  KIND_INT8,
  KIND_INT16,
  KIND_INT32,
  KIND_UINT8,
  KIND_UINT8_CLAMPED,
  KIND_UINT16,
  KIND_UINT32,
  type SpanArrayConstructor,
} from "@pagefork/core";

/** Any native TypedArray instance. */
export type NativeTypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** The element type of a native TypedArray constructor: `bigint` for the BigInt kinds, else `number`. */
export type ElementOf<K extends SpanArrayConstructor> = K extends BigInt64ArrayConstructor | BigUint64ArrayConstructor
  ? bigint
  : number;

// The kind table is core's (one table for proxy views and arrays).
export { ElementKind, elementKinds } from "@pagefork/core";

// Core's codes (KIND_*) under short names, as literals: V8 does not
// constant-fold a binding imported from another package, so the switches
// below compared each case against a loaded value (CowVector get/set measured
// ~1.25x base); on literals they compile to compares against constants. They
// are checked against core's codes when this module loads.
/** Int8 (core KIND_INT8). */
export const I8 = 0;
/** Uint8 (core KIND_UINT8). */
export const U8 = 1;
/** Uint8Clamped (core KIND_UINT8_CLAMPED). */
export const U8C = 2;
/** Int16 (core KIND_INT16). */
export const I16 = 3;
/** Uint16 (core KIND_UINT16). */
export const U16 = 4;
/** Int32 (core KIND_INT32). */
export const I32 = 5;
/** Uint32 (core KIND_UINT32). */
export const U32 = 6;
/** Float32 (core KIND_FLOAT32). */
export const F32 = 7;
/** Float64 (core KIND_FLOAT64). */
export const F64 = 8;
/** BigInt64 (core KIND_BIGINT64). */
export const I64 = 9;
/** BigUint64 (core KIND_BIGUINT64). */
export const U64 = 10;
if (
  KIND_INT8 !== I8 ||
  KIND_UINT8 !== U8 ||
  KIND_UINT8_CLAMPED !== U8C ||
  KIND_INT16 !== I16 ||
  KIND_UINT16 !== U16 ||
  KIND_INT32 !== I32 ||
  KIND_UINT32 !== U32 ||
  KIND_FLOAT32 !== F32 ||
  KIND_FLOAT64 !== F64 ||
  KIND_BIGINT64 !== I64 ||
  KIND_BIGUINT64 !== U64
)
  throw new Error("@pagefork/array: its element-kind codes differ from @pagefork/core's (mismatched versions)");

/**
 * The kind of a native TypedArray constructor.
 * @throws {TypeError} when `Native` is not one of the eleven TypedArray constructors.
 */
export function kindOf(Native: unknown): ElementKind {
  const k = elementKindOf(Native);
  if (k === undefined)
    throw new TypeError(
      `invalid element kind: ${describeKind(Native)} (expected a TypedArray constructor such as Float64Array)`,
    );
  return k;
}

/** The kind of a native TypedArray instance, or undefined for anything else. */
export function kindOfInstance(v: unknown): ElementKind | undefined {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) ? elementKindOf(v.constructor) : undefined;
}

function describeKind(v: unknown): string {
  if (typeof v === "function") return v.name === "" ? "an anonymous function" : v.name;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "symbol" || typeof v === "bigint") return typeof v;
  return String(v);
}

/**
 * `value` converted as the native store into an array of `kind` converts it:
 * ToNumber for the number kinds (a bigint or symbol throws TypeError), ToBigInt
 * for the BigInt kinds (a number, undefined, null or symbol throws TypeError, a
 * malformed string SyntaxError). The result is stored later by a typed setter,
 * whose store does the rest (wrapping, clamping, rounding) exactly as native.
 */
export function toElement(kind: ElementKind, value: unknown): number | bigint {
  if (kind.bigint) {
    if (typeof value === "bigint") return value;
    const s = kind.scratch as BigInt64Array;
    s[0] = value as bigint; // ToBigInt, with the native error for numbers
    return s[0] as bigint;
  }
  return typeof value === "number" ? value : +(value as number); // ToNumber: throws on bigint, symbol
}

/** `value` as the element it becomes when stored in an array of `kind` (the value a read returns). */
export function storedValue(kind: ElementKind, value: unknown): number | bigint {
  const s = kind.scratch;
  (s as unknown as unknown[])[0] = value;
  return s[0] as number | bigint;
}

/** Reads the element of `kind` at byte address `addr` (aligned, in range). */
export function loadElement(space: AddressSpace, code: number, addr: number): number | bigint {
  switch (code) {
    case F64:
      return space.getFloat64(addr);
    case I8:
      return space.getInt8(addr);
    case U8:
    case U8C:
      return space.getUint8(addr);
    case I16:
      return space.getInt16(addr);
    case U16:
      return space.getUint16(addr);
    case I32:
      return space.getInt32(addr);
    case U32:
      return space.getUint32(addr);
    case F32:
      return space.getFloat32(addr);
    case I64:
      return space.getBigInt64(addr);
    default:
      return space.getBigUint64(addr);
  }
}

/**
 * Writes an already converted element (see {@link toElement}) at byte address
 * `addr` (aligned, in range). Uint8Clamped goes through the scratch array
 * because the core has no clamping setter.
 */
export function storeElement(space: AddressSpace, kind: ElementKind, addr: number, v: number | bigint): void {
  switch (kind.code) {
    case F64:
      space.setFloat64(addr, v as number);
      return;
    case I8:
      space.setInt8(addr, v as number);
      return;
    case U8:
      space.setUint8(addr, v as number);
      return;
    case U8C:
      space.setUint8(addr, storedValue(kind, v) as number);
      return;
    case I16:
      space.setInt16(addr, v as number);
      return;
    case U16:
      space.setUint16(addr, v as number);
      return;
    case I32:
      space.setInt32(addr, v as number);
      return;
    case U32:
      space.setUint32(addr, v as number);
      return;
    case F32:
      space.setFloat32(addr, v as number);
      return;
    case I64:
      space.setBigInt64(addr, v as bigint);
      return;
    default:
      space.setBigUint64(addr, v as bigint);
  }
}
