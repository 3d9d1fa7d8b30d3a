/**
 * Writing validated plain data as new nodes (`build`). Views and drafts
 * given as values are copied. Freeing a subtree is free-node.ts.
 *
 * @module
 */

import { CowVector } from "@pagefork/array";
import { describeValue } from "@pagefork/core";
import { CowMap, CowSet } from "@pagefork/map";
import { CowText } from "@pagefork/string";
import { nodeOf } from "./brand.js";
import { isValidKey, keyFromString, scalarFits, typedElementFits } from "./check.js";
import { type ArrayHandle, allocContainer, arrayClass, C_HANDLE, type Ctx } from "./containers.js";
import { type Path, SchemaError } from "./errors.js";
import {
  type AnyType,
  type EnumType,
  isComposite,
  type ListType,
  type MapType,
  type NullableType,
  type SetType,
  type StructType,
  type TypedArrayType,
} from "./schema.js";
import { boxFloat, encodeElement, encodeKey, encodeMapValue, unwrapNullable, writeField } from "./slots.js";
import { writeString } from "./strings.js";
import { plainOf } from "./values.js";

// ---------------------------------------------------------------- build

/*
 * Why the guards below: `check` validated the value, and build reads it
 * again. Plain data reads the same both times, but a getter or a Proxy may
 * give another value on the second read (a list check saw as [1] built from
 * "zz" as a u8 list holding nulls; a u8 field checked as 1 stored as 300
 * wrapped to 44). Each value is read once here and its shape is checked
 * again before it is written, O(1) a value (a typed array's elements: O(n),
 * next to the O(n) copy), so such input throws a SchemaError instead of
 * writing data that breaks the schema; the caller's rollback (createState
 * releases its space, produce fails its session) then changes nothing.
 */

const CHANGED_DETAIL =
  "read again while it was written, the value differs from the one checked: a getter or Proxy that changes";

/**
 * The SchemaErrors thrown by {@link throwChanged}, with the description of
 * their value: a builder that knows the key it was building under rethrows
 * one with that key in front ({@link underKey}), so that the error names the
 * path from the state's root, as `check`'s do. The path is put together only
 * when one is thrown: building passes no path down (no array per value).
 */
const CHANGED = new WeakMap<SchemaError, string>();

/** Throws the SchemaError of a value `x` at `path` (relative to what is built) that no longer fits `type`. */
function throwChanged(type: AnyType | string, x: unknown, path: Path = []): never {
  const got = describeValue(x);
  const e = new SchemaError(path, typeof type === "string" ? type : type.describe(), got, CHANGED_DETAIL);
  CHANGED.set(e, got);
  throw e;
}

/**
 * `e` with `keys` in front of its path when it is a SchemaError of
 * {@link throwChanged} (thrown under `keys`), else `e` as it is. O(path).
 */
export function underKey(e: unknown, keys: Path): unknown {
  const got = e instanceof SchemaError ? CHANGED.get(e) : undefined;
  if (got === undefined) return e;
  const out = new SchemaError([...keys, ...(e as SchemaError).path], (e as SchemaError).expected, got, CHANGED_DETAIL);
  CHANGED.set(out, got);
  return out;
}

/**
 * True when `x`, as read while writing, still fits `type` as `check` found:
 * a scalar in range, an enum value, null for a nullable; for a container
 * only that it is an object (or a string, for a text): its kind is checked
 * where it is built ({@link containerFits}), where its node is looked up
 * anyway. O(1), no property lookup (it runs once a field or element).
 */
function stillFits(type: AnyType, x: unknown): boolean {
  if (x === null) return type.kind === "nullable";
  const t = type.kind === "nullable" ? (type as NullableType).inner : type;
  switch (t.kind) {
    case "struct":
    case "map":
    case "list":
    case "set":
    case "typedArray":
    case "text":
      return typeof x === "object" || typeof x === "string";
    case "enum":
      return (t as EnumType).index.has(x as string | number);
    default:
      return scalarFits(t, x);
  }
}

/** True when `x`, neither a view nor a draft, is plain data of container `type`'s kind. O(1). */
function containerFits(type: AnyType, x: unknown): boolean {
  switch (type.kind) {
    case "struct":
    case "map":
      return typeof x === "object" && x !== null && !Array.isArray(x);
    case "list":
      return Array.isArray(x);
    case "set":
      return x instanceof Set || Array.isArray(x);
    case "text":
      return typeof x === "string";
    default:
      return (
        (ArrayBuffer.isView(x) || Array.isArray(x)) &&
        (x as ArrayLike<unknown>).length === (type as TypedArrayType).length
      );
  }
}

/**
 * Writes the validated value `v` of composite `type` as new nodes; returns
 * the address of the top node. Views and drafts are copied.
 */
export function build(ctx: Ctx, type: AnyType, v: unknown): number {
  if (type.kind === "struct") {
    const node = nodeOf(v);
    if (node === undefined && !containerFits(type, v)) throwChanged(type, v);
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
  else if (!containerFits(type, v)) throwChanged(type, v);
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
      handle = buildText(ctx, s).address;
      break;
    }
    default: {
      const t = type as TypedArrayType;
      const big = t.ctor === BigInt64Array || t.ctor === BigUint64Array;
      if (Array.isArray(v))
        for (let i = 0; i < v.length; i++)
          if (!typedElementFits(big, v[i]))
            throwChanged(big ? "a bigint (or its decimal string)" : "a number", v[i], [i]);
      const src = Array.isArray(v) && big ? v.map((x) => BigInt(x as string)) : (v as ArrayLike<number>);
      handle = buildTypedArray(ctx, t, src).address;
    }
  }
  if (handle !== 0) ctx.space.setFloat64(node + C_HANDLE, handle);
}

/**
 * Code units of a text leaf at page size `pageSize`: the text package's
 * layout (a u32 count, then u16 units). Only the fill of a built text
 * depends on it, never its contents (see {@link buildText}).
 */
function leafUnits(pageSize: number): number {
  return (pageSize - 4) >>> 1;
}

/**
 * A new embedded text holding `s` (non-empty), its leaves 7/8 full and its
 * inner nodes packed. O(s.length).
 *
 * Why: the text package's bulk insert cuts a string into leaves filled to
 * the brim, so the first keystroke into each leaf of a freshly loaded
 * document splits it: a new leaf page (a zero-fill fault), the heap's page
 * map and header pages and the parent rewritten, some five pages instead
 * of two. A B-tree bulk load leaves room instead (a fill factor, as
 * databases use: PostgreSQL's B-tree default is 90%). The text package has
 * no fill option, so this builds one from its two primitives: it bulk-
 * inserts `s` with `leaf - fill` filler units after every `fill` units, so
 * that each leaf holds one such block (the bulk insert cuts a string of
 * `k * leaf` units into `k` full leaves and packs the inner nodes), then
 * deletes the fillers from the last to the first, each within its leaf.
 * The contents never depend on the leaf size: the fillers are deleted by
 * position. (Appending `fill`-unit chunks instead would leave the inner
 * nodes half full, one level taller: W9's 100,000-character document had
 * height 3 that way, height 2 this way.)
 *
 * Measured on bench W9 (100,000 characters, 1,000 random one-character
 * inserts, 256-byte pages): 10-11 pages changed per version before, 7 after.
 */
function buildText(ctx: Ctx, s: string): CowText {
  const leaf = leafUnits(ctx.space.pageSize);
  const fill = leaf - (leaf >>> 3);
  if (s.length <= fill) return CowText.create(ctx.heap, s);
  const blocks = Math.ceil(s.length / fill);
  const filler = "\0".repeat(leaf - fill);
  const parts: string[] = new Array(2 * blocks);
  for (let j = 0; j < blocks; j++) {
    const real = s.slice(j * fill, (j + 1) * fill);
    parts[2 * j] = real;
    parts[2 * j + 1] = real.length === fill ? filler : "\0".repeat(leaf - real.length);
  }
  const h = CowText.create(ctx.heap, parts.join(""));
  try {
    for (let j = blocks - 1; j >= 0; j--) {
      const real = Math.min(fill, s.length - j * fill);
      h.delete(j * leaf + real, leaf - real);
    }
  } catch (e) {
    h.free();
    throw e;
  }
  return h;
}

/**
 * A typed array holding `src`: made zero-filled (its pages stay on the zero
 * frame, no frame taken), then written page by page where `src` has a
 * non-zero element, so the zeros of a blank grid cost nothing (a 1M-cell
 * grid of zeros: its page-map entries, not 8 MiB). O(src.length).
 */
function buildTypedArray(ctx: Ctx, t: TypedArrayType, src: ArrayLike<number | bigint>): ArrayHandle {
  const h = arrayClass(t).create(ctx.heap, src.length);
  const per = Math.max(1, ctx.space.pageSize / t.ctor.BYTES_PER_ELEMENT);
  const native = ArrayBuffer.isView(src) && src.constructor === t.ctor ? (src as unknown as Float64Array) : null;
  for (let at = 0; at < src.length; at += per) {
    const end = Math.min(src.length, at + per);
    let zero = true;
    for (let i = at; i < end && zero; i++) {
      const x = src[i];
      zero = x === 0 ? !Object.is(x, -0) : x === 0n; // -0 is not a zero page's content
    }
    if (zero) continue;
    const chunk = native !== null ? native.subarray(at, end) : Array.prototype.slice.call(src, at, end);
    h.set(chunk, at);
  }
  return h;
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
  const xs: unknown[] = []; // each field read once (a getter is called once), then checked again
  for (const f of fields) {
    const x = v[f.name];
    if (x === undefined ? !f.optional : x === null ? !f.nullable : !stillFits(f.type, x))
      throwChanged(f.declared, x, [f.name]);
    xs.push(x);
    nodes.push(
      x !== undefined && x !== null && isComposite(f.type) && f.type.kind !== "struct" ? allocContainer(ctx, 0) : 0,
    );
  }
  let i = 0;
  try {
    for (; i < fields.length; i++) {
      const f = fields[i] as StructType["fields"][number];
      const node = nodes[i] as number;
      const x = xs[i];
      if (node === 0) writeFieldValue(ctx, rec, f, x);
      else {
        fillContainer(ctx, f.type, x, node);
        writeField(space, rec, f, x, node);
      }
    }
  } catch (e) {
    throw underKey(e, [(fields[i] as StructType["fields"][number]).name]);
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
  const e = type.element;
  let i = 0;
  try {
    for (; i < n; i++) {
      const x = v[i];
      if (!stillFits(e, x)) throwChanged(e, x);
      words[i] = buildElement(ctx, e, x);
    }
  } catch (err) {
    throw underKey(err, [i]);
  }
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
  for (const [k, x] of entries) {
    if (!isValidKey(type.key, k)) throwChanged(type.key, k, [k as string]);
    if (!stillFits(type.value, x)) throwChanged(type.value, x, [k as string]);
    let value: unknown;
    try {
      value = buildMapValue(ctx, type.value, x);
    } catch (e) {
      throw underKey(e, [k as string]);
    }
    h.set(encodeKey(type.key, k), value);
  }
  return h.address;
}

function buildSet(ctx: Ctx, type: SetType, v: Iterable<unknown>): number {
  const h = CowSet.create(ctx.heap);
  for (const k of v) {
    if (!isValidKey(type.element, k)) {
      h.free();
      throwChanged(type.element, k, [k as string]);
    }
    h.add(encodeKey(type.element, k));
  }
  if (h.size === 0) {
    h.free();
    return 0;
  }
  return h.address;
}
