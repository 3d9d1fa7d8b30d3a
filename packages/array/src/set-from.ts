/**
 * The bulk form of `set(source, offset)`, as `%TypedArray%.prototype.set`:
 * the checks in the native order, then one page-span copy or bulk write.
 *
 * @module
 */
import { convertArrayLike, setFromNative, setFromView, writeFrom } from "./bulk.js";
import { toIntegerOrInfinity } from "./indices.js";
import { type ElementKind, kindOfInstance, type NativeTypedArray } from "./kinds.js";
import type { ElementView } from "./view.js";

/**
 * Stores the elements of `source` in `view` from `offset`. `cow` is `source`
 * when it is a COW array (the caller knows its class), else null.
 *
 * @throws {RangeError} for a negative offset or a source that does not fit
 * (checked before the content type, as natively: a BigInt source too long
 * for a number array is a RangeError).
 * @throws {TypeError} for BigInt/Number mixing, a null or undefined source, or a value that does not convert.
 */
export function setFromSource(view: ElementView, source: unknown, offset: unknown, cow: ElementView | null): void {
  const off = toIntegerOrInfinity(offset);
  if (off < 0) throw new RangeError(`offset is out of bounds: ${off} (set needs an offset >= 0)`);
  const len = view.len;
  // SetTypedArrayFromTypedArray (ECMA-262 23.2.3.26.1): the range check, then the content type.
  if (cow !== null) {
    cow.check();
    requireFits(cow.len, off, len);
    requireSameFamily(view, cow.kind.bigint);
    setFromView(view, cow, off);
    return;
  }
  const k = kindOfInstance(source);
  if (k !== undefined) {
    const src = source as NativeTypedArray;
    requireFits(src.length, off, len);
    requireSameFamily(view, k.bigint);
    setFromNative(view, src, off);
    return;
  }
  if (source === null || source === undefined) throw new TypeError("Cannot convert undefined or null to object");
  const obj = Object(source) as ArrayLike<unknown>;
  const n = lengthOfArrayLike(obj);
  requireFits(n, off, len);
  const src = convertArrayLike(view.kind, obj, n);
  // The source's getters and valueOf ran: they may have released the view
  // (a subarray's space lives on: never write through a released view) or
  // shrunk a vector. Store only the elements that still fit, as the native
  // set stores only at indices a shrunk buffer still holds (past its end, an
  // embedded vector's freed block may be another heap block now).
  view.check();
  const fit = Math.max(0, Math.min(n, view.len - off));
  writeFrom(view, off, fit < n ? (src.subarray(0, fit) as NativeTypedArray) : src);
}

/** ToLength of an array-like's `length`. */
export function lengthOfArrayLike(o: { length?: unknown }): number {
  const n = toIntegerOrInfinity(o.length);
  return n <= 0 ? 0 : Math.min(n, Number.MAX_SAFE_INTEGER);
}

function requireSameFamily(view: ElementView, bigint: boolean): void {
  if (bigint !== view.kind.bigint) throw new TypeError("Cannot mix BigInt and other types, use explicit conversions");
}

function requireFits(n: number, off: number, len: number): void {
  if (n + off > len)
    throw new RangeError(`offset is out of bounds: ${n} element(s) at offset ${off} do not fit in length ${len}`);
}

/**
 * `source` (a native typed array, an iterable or an array-like) as a native
 * array of `kind`, converted as the native constructor converts.
 * @throws {TypeError} for BigInt/Number mixing, null or undefined, or a value that does not convert.
 */
export function toKindArray(kind: ElementKind, source: unknown): NativeTypedArray {
  const k = kindOfInstance(source);
  if (k === kind) return source as NativeTypedArray;
  if (k !== undefined) {
    if (k.bigint !== kind.bigint) throw new TypeError("Cannot mix BigInt and other types, use explicit conversions");
    return new (kind.Native as new (s: unknown) => NativeTypedArray)(source);
  }
  if (source === null || source === undefined) throw new TypeError("Cannot convert undefined or null to object");
  if (typeof (source as Iterable<unknown>)[Symbol.iterator] === "function")
    return (kind.Native.from as (s: unknown) => NativeTypedArray)(source);
  const o = Object(source) as ArrayLike<unknown>;
  return convertArrayLike(kind, o, lengthOfArrayLike(o));
}
