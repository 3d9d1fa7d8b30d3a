/**
 * `applyPatches`: Immer's, over state versions.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import { check, isValidKey, keyFromString } from "./check.js";
import { type Ctx, handleOf, type ListHandle, type MapHandle } from "./containers.js";
import { PatchError } from "./errors.js";
import type { Patch, PathKey } from "./patch-types.js";
import { produce } from "./produce.js";
import {
  type AnyType,
  isComposite,
  type ListType,
  type MapType,
  NullableType,
  type SetType,
  type StructType,
  type TypedArrayType,
} from "./schema.js";
import { decodeElement, decodeKey, decodeMapValue, readField } from "./slots.js";
import type { State } from "./state.js";
import { jsonOf } from "./values.js";

type Draftish = Record<string | number, unknown> & {
  splice(...a: unknown[]): unknown;
  get(k: unknown): unknown;
  set(k: unknown, v: unknown): unknown;
  add(v: unknown): unknown;
  delete(k: unknown): boolean;
  has(k: unknown): boolean;
  clear(): void;
  replace(s: string): void;
  length: number;
  size: number;
  [Symbol.iterator](): Iterator<unknown>;
};

/**
 * Applies `patches` (Immer's format, plus text `splice`; see {@link Patch})
 * to `base` and returns the resulting version, as one `produce`: all of
 * them or, on an error, none. Paths may hold map keys as strings (their
 * JSON form), so patches that went through `JSON.stringify` apply as well.
 * O(patches x path length) plus the cost of each change.
 *
 * @throws {PatchError} for an unknown op, a path that leads nowhere, or a
 *   value that does not fit the schema (its `cause` is the SchemaError);
 *   nothing changes.
 * @example
 * ```ts
 * const S = t.struct({ items: t.list(t.string), byId: t.map(t.u32, t.string) });
 * const s0 = createState(S, { items: [], byId: new Map() });
 * const s1 = applyPatches(s0, [
 *   { op: "add", path: ["items", 0], value: "x" },
 *   { op: "add", path: ["byId", "7"], value: "seven" }, // a key in JSON form
 * ]);
 * s1.toJSON(); // { items: ["x"], byId: { "7": "seven" } }
 * ```
 */
export function applyPatches<S extends AnyType>(base: State<S>, patches: readonly Patch[]): State<S> {
  if (!Array.isArray(patches)) throw new InvalidArgumentError("patches", patches, "an array of patches");
  return produce(base, (root: unknown) => {
    for (let i = 0; i < patches.length; i++) {
      try {
        applyOne(root as Draftish, base.schema, patches[i] as Patch);
      } catch (e) {
        if (e instanceof PatchError) throw e;
        throw new PatchError(i, e instanceof Error ? e.message : String(e), { cause: e });
      }
    }
  });
}

/** Per type: true when a value of it may hold a map (whose JSON form is an object). */
const holdsMap = new WeakMap<AnyType, boolean>();

/**
 * True when a value of `type` may hold a map: a map, or a struct or list
 * with one somewhere inside (nullable or not). Such a value needs
 * {@link valuePatches} to keep its maps' order in a patch; any other value's
 * patch is its `jsonOf`. O(1) after the first call per type.
 */
export function mayHoldMap(type: AnyType): boolean {
  const t = unwrap(type);
  const k = t.kind;
  if (k !== "map" && k !== "struct" && k !== "list") return false; // scalars, sets, texts, typed arrays: no lookup
  let r = holdsMap.get(t);
  if (r !== undefined) return r;
  r =
    k === "map" ||
    (k === "struct" ? (t as StructType).fields.some((f) => mayHoldMap(f.type)) : mayHoldMap((t as ListType).element));
  holdsMap.set(t, r);
  return r;
}

/**
 * The patches that put the value `raw` (a raw slot of `type`, read in
 * `ctx`) at `path` with `op`, pushed to `out` (a new array when not given),
 * which is returned: one patch whose value is its JSON form (as `jsonOf`),
 * then, for each map inside it whose iteration order a JSON object cannot
 * keep (a JS object lists integer-like keys first, ascending: a map with
 * keys "2", "1", or 5, 3, would come back reordered from the patch, JSON
 * round trip or not), that map sent as `{}` in the value and filled by one
 * `add` per entry, in the map's order, each entry's own such fixes right
 * after its `add`; at any depth (maps in records in lists in maps). A map
 * whose order an object keeps stays an object. Immer-compatible: the
 * patches apply to the state's `toJSON()` with Immer's `applyPatches` too.
 * O(size of the value), one pass; a type that holds no map costs one
 * `jsonOf`.
 *
 * For an inverse, the group must be applied first to last as well: the
 * session reverses its whole inverse list at the end of the recipe, so push
 * the group last to first (see {@link backward}).
 *
 * E.g. in a draft, `d.byId.set("k", new Map([[2, "b"], [1, "a"]]))` gives
 * `add ["byId", "k"] {}`, `add ["byId", "k", 2] "b"`, `add ["byId", "k", 1] "a"`.
 * Internal (the drafts' emitters, produce and diffPatches call it); not
 * exported from the package.
 */
export function valuePatches(
  ctx: Ctx,
  op: "add" | "replace",
  path: PathKey[],
  type: AnyType,
  raw: unknown,
  out: Patch[] = [],
): Patch[] {
  if (!mayHoldMap(type)) {
    out.push({ op, path, value: jsonOf(ctx, type, raw) });
    return out;
  }
  const at = out.length;
  out.push({ op, path, value: undefined }); // its value is known after the fixes below are pushed
  out[at] = { op, path, value: orderedJson(ctx, type, raw, path, out) };
  return out;
}

/**
 * Inverse patches `undo` (paths relative to the node at `p`, e.g. groups
 * from {@link valuePatches} made before a write, when `p` is not known yet)
 * as `emit` takes them: prefixed with `p`, and last to first, since the
 * session reverses its whole inverse list at the end (a group's `add`s that
 * keep a map's order, or a map clear's entries, then re-apply first to
 * first). O(patches x path length).
 */
export function backward(p: PathKey[], undo: Patch[]): Patch[] {
  const out: Patch[] = new Array(undo.length);
  for (let i = 0; i < undo.length; i++) {
    const x = undo[i] as Patch;
    out[undo.length - 1 - i] = { ...x, path: [...p, ...x.path] } as Patch;
  }
  return out;
}

/**
 * The JSON form of the raw value `raw` of `type` at `path`, as `jsonOf`
 * reads it, except that a map whose key order an object loses is `{}`, the
 * `add`s that fill it pushed to `extra` (each entry's own fixes right after
 * its `add`); a map an object keeps in order stays an object, its values'
 * fixes pushed as they are met.
 */
function orderedJson(ctx: Ctx, type: AnyType, raw: unknown, path: PathKey[], extra: Patch[]): unknown {
  if (raw === null || raw === undefined || !mayHoldMap(type)) return jsonOf(ctx, type, raw);
  const t = unwrap(type);
  const node = raw as number;
  const space = ctx.space;
  switch (t.kind) {
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const f of (t as StructType).fields) {
        const x = readField(space, node, f);
        if (x === undefined) continue;
        // a field that holds no map needs no path for fixes: no array made for it
        put(
          out,
          f.name,
          mayHoldMap(f.type) ? orderedJson(ctx, f.type, x, [...path, f.name], extra) : jsonOf(ctx, f.type, x),
        );
      }
      return out;
    }
    case "list": {
      const h = handleOf(ctx, t, node, false) as ListHandle | null;
      if (h === null) return [];
      const e = (t as ListType).element;
      const out = new Array(h.length);
      for (let i = 0; i < out.length; i++)
        out[i] = orderedJson(ctx, e, decodeElement(space, e, h.get(i) as number), [...path, i], extra);
      return out;
    }
    default: {
      const m = t as MapType;
      const h = handleOf(ctx, m, node, false) as MapHandle | null;
      const out: Record<string, unknown> = {};
      if (h === null) return out;
      const keys: PathKey[] = [];
      const vals: unknown[] = [];
      for (const [k, x] of h) {
        const key = decodeKey(m.key, k);
        keys.push(key);
        vals.push(decodeMapValue(m.value, x));
        put(out, String(key), null); // its place in the object's order
      }
      if (keepsOrder(out, keys)) {
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i] as PathKey;
          put(out, String(k), orderedJson(ctx, m.value, vals[i], [...path, k], extra));
        }
        return out;
      }
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as PathKey;
        const at = [...path, k];
        const j = extra.length;
        extra.push({ op: "add", path: at, value: undefined }); // before the entry's own fixes
        extra[j] = { op: "add", path: at, value: orderedJson(ctx, m.value, vals[i], at, extra) };
      }
      return {};
    }
  }
}

/** True when `o`'s own keys list `keys` (as strings) in their order: no integer-like key moved first, none merged. */
function keepsOrder(o: Record<string, unknown>, keys: PathKey[]): boolean {
  const names = Object.keys(o);
  if (names.length !== keys.length) return false; // two keys of one String() form (e.g. enum values 1 and "1")
  for (let i = 0; i < names.length; i++) if (names[i] !== String(keys[i])) return false;
  return true;
}

/** `o[name] = v`, also for the key "__proto__" (an own data property, not the prototype). */
function put(o: Record<string, unknown>, name: string, v: unknown): void {
  if (name === "__proto__")
    Object.defineProperty(o, name, { value: v, enumerable: true, writable: true, configurable: true });
  else o[name] = v;
}

function fail(why: string): never {
  throw new Error(why);
}

function unwrap(type: AnyType): AnyType {
  return type instanceof NullableType ? type.inner : type;
}

/**
 * The key of a map of key type `keyType` that a path step names. A step that
 * is no key of that type fails (a `remove` of it would otherwise find
 * nothing and change nothing, silently: e.g. a NaN key that JSON made null).
 */
function mapKey(keyType: AnyType, step: PathKey): unknown {
  if (typeof step === "string" && keyType.kind !== "string") {
    const k = keyFromString(keyType, step);
    if (k === undefined) fail(`${JSON.stringify(step)} is not a key of type ${keyType.describe()}`);
    return k;
  }
  if (!isValidKey(keyType, step)) fail(`${JSON.stringify(step)} is not a key of type ${keyType.describe()}`);
  return step;
}

/** A list index a path step names (a number or its string). */
function listIndex(step: PathKey, max: number): number {
  const n =
    typeof step === "number" ? step : typeof step === "string" && /^\d+$/.test(step) ? Number(step) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > max) fail(`${JSON.stringify(step)} is not an index in [0, ${max}]`);
  return n;
}

/** The child at `step` of a composite draft, and its type. */
function child(node: Draftish, type: AnyType, step: PathKey): [unknown, AnyType] {
  switch (type.kind) {
    case "struct": {
      const f = (type as StructType).byName.get(String(step));
      if (f === undefined) fail(`no field ${JSON.stringify(step)} in ${type.describe()}`);
      return [node[f.name], f.type];
    }
    case "list":
      return [node[listIndex(step, node.length - 1)], (type as ListType).element];
    case "map": {
      const m = type as MapType;
      const k = mapKey(m.key, step);
      if (!node.has(k)) fail(`no entry ${JSON.stringify(step)} in the map`);
      return [node.get(k), m.value];
    }
    default:
      return fail(`cannot go into a ${type.describe()} with ${JSON.stringify(step)}`);
  }
}

function applyOne(root: Draftish, schema: AnyType, patch: Patch): void {
  if (patch === null || typeof patch !== "object" || !Array.isArray(patch.path)) fail("not a patch { op, path, ... }");
  const path = patch.path;
  if (patch.op === "splice") {
    let [node, type] = [root as unknown, schema];
    for (const step of path) [node, type] = child(node as Draftish, unwrap(type), step);
    if (unwrap(type).kind !== "text") fail(`a splice needs a text, ${type.describe()} found`);
    if (node === null || node === undefined) fail(`a splice needs a text, ${node === null ? "null" : "none"} found`);
    (node as { splice(i: number, d: number, s: string): void }).splice(patch.index, patch.deleteCount, patch.insert);
    return;
  }
  if (patch.op !== "add" && patch.op !== "replace" && patch.op !== "remove")
    fail(`unknown op ${JSON.stringify((patch as { op: unknown }).op)}`);
  if (path.length === 0) {
    if (patch.op !== "replace") fail(`a patch of the whole state must be "replace", not "${patch.op}"`);
    assignWhole(root, schema, patch.value);
    return;
  }
  let node: unknown = root;
  let type = schema;
  for (let i = 0; i < path.length - 1; i++) {
    [node, type] = child(node as Draftish, unwrap(type), path[i] as PathKey);
    if (node === null || node === undefined || !isComposite(unwrap(type))) fail(`nothing to go into at step ${i}`);
  }
  applyAt(node as Draftish, unwrap(type), path[path.length - 1] as PathKey, patch);
}

function applyAt(
  parent: Draftish,
  type: AnyType,
  step: PathKey,
  patch: Patch & { op: "add" | "replace" | "remove" },
): void {
  const value = (patch as { value?: unknown }).value;
  switch (type.kind) {
    case "struct": {
      const f = (type as StructType).byName.get(String(step));
      if (f === undefined) fail(`no field ${JSON.stringify(step)} in ${type.describe()}`);
      if (patch.op === "remove") {
        delete parent[f.name];
        return;
      }
      // A text that is there takes the string as one edit; an absent (optional)
      // or null (nullable) text has no draft to edit: the assignment makes one.
      const cur = parent[f.name];
      if (f.type.kind === "text" && typeof value === "string" && cur !== null && cur !== undefined)
        (cur as Draftish).replace(value);
      else parent[f.name] = value;
      return;
    }
    case "list": {
      const len = parent.length;
      if (patch.op === "add") parent.splice(step === "-" ? len : listIndex(step, len), 0, value);
      else if (patch.op === "remove") parent.splice(listIndex(step, len - 1), 1);
      else parent[listIndex(step, len - 1)] = value;
      return;
    }
    case "map": {
      const k = mapKey((type as MapType).key, step);
      if (patch.op === "remove") parent.delete(k);
      else parent.set(k, value);
      return;
    }
    case "set": {
      if (patch.op === "add") addAt(parent, (type as SetType).element, step, value);
      else if (patch.op === "remove") {
        if ("value" in patch) {
          const e = (type as SetType).element;
          if (!isValidKey(e, value)) fail(`${JSON.stringify(value)} is not an element of type ${e.describe()}`);
          parent.delete(value);
        } else parent.delete([...parent][listIndex(step, parent.size - 1)]);
      } else fail("a set has no replace: remove and add");
      return;
    }
    case "typedArray": {
      if (patch.op !== "replace") fail(`a typed array has fixed length: only "replace" of an element`);
      const t = type as TypedArrayType;
      const big = t.ctor === BigInt64Array || t.ctor === BigUint64Array;
      // The draft converts as a native typed array does (null to 0, "x" to NaN);
      // a patch's value must be an element already, as createState asks: a
      // NaN or Infinity that JSON made null is refused, not written as 0.
      if (
        big
          ? typeof value !== "bigint" && !(typeof value === "string" && /^-?\d+$/.test(value))
          : typeof value !== "number"
      )
        fail(
          `${JSON.stringify(value)} is not an element of ${t.describe()} (${big ? "a bigint or its decimal string" : "a number"})`,
        );
      parent[listIndex(step, t.length - 1)] = big && typeof value === "string" ? BigInt(value) : value;
      return;
    }
    default:
      fail(`cannot change an element of a ${type.describe()}`);
  }
}

/**
 * A set's `add` at index `step` of its insertion order: an inverse patch of a
 * `delete` (or of a `clear`) puts the element back where it was. An index at
 * or past the end, "-", or a step that is no index appends, as a native
 * `add` does (every forward `add` names the end). O(size - index).
 */
function addAt(set: Draftish, et: AnyType, step: PathKey, value: unknown): void {
  const i = typeof step === "number" ? step : typeof step === "string" && /^\d+$/.test(step) ? Number(step) : -1;
  // an element that is not one (add throws, changing nothing) or is there already (add changes nothing)
  if (!Number.isInteger(i) || i < 0 || i >= set.size || !isValidKey(et, value) || set.has(value)) {
    set.add(value);
    return;
  }
  const tail = [...set].slice(i);
  for (const x of tail) set.delete(x);
  set.add(value);
  for (const x of tail) set.add(x);
}

/** A `replace` of the whole state: every part of the root draft takes the value's. */
function assignWhole(root: Draftish, type: AnyType, value: unknown): void {
  check(type, value, []); // before the first write
  switch (type.kind) {
    case "struct": {
      const v = value as Record<string, unknown>;
      for (const f of (type as StructType).fields) {
        if (v[f.name] === undefined) delete root[f.name];
        else root[f.name] = v[f.name];
      }
      return;
    }
    case "list": {
      root.splice(0, root.length);
      const items = value as unknown[];
      for (let i = 0; i < items.length; i += 8192) root.splice(i, 0, ...items.slice(i, i + 8192)); // no spread of 100,000s
      return;
    }
    case "map": {
      root.clear();
      const m = type as MapType;
      const entries =
        value instanceof Map
          ? [...value]
          : Object.keys(value as object).map((k) => [mapKey(m.key, k), (value as Record<string, unknown>)[k]]);
      for (const [k, x] of entries) root.set(k, x);
      return;
    }
    case "set":
      root.clear();
      for (const x of value as Iterable<unknown>) root.add(x);
      return;
    case "text":
      root.replace(value as string);
      return;
    default:
      (root as unknown as { set(a: unknown): void }).set(value);
  }
}
