/**
 * Validation of plain data against the schema: `check` throws a SchemaError
 * naming the path, and reads only, so a refused value changes nothing. See
 * values.ts for what plain data of each type is.
 *
 * @module
 */

import { nodeOf } from "./brand.js";
import { type Path, throwSchema } from "./errors.js";
import {
  type AnyType,
  type EnumType,
  INT_RANGE,
  type ListType,
  type MapType,
  type NullableType,
  type SetType,
  type StructType,
  type TypedArrayType,
} from "./schema.js";
import { plainOf } from "./values.js";

// ---------------------------------------------------------------- check

/**
 * True when `v` is certainly a valid value of the scalar `type` (a bool, a
 * string, a float, an integer in range); false means "ask {@link check}",
 * which also gives the error. Lets a hot write skip building the error path
 * that `check` takes. O(1).
 */
export function scalarFits(type: AnyType, v: unknown): boolean {
  switch (type.kind) {
    case "bool":
      return typeof v === "boolean";
    case "string":
      return typeof v === "string";
    case "f64":
    case "f32":
      return typeof v === "number";
    case "i32":
    case "u32":
    case "i16":
    case "u16":
    case "i8":
    case "u8": {
      const [lo, hi] = INT_RANGE[type.kind];
      return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;
    }
    default:
      return false;
  }
}

/** Throws SchemaError unless `v` is plain data (or a view/draft) of `type`. Reads only. */
export function check(type: AnyType, v: unknown, path: Path): void {
  switch (type.kind) {
    case "f64":
    case "f32":
      if (typeof v !== "number") throwSchema(path, type.kind, v);
      return;
    case "i32":
    case "u32":
    case "i16":
    case "u16":
    case "i8":
    case "u8": {
      const [lo, hi] = INT_RANGE[type.kind];
      if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
        throwSchema(path, `${type.kind} (an integer in [${lo}, ${hi}])`, v);
      return;
    }
    case "bool":
      if (typeof v !== "boolean") throwSchema(path, "bool", v);
      return;
    case "string":
      if (typeof v !== "string") throwSchema(path, "string", v);
      return;
    case "enum":
      if (!(type as EnumType).index.has(v as string | number)) throwSchema(path, type.describe(), v);
      return;
    case "nullable":
      if (v !== null) check((type as NullableType).inner, v, path);
      return;
    case "optional":
      throwSchema(path, "a type (optional is only for struct fields)", v);
      return;
    default:
      checkComposite(type, v, path);
  }
}

function checkComposite(type: AnyType, v: unknown, path: Path): void {
  const node = nodeOf(v);
  if (node !== undefined) {
    if (node.type === type) return; // valid by construction
    v = plainOf(node.ctx(), node.type, node.addr); // another schema's value: check its data
  }
  switch (type.kind) {
    case "struct":
      checkStruct(type as StructType, v, path);
      return;
    case "list": {
      if (!Array.isArray(v)) throwSchema(path, type.describe(), v);
      const e = (type as ListType).element;
      for (let i = 0; i < v.length; i++) check(e, v[i], [...path, i]);
      return;
    }
    case "map":
      checkMap(type as MapType, v, path);
      return;
    case "set": {
      const e = (type as SetType).element;
      if (v instanceof Set) for (const k of v) check(e, k, [...path, k as string]);
      else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) check(e, v[i], [...path, i]);
      else throwSchema(path, `${type.describe()} (a Set or an array)`, v);
      return;
    }
    case "text":
      if (typeof v !== "string") throwSchema(path, "text (a string)", v);
      return;
    default:
      checkTypedArray(type as TypedArrayType, v, path);
  }
}

/** True if `k` is a valid key (or set element) of key type `type`; never throws. O(1). */
export function isValidKey(type: AnyType, k: unknown): boolean {
  switch (type.kind) {
    case "string":
      return typeof k === "string";
    case "bool":
      return typeof k === "boolean";
    case "enum":
      return (type as EnumType).index.has(k as string | number);
    case "f64":
    case "f32":
      return typeof k === "number";
    case "i32":
    case "u32":
    case "i16":
    case "u16":
    case "i8":
    case "u8": {
      const [lo, hi] = INT_RANGE[type.kind];
      return typeof k === "number" && Number.isInteger(k) && k >= lo && k <= hi;
    }
    default:
      return false;
  }
}

/** True for objects made by `{}`, `Object.create(null)` or JSON.parse. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

function checkStruct(type: StructType, v: unknown, path: Path): void {
  if (!isPlainObject(v)) throwSchema(path, `${type.describe()} (a plain object)`, v);
  for (const key of Object.keys(v)) {
    if (!type.byName.has(key)) throwSchema([...path, key], "no such field", v[key], `fields: ${type.names.join(", ")}`);
  }
  for (const f of type.fields) {
    const x = v[f.name];
    if (x === undefined) {
      if (!f.optional) throwSchema([...path, f.name], f.declared.describe(), x, "a required field");
      continue;
    }
    if (x === null && f.nullable) continue;
    check(f.type, x, [...path, f.name]);
  }
}

function checkMap(type: MapType, v: unknown, path: Path): void {
  if (v instanceof Map) {
    for (const [k, x] of v) {
      check(type.key, k, [...path, k as string]);
      check(type.value, x, [...path, k as string]);
    }
    return;
  }
  if (!isPlainObject(v)) throwSchema(path, `${type.describe()} (a Map or a plain object)`, v);
  for (const key of Object.keys(v)) {
    const k = keyFromString(type.key, key);
    if (k === undefined) throwSchema([...path, key], type.key.describe(), key, "a map key in JSON form");
    check(type.value, v[key], [...path, key]);
  }
}

/** The key of `keyType` that `s` is the JSON form of (a property name), or undefined. */
export function keyFromString(keyType: AnyType, s: string): string | number | boolean | undefined {
  switch (keyType.kind) {
    case "string":
      return s;
    case "bool":
      return s === "true" ? true : s === "false" ? false : undefined;
    case "enum": {
      const e = keyType as EnumType;
      if (e.index.has(s)) return s;
      const n = Number(s);
      return String(n) === s && e.index.has(n) ? n : undefined;
    }
    default: {
      const n = s === "-0" ? -0 : Number(s);
      if (String(n) !== s && s !== "-0") return undefined;
      try {
        check(keyType, n, []);
      } catch {
        return undefined;
      }
      return n;
    }
  }
}

/**
 * True when array element `x` may go into a typed array: a number, or for a
 * BigInt kind (`big`) a bigint or its decimal string. O(length of a string).
 */
export function typedElementFits(big: boolean, x: unknown): boolean {
  return big ? typeof x === "bigint" || (typeof x === "string" && /^-?\d+$/.test(x)) : typeof x === "number";
}

function checkTypedArray(type: TypedArrayType, v: unknown, path: Path): void {
  const big = type.ctor === BigInt64Array || type.ctor === BigUint64Array;
  let length: number;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const isBig = v instanceof BigInt64Array || v instanceof BigUint64Array;
    if (isBig !== big)
      throwSchema(path, type.describe(), v, big ? "BigInt elements are needed" : "number elements are needed");
    length = (v as unknown as ArrayLike<unknown>).length;
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!typedElementFits(big, x))
        throwSchema([...path, i], big ? "a bigint (or its decimal string)" : "a number", x);
    }
    length = v.length;
  } else throwSchema(path, `${type.describe()} (a typed array or an array)`, v);
  if (length !== type.length) throwSchema(path, type.describe(), v, `length ${length} instead of ${type.length}`);
}
