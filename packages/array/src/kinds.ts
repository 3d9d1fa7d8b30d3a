/**
 * Element kinds: the eleven TypedArray element types, each with its native
 * constructor, width and a one-element scratch array of the kind. Assigning
 * to that scratch array is how values get the native conversions (ToInt8
 * wrapping, Uint8Clamped round-half-to-even, Float32 rounding, ToBigInt).
 *
 * @module
 */
import type { AddressSpace, SpanArrayConstructor } from "@pagefork/core";

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

/** Small-integer code of each kind, for `switch`es on the hot paths. */
export const I8 = 0;
export const U8 = 1;
export const U8C = 2;
export const I16 = 3;
export const U16 = 4;
export const I32 = 5;
export const U32 = 6;
export const F32 = 7;
export const F64 = 8;
export const I64 = 9;
export const U64 = 10;

/** One element kind (internal: not exported from the package). Every instance is made by the table below, so all share one shape. */
export class ElementKind {
  /** Code for `switch`es (I8 .. U64). */
  readonly code: number;
  /** Name as in the native constructor, without "Array": "Float64", "Uint8Clamped"... */
  readonly name: string;
  /** The native constructor. */
  readonly Native: SpanArrayConstructor;
  /** Bytes per element. */
  readonly bytes: number;
  /** log2(bytes). */
  readonly shift: number;
  /** True for BigInt64 and BigUint64: elements are bigints. */
  readonly bigint: boolean;
  /** One-element array of the kind: `scratch[0] = v` converts v as the native store does. */
  readonly scratch: NativeTypedArray;

  constructor(code: number, Native: SpanArrayConstructor) {
    this.code = code;
    this.name = Native.name.slice(0, -"Array".length);
    this.Native = Native;
    this.bytes = Native.BYTES_PER_ELEMENT;
    this.shift = 31 - Math.clz32(Native.BYTES_PER_ELEMENT);
    this.bigint = Native === BigInt64Array || Native === BigUint64Array;
    this.scratch = new Native(1);
  }
}

/** The kinds, indexed by code. */
export const KINDS: readonly ElementKind[] = [
  new ElementKind(I8, Int8Array),
  new ElementKind(U8, Uint8Array),
  new ElementKind(U8C, Uint8ClampedArray),
  new ElementKind(I16, Int16Array),
  new ElementKind(U16, Uint16Array),
  new ElementKind(I32, Int32Array),
  new ElementKind(U32, Uint32Array),
  new ElementKind(F32, Float32Array),
  new ElementKind(F64, Float64Array),
  new ElementKind(I64, BigInt64Array),
  new ElementKind(U64, BigUint64Array),
];

const BY_NATIVE = new Map<unknown, ElementKind>(KINDS.map((k) => [k.Native, k]));

/**
 * The kind of a native TypedArray constructor.
 * @throws {TypeError} when `Native` is not one of the eleven TypedArray constructors.
 */
export function kindOf(Native: unknown): ElementKind {
  const k = BY_NATIVE.get(Native);
  if (k === undefined)
    throw new TypeError(
      `invalid element kind: ${describeKind(Native)} (expected a TypedArray constructor such as Float64Array)`,
    );
  return k;
}

/** The kind of a native TypedArray instance, or undefined for anything else. */
export function kindOfInstance(v: unknown): ElementKind | undefined {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) ? BY_NATIVE.get(v.constructor) : undefined;
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
