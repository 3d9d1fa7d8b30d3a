/**
 * Plain data in and out of the pages: validation against the schema
 * (`check`), writing a validated value as new nodes (`build`), freeing a
 * subtree (`freeNode`), and reading a subtree back out as JSON-compatible
 * data (`jsonOf`) or as plain data of the input's shape (`plainOf`).
 *
 * Plain data of each type (what `createState` and draft assignments take):
 * numbers, booleans, strings and enum values as themselves; a struct as a
 * plain object (unknown keys refused); a list as an array; a map as a `Map`
 * or, in JSON form, an object whose keys are the map's keys as strings; a set
 * as a `Set` or an array; a text as a string; a typed array as a typed array
 * of the same length (any kind; numbers are converted as `TypedArray.set`
 * does) or an array of numbers (of bigints or decimal strings for the BigInt
 * kinds). Views and drafts are accepted anywhere a plain value is, and copied.
 *
 * `check` runs before any write, so a refused value changes nothing.
 *
 * @module
 */
import { CowVector } from "@pagefork/array";
import { CowMap, CowSet } from "@pagefork/map";
import { CowText } from "@pagefork/string";
import { nodeOf } from "./brand.js";
import {
  type ArrayHandle,
  allocContainer,
  arrayClass,
  C_HANDLE,
  type Ctx,
  handleOf,
  type ListHandle,
  type MapHandle,
  type SetHandle,
} from "./containers.js";
import { type Path, throwSchema } from "./errors.js";
import {
  type AnyType,
  type EnumType,
  INT_RANGE,
  isComposite,
  type ListType,
  type MapType,
  type NullableType,
  type SetType,
  type StructType,
  type TypedArrayType,
} from "./schema.js";
import {
  boxFloat,
  decodeElement,
  decodeKey,
  decodeMapValue,
  elementOwnsBlocks,
  elementPointer,
  encodeElement,
  encodeKey,
  encodeMapValue,
  fieldPointer,
  readField,
  unwrapNullable,
  writeField,
} from "./slots.js";
import { freeString, writeString } from "./strings.js";

// ---------------------------------------------------------------- check

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
      const ok = big ? typeof x === "bigint" || (typeof x === "string" && /^-?\d+$/.test(x)) : typeof x === "number";
      if (!ok) throwSchema([...path, i], big ? "a bigint (or its decimal string)" : "a number", x);
    }
    length = v.length;
  } else throwSchema(path, `${type.describe()} (a typed array or an array)`, v);
  if (length !== type.length) throwSchema(path, type.describe(), v, `length ${length} instead of ${type.length}`);
}

// ---------------------------------------------------------------- build

/**
 * Writes the validated value `v` of composite `type` as new nodes; returns
 * the address of the top node. Views and drafts are copied.
 */
export function build(ctx: Ctx, type: AnyType, v: unknown): number {
  if (type.kind === "struct") {
    const node = nodeOf(v);
    return buildStruct(
      ctx,
      type as StructType,
      (node === undefined ? v : plainOf(node.ctx(), node.type, node.addr)) as Record<string, unknown>,
    );
  }
  const node = allocContainer(ctx, 0);
  fillContainer(ctx, type, v, node);
  return node;
}

/** Builds the structure of container `type` holding `v` and points the container node `node` at it. */
function fillContainer(ctx: Ctx, type: AnyType, v: unknown, node: number): void {
  const rec = nodeOf(v);
  if (rec !== undefined) v = plainOf(rec.ctx(), rec.type, rec.addr);
  let handle = 0;
  switch (type.kind) {
    case "list":
      handle = buildList(ctx, type as ListType, v as readonly unknown[]);
      break;
    case "map":
      handle = buildMap(ctx, type as MapType, v);
      break;
    case "set":
      handle = buildSet(ctx, type as SetType, v as Iterable<unknown>);
      break;
    case "text": {
      const s = v as string;
      if (s.length === 0) return;
      const h = CowText.create(ctx.heap);
      h.insert(0, s);
      handle = h.address;
      break;
    }
    default: {
      const t = type as TypedArrayType;
      const big = t.ctor === BigInt64Array || t.ctor === BigUint64Array;
      const src = Array.isArray(v) && big ? v.map((x) => BigInt(x as string)) : (v as ArrayLike<number>);
      handle = arrayClass(t).create(ctx.heap, src as ArrayLike<number>).address;
    }
  }
  if (handle !== 0) ctx.space.setFloat64(node + C_HANDLE, handle);
}

/**
 * A record: the block, then the container nodes of its list/map/set/text/
 * typed-array fields, allocated together before their contents, so they sit
 * side by side (in one slab page of their size class): a change under the
 * record re-stamps the record and one such node, and adjacent nodes share the
 * page copies. (W9: two page copies fewer per version.)
 */
function buildStruct(ctx: Ctx, type: StructType, v: Record<string, unknown>): number {
  const rec = ctx.heap.calloc(type.bytes);
  const space = ctx.space;
  space.setFloat64(rec, ctx.lineage.stamp());
  const fields = type.fields;
  const nodes: number[] = [];
  for (const f of fields) {
    const x = v[f.name];
    nodes.push(
      x !== undefined && x !== null && isComposite(f.type) && f.type.kind !== "struct" ? allocContainer(ctx, 0) : 0,
    );
  }
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as StructType["fields"][number];
    const node = nodes[i] as number;
    if (node === 0) writeFieldValue(ctx, rec, f, v[f.name]);
    else {
      fillContainer(ctx, f.type, v[f.name], node);
      writeField(space, rec, f, v[f.name], node);
    }
  }
  return rec;
}

/** Writes a validated value into field `f` of the record at `rec`, allocating its string/nodes. */
export function writeFieldValue(ctx: Ctx, rec: number, f: StructType["fields"][number], x: unknown): void {
  let enc = 0;
  if (x !== undefined && x !== null) {
    if (f.type.kind === "string") enc = writeString(ctx.heap, x as string);
    else if (isComposite(f.type)) enc = build(ctx, f.type, x);
  }
  writeField(ctx.space, rec, f, x, enc);
}

/** The slot word for a validated list element, allocating its string/node/box. */
export function buildElement(ctx: Ctx, type: AnyType, x: unknown): number {
  if (x === null) return encodeElement(type, null, 0);
  const inner = unwrapNullable(type);
  let pointer = 0;
  if (inner.kind === "string") pointer = writeString(ctx.heap, x as string);
  else if (isComposite(inner)) pointer = build(ctx, inner, x);
  else if (inner !== type && (inner.kind === "f64" || inner.kind === "f32"))
    pointer = boxFloat(ctx.heap, inner.kind === "f32" ? Math.fround(x as number) : (x as number));
  return encodeElement(type, x, pointer);
}

/** The vector of a new list holding `v` (0 for an empty list). */
function buildList(ctx: Ctx, type: ListType, v: readonly unknown[]): number {
  const n = v.length;
  if (n === 0) return 0;
  const words = new Float64Array(n);
  for (let i = 0; i < n; i++) words[i] = buildElement(ctx, type.element, v[i]);
  const h = CowVector.create(ctx.heap, Float64Array, { capacity: n });
  h.extend(words);
  return h.address;
}

/** The CowMap value for a validated map value, allocating its node. */
export function buildMapValue(ctx: Ctx, type: AnyType, x: unknown): unknown {
  if (x === null) return null;
  const inner = unwrapNullable(type);
  return encodeMapValue(type, x, isComposite(inner) ? build(ctx, inner, x) : 0);
}

function buildMap(ctx: Ctx, type: MapType, v: unknown): number {
  const entries: [unknown, unknown][] =
    v instanceof Map
      ? [...v]
      : Object.keys(v as object).map((k) => [keyFromString(type.key, k), (v as Record<string, unknown>)[k]]);
  if (entries.length === 0) return 0;
  const h = CowMap.create(ctx.heap);
  for (const [k, x] of entries) h.set(encodeKey(type.key, k), buildMapValue(ctx, type.value, x));
  return h.address;
}

function buildSet(ctx: Ctx, type: SetType, v: Iterable<unknown>): number {
  const h = CowSet.create(ctx.heap);
  for (const k of v) h.add(encodeKey(type.element, k));
  if (h.size === 0) {
    h.free();
    return 0;
  }
  return h.address;
}

// ---------------------------------------------------------------- free

/** Frees the node at `node` of composite `type` and everything under it. */
export function freeNode(ctx: Ctx, type: AnyType, node: number): void {
  const heap = ctx.heap;
  const space = ctx.space;
  if (type.kind === "struct") {
    for (const f of (type as StructType).fields) {
      if (f.type.kind !== "string" && !isComposite(f.type)) continue;
      const p = fieldPointer(space, node, f);
      if (p <= 0) continue;
      if (f.type.kind === "string") freeString(heap, p);
      else freeNode(ctx, f.type, p);
    }
    heap.free(node);
    return;
  }
  const h = handleOf(ctx, type, node, false);
  if (h !== null) {
    if (type.kind === "list") {
      const e = (type as ListType).element;
      if (elementOwnsBlocks(e)) {
        const list = h as ListHandle;
        for (let i = 0; i < list.length; i++) freeElement(ctx, e, list.get(i) as number);
      }
    } else if (type.kind === "map") {
      const vt = unwrapNullable((type as MapType).value);
      if (isComposite(vt)) for (const x of (h as MapHandle).values()) if (x !== null) freeNode(ctx, vt, x as number);
    }
    h.free();
    ctx.handles.delete(node);
  }
  heap.free(node);
}

/** Frees what a list element slot word owns (string, node or box). */
export function freeElement(ctx: Ctx, type: AnyType, word: number): void {
  const p = elementPointer(type, word);
  if (p === 0) return;
  const inner = unwrapNullable(type);
  if (isComposite(inner)) freeNode(ctx, inner, p);
  else ctx.heap.free(p);
}

// ---------------------------------------------------------------- read out

/**
 * JSON-compatible data of the raw value `raw` of `type` (a node address for
 * composites): structs as objects (absent optional fields left out), lists
 * and sets as arrays, maps as objects keyed by `String(key)`, texts as
 * strings, typed arrays as arrays of numbers (decimal strings for BigInt
 * kinds). O(size of the subtree).
 */
export function jsonOf(ctx: Ctx, type: AnyType, raw: unknown): unknown {
  return readOut(ctx, type, raw, true);
}

/**
 * Plain data of the input's shape: as {@link jsonOf}, but maps are `Map`s,
 * sets `Set`s and typed arrays native typed arrays (copies).
 */
export function plainOf(ctx: Ctx, type: AnyType, raw: unknown): unknown {
  return readOut(ctx, type, raw, false);
}

function readOut(ctx: Ctx, type: AnyType, raw: unknown, json: boolean): unknown {
  if (raw === null || raw === undefined) return raw;
  const t = unwrapNullable(type);
  if (!isComposite(t)) return raw;
  const node = raw as number;
  const space = ctx.space;
  switch (t.kind) {
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const f of (t as StructType).fields) {
        const x = readField(space, node, f);
        if (x !== undefined) setProperty(out, f.name, readOut(ctx, f.type, x, json));
      }
      return out;
    }
    case "list": {
      const h = handleOf(ctx, t, node, false) as ListHandle | null;
      if (h === null) return [];
      const e = (t as ListType).element;
      const out = new Array(h.length);
      for (let i = 0; i < out.length; i++) out[i] = readOut(ctx, e, decodeElement(space, e, h.get(i) as number), json);
      return out;
    }
    case "map": {
      const h = handleOf(ctx, t, node, false) as MapHandle | null;
      const m = t as MapType;
      if (json) {
        const out: Record<string, unknown> = {};
        if (h !== null)
          for (const [k, x] of h)
            setProperty(out, String(decodeKey(m.key, k)), readOut(ctx, m.value, decodeMapValue(m.value, x), true));
        return out;
      }
      const out = new Map();
      if (h !== null)
        for (const [k, x] of h) out.set(decodeKey(m.key, k), readOut(ctx, m.value, decodeMapValue(m.value, x), false));
      return out;
    }
    case "set": {
      const h = handleOf(ctx, t, node, false) as SetHandle | null;
      const e = (t as SetType).element;
      const keys: unknown[] = [];
      if (h !== null) for (const k of h) keys.push(decodeKey(e, k));
      return json ? keys : new Set(keys);
    }
    case "text": {
      const h = handleOf(ctx, t, node, false) as CowText | null;
      return h === null ? "" : h.toString();
    }
    default: {
      const h = handleOf(ctx, t, node, false) as ArrayHandle;
      const a = h.toTypedArray();
      if (!json) return a;
      return a instanceof BigInt64Array || a instanceof BigUint64Array
        ? Array.from(a, (x) => String(x))
        : Array.from(a as Float64Array);
    }
  }
}

/** `out[key] = value`, also for the key "__proto__". */
function setProperty(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
