/**
 * How a value of each type sits in its slot: a struct field (record.ts
 * layout in schema.ts), a list element (one float64 of the embedded
 * CowVector), a map value (a CowMap value), a map key or set element (a
 * CowMap/CowSet key). Functions here read and write *raw* slot contents:
 * scalars decoded, strings decoded, composites as the byte address of their
 * node (the caller wraps it in a view or a draft).
 *
 * List elements (float64):
 * - numbers as themselves (f32 rounded), booleans 0/1, enums their index;
 * - strings and composites: the address of their block/node (0 is "");
 * - null for a nullable element: NaN for integer, boolean and enum kinds
 *   (their values are never NaN), -1 for strings and composites, and for
 *   nullable floats (whose values may be NaN) a pointer to an 8-byte box
 *   holding the value, -1 for null.
 *
 * Map values are the CowMap's own values (numbers, strings, booleans and
 * null are stored inline by the map), enums their index, composites the
 * address of their node. Keys and set elements are the values themselves,
 * enums their index.
 *
 * @module
 */
import type { AddressSpace, Heap } from "@pagefork/core";
import {
  type AnyType,
  type EnumType,
  type Field,
  isComposite,
  NullableType,
  TAG_NULL,
  TAG_UNDEFINED,
  TAG_VALUE,
} from "./schema.js";
import { readString } from "./strings.js";

/** Null of a nullable string or composite element, and of a boxed float. */
export const NULL_POINTER = -1;

/** The type inside `nullable(...)`, or the type itself. */
export function unwrapNullable(type: AnyType): AnyType {
  return type instanceof NullableType ? type.inner : type;
}

/** True for float kinds, whose nullable elements are boxed. */
function isFloat(type: AnyType): boolean {
  return type.kind === "f64" || type.kind === "f32";
}

// ---- struct fields ----

/** The raw value of field `f` of the record at `rec`: a scalar, a string, undefined/null, or a node address. */
export function readField(space: AddressSpace, rec: number, f: Field): unknown {
  if (f.tag >= 0) {
    const tag = space.getUint8(rec + f.tag);
    if (tag !== TAG_VALUE) return tag === TAG_NULL ? null : undefined;
  }
  return readScalarSlot(space, rec + f.offset, f.type);
}

/** Reads a struct slot of `type` (no wrappers) at byte address `at`. */
function readScalarSlot(space: AddressSpace, at: number, type: AnyType): unknown {
  switch (type.kind) {
    case "f64":
      return space.getFloat64(at);
    case "f32":
      return space.getFloat32(at);
    case "i32":
      return space.getInt32(at);
    case "u32":
      return space.getUint32(at);
    case "i16":
      return space.getInt16(at);
    case "u16":
      return space.getUint16(at);
    case "i8":
      return space.getInt8(at);
    case "u8":
      return space.getUint8(at);
    case "bool":
      return space.getUint8(at) !== 0;
    case "enum": {
      const e = type as EnumType;
      return e.values[e.values.length <= 256 ? space.getUint8(at) : space.getUint16(at)];
    }
    case "string":
      return readString(space, space.getFloat64(at));
    default:
      return space.getFloat64(at); // a node address
  }
}

/** The raw slot word of field `f` (a pointer for strings and composites), or -1 when absent/null. */
export function fieldPointer(space: AddressSpace, rec: number, f: Field): number {
  if (f.tag >= 0 && space.getUint8(rec + f.tag) !== TAG_VALUE) return -1;
  return space.getFloat64(rec + f.offset);
}

/**
 * Writes field `f`: `value` is a validated scalar, or, for strings and
 * composites, the address of their block/node (`encoded`). `undefined` /
 * `null` set the tag.
 */
export function writeField(space: AddressSpace, rec: number, f: Field, value: unknown, encoded: number): void {
  if (f.tag >= 0) {
    if (value === undefined || value === null) {
      space.setUint8(rec + f.tag, value === null ? TAG_NULL : TAG_UNDEFINED);
      clearSlot(space, rec + f.offset, f.type);
      return;
    }
    space.setUint8(rec + f.tag, TAG_VALUE);
  }
  writeScalarSlot(space, rec + f.offset, f.type, value, encoded);
}

function clearSlot(space: AddressSpace, at: number, type: AnyType): void {
  writeScalarSlot(space, at, type, type.kind === "bool" ? false : 0, 0);
}

function writeScalarSlot(space: AddressSpace, at: number, type: AnyType, value: unknown, encoded: number): void {
  switch (type.kind) {
    case "f64":
      space.setFloat64(at, value as number);
      return;
    case "f32":
      space.setFloat32(at, value as number);
      return;
    case "i32":
      space.setInt32(at, value as number);
      return;
    case "u32":
      space.setUint32(at, value as number);
      return;
    case "i16":
      space.setInt16(at, value as number);
      return;
    case "u16":
      space.setUint16(at, value as number);
      return;
    case "i8":
      space.setInt8(at, value as number);
      return;
    case "u8":
      space.setUint8(at, value as number);
      return;
    case "bool":
      space.setUint8(at, value ? 1 : 0);
      return;
    case "enum": {
      const e = type as EnumType;
      const i = e.index.get(value as string | number) ?? 0;
      if (e.values.length <= 256) space.setUint8(at, i);
      else space.setUint16(at, i);
      return;
    }
    default:
      space.setFloat64(at, encoded);
  }
}

// ---- list elements ----

/** True if list elements of `type` need blocks (strings, composites, boxed nullable floats). */
export function elementOwnsBlocks(type: AnyType): boolean {
  const inner = unwrapNullable(type);
  return inner.kind === "string" || isComposite(inner) || (type !== inner && isFloat(inner));
}

/**
 * The float64 slot of a list element. `value` is validated; strings and
 * composites must already be written (`pointer` is their address), and a
 * boxed float's box allocated by the caller through {@link boxFloat}.
 */
export function encodeElement(type: AnyType, value: unknown, pointer: number): number {
  if (value === null) {
    const inner = (type as NullableType).inner;
    return inner.kind === "string" || isComposite(inner) || isFloat(inner) ? NULL_POINTER : Number.NaN;
  }
  const inner = unwrapNullable(type);
  switch (inner.kind) {
    case "bool":
      return value ? 1 : 0;
    case "enum":
      return (inner as EnumType).index.get(value as string | number) as number;
    case "f32":
      return inner !== type ? pointer : Math.fround(value as number);
    case "f64":
      return inner !== type ? pointer : (value as number);
    case "string":
      return pointer;
    default:
      return isComposite(inner) ? pointer : (value as number);
  }
}

/** Allocates the box of a non-null nullable float element. */
export function boxFloat(heap: Heap, value: number): number {
  const box = heap.malloc(8);
  heap.space.setFloat64(box, value);
  return box;
}

/** The raw value of a list element slot `word` of `type`: a scalar, a string, null, or a node address. */
export function decodeElement(space: AddressSpace, type: AnyType, word: number): unknown {
  const inner = unwrapNullable(type);
  const nullable = inner !== type;
  switch (inner.kind) {
    case "bool":
      return nullable && Number.isNaN(word) ? null : word !== 0;
    case "enum":
      return nullable && Number.isNaN(word) ? null : (inner as EnumType).values[word];
    case "string":
      return nullable && word === NULL_POINTER ? null : readString(space, word);
    case "f64":
    case "f32":
      if (!nullable) return word;
      return word === NULL_POINTER ? null : space.getFloat64(word);
    default:
      if (isComposite(inner)) return nullable && word === NULL_POINTER ? null : word;
      return nullable && Number.isNaN(word) ? null : word;
  }
}

/** The block address an element slot word owns (string, node or box), or 0 for none. */
export function elementPointer(type: AnyType, word: number): number {
  if (!elementOwnsBlocks(type) || word === NULL_POINTER) return 0;
  return word;
}

// ---- map values, keys and set elements ----

/** The CowMap value for a validated `value` of `type`; composites pass their node address as `pointer`. */
export function encodeMapValue(type: AnyType, value: unknown, pointer: number): unknown {
  if (value === null) return null;
  const inner = unwrapNullable(type);
  if (inner.kind === "enum") return (inner as EnumType).index.get(value as string | number);
  if (inner.kind === "f32") return Math.fround(value as number);
  return isComposite(inner) ? pointer : value;
}

/** The raw value of a stored map value: a scalar, a string, null, or a node address. */
export function decodeMapValue(type: AnyType, stored: unknown): unknown {
  if (stored === null) return null;
  const inner = unwrapNullable(type);
  if (inner.kind === "enum") return (inner as EnumType).values[stored as number];
  return stored;
}

/** The stored form of a validated key or set element. */
export function encodeKey(type: AnyType, key: unknown): string | number | boolean {
  if (type.kind === "enum") return (type as EnumType).index.get(key as string | number) as number;
  if (type.kind === "f32") return Math.fround(key as number);
  return key as string | number | boolean;
}

/** A key or set element as users see it. */
export function decodeKey(type: AnyType, stored: unknown): string | number | boolean {
  if (type.kind === "enum") return (type as EnumType).values[stored as number] as string | number;
  return stored as string | number | boolean;
}
