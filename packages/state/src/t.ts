/**
 * The schema builders, exported as the namespace `t` (as zod's `z`):
 * `t.struct({...})`, `t.list(x)`, `t.f64`..., and the types `t.Infer`,
 * `t.Draft` and `t.Input`.
 *
 * @module
 */
import {
  type AnyType,
  BoolType,
  EnumType,
  type KeyType,
  ListType,
  MapType,
  NullableType,
  NumberType,
  OptionalType,
  SetType,
  StringType,
  StructType,
  TextType,
  TypedArrayType,
} from "./schema.js";

/** A float64 number (any JS number). */
export const f64: NumberType<"f64"> = new NumberType("f64");
/** A float32 number (stored rounded with `Math.fround`). */
export const f32: NumberType<"f32"> = new NumberType("f32");
/** A 32-bit signed integer; other numbers are refused with a SchemaError (never wrapped). */
export const i32: NumberType<"i32"> = new NumberType("i32");
/** A 32-bit unsigned integer. */
export const u32: NumberType<"u32"> = new NumberType("u32");
/** A 16-bit signed integer. */
export const i16: NumberType<"i16"> = new NumberType("i16");
/** A 16-bit unsigned integer. */
export const u16: NumberType<"u16"> = new NumberType("u16");
/** An 8-bit signed integer. */
export const i8: NumberType<"i8"> = new NumberType("i8");
/** An 8-bit unsigned integer. */
export const u8: NumberType<"u8"> = new NumberType("u8");
/** A boolean (one byte). */
export const bool: BoolType = new BoolType();
/** An immutable string, in UTF-16 code units (one byte a unit when all are below 256). */
export const string: StringType = new StringType();

/**
 * One of `values` (strings or numbers), stored as its index (one byte up to
 * 256 values).
 * @example
 * ```ts
 * const Status = t.enum(["todo", "doing", "done"]);
 * const s = createState(t.struct({ status: Status }), { status: "doing" });
 * s.root.status; // "doing"
 * ```
 */
function enumOf<const E extends readonly (string | number)[]>(values: E): EnumType<E[number]> {
  return new EnumType<E[number]>(values);
}

export { enumOf as enum };

/** A struct field that may be absent. Only for struct fields (use `nullable` elsewhere). */
export function optional<T extends AnyType>(type: T): OptionalType<T> {
  return new OptionalType(type);
}

/** A value that may be `null`. */
export function nullable<T extends AnyType>(type: T): NullableType<T> {
  return new NullableType(type);
}

/**
 * A record of named fields, laid out in one heap block (fixed-size fields
 * inline, strings and composites behind pointers).
 * @example
 * ```ts
 * const Point = t.struct({ x: t.f64, y: t.f64, label: t.optional(t.string) });
 * type Point = t.Infer<typeof Point>; // { readonly x: number; readonly y: number; readonly label?: string }
 * Point.bytes; // 40 (stamp, x, y, label pointer, tag byte: 33, rounded up to 8)
 * ```
 */
export function struct<F extends Record<string, AnyType>>(fields: F): StructType<F> {
  return new StructType(fields);
}

/** A growable list of `element`s (any type, structs included): one float64 slot each in a COW vector. */
export function list<E extends AnyType>(element: E): ListType<E> {
  return new ListType(element);
}

/** A map with `Map` semantics from `key` (string, number kinds, bool, enum) to `value` (any type). */
export function map<K extends KeyType, V extends AnyType>(key: K, value: V): MapType<K, V> {
  return new MapType(key, value);
}

/** A set of `element`s (string, number kinds, bool, enum) with `Set` semantics. */
export function set<K extends KeyType>(element: K): SetType<K> {
  return new SetType(element);
}

/** An editable text: a rope of UTF-16 chunks in pages; an edit copies O(height) pages. */
export function text(): TextType {
  return new TextType();
}

/** A fixed-length Float64Array of `length` elements (zeros until written: untouched pages cost nothing). */
export function float64Array(length: number): TypedArrayType<Float64Array> {
  return new TypedArrayType(Float64Array, length);
}
/** A fixed-length Float32Array. */
export function float32Array(length: number): TypedArrayType<Float32Array> {
  return new TypedArrayType(Float32Array, length);
}
/** A fixed-length Int32Array. */
export function int32Array(length: number): TypedArrayType<Int32Array> {
  return new TypedArrayType(Int32Array, length);
}
/** A fixed-length Uint32Array. */
export function uint32Array(length: number): TypedArrayType<Uint32Array> {
  return new TypedArrayType(Uint32Array, length);
}
/** A fixed-length Int16Array. */
export function int16Array(length: number): TypedArrayType<Int16Array> {
  return new TypedArrayType(Int16Array, length);
}
/** A fixed-length Uint16Array. */
export function uint16Array(length: number): TypedArrayType<Uint16Array> {
  return new TypedArrayType(Uint16Array, length);
}
/** A fixed-length Int8Array. */
export function int8Array(length: number): TypedArrayType<Int8Array> {
  return new TypedArrayType(Int8Array, length);
}
/** A fixed-length Uint8Array. */
export function uint8Array(length: number): TypedArrayType<Uint8Array> {
  return new TypedArrayType(Uint8Array, length);
}
/** A fixed-length Uint8ClampedArray (e.g. RGBA pixels). */
export function uint8ClampedArray(length: number): TypedArrayType<Uint8ClampedArray> {
  return new TypedArrayType(Uint8ClampedArray, length);
}
/** A fixed-length BigInt64Array. */
export function bigInt64Array(length: number): TypedArrayType<BigInt64Array> {
  return new TypedArrayType(BigInt64Array, length);
}
/** A fixed-length BigUint64Array. */
export function bigUint64Array(length: number): TypedArrayType<BigUint64Array> {
  return new TypedArrayType(BigUint64Array, length);
}

/**
 * The TypeScript type of a schema's read-only view (what `state.root`
 * gives), as zod's `z.infer`: `t.Infer<typeof Todo>`.
 */
export type Infer<S extends AnyType> = S["__view"];
/** The type of a schema's draft (what a `produce` recipe gets): `t.Draft<typeof App>`. */
export type Draft<S extends AnyType> = S["__draft"];
/** The plain data a schema accepts (`createState`'s `initial`, draft assignments): `t.Input<typeof App>`. */
export type Input<S extends AnyType> = S["__input"];
/** Any schema type. */
export type Type = AnyType;
