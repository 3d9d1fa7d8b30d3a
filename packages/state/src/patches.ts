/**
 * `applyPatches`: Immer's, over state versions.
 *
 * @module
 */
import { InvalidArgumentError } from "@pagefork/core";
import { check, isValidKey, keyFromString } from "./check.js";
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
import type { State } from "./state.js";

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
