/**
 * The Cow*Array class of each element kind: one table, indexed by core's
 * kind codes, for the packages that rebuild an array from a kind they read
 * (a saved record's kind name, a schema's native constructor).
 *
 * @module
 */
import { ElementKind, elementKindOf, elementKinds } from "@pagefork/core";
import { CowBigInt64Array, CowBigUint64Array } from "./bigint-arrays.js";
import { CowFloat32Array, CowFloat64Array } from "./float-arrays.js";
import { CowInt8Array, CowUint8Array, CowUint8ClampedArray } from "./int8-arrays.js";
import { CowInt16Array, CowUint16Array } from "./int16-arrays.js";
import { CowInt32Array, CowUint32Array } from "./int32-arrays.js";

/** Any of the eleven Cow*Array classes (`CowInt8Array` ... `CowBigUint64Array`). */
export type CowArrayClass =
  | typeof CowInt8Array
  | typeof CowUint8Array
  | typeof CowUint8ClampedArray
  | typeof CowInt16Array
  | typeof CowUint16Array
  | typeof CowInt32Array
  | typeof CowUint32Array
  | typeof CowFloat32Array
  | typeof CowFloat64Array
  | typeof CowBigInt64Array
  | typeof CowBigUint64Array;

const CLASSES: readonly CowArrayClass[] = [
  CowInt8Array,
  CowUint8Array,
  CowUint8ClampedArray,
  CowInt16Array,
  CowUint16Array,
  CowInt32Array,
  CowUint32Array,
  CowFloat32Array,
  CowFloat64Array,
  CowBigInt64Array,
  CowBigUint64Array,
];

/** The classes by kind code: each class's own `elementKind` places it, so the order above does not matter. */
const BY_CODE: CowArrayClass[] = [];
for (const C of CLASSES) BY_CODE[C.elementKind.code] = C;
if (elementKinds.some((k) => BY_CODE[k.code] === undefined))
  throw new Error("@pagefork/array: an element kind of @pagefork/core has no Cow*Array class (mismatched versions)");

/** Kinds by native constructor name ("Float64Array"), as records and tags spell them. */
const BY_NAME = new Map<string, ElementKind>(elementKinds.map((k) => [k.Native.name, k]));

/**
 * The Cow*Array class of an element kind, given as a native TypedArray
 * constructor (`Float64Array`), its name (`"Float64Array"`, as
 * `Symbol.toStringTag` and saved records spell it) or core's
 * {@link ElementKind} (`elementKinds[KIND_FLOAT64]`). O(1). Takes any value,
 * as core's `elementKindOf` does, so that a caller can pass what it read
 * (from a record, a schema) and test the result.
 *
 * @returns the class (`CowFloat64Array` for all three examples), or
 *   `undefined` for anything else: another constructor (`DataView`, `Array`,
 *   a subclass of a TypedArray), another string (`"Float64"`, `"float64array"`),
 *   an `ElementKind` not of core's table, or a non-object. Throws nothing.
 *
 * @example
 * ```ts
 * cowArrayClassOf(Int16Array) === CowInt16Array; // true
 * const C = cowArrayClassOf("Float32Array")!;
 * const a = new C(3);
 * [a.length, a[Symbol.toStringTag]]; // [3, "CowFloat32Array"]
 * a.release();
 * cowArrayClassOf(DataView); // undefined
 * ```
 */
export function cowArrayClassOf(kind: unknown): CowArrayClass | undefined {
  const k =
    typeof kind === "string"
      ? BY_NAME.get(kind)
      : kind instanceof ElementKind
        ? kind === elementKinds[kind.code]
          ? kind
          : undefined
        : elementKindOf(kind);
  return k === undefined ? undefined : BY_CODE[k.code];
}
